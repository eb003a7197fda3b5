"""Demo programme supervision (示例任务督办) of Jiangmen's pilot, made through the same services a
user calls (each stored with who and when, audited): the programme's units and tasks from its
pack, the demo's city staff in 市自然资源局 and the committee member in the committee, a few
tasks done (one late), progress reports with evidence, a 通报 and a 督办 of a district behind,
yearly targets (one revised), synthetic district GDP figures and the 2024H2 report filed."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select

from landrenew.core.access import Principal
from landrenew.core.store import Store
from landrenew.core.store.models import District
from landrenew.supervision import acts, figures, report, service, targets

CITY = "440700"


def _proof(name: str) -> list[dict[str, str]]:
    return [{"name": name, "sha256": hashlib.sha256(name.encode()).hexdigest()}]


def build_demo_programme(store: Store, *, user: str = "demo") -> None:
    """The Jiangmen programme, where the demo has Jiangmen's districts."""
    with store.read_session() as session:
        if session.get(District, "440703") is None or session.scalar(
                select(District.code).where(District.code == "440704")) is None:
            return
    admin = Principal(name=user, role="admin")
    made = service.init_programme(store, admin, CITY)
    if not made["tasks_created"]:
        return  # already there
    service.add_member(store, admin, CITY, "市自然资源局", "city")
    service.add_member(store, admin, CITY, "市自然资源统筹管理委员会", "weiyuanhui")
    task = {code: service.find_task(store, CITY, code) for code in "二三四八九一"}
    service.report_progress(store, admin, task["二"], percent=100, unit="市自然资源局",
                            text="全市低效用地数据库建成，报省厅审核", on=dt.date(2024, 3, 25),
                            evidence=_proof("低效用地数据库审查意见.pdf"))
    service.complete_task(store, admin, task["二"], on=dt.date(2024, 3, 28),
                          evidence=_proof("省厅审核意见.pdf"))
    service.report_progress(store, admin, task["三"], percent=80, unit="市自然资源局",
                            text="工业用地控制线划定方案已征求各县(市、区)意见",
                            on=dt.date(2024, 11, 30))
    acts.supervise(store, admin, task["三"], unit="江海区政府", kind="通报",
                   reason="工业用地控制线划定意见逾期未反馈", on=dt.date(2025, 1, 10))
    acts.supervise(store, admin, task["三"], unit="江海区政府", kind="督办",
                   reason="限期反馈划定意见", on=dt.date(2025, 1, 10),
                   due_on=dt.date(2025, 1, 25))
    service.complete_task(store, admin, task["四"], on=dt.date(2025, 1, 20),
                          evidence=_proof("专项规划批复.pdf"))
    service.complete_task(store, admin, task["八"], on=dt.date(2024, 12, 20),
                          evidence=_proof("入市试点总结.docx"))
    service.report_progress(store, admin, task["九"], percent=50, unit="蓬江区政府",
                            text="完成城中村实地调研，形成改造实施方案初稿",
                            on=dt.date(2025, 3, 1))
    targets.set_target(store, admin, task["一"], year=2024, target="完成2个再开发单元详细规划")
    targets.set_target(store, admin, task["一"], year=2025, target="完成4个再开发单元详细规划")
    targets.set_target(store, admin, task["一"], year=2025, target="完成3个再开发单元详细规划",
                       reason="中期评估：结合发展变化修正")
    # synthetic figures for the demo (not statistics): 万元 and 亩
    figures.import_figures(store, admin, CITY, [
        {"district_code": "440703", "year": 2023, "gdp_10k_yuan": "12500000",
         "construction_land_mu": "168000"},
        {"district_code": "440703", "year": 2024, "gdp_10k_yuan": "13100000",
         "construction_land_mu": "168900"},
        {"district_code": "440704", "year": 2023, "gdp_10k_yuan": "5600000",
         "construction_land_mu": "98000"},
        {"district_code": "440704", "year": 2024, "gdp_10k_yuan": "6000000",
         "construction_land_mu": "98300"}], source="示例数据（虚构）")
    filed = report.make_report(store, admin, CITY, "half_year", period="2024H2")
    report.file_report(store, admin, filed["id"], on=dt.date(2025, 1, 22))
