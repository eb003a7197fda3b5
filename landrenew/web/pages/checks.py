"""Compliance check pages (合规审查): the list of past checks (district-scoped), a form per kind
that shows the decision and every reason in words with its clause, one stored check, and a
batch upload (CSV or Excel) whose result sheet is kept for its owner to download (an hour).
Thin HTTP over :mod:`landrenew.compliance.service` and :mod:`landrenew.compliance.batch`."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from landrenew.api.deps import CsrfChecked, PageUser, SettingsDep, StoreDep
from landrenew.compliance import batch, explain, service
from landrenew.compliance.decisions import DECISIONS
from landrenew.compliance.fields import (
    GEOMETRY_FIELDS,
    KIND_FIELDS,
    KIND_NAMES,
    SPECS,
    check_kind,
    read_value,
)
from landrenew.compliance.packs import compliance_pack
from landrenew.core.access import Principal, require_write
from landrenew.core.clock import city_time_text, city_today
from landrenew.core.errors import LandrenewError
from landrenew.land import catalogue
from landrenew.land.service import read_upload
from landrenew.web.pages.common import XLSX, need_user, staged_uploads, t
from landrenew.web.render import locale_of, render

router = APIRouter(include_in_schema=False, tags=["pages"])
#: The vocabularies offered as suggestions on a form, by field.
SUGGESTIONS = {"industry": "point_supply_industries", "use": "use_max_terms",
               "function_area": "camp_excluded_function_areas"}


def _shown(check: dict[str, Any], locale: str) -> dict[str, Any]:
    """A stored check with its decision and reasons in words."""
    outcome = {k: check.get(k) for k in ("category", "period", "period_name", "legacy_route")}
    return {**check, "decision_text": explain.decision_text(check["decision"], locale,
                                                            check["kind"], outcome),
            "kind_text": KIND_NAMES[check["kind"]][1 if locale == "en" else 0],
            "at": city_time_text(check.get("recorded_at"), seconds=False),
            "source_text": _source(check.get("source"), locale),
            "lines": [{"text": explain.reason_text(r, locale, verdict=False),
                       "clause": r.get("clause"),
                       "met": r.get("met"), "kind": r.get("kind"), "basis": r.get("basis"),
                       "source": r.get("source")} for r in check["reasons"]]}


def _source(source: str | None, locale: str) -> str:
    """Where a check was asked from, in words."""
    said = {"form": t(locale, "entered on the page"), "api": t(locale, "through the API"),
            "batch": t(locale, "from an uploaded sheet"), "cli": t(locale, "on the command line"),
            "demo": t(locale, "demo data")}
    return said.get(source or "", source or "")


def _inputs(inputs: dict[str, Any], locale: str) -> list[tuple[str, str]]:
    """The request as it was given, each value read and shown with its unit where it can be."""
    out = []
    for name, raw in inputs.items():
        if name in ("district_code", "reference") or raw in (None, ""):
            continue
        spec = SPECS.get(name)
        shown = str(raw)
        if spec is not None:
            try:
                shown = explain.value_text(name, read_value(spec, raw), locale)
            except LandrenewError:
                shown = str(raw)
        out.append((explain.label(name, locale), shown))
    return out


def _districts(store: StoreDep, who: Principal) -> list[dict[str, Any]]:
    _, districts = catalogue.list_districts(store, who, limit=1000)
    return districts


@router.get("/checks")
def checks_page(request: Request, store: StoreDep, user: PageUser, kind: str | None = None,
                district: str | None = None, decision: str | None = None) -> Response:
    """Past checks within the user's districts, newest first, with the forms and the upload."""
    who = need_user(request, user)
    locale = locale_of(request)
    total, items = service.list_checks(store, who, kind=kind or None, district=district or None,
                                       decision=decision or None, limit=200)
    return render(request, "checks.html", {
        "items": [_shown(i, locale) for i in items], "total": total,
        "kinds": {k: v[1 if locale == "en" else 0] for k, v in KIND_NAMES.items()},
        "decisions": {k: v[1 if locale == "en" else 0] for k, v in DECISIONS.items()},
        "districts": _districts(store, who), "suffixes": batch.SUFFIXES,
        "filters": {"kind": kind or "", "district": district or "",
                    "decision": decision or ""}}, user=who)


def _form_fields(kind: str, district: str | None, locale: str) -> list[dict[str, Any]]:
    """The form's fields with their labels, units, choices and suggested words."""
    vocabularies: dict[str, list[str]] = {}
    if district:
        try:
            pack = compliance_pack(district, city_today())
            vocabularies = {f: [t.zh for t in pack.vocabulary(v).terms]
                            for f, v in SUGGESTIONS.items()}
        except LandrenewError:
            vocabularies = {}
    out = []
    for name in KIND_FIELDS[kind]:
        if name == "district_code":
            continue
        spec = SPECS[name]
        out.append({"name": name, "label": explain.label(name, locale), "type": spec.type,
                    "unit": spec.unit, "suggest": vocabularies.get(name, []),
                    "choices": [(c, zh if locale != "en" else en) for c, zh, en in spec.choices]})
    return out


def _form_context(store: StoreDep, who: Principal, kind: str, locale: str,
                  values: dict[str, Any] | None = None) -> dict[str, Any]:
    districts = _districts(store, who)
    chosen = (values or {}).get("district_code") or (districts[0]["code"] if districts else None)
    return {"kind": kind, "kind_text": KIND_NAMES[kind][1 if locale == "en" else 0],
            "fields": _form_fields(kind, chosen, locale), "districts": districts,
            "values": values or {"district_code": chosen}, "result": None, "error": None}


@router.get("/checks/new/{kind}")
def check_form(request: Request, kind: str, store: StoreDep, user: PageUser) -> Response:
    who = need_user(request, user)
    require_write(who)
    check_kind(kind)
    return render(request, "check_form.html",
                  _form_context(store, who, kind, locale_of(request)), user=who)


@router.post("/checks/new/{kind}")
async def check_submit(request: Request, kind: str, store: StoreDep, settings: SettingsDep,
                       user: PageUser, _csrf: CsrfChecked) -> Response:
    """Check the form's request and keep it; the decision comes back with its reasons (an
    incomplete request or a place without rules too, as the answer, not as an error page)."""
    who = need_user(request, user)
    require_write(who)
    check_kind(kind)
    locale = locale_of(request)
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items()
              if k in (*KIND_FIELDS[kind], *GEOMETRY_FIELDS) and str(v).strip()}
    context = _form_context(store, who, kind, locale, values)
    try:
        result = service.run_check(store, who, kind, values, source="form",
                                   projected_crs=settings.projected_crs)
        context["result"] = _shown(result, locale)
    except service.CheckInvalid as exc:
        context["invalid"] = [{"text": explain.reason_text(r.as_dict(), locale),
                               "field": r.field} for r in exc.decision.reasons
                              if r.kind in ("missing", "malformed")]
    except LandrenewError as exc:  # no rules here, a field the kind does not read …
        if exc.status in (401, 403):
            raise
        context["error"] = {"code": exc.code, "message": exc.message, "field": exc.field}
    template = "partials/check_result.html" if request.headers.get("HX-Request") \
        else "check_form.html"
    return render(request, template, context, user=who)


@router.get("/checks/{check_id}")
def check_page(request: Request, check_id: int, store: StoreDep, user: PageUser) -> Response:
    who = need_user(request, user)
    check = service.get_check(store, who, check_id)
    locale = locale_of(request)
    return render(request, "check.html", {"c": _shown(check, locale),
                                          "inputs": _inputs(check["inputs"], locale)}, user=who)


@router.post("/checks/batch")
def check_batch(request: Request, store: StoreDep, settings: SettingsDep, user: PageUser,
                _csrf: CsrfChecked, kind: Annotated[str, Form()],
                file: Annotated[UploadFile, File()]) -> Response:
    """Check an uploaded sheet; the result sheet (same format) waits for its owner to download."""
    who = need_user(request, user)
    require_write(who)
    check_kind(kind)
    content = read_upload(file.file, settings.max_upload_mb)
    filename = file.filename or "requests.xlsx"
    result = batch.check_sheet(store, who, kind, filename, content,
                               projected_crs=settings.projected_crs)
    suffix = ".csv" if filename.lower().endswith(".csv") else ".xlsx"
    name = f"{filename.rsplit('.', 1)[0]}-审查结果-{city_today():%Y%m%d}{suffix}"
    staged = staged_uploads(request).put(who.name, name, batch.result_file(result, suffix),
                                         {"kind": kind})
    locale = locale_of(request)
    return render(request, "check_batch.html", {
        "result": result.as_dict(), "token": staged.token, "download": name,
        "kind_text": KIND_NAMES[kind][1 if locale == "en" else 0],
        "decisions": {k: explain.decision_text(k, locale, kind) for k in DECISIONS},
        "undecided": [{"row": n, "decision": d, "fields": [explain.label(f, locale) for f in fs]}
                      for n, d, fs in result.undecided()]}, user=who)


@router.get("/checks/batch/{token}")
def check_batch_download(request: Request, token: str, user: PageUser) -> Response:
    """The result sheet of one's own batch."""
    who = need_user(request, user)
    staged = staged_uploads(request).get(token, who.name)
    media = XLSX if staged.filename.endswith(".xlsx") else "text/csv; charset=utf-8"
    return Response(staged.path.read_bytes(), media_type=media, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(staged.filename)}"})


@router.get("/checks/template/{kind}")
def check_template(request: Request, kind: str, user: PageUser) -> Response:
    """A blank Excel sheet of a kind's columns, to fill in and upload."""
    need_user(request, user)
    name = f"合规审查-{KIND_NAMES[check_kind(kind)][0]}-模板.xlsx"
    return Response(batch.template(kind), media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
