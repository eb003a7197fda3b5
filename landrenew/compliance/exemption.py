"""The five cases that use farmland or unused land without conversion procedures (免于办理用地手续,
§八), as one pure check: the request names its ``case`` and the conditions of that case are
applied one by one.

- ``road`` (一): a rural road narrower than 8 m (strict), outside the national road network,
  mainly serving farming, on no permanent basic farmland, and on general farmland only inside the
  district's approved in/out balance plan → ``exempt_as_farmland`` (按农用地管理);
- ``landscape`` (二): eco-landscape, boardwalks, viewing platforms: no cultivated land, no change
  of use, no hardened ground → ``exempt_original_class`` (按原地类管理);
- ``toilet_parking`` (二): scattered public toilets and car parks of at most 200 m², no cultivated
  land, no change of use (unhardened too where the pack says so) → ``exempt_original_class``;
- ``camp`` (三): parts of a self-drive / RV camp outside the town planning area, on unused land,
  not one of the listed function areas, no change of use, no hardened ground →
  ``exempt_original_class``;
- ``pv`` (四): on unused land, a PV array that neither presses the ground nor changes its surface,
  or a collector line of directly buried cable → ``exempt_original_class``;
- ``mine_tourism`` (五): non-permanent tourist facilities on restored mine land, no permanent
  basic farmland, no ecological, landscape or geological harm → ``exempt_current_use``.

Otherwise ``not_exempt``, with the conditions not met.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from landrenew.compliance.decisions import Checker, Decision, MapFact
from landrenew.compliance.fields import Problem
from landrenew.compliance.packs import CompliancePack


def _road(c: Checker) -> str:
    c.flag("uses_permanent_farmland", False, "road_no_permanent_farmland")
    if c.need("uses_cultivated") is True:
        c.flag("in_balance_plan", True, "road_balance_plan")
    c.flag("in_national_network", False, "road_outside_national_network")
    c.compare("width_m", "<", "road_max_width_m")
    c.flag("serves_farming", True, "road_serves_farming")
    return "exempt_as_farmland"


def _facility(c: Checker) -> None:
    """What every facility of §八(二) must keep to: no cultivated land (nor permanent basic
    farmland), no change of use."""
    c.flag("uses_cultivated", False, "facility_no_cultivated")
    c.flag("uses_permanent_farmland", False, "facility_no_cultivated")
    c.flag("changes_use", False, "facility_no_use_change")


def _landscape(c: Checker) -> str:
    _facility(c)
    c.flag("hardened", False, "facility_unhardened")
    return "exempt_original_class"


def _toilet_parking(c: Checker) -> str:
    _facility(c)
    c.flag("scattered", True, "facility_scattered")
    c.compare("area_m2", "<=", "facility_max_area_m2")
    if c.pack.number("toilet_parking_requires_unhardened").flag:
        c.flag("hardened", False, "facility_unhardened")
    return "exempt_original_class"


def _camp(c: Checker) -> str:
    pack = c.pack
    c.flag("outside_town_planning_area", True, "camp_outside_town_planning_area")
    c.flag("on_unused_land", True, "camp_unused_land")
    area = c.need("function_area")
    if area is not None:
        excluded = pack.vocabulary("camp_excluded_function_areas")
        c.add(pack.rule("camp_function_area"), pack.clause("camp_function_area"),
              "function_area", area, "not_in", [t.zh for t in excluded.terms],
              excluded.find(area) is None, excluded.basis)
    c.flag("changes_use", False, "camp_unchanged")
    c.flag("hardened", False, "camp_unchanged")
    return "exempt_original_class"


def _pv(c: Checker) -> str:
    c.flag("on_unused_land", True, "pv_unused_land")
    component = c.need("component")
    if component == "array":
        c.flag("presses_ground", False, "pv_array")
        c.flag("changes_surface", False, "pv_array")
    elif component == "collector_line":
        c.flag("cable_buried", True, "pv_collector_line")
    return "exempt_original_class"


def _mine_tourism(c: Checker) -> str:
    c.flag("restored_mine", True, "mine_restored")
    c.flag("permanent_facility", False, "mine_restored")
    c.flag("uses_permanent_farmland", False, "mine_no_permanent_farmland")
    c.flag("ecological_harm", False, "mine_no_harm")
    c.flag("geological_harm", False, "mine_no_harm")
    return "exempt_current_use"


CASE_CHECKS: dict[str, Callable[[Checker], str]] = {
    "road": _road, "landscape": _landscape, "toilet_parking": _toilet_parking, "camp": _camp,
    "pv": _pv, "mine_tourism": _mine_tourism,
}


def exemption(facts: Mapping[str, Any], pack: CompliancePack, problems: Iterable[Problem] = (),
              map_facts: Mapping[str, MapFact] | None = None) -> Decision:
    """Whether the land of one of the five cases may be used without conversion procedures."""
    c = Checker(pack, facts, problems, map_facts or {})
    case = c.need("case")
    if case is None:
        return c.result("exemption", "invalid")
    exempt = CASE_CHECKS[case](c)
    return c.result("exemption", c.decide(exempt, "not_exempt"))
