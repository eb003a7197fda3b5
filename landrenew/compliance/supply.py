"""Land supply for rural industries, as pure checks: point supply (点状供地, §六) and the support
land of a rural industry-integration project (农村一二三产业融合发展, §七).

Each takes the request's typed facts (and the map's, where it had a geometry) and the compliance
pack in force, and returns a :class:`~landrenew.compliance.decisions.Decision` listing every rule
applied with its clause, value and threshold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from landrenew.compliance.decisions import Checker, Decision, MapFact, Reason
from landrenew.compliance.fields import Problem
from landrenew.compliance.packs import CompliancePack


def point_supply(facts: Mapping[str, Any], pack: CompliancePack, problems: Iterable[Problem] = (),
                 map_facts: Mapping[str, MapFact] | None = None) -> Decision:
    """点状供地: an eligible rural industry (or its supporting infrastructure and public
    services), outside the urban development boundary, scattered, at most 30 亩 of construction
    land for the project, planning conditions issued first, and a floor price of at least 70 % of
    the benchmark land price of the same location, use and grade."""
    c = Checker(pack, facts, problems, map_facts or {})
    industry = c.need("industry")
    if industry is not None:
        vocabulary = pack.vocabulary("point_supply_industries")
        term = vocabulary.find(industry)
        c.add(pack.rule("point_supply_industry"), pack.clause("point_supply_industry"),
              "industry", industry, "in", [t.zh for t in vocabulary.terms], term is not None,
              vocabulary.basis)
    c.compare("inside_udb_ratio", "<=", "point_supply_max_inside_udb_ratio")
    c.flag("scattered", True, "point_supply_scattered")
    c.compare("area_mu", "<=", "point_supply_max_area_mu")
    c.flag("planning_conditions", True, "point_supply_planning_conditions")
    c.compare("floor_price", ">=", "point_supply_min_price_ratio", factor_of="benchmark_price")
    return c.result("point_supply", c.decide("eligible", "refused"))


def industry_integration(facts: Mapping[str, Any], pack: CompliancePack,
                         problems: Iterable[Problem] = (),
                         map_facts: Mapping[str, MapFact] | None = None) -> Decision:
    """农村一二三产业融合发展项目的配套设施用地: at most 1 % of the whole project's land **and** at
    most 30 亩; FAR at least 1.1 in principle (below it, eligible only with a recorded exception
    reason: ``exception_required``); a term within the legal maximum of the use; a floor price
    of at least 70 % of the national industrial minimum (priority industries and primary
    agri-processing; otherwise the minimum itself) and never below the actual costs; never
    commercial housing, villas, hotels or apartments; no split transfer or sublease."""
    c = Checker(pack, facts, problems, map_facts or {})
    support, project = c.need("support_area_mu"), c.need("project_area_mu")
    if support is not None and project is not None:
        if project == 0:
            c.invalid.append(Reason("input", "", "project_area_mu", project, ">", 0, None, "",
                                    "malformed", message="the whole project's land is 0 亩"))
        else:
            c.compare("support_area_mu", "<=", "integration_support_max_share",
                      factor_of="project_area_mu")
    c.compare("support_area_mu", "<=", "integration_support_max_area_mu")
    far_ok = c.compare("far", ">=", "integration_min_far")
    exception = None
    if far_ok is False:
        exception = c.get("far_exception_reason")
        c.add(pack.rule("integration_far_exception"), pack.clause("integration_far_exception"),
              "far_exception_reason", exception, "known", None, exception is not None)
    _use_and_term(c, pack)
    c.flag("split_transfer", False, "integration_no_split")
    priority = c.need("priority_industry")
    if priority is not None:
        share = "integration_min_price_ratio" if priority else "integration_standard_price_ratio"
        c.compare("floor_price", ">=", share, factor_of="national_min_price")
    cost, floor = c.need("actual_cost"), c.need("floor_price")
    if cost is not None and floor is not None:
        c.add(pack.rule("integration_cost_floor"), pack.clause("integration_cost_floor"),
              "floor_price", floor, ">=", cost, Fraction(floor) >= Fraction(cost))
    decision = c.decide("eligible", "refused")
    if decision == "refused" and far_ok is False and exception is not None and all(
            r.met is not False for r in c.reasons if r.field != "far"):
        decision = "exception_required"  # only the FAR is below, and its reason is recorded
    return c.result("industry_integration", decision)


def _use_and_term(c: Checker, pack: CompliancePack) -> None:
    """Never a prohibited use (商品住宅、别墅、酒店、公寓); the term within the use's legal
    maximum (any use not listed counts as 综合或者其他用地)."""
    use = c.need("use")
    if use is None:
        c.need("term_years")
        return
    banned = pack.vocabulary("integration_prohibited_uses")
    c.add(pack.rule("integration_prohibited_use"), pack.clause("integration_prohibited_use"),
          "use", use, "not_in", [t.zh for t in banned.terms], banned.find(use) is None,
          banned.basis)
    term_years = c.need("term_years")
    if term_years is None:
        return
    terms = pack.vocabulary("use_max_terms")
    found = terms.find(use) or terms.terms[-1]  # a use not listed: 综合或者其他用地
    years = found.years or 0
    c.add(pack.rule("integration_term"), f"{pack.clause('integration_term')}；{terms.clause}",
          "term_years", term_years, "<=", years, Fraction(term_years) <= years, terms.basis)
