"""The dashboard (统计看板): a run's figures by district, category and flag, and its Excel."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from landrenew.api.deps import CsrfChecked, PageUser, StoreDep
from landrenew.core.access import Principal
from landrenew.core.clock import city_today
from landrenew.core.errors import NotFound
from landrenew.evaluation import publishing
from landrenew.evaluation import service as evaluations
from landrenew.land import catalogue
from landrenew.serving import workbooks
from landrenew.web import legend
from landrenew.web.pages.common import XLSX, need_user
from landrenew.web.render import locale_of, render

router = APIRouter(include_in_schema=False, tags=["pages"])


def _dashboard_data(store: Any, user: Principal, locale: str, run_id: int | None,
                    district: str | None) -> dict[str, Any]:
    _, runs = evaluations.list_runs(store, user, limit=50)
    if not runs:
        return {"runs": [], "run": None}
    shown = evaluations.published_run(store, user)
    if run_id is None:  # the published run by default, else the newest (labelled unpublished)
        run_id = shown["id"] if shown else runs[0]["id"]
    run = next((r for r in runs if r["id"] == run_id), None)
    if run is None:
        run = evaluations.get_run(store, user, int(run_id or 0))
    stats = evaluations.run_statistics(store, user, run["id"], district=district or None)
    names = legend.names(run, locale)
    cats = legend.categories(run, locale)
    flags = legend.flags(run, locale)
    by_code: dict[tuple[str, str], dict[str, float]] = {}
    for r in stats["categories"]:
        cell = by_code.setdefault((r["kind"], r["code"]), {"parcels": 0, "area_mu": 0.0})
        cell["parcels"] += r["parcels"]
        cell["area_mu"] += r["area_mu"]
    primary: dict[str, dict[str, float]] = {}
    for r in stats["primary_categories"]:
        cell = primary.setdefault(r["code"], {"parcels": 0, "area_mu": 0.0})
        cell["parcels"] += r["parcels"]
        cell["area_mu"] += r["area_mu"]
    empty = {"parcels": 0, "area_mu": 0.0}
    category_totals: list[dict[str, Any]] = [
        {"code": e.code, "label": e.label, "colour": e.colour,
         "primary": primary.get(e.code, empty), "any": by_code.get(("category", e.code), empty)}
        for e in cats]
    flag_totals = [{"code": e.code, "label": e.label, "colour": e.colour,
                    **by_code.get(("flag", e.code), empty)}
                   for e in flags]
    districts = [d["district"] for d in stats["districts"]]
    # the bars count each low-efficiency parcel once, under its primary category, so that a
    # district's bar is its low-efficiency area in the table
    chart = {
        "districts": districts,
        "series": [{"name": e.label, "colour": e.colour, "data": [
            round(sum(r["area_mu"] for r in stats["primary_categories"]
                      if r["code"] == e.code and r["district_code"] == d["district_code"]), 2)
            for d in stats["districts"]]} for e in cats],
        "pie": [{"name": c["label"], "value": round(c["primary"]["area_mu"], 2),
                 "colour": c["colour"]} for c in category_totals if c["primary"]["parcels"]],
    }
    return {"runs": runs, "run": run, "publication": shown, "stats": stats, "names": names,
            "category_totals": category_totals, "flag_totals": flag_totals, "chart": chart}


@router.get("/dashboard")
def dashboard(request: Request, store: StoreDep, user: PageUser, run: int | None = None,
              district: str | None = None) -> Response:
    """District dashboard (统计看板): counts and 亩 by category and district, potential, idle and
    unsupplied stock, charts and a table."""
    who = need_user(request, user)
    data = _dashboard_data(store, who, locale_of(request), run, district)
    _, districts = catalogue.list_districts(store, who, limit=1000)
    return render(request, "dashboard.html", {**data, "district": district or "",
                                              "district_options": districts,
                                              "can_publish": publishing.can_publish(who)},
                  user=who)


@router.post("/dashboard/publish")
def dashboard_publish(request: Request, store: StoreDep, user: PageUser, _csrf: CsrfChecked,
                      run: Annotated[int, Form()],
                      reason: Annotated[str | None, Form()] = None) -> Response:
    """Publish the run shown (发布认定结果): city staff and administrators; back to the dashboard
    on it, now marked published."""
    who = need_user(request, user)
    publishing.publish_run(store, who, run, reason=(reason or "").strip() or None)
    return RedirectResponse(f"/dashboard?run={run}", status_code=303)


@router.get("/dashboard.xlsx")
def dashboard_excel(request: Request, store: StoreDep, user: PageUser, run: int | None = None,
                    district: str | None = None) -> Response:
    who = need_user(request, user)
    data = _dashboard_data(store, who, locale_of(request), run, district)
    if data["run"] is None:
        raise NotFound("no evaluation run yet: run `landrenew evaluate` first", field="run")
    content = workbooks.dashboard_workbook(data["stats"], data["names"], run=data["run"],
                                           user=who.name)
    name = f"landrenew-dashboard-run{data['run']['id']}-{city_today():%Y%m%d}.xlsx"
    return Response(content, media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


# ---------------------------------------------------------------- parcel list

