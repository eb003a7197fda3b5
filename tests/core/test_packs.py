"""The one rule-pack registry: every kind, resolved by (kind, place, date), bureau packs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from landrenew.core import packs, places
from landrenew.core.packmodels import ParameterPack
from landrenew.core.packs import NoRules, Registry, version_key

D = dt.date


@pytest.fixture
def bureau(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A bureau's rules directory named in LANDRENEW_RULES_PATH; the registry read anew."""
    folder = tmp_path / "bureau-rules"
    folder.mkdir()
    monkeypatch.setenv("LANDRENEW_RULES_PATH", str(folder))
    packs.reload()
    yield folder
    monkeypatch.delenv("LANDRENEW_RULES_PATH")
    packs.reload()


def renewal_pack(pack_id: str, version: str, code: str, name: str, ratio: str,
                 effective_from: str = "2024-01-01", issued: str | None = "2024-01-01",
                 parent: str | None = None) -> str:
    return f"""\
kind: renewal_phases
id: {pack_id}
version: "{version}"
{'parent: ' + parent if parent else ''}
title: {{zh: 测试规则, en: test rules}}
jurisdiction: {{code: "{code}", name: {name}}}
effective_from: {effective_from}
issued_on: {issued or 'null'}
parameters:
  demolition_signing_ratio:
    value: "{ratio}"
    basis: local
    clause: 本局确定
"""


def test_every_shipped_pack_loads_with_its_kind() -> None:
    reg = packs.registry()
    assert not reg.problems, reg.problems
    kinds = {p.kind for p in reg.all()}
    assert kinds == {"identification", "renewal_phases", "consolidation_scheme",
                     "consolidation_money", "willingness", "land_revenue", "compliance",
                     "programme", "quotas"}
    for info in reg.all():
        assert reg.check(info.id) is not None
        assert places.check_code(info.jurisdiction)


@pytest.mark.parametrize(("kind", "place", "on", "expected"), [
    ("identification", "440703", D(2025, 1, 1), "jiangmen"),       # city over province
    ("identification", "440700", D(2025, 1, 1), "jiangmen"),
    ("identification", "440703", D(2023, 9, 30), "guangdong"),     # before the pilot's period
    ("identification", "440703", D(2027, 10, 1), "guangdong"),     # after it
    ("identification", "440111", D(2024, 1, 1), "guangzhou"),
    ("identification", "440111", D(2023, 12, 5), "guangdong"),     # the day before the notice
    ("identification", "442000", D(2025, 1, 1), "guangdong"),     # no city standard: province
    ("renewal_phases", "440111", D(2025, 1, 1), "guangzhou-renewal"),
    ("consolidation_scheme", "442000", D(2025, 1, 1), "zhongshan-consolidation"),
    ("willingness", "442000", D(2025, 4, 30), "zhongshan-willingness-2024"),
    ("willingness", "442000", D(2025, 5, 1), "zhongshan-willingness"),  # the 2024 law in force
    ("land_revenue", "440703", D(2025, 1, 1), "guangdong-land-revenue"),
])
def test_resolve_picks_the_most_specific_pack_in_force(kind: str, place: str, on: dt.date,
                                                         expected: str) -> None:
    assert packs.resolve(kind, place, on).id == expected


@pytest.mark.parametrize(("kind", "place", "needle"), [
    ("renewal_phases", "440703", "江门市 has no urban-village phase rules (kind renewal_phases)"),
    ("renewal_phases", "442000", "中山市 has no urban-village phase rules"),
    ("consolidation_scheme", "440111", "广州市 has no land consolidation scheme"),
    ("willingness", "440703", "江门市 has no willingness conditions"),
    ("identification", "450100", "450100"),  # no pack at all outside Guangdong
])
def test_where_no_pack_applies_the_decision_is_refused_naming_kind_and_place(
        kind: str, place: str, needle: str) -> None:
    with pytest.raises(NoRules) as caught:
        packs.resolve(kind, place, D(2025, 1, 1))
    assert needle in caught.value.message
    assert caught.value.code == "no_rules" and caught.value.status == 409
    assert caught.value.to_dict()["kind"] == kind


def test_a_draft_is_marked_and_an_issued_pack_is_not() -> None:
    assert packs.resolve("consolidation_scheme", "442000", D(2025, 1, 1)).draft
    assert not packs.resolve("renewal_phases", "440111", D(2025, 1, 1)).draft


def test_a_bureau_pack_with_a_higher_version_replaces_the_shipped_one(bureau: Path) -> None:
    (bureau / "gz.yaml").write_text(renewal_pack("guangzhou-renewal", "2099.1", "440100",
                                                 "广州市", "0.85"), encoding="utf-8")
    info = packs.resolve("renewal_phases", "440111", D(2025, 1, 1))
    assert (info.version, info.origin) == ("2099.1", "bureau")
    loaded = packs.load(info.id, ParameterPack)
    assert str(loaded.param("demolition_signing_ratio").value) == "0.85"
    assert [p.version for p in packs.registry().shadowed] == ["2024.2"]


def test_a_copy_at_the_same_version_is_refused_and_the_shipped_pack_kept(bureau: Path) -> None:
    (bureau / "gz.yaml").write_text(renewal_pack("guangzhou-renewal", "2024.2", "440100",
                                                 "广州市", "0.85"), encoding="utf-8")
    reg = packs.registry()
    assert reg.get("guangzhou-renewal").origin == "builtin"
    assert any("raise the version" in p.message for p in reg.problems)


def test_a_district_pack_wins_over_its_city_and_a_new_place_gets_rules(bureau: Path) -> None:
    (bureau / "baiyun.yaml").write_text(
        renewal_pack("baiyun-renewal", "1", "440111", "白云区", "0.9",
                     parent="guangzhou-renewal"), encoding="utf-8")
    (bureau / "jm.yaml").write_text(renewal_pack("jiangmen-renewal", "1", "440700", "江门市",
                                                 "0.75"), encoding="utf-8")
    assert packs.resolve("renewal_phases", "440111", D(2025, 1, 1)).id == "baiyun-renewal"
    assert packs.resolve("renewal_phases", "440112", D(2025, 1, 1)).id == "guangzhou-renewal"
    assert packs.resolve("renewal_phases", "440703", D(2025, 1, 1)).id == "jiangmen-renewal"
    baiyun = packs.load("baiyun-renewal", ParameterPack)
    # the parent's other parameters are inherited, the child's replace its own
    assert str(baiyun.param("demolition_signing_ratio").value) == "0.9"
    assert baiyun.has("public_welfare_lead_days")


def test_a_bad_bureau_pack_is_reported_with_file_and_line_not_used(bureau: Path) -> None:
    (bureau / "bad.yaml").write_text(renewal_pack("x", "1", "4401", "广州市", "0.8"),
                                     encoding="utf-8")
    reg = packs.registry()
    assert "x" not in reg.packs
    problem = next(p for p in reg.problems if p.file and p.file.endswith("bad.yaml"))
    assert problem.line == 6 and problem.field == "jurisdiction.code"


def test_explain_says_why_each_candidate_was_chosen_or_passed_over() -> None:
    lines = packs.registry().explain("willingness", "442000", D(2025, 1, 1))
    verdicts = {info.id: why for info, why in lines}
    assert verdicts["zhongshan-willingness"].startswith("not in force on 2025-01-01")
    assert verdicts["zhongshan-willingness-2024"].startswith("chosen")


def test_versions_compare_number_by_number() -> None:
    assert version_key("2024.10") > version_key("2024.9")
    assert version_key("2025.1-draft") > version_key("2024.2-draft")
    assert version_key("2") > version_key("1.9")


def test_local_initial_parameters_are_listed_wherever_they_sit() -> None:
    reg = packs.registry()
    jiangmen = dict(packs.unconfirmed(reg.check("jiangmen")))
    assert {"industrial_min_tax_per_mu", "scattered_max_area_mu",
            "industrial_line_min_ratio"} <= set(jiangmen)
    assert "industrial_min_coverage" not in jiangmen  # a national indicator, not a guess
    revenue = dict(packs.unconfirmed(reg.check("guangdong-land-revenue")))
    assert list(revenue) == ["provisions[agriculture_rural_share].option"]


def test_registry_scan_skips_yaml_that_is_no_pack(tmp_path: Path) -> None:
    (tmp_path / "notes.yaml").write_text("just: data\n", encoding="utf-8")
    reg = Registry.scan([(tmp_path, "bureau")])
    assert not reg.packs and not reg.problems


@pytest.mark.parametrize(("code", "city", "chain"), [
    ("440703", "440700", ["440703", "440700", "440000"]),
    ("442000", "442000", ["442000", "440000"]),
    ("440100", "440100", ["440100", "440000"]),
    ("440000", "440000", ["440000"]),
])
def test_places(code: str, city: str, chain: list[str]) -> None:
    assert places.city_of(code) == city and places.lineage(code) == chain


def test_place_names() -> None:
    assert places.full_name("440703") == "江门市蓬江区"
    assert places.full_name("442000") == "中山市"
    assert places.place_name("440111") == "白云区"
    assert places.place_name("999999") == "999999"
    with pytest.raises(Exception, match="six-digit"):
        places.city_of("4407")
