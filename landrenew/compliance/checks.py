"""The checks by kind (审查类型): one pure function each, all with the same signature
``(facts, pack, problems, map_facts) -> Decision``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from landrenew.compliance.decisions import Decision, MapFact
from landrenew.compliance.exemption import exemption
from landrenew.compliance.fields import KIND_FIELDS, Parsed, Problem, check_kind
from landrenew.compliance.packs import CompliancePack
from landrenew.compliance.rural import (
    homestead,
    legacy_land,
    renovation_permit,
    rural_housing_site,
)
from landrenew.compliance.supply import industry_integration, point_supply

Check = Callable[[Mapping[str, Any], CompliancePack, Iterable[Problem],
                  Mapping[str, MapFact] | None], Decision]

CHECKS: dict[str, Check] = {
    "point_supply": point_supply,
    "industry_integration": industry_integration,
    "exemption": exemption,
    "rural_housing_site": rural_housing_site,
    "homestead": homestead,
    "renovation_permit": renovation_permit,
    "legacy_land": legacy_land,
}
assert set(CHECKS) == set(KIND_FIELDS)

#: The facts a stored zone layer knows, by field: (zone kind, how it is read).
MAP_FIELDS: dict[str, tuple[str, str]] = {
    "inside_udb_ratio": ("urban_development_boundary", "share"),
    "uses_permanent_farmland": ("permanent_basic_farmland", "overlap"),
    "in_hazard_area": ("geological_hazard", "overlap"),
}


def map_fields(kind: str) -> dict[str, tuple[str, str]]:
    """The map facts a kind of check reads."""
    return {f: v for f, v in MAP_FIELDS.items() if f in KIND_FIELDS[check_kind(kind)]}


def decide(kind: str, parsed: Parsed, pack: CompliancePack,
           map_facts: Mapping[str, MapFact] | None = None) -> Decision:
    """Apply the check of ``kind`` to a request read by
    :func:`~landrenew.compliance.fields.parse_request`."""
    return CHECKS[check_kind(kind)](parsed.facts, pack, parsed.problems, map_facts)
