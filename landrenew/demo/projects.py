"""Demo projects (示例项目): a small pilot library made through the same services a user calls,
so that every record carries its versions and audit events — and each project under the rules of
its own place:

- Jiangmen (江门市): an industrial upgrade and a "三旧" project in the library, and an urban
  village whose phase is drawn and its people listed, but which has no phase rules (江门市 sets no
  signing ratio: the gate answers "no rules");
- Guangzhou 白云区: an urban village whose implementation scheme is approved, with a first phase
  drawn on a guideline parcel (导则地块), ten people to relocate of whom eight have signed (the 80 %
  demolition gate of Guangzhou's phase rules is open) and a construction plan that puts
  resettlement housing and public works first;
- Zhongshan (中山市): an urban-village land consolidation (城中村改造土地整备) owned by the demo
  consolidation entity, following Zhongshan's scheme (a draft for comment): cost items, a
  fund-balance study, consent units and the storage-fee settlement.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import shapely
from sqlalchemy import select

from landrenew.core.access import Principal
from landrenew.core.clock import city_today
from landrenew.core.store import Store
from landrenew.core.store.models import District, ZoneVersion
from landrenew.demo.accounts import DEMO_ENTITY_ORG
from landrenew.finance import service as finance
from landrenew.projects import consent_service as consents
from landrenew.projects import phase_service, schedule_service
from landrenew.projects import service as projects
from landrenew.projects import workflow_service as workflows

EVIDENCE = "0f" * 32  # the demo's stand-in for an evidence file's SHA-256
GUANGZHOU, ZHONGSHAN = "440111", "442000"


def _guideline_parcel(store: Store, district: str) -> dict[str, Any] | None:
    """The outline (GeoJSON) of the first guideline parcel lying in ``district``."""
    with store.read_session() as session:
        boundary = session.scalar(select(District.boundary).where(District.code == district))
        if boundary is None:
            return None
        area = shapely.from_wkb(boundary)
        rows = session.execute(select(ZoneVersion.geom).where(
            ZoneVersion.kind == "guideline_parcel", ZoneVersion.valid_to.is_(None),
            ZoneVersion.is_deleted.is_(False)).order_by(ZoneVersion.zone_code)).all()
    for (wkb,) in rows:
        geom = shapely.from_wkb(wkb) if wkb is not None else None
        if geom is not None and area.contains(geom.representative_point()):
            return shapely.geometry.mapping(geom)
    return None


def build_demo_projects(store: Store, *, user: str = "demo") -> dict[str, int]:
    """Make the demo projects; returns their ids by role in the demo."""
    admin = Principal(user, "admin")
    with store.read_session() as session:
        codes = list(session.scalars(select(District.code).order_by(District.code)))
    if not codes:
        return {}
    home = [c for c in codes if c not in (GUANGZHOU, ZHONGSHAN)] or codes
    first, second = home[0], home[min(1, len(home) - 1)]
    today = city_today()
    out: dict[str, int] = {}
    out["industrial"] = projects.create_project(store, admin, {
        "name": "高新区低效工业用地升级改造", "type": "industrial_upgrade", "district_code": second,
        "batch": "first", "term": "near", "stage": "implementing",
        "instruments": ["far_bonus", "industrial_intensity"], "lead_unit": "区工业和信息化局",
        "planned_start": dt.date(today.year - 1, 3, 1), "planned_end": dt.date(today.year + 1, 12, 31),
    }, reason="示例：首批试点项目")["id"]
    out["sanjiu"] = projects.create_project(store, admin, {
        "name": "旧厂房\u201c三旧\u201d改造", "type": "sanjiu", "district_code": first,
        "batch": "second", "term": "medium", "stage": "planning",
        "instruments": ["mixed_use", "land_swap"], "lead_unit": "区自然资源分局",
        "planned_start": dt.date(today.year - 2, 1, 1), "planned_end": dt.date(today.year - 1, 6, 30),
    }, reason="示例：第二批试点项目（已逾期）")["id"]
    out.update(_jiangmen_village(store, admin, first))
    if GUANGZHOU in codes:
        out.update(_guangzhou_village(store, admin, today))
    if ZHONGSHAN in codes:
        out.update(_zhongshan_consolidation(store, admin, today))
    return out


def _jiangmen_village(store: Store, admin: Principal, district: str) -> dict[str, int]:
    """An urban village where the city has no phase rules: drawn and listed, no gate."""
    village = projects.create_project(store, admin, {
        "name": "城中村改造（江门，无分片实施规则）", "type": "urban_village",
        "district_code": district, "batch": "first", "term": "near", "stage": "planning",
        "lead_unit": "属地街道办事处"}, reason="示例：江门市未制定城中村分片签约比例")
    phase = phase_service.create_phase(store, admin, village["id"], "一期",
                                       _guideline_parcel(store, district))
    phase_service.add_people(store, admin, phase["id"], [
        {"person_id": f"JM-{i:03d}", "name": f"村民{i}", "kind": "villager"} for i in range(4)])
    return {"jiangmen_village": village["id"], "jiangmen_phase": phase["id"]}


def _guangzhou_village(store: Store, admin: Principal, today: dt.date) -> dict[str, int]:
    """A Guangzhou urban village under Guangzhou's phase rules: scheme approved, 8 of 10
    signed (the 80 % gate open), public-welfare works first."""
    village = projects.create_project(store, admin, {
        "name": "白云区城中村全面改造（分片实施）", "type": "urban_village",
        "district_code": GUANGZHOU, "batch": "first", "term": "near", "stage": "implementing",
        "lead_unit": "属地街道办事处", "scheme_approved_on": today - dt.timedelta(days=60)},
        reason="示例：城中村改造（实施方案已批复）")
    phase = phase_service.create_phase(store, admin, village["id"], "一期",
                                       _guideline_parcel(store, GUANGZHOU))
    phase_service.add_people(store, admin, phase["id"], [
        {"person_id": f"CV-{i:03d}", "name": f"村民{i}",
         "kind": "ancestral_owner" if i == 9 else ("resident" if i % 3 == 0 else "villager")}
        for i in range(10)])
    phase_service.transition(store, admin, phase["id"], "signing", reason="启动签约")
    for i in range(8):
        phase_service.record_agreement(store, admin, phase["id"], f"CV-{i:03d}",
                                       today - dt.timedelta(days=30 - i), evidence_sha256=EVIDENCE)
    schedule_service.set_schedule(store, admin, phase["id"], [
        {"name": "安置房", "kind": "resettlement_housing", "start": today.isoformat(),
         "finish": dt.date(today.year + 2, 6, 30).isoformat()},
        {"name": "社区服务中心", "kind": "public_service", "start": today.isoformat(),
         "finish": dt.date(today.year + 1, 12, 31).isoformat()},
        {"name": "融资地块住宅", "kind": "other",
         "start": (today + dt.timedelta(days=180)).isoformat(),
         "finish": dt.date(today.year + 3, 6, 30).isoformat()},
    ], reason="示例：公益先行")
    return {"urban_village": village["id"], "phase": phase["id"]}


def _zhongshan_consolidation(store: Store, admin: Principal, today: dt.date) -> dict[str, int]:
    """A Zhongshan urban-village land consolidation under Zhongshan's scheme (a draft)."""
    consolidation = projects.create_project(store, admin, {
        "name": "中山城中村土地整备（示例）", "type": "urban_village", "district_code": ZHONGSHAN,
        "batch": "first", "term": "near", "stage": "implementing", "lead_unit": "属地镇政府",
        "owner_company": DEMO_ENTITY_ORG}, reason="示例：城中村改造土地整备项目")
    pid = consolidation["id"]
    for category, amount, text in (
            ("willingness_survey", "180000.00", "意愿调查与入户走访"),
            ("surveying_mapping", "420000.00", "测绘与倾斜摄影"),
            ("expropriation_compensation", "36500000.00", "第一批房屋补偿"),
            ("resettlement_housing_construction", "52000000.00", "安置房建设"),
            ("special_loan_financing", "1850000.00", "专项借款利息")):
        finance.add_cost_item(store, admin, pid, {"category": category, "amount": amount,
                                                  "description": text,
                                                  "evidence_sha256": EVIDENCE})
    finance.study_fund_balance(store, admin, pid, {
        "compensation": "36500000", "resettlement_construction": "52000000",
        "other_costs": "2450000", "financing_cost": "1850000", "supply_area_m2": "42000",
        "far": "2.8", "floor_price": "3200"})
    workflows.start_workflow(store, admin, pid, reason="示例：启动土地整备")
    consents.add_consent_unit(
        store, admin, pid, code="A1", kind="condominium", name="商住楼（区分所有）",
        definition={"owners": [{"id": f"H{i}", "exclusive_area": str(80 + 10 * i)}
                               for i in range(6)]})
    for i in (1, 2, 3, 5):
        consents.record_consent(store, admin, pid, unit="A1", owner=f"H{i}",
                                action="consent", on=today - dt.timedelta(days=10 - i),
                                evidence_sha256=EVIDENCE)
    consents.add_consent_unit(store, admin, pid, code="C1", kind="collective",
                              name="村集体土地", definition={})
    consents.record_vote(store, admin, pid, unit="C1", vote={
        "body": "members_assembly", "matter": "general", "eligible": 420, "present": 300,
        "in_favour": 291}, held_on=today - dt.timedelta(days=20), evidence_sha256=EVIDENCE)
    finance.settle_storage_fee(store, admin, pid, {
        "service_rate": "0.05", "milestones": [
            {"name": "土地交储后", "share": "40%"}, {"name": "土地出让后", "share": "60%"}]})
    return {"consolidation": pid}
