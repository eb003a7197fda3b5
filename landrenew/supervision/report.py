"""Programme reports (报告): the half-year report to the ministry and the province (§四(二)) and
the mid-term and final evaluations (§一(三)), their figures gathered as of a day.

A report's *inputs* are plain JSON: task status, milestones, laggards and supervision acts,
projects by batch × type × stage (the library as its history stood that day), the
low-efficiency stock, 亩均 tax/output/investment and disposal rates per district (the latest
evaluation run as of the day), 单位GDP建设用地使用面积, and for an evaluation the yearly targets
with their revisions and the sections staff write. A draft is regenerated from the store; a
filed report is frozen: its inputs are kept and every file is rendered from them again
(:mod:`landrenew.supervision.render`). The stock and disposal figures are gathered in
:mod:`landrenew.supervision.stock`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import Any

import shapely
import shapely.geometry
from sqlalchemy import select

from landrenew.core import audit
from landrenew.core.access import Principal
from landrenew.core.clock import city_time_text, city_today
from landrenew.core.errors import Conflict, InputError, NotFound
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import (
    ProgrammeReport,
    ProgrammeTarget,
    ProgrammeTask,
)
from landrenew.core.store.versions import as_of_cutoff
from landrenew.evaluation.statistics import DISPOSAL_FORMULA, PER_MU_FORMULA, SHARE_FORMULA
from landrenew.land.districts import districts_frame
from landrenew.projects.vocabulary import BATCHES, PROJECT_TYPES, STAGES
from landrenew.supervision import acts, figures, rules, service
from landrenew.supervision.common import city_of, in_city, pack_for, require_runner
from landrenew.supervision.packs import ProgrammePack
from landrenew.supervision.stock import stock
from landrenew.supervision.targets import milestones, projects_as_of

#: The sections of an evaluation report staff fill in (§一(三)).
SECTIONS: dict[str, str] = {
    "experience": "经验做法", "problems": "问题及原因",
    "recommendations": "可复制推广的政策建议", "cases": "典型案例",
}
KIND_NAMES = {"half_year": "半年度工作情况报告", "mid-term": "中期评估报告",
              "final": "总结评估报告"}
GDP_FORMULA = "单位GDP建设用地使用面积(亩/亿元) = 建设用地面积(亩) ÷ 地区生产总值(万元) × 10000"
MAX_SECTION = 20000


class ReportFiled(Conflict):
    """409 ``report_filed``: a filed report is frozen."""

    code = "report_filed"


# ------------------------------------------------------------------ gathering

def gather(store: Store, user: Principal, city: str, kind: str, period: str, as_of: dt.date,
           *, sections: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every figure of a report as of ``as_of`` (JSON-ready)."""
    city = city_of(city)
    pack = pack_for(city, as_of)
    tasks = service.list_tasks(store, user, city, on=as_of)
    inputs: dict[str, Any] = {
        "kind": kind, "kind_name": KIND_NAMES[kind], "period": period,
        "period_name": (rules.parse_half_year(period).name if kind == "half_year"
                        else rules.EVALUATION_NAMES[kind]),
        "city_code": city, "city_name": pack.jurisdiction.name, "as_of": as_of,
        "generated_at": city_time_text(utcnow()), "pack": pack.id,
        "pack_version": pack.version, "source": pack.source,
        "title": f"{pack.jurisdiction.name}推进低效用地再开发试点工作"
                 + (f"{rules.parse_half_year(period).name}情况报告" if kind == "half_year"
                    else KIND_NAMES[kind]),
        "periods": [{"name": p.name, "start": p.start, "end": p.end}
                    for p in pack.periods.values()],
        "tasks": [_task_row(t) for t in tasks],
        "task_counts": dict(Counter(t["status"] for t in tasks)),
        "milestones": milestones(store, user, city, on=as_of),
        "laggards": [{k: v for k, v in r.items() if k != "acts"}
                     for r in acts.overdue(store, user, city, on=as_of)],
        "acts": [{k: a[k] for k in ("task_code", "task_title", "unit", "kind_name", "reason",
                                    "acted_on", "due_on")}
                 for a in acts.list_acts(store, user, city, on=as_of)],
        "projects": project_table(projects_as_of(store, city, as_of)),
        "land_per_gdp": [r for r in figures.land_per_gdp(store, city)
                         if r["year"] <= as_of.year],
        "formulas": {"share": SHARE_FORMULA, "per_mu": PER_MU_FORMULA,
                     "disposal": DISPOSAL_FORMULA, "gdp": GDP_FORMULA},
    }
    inputs.update(stock(store, pack, as_of))
    inputs["map"] = district_shapes(store, city, inputs)
    if kind != "half_year":
        status = {t["code"]: t for t in inputs["tasks"]}
        inputs["targets"] = [{**x, "status_name": status[x["task_code"]]["status_name"],
                              "last_percent": status[x["task_code"]]["last_percent"]}
                             if x["task_code"] in status else x
                             for x in targets(store, city, as_of)]
        inputs["sections"] = {k: (sections or {}).get(k, "") for k in SECTIONS}
    return dict(audit.jsonable(inputs))


def _task_row(t: Mapping[str, Any]) -> dict[str, Any]:
    last = t.get("last_progress") or {}
    return {"code": t["code"], "title": t["title"], "lead_units": t["lead_units"],
            "responsible_units": t["responsible_units"], "deadline": t["deadline"],
            "status": t["status"], "status_name": t["status_name"], "done_on": t["done_on"],
            "days_overdue": t["days_overdue"], "last_percent": last.get("percent"),
            "last_text": last.get("text"), "last_reported_on": last.get("reported_on"),
            "last_unit": last.get("unit")}


def project_table(projects: list[dict[str, Any]]) -> dict[str, Any]:
    """Projects counted by batch × type × stage (withdrawn ones apart)."""
    counts = Counter((p.get("batch") or "", p.get("type") or "", p.get("stage") or "")
                     for p in projects)
    rows = [{"batch": b, "batch_name": BATCHES.get(b, "未分批"), "type": t,
             "type_name": PROJECT_TYPES.get(t, t), "stage": s, "stage_name": STAGES.get(s, s),
             "count": n} for (b, t, s), n in sorted(counts.items())]
    by_district = Counter(p.get("district_code") for p in projects
                          if p.get("stage") != "withdrawn")
    return {"rows": rows, "total": len(projects),
            "by_district": {str(k): v for k, v in sorted(by_district.items(), key=str)}}


def district_shapes(store: Store, city: str, inputs: Mapping[str, Any]
                    ) -> list[dict[str, Any]]:
    """The city's district boundaries (simplified for print) with the figure each is coloured
    by: its overdue tasks (its government's) on the day."""
    frame = districts_frame(store)
    overdue = {r["unit"]: r["overdue"] for r in inputs["laggards"]}
    pack = pack_for(city, dt.date.fromisoformat(str(inputs["as_of"])))
    units = {d.code: d.unit for d in pack.districts}
    out = []
    for code, name, geom in zip(frame["district_code"], frame["name"], frame.geometry,
                                strict=True):
        if geom is None or not in_city(code, city):
            continue
        out.append({"code": code, "name": name,
                    "overdue": overdue.get(units.get(code, ""), 0),
                    "geometry": shapely.geometry.mapping(geom.simplify(0.001))})
    return out


def targets(store: Store, city: str, as_of: dt.date) -> list[dict[str, Any]]:
    """Every yearly target with its revisions (who, when, why) recorded by the end of
    ``as_of``."""
    cutoff = as_of_cutoff(as_of)
    with store.read_session() as session:
        rows = session.execute(
            select(ProgrammeTarget, ProgrammeTask.code)
            .join(ProgrammeTask, ProgrammeTask.id == ProgrammeTarget.task_id)
            .where(ProgrammeTask.city_code == city, ProgrammeTarget.recorded_at < cutoff)
            .order_by(ProgrammeTask.id, ProgrammeTarget.year, ProgrammeTarget.revision)).all()
        return [{"task_code": code, "year": t.year, "target": t.target,
                 "revision": t.revision, "reason": t.reason, "recorded_by": t.recorded_by,
                 "recorded_at": city_time_text(t.recorded_at)} for t, code in rows]


# ------------------------------------------------------------------ stored reports

def report_record(r: ProgrammeReport, *, with_inputs: bool = False) -> dict[str, Any]:
    out = {"id": r.id, "city_code": r.city_code, "kind": r.kind,
           "kind_name": KIND_NAMES[r.kind], "period": r.period, "as_of": r.as_of,
           "sections": dict(r.sections or {}), "created_at": r.created_at,
           "created_by": r.created_by, "filed": r.filed_at is not None,
           "filed_at": r.filed_at, "filed_by": r.filed_by, "filed_on": r.filed_on}
    if with_inputs:
        out["inputs"] = r.inputs
    return out


def resolve_period(pack: ProgrammePack, kind: str, period: str | None,
                   as_of: dt.date | None) -> tuple[str, dt.date]:
    """The period code and the day a report is made as of: a half-year's last day (today while
    it runs); an evaluation's day inside its window (refused outside it, 409)."""
    if kind == "half_year":
        half = rules.check_half_year(pack, period or "")
        return half.code, min(half.end, city_today())
    if kind not in rules.EVALUATIONS:
        raise InputError(f"report kind '{kind}' is not half_year, mid-term or final",
                         field="kind")
    if as_of is None:
        raise InputError("an evaluation needs its day (as_of)", field="as_of")
    day = rules.check_evaluation(pack, kind, as_of)
    if day > city_today():
        raise InputError(f"as_of {day} is still to come: an evaluation is made as of a day "
                         "that has passed", field="as_of")
    return kind, day


def make_report(store: Store, user: Principal, city: str, kind: str, *,
                period: str | None = None, as_of: dt.date | None = None,
                sections: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A draft report kept with its inputs (city staff and administrators)."""
    require_runner(user)
    city = city_of(city)
    pack = pack_for(city, as_of or city_today())
    code, day = resolve_period(pack, kind, period, as_of)
    clean = check_sections(sections)
    inputs = gather(store, user, city, kind, code, day, sections=clean)
    with store.session() as session:
        row = ProgrammeReport(city_code=city, kind=kind, period=code, as_of=day, inputs=inputs,
                              sections=clean, created_at=utcnow(), created_by=user.name)
        session.add(row)
        session.flush()
        record = report_record(row)
        audit.record(session, actor=user.name, action="insert", entity_type="programme_report",
                     entity_id=str(row.id), after=record)
    return record


def check_sections(sections: Mapping[str, str] | None) -> dict[str, str]:
    out = {}
    for key, text in (sections or {}).items():
        if key not in SECTIONS:
            raise InputError(f"section '{key}' is not one of {', '.join(SECTIONS)}",
                             field="sections")
        if len(text or "") > MAX_SECTION:
            raise InputError(f"section '{key}' is longer than {MAX_SECTION} characters",
                             field="sections")
        out[key] = (text or "").strip()
    return out


def _report(session: Any, report_id: int) -> ProgrammeReport:
    row = session.get(ProgrammeReport, report_id)
    if row is None:
        raise NotFound(f"no report {report_id}", field="report")
    return row


def update_report(store: Store, user: Principal, report_id: int, *,
                  sections: Mapping[str, str] | None = None, refresh: bool = True
                  ) -> dict[str, Any]:
    """Change a draft's sections and gather its figures again; a filed one is refused (409)."""
    require_runner(user)
    clean = check_sections(sections)
    with store.read_session() as session:
        row = _report(session, report_id)
        if row.filed_at is not None:
            raise ReportFiled(f"report {report_id} is filed and frozen", field="report")
        city, kind, period, day = row.city_code, row.kind, row.period, row.as_of
        merged = {**dict(row.sections or {}), **clean}
    inputs = gather(store, user, city, kind, period, day, sections=merged) if refresh else None
    with store.session() as session:
        row = _report(session, report_id)
        before = report_record(row)
        row.sections = merged
        if inputs is not None:
            row.inputs = inputs
        elif row.inputs and "sections" in row.inputs:
            row.inputs = {**row.inputs, "sections": merged}
        session.flush()
        record = report_record(row)
        audit.record(session, actor=user.name, action="update", entity_type="programme_report",
                     entity_id=str(row.id), before=before, after=record)
    return record


def file_report(store: Store, user: Principal, report_id: int, *, on: dt.date | None = None
                ) -> dict[str, Any]:
    """File a report (报送): from now on frozen, its inputs kept."""
    require_runner(user)
    with store.session() as session:
        row = _report(session, report_id)
        if row.filed_at is not None:
            raise ReportFiled(f"report {report_id} is filed and frozen", field="report")
        before = report_record(row)
        row.filed_at, row.filed_by, row.filed_on = utcnow(), user.name, on or city_today()
        session.flush()
        record = report_record(row)
        audit.record(session, actor=user.name, action="file", entity_type="programme_report",
                     entity_id=str(row.id), before=before, after=record)
    return record


def get_report(store: Store, user: Principal, report_id: int) -> dict[str, Any]:
    with store.read_session() as session:
        return report_record(_report(session, report_id), with_inputs=True)


def list_reports(store: Store, user: Principal, city: str) -> dict[str, Any]:
    """The reports kept, and the half-years whose report was not filed by its due day."""
    city = city_of(city)
    pack = pack_for(city)
    with store.read_session() as session:
        rows = session.scalars(select(ProgrammeReport).where(ProgrammeReport.city_code == city)
                               .order_by(ProgrammeReport.id.desc())).all()
        records = [report_record(r) for r in rows]
    filed: dict[str, dt.date] = {}
    for r in records:
        if r["kind"] == "half_year" and r["filed_on"] is not None:
            filed[r["period"]] = min(filed.get(r["period"], r["filed_on"]), r["filed_on"])
    return {"reports": records,
            "missing": rules.missing_reports(pack, filed, city_today()),
            "half_years": [h.code for h in rules.half_years(pack)]}


def report_inputs(store: Store, user: Principal, city: str, kind: str, *,
                  period: str | None = None, as_of: dt.date | None = None,
                  sections: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The inputs a report file is drawn from: the filed report of that period and day if one
    is kept (frozen), else the figures gathered now."""
    city = city_of(city)
    pack = pack_for(city, as_of or city_today())
    code, day = resolve_period(pack, kind, period, as_of)
    with store.read_session() as session:
        filed = session.scalars(select(ProgrammeReport).where(
            ProgrammeReport.city_code == city, ProgrammeReport.kind == kind,
            ProgrammeReport.period == code, ProgrammeReport.as_of == day,
            ProgrammeReport.filed_at.is_not(None)).order_by(ProgrammeReport.id.desc())).first()
        if filed is not None:
            return dict(filed.inputs)
    return gather(store, user, city, kind, code, day, sections=check_sections(sections))
