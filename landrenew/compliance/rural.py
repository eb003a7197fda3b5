"""Rural houses and rural land, as pure checks: a house site and the geological hazards (§九),
homestead houses built before the cut-off day (存量宅基地房屋, §五), renovation without a planning
permit (原有建筑改造, §五) and legacy construction land (农村历史遗留建设用地, §五 with the four
categories of Jiangmen's plan) with the reserved-land quota it offsets (:func:`quota_offset`,
which the quota ledger books).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from landrenew.compliance.decisions import Checker, Decision, MapFact, Reason
from landrenew.compliance.fields import Problem
from landrenew.compliance.packs import HOMESTEAD_PERIODS, LEGACY_CATEGORIES, CompliancePack
from landrenew.finance.money import decimal_str, exact_product


def rural_housing_site(facts: Mapping[str, Any], pack: CompliancePack,
                       problems: Iterable[Problem] = (),
                       map_facts: Mapping[str, MapFact] | None = None) -> Decision:
    """农房建设应避让地质灾害隐患点、风险点: a site in a hazard area is refused, naming the zone."""
    c = Checker(pack, facts, problems, map_facts or {})
    c.flag("in_hazard_area", False, "hazard_avoidance")
    return c.result("rural_housing_site", c.decide("eligible", "refused"))


def homestead_period(built_on: dt.date, pack: CompliancePack) -> str:
    """The period of a house by the days the 1987 and the 1999 Land Management Law came into
    force: ``before_1987``, ``from_1987_to_1998`` or ``from_1999``."""
    if built_on < pack.day("land_law_1987").value:
        return HOMESTEAD_PERIODS[0]
    if built_on < pack.day("land_law_1999").value:
        return HOMESTEAD_PERIODS[1]
    return HOMESTEAD_PERIODS[2]


def homestead(facts: Mapping[str, Any], pack: CompliancePack, problems: Iterable[Problem] = (),
              map_facts: Mapping[str, MapFact] | None = None) -> Decision:
    """存量宅基地房屋: a house completed before the cut-off (2015-07-15; whether the day counts is
    the pack's ``homestead_cutoff_day_counts``) takes the legacy route (``legacy_route``); its
    period decides which of the five conditions it must meet (the pack's
    ``homestead_conditions``), each listed as met or failed. ``eligible`` when every required
    condition is met; ``refused`` otherwise, or when the house is too recent for the route."""
    c = Checker(pack, facts, problems, map_facts or {})
    built = c.need("built_on")
    if built is None:
        return c.result("homestead", "invalid")
    period = homestead_period(built, pack)
    cutoff = pack.day("homestead_cutoff")
    day_counts = pack.number("homestead_cutoff_day_counts")
    op = "<=" if day_counts.flag else "<"
    legacy = built <= cutoff.value if day_counts.flag else built < cutoff.value
    c.add(pack.rule("homestead_cutoff"), cutoff.clause, "built_on", built, op, cutoff.value,
          legacy, cutoff.basis)
    if legacy:
        rules = pack.homestead_conditions
        for name in rules.period(period).requires:
            value = c.need(name)
            if value is not None:
                c.add(pack.rule(f"homestead_conditions.{period}.{name}"),
                      pack.clause("homestead_conditions"), name, value, "==", True,
                      value is True, rules.basis)
    return c.result("homestead", c.decide("eligible", "refused"), period=period,
                    period_name=pack.homestead_conditions.period(period).zh, legacy_route=legacy)


RENOVATION_UNCHANGED = ("area_changed", "height_changed", "floors_changed", "facade_changed",
                        "safety_class_lowered", "use_changed")


def renovation_permit(facts: Mapping[str, Any], pack: CompliancePack,
                      problems: Iterable[Problem] = (),
                      map_facts: Mapping[str, MapFact] | None = None) -> Decision:
    """原有建筑改造: no planning permit is needed when the original permits are complete and the
    floor area, total height, floors, façade, structural safety class and use all stay as they
    are; otherwise a permit is needed, with the reasons."""
    c = Checker(pack, facts, problems, map_facts or {})
    c.flag("permits_complete", True, "renovation_permits")
    for name in RENOVATION_UNCHANGED:
        c.flag(name, False, "renovation_unchanged")
    return c.result("renovation_permit", c.decide("no_permit_needed", "permit_needed"))


#: The four procedures of construction land, in order, and the category of land missing each.
LEGACY_STEPS = tuple(zip(("has_approval", "filed", "conversion_done", "supply_done"),
                         LEGACY_CATEGORIES, strict=True))


@dataclass(frozen=True)
class QuotaOffset:
    """The reserved-land quota (留用地指标) a piece of legacy land offsets: ``offset_mu`` = the
    pack's share × its area, for land without legal procedures shown as construction land in
    the second national land survey; 0 otherwise. The quota ledger books it."""

    area_mu: Decimal
    offset_mu: Decimal
    share: Decimal
    applies: bool
    rule: str
    clause: str
    basis: str
    pack: str
    pack_version: str

    def as_dict(self) -> dict[str, Any]:
        return {"area_mu": decimal_str(self.area_mu), "offset_mu": decimal_str(self.offset_mu),
                "share": decimal_str(self.share), "applies": self.applies, "rule": self.rule,
                "clause": self.clause, "basis": self.basis, "pack": self.pack,
                "pack_version": self.pack_version}


def quota_offset(area_mu: Decimal, category: str | None, in_second_survey: bool,
                 pack: CompliancePack) -> QuotaOffset:
    """按历史遗留建设用地面积的50%抵扣留用地指标: exact (the area × the share, no rounding)."""
    param = pack.number("legacy_quota_offset_ratio")
    applies = category == "no_legal_procedures" and in_second_survey
    offset = exact_product(area_mu, param.value) if applies else Decimal(0)
    return QuotaOffset(area_mu, offset.normalize() if offset else Decimal(0), param.value,
                       applies, pack.rule("legacy_quota_offset_ratio"), param.clause,
                       param.basis, pack.id, pack.version)


def legacy_land(facts: Mapping[str, Any], pack: CompliancePack, problems: Iterable[Problem] = (),
                map_facts: Mapping[str, MapFact] | None = None) -> Decision:
    """农村历史遗留建设用地: the first procedure missing, in order — approval, filing, conversion
    and expropriation, supply — gives the category (没有合法用地手续 / 未完成用地备案 /
    未完成转用征收手续 / 未完成土地供应手续); land with all four is ``not_legacy``. Land without
    legal procedures that the second national land survey shows as construction land offsets
    half its area against the village's reserved-land quota (``quota_offset_mu``)."""
    c = Checker(pack, facts, problems, map_facts or {})
    categories = pack.vocabulary("legacy_categories")
    code = None
    for name, missing in LEGACY_STEPS:
        done = c.need(name)
        if done is None:
            break
        c.add(pack.rule(f"legacy_categories.{missing}"), pack.clause("legacy_categories"), name,
              done, "==", True, done, categories.basis)
        if not done:
            code = missing
            break
    offset = Decimal(0)
    if code == "no_legal_procedures":
        survey, area = c.need("construction_in_second_survey"), c.need("area_mu")
        if survey is not None and area is not None:
            result = quota_offset(area, code, survey, pack)
            c.add(pack.rule("legacy_second_survey"), pack.clause("legacy_second_survey"),
                  "construction_in_second_survey", survey, "==", True, survey)
            c.reasons.append(Reason(result.rule, result.clause, "quota_offset_mu",
                                    result.offset_mu, "==", None, None, result.basis, "result",
                                    of=("area_mu", area, result.share) if survey else None))
            offset = result.offset_mu
    term = categories.find(code) if code else None
    category = term.zh if term is not None else None
    if c.invalid:
        return c.result("legacy_land", "invalid", category=category, quota_offset_mu=None)
    return c.result("legacy_land", "eligible" if code else "not_legacy", category=category,
                    quota_offset_mu=offset)
