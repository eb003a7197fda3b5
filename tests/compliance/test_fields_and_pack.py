"""Reading requests (booleans, numbers, days, Chinese headers) and the compliance pack: resolved
by place and date, refused where a place has none, and every number cited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from landrenew.compliance.fields import (
    KIND_FIELDS,
    SPECS,
    header_field,
    parse_request,
    read_value,
)
from landrenew.compliance.packs import REQUIRED_PARAMETERS, CompliancePack, compliance_pack
from landrenew.core import packs
from landrenew.core.errors import InputError
from landrenew.core.packs import NoRules

from .conftest import GZ


@pytest.mark.parametrize(("raw", "value"), [
    ("true", True), ("FALSE", False), ("是", True), ("否", False), ("1", True), ("0", False),
    (1, True), (0, False), (True, True), ("1.0", True), (" 是 ", True)])
def test_booleans_in_every_spelling(raw: object, value: bool) -> None:
    assert read_value(SPECS["scattered"], raw) is value


@pytest.mark.parametrize("raw", ["maybe", "2", "对", 2])
def test_an_unreadable_boolean_names_its_field(raw: object) -> None:
    with pytest.raises(InputError) as caught:
        read_value(SPECS["scattered"], raw)
    assert caught.value.field == "scattered"


def test_numbers_days_and_shares() -> None:
    assert read_value(SPECS["area_mu"], "30.50") == Decimal("30.50")
    assert read_value(SPECS["area_mu"], 12.5) == Decimal("12.5")
    assert read_value(SPECS["inside_udb_ratio"], "25%") == Decimal("0.25")
    assert read_value(SPECS["built_on"], "2015/07/15") == dt.date(2015, 7, 15)
    assert read_value(SPECS["built_on"], dt.datetime(2015, 7, 15, 0, 0)) == dt.date(2015, 7, 15)
    for spec, raw in (("area_mu", "-1"), ("inside_udb_ratio", "1.2"), ("built_on", "15.7.2015"),
                      ("district_code", "白云")):
        with pytest.raises(InputError):
            read_value(SPECS[spec], raw)


def test_a_header_by_code_or_by_chinese_name() -> None:
    assert header_field("area_mu") == "area_mu"
    assert header_field("建设用地总面积") == "area_mu"
    assert header_field(" 行政区 ") == "district_code"
    assert header_field("wkt") == "wkt" and header_field("备注") is None


def test_the_api_refuses_a_field_the_kind_does_not_read() -> None:
    with pytest.raises(InputError) as caught:
        parse_request("homestead", {"district_code": GZ, "area_mu": "3"}, strict=True)
    assert caught.value.field == "area_mu"
    loose = parse_request("homestead", {"district_code": GZ, "备注": "x"}, strict=False)
    assert loose.ignored == ("备注",) and loose.facts == {"district_code": GZ}


def test_every_kind_has_the_interface_fields() -> None:
    expected = {
        "point_supply": {"district_code", "industry", "area_mu", "inside_udb_ratio", "scattered",
                         "planning_conditions", "benchmark_price", "floor_price"},
        "industry_integration": {"district_code", "project_area_mu", "support_area_mu", "far",
                                 "far_exception_reason", "use", "split_transfer", "term_years",
                                 "national_min_price", "actual_cost", "floor_price"},
        "homestead": {"district_code", "built_on", "plan_conforming", "legal_source",
                      "eligible", "one_household", "within_area_standard"},
        "legacy_land": {"district_code", "has_approval", "filed", "conversion_done",
                        "supply_done", "construction_in_second_survey", "area_mu"},
    }
    for kind, names in expected.items():
        assert names <= set(KIND_FIELDS[kind]), kind


def test_the_pack_resolves_for_guangzhou_from_the_notices_day() -> None:
    assert compliance_pack(GZ, dt.date(2023, 12, 6)).id == "guangzhou-compliance"
    assert compliance_pack("440100", dt.date(2030, 1, 1)).id == "guangzhou-compliance"
    with pytest.raises(NoRules) as before:
        compliance_pack(GZ, dt.date(2023, 12, 5))
    assert before.value.to_dict()["kind"] == "compliance"
    with pytest.raises(NoRules) as elsewhere:
        compliance_pack("440703", dt.date(2025, 1, 1))
    assert elsewhere.value.status == 409 and elsewhere.value.code == "no_rules"
    assert "江门市 has no compliance rules (kind compliance) for 蓬江区" in str(elsewhere.value)


def test_every_number_has_its_basis_and_clause(pack: CompliancePack) -> None:
    for name, param in pack.parameters.items():
        assert param.clause, name
        if param.basis == "document":
            assert "《通知》" in param.clause, name
    assert pack.number("point_supply_max_area_mu").value == 30
    assert pack.number("integration_support_max_share").value == Decimal("0.01")
    assert pack.number("road_max_width_m").value == 8
    assert pack.number("facility_max_area_m2").value == 200
    assert pack.day("homestead_cutoff").value == dt.date(2015, 7, 15)
    assert {n for n, p in pack.parameters.items() if p.basis == "local_initial"} == {
        "map_sliver_m2", "map_sliver_share", "toilet_parking_requires_unhardened",
        "homestead_cutoff_day_counts"}


def test_a_bureau_copy_missing_a_number_is_refused(pack: CompliancePack) -> None:
    data = pack.model_dump()
    data["parameters"].pop(REQUIRED_PARAMETERS[0])
    with pytest.raises(ValidationError, match=REQUIRED_PARAMETERS[0]):
        CompliancePack.model_validate(data)
    data = pack.model_dump()
    data["clauses"].pop("hazard_avoidance")
    with pytest.raises(ValidationError, match="hazard_avoidance"):
        CompliancePack.model_validate(data)


def test_the_registry_checks_the_shipped_pack() -> None:
    reg = packs.registry()
    assert reg.get("guangzhou-compliance").kind == "compliance"
    assert reg.check("guangzhou-compliance").label == "guangzhou-compliance 2023.12"
