"""The pages (页面): map, parcel card, dashboard, parcel list, import, audit, login.

Thin HTTP over the same platform services as the REST API, so a page never shows what the API
would refuse: the services apply the role, the district scope and the redaction of sensitive
fields. Anonymous visitors get the public pages (the map and public parcel cards); the others
redirect to the login page. Forms carry the session's CSRF token; htmx requests send it as the
``X-CSRF-Token`` header.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from landrenew.api.deps import (
    CsrfChecked,
    PageUser,
    SettingsDep,
    StoreDep,
    client_address,
)
from landrenew.core import auth
from landrenew.core.access import (
    PUBLIC,
    NotAuthenticated,
    PermissionDenied,
    Principal,
    require_write,
)
from landrenew.core.clock import city_today
from landrenew.core.errors import (
    InputError,
    NotFound,
    TooManyAttempts,
    ValidationFailed,
    problem_listing,
)
from landrenew.core.settings import Settings
from landrenew.evaluation import service as evaluations
from landrenew.land import catalogue
from landrenew.land import service as land_service
from landrenew.land.importing import ImportOptions
from landrenew.land.service import SUFFIXES, upload_parcels
from landrenew.serving import parcels as parcel_service
from landrenew.serving import workbooks
from landrenew.web import i18n, legend
from landrenew.web.render import locale_of, render
from landrenew.web.staging import Staging

router = APIRouter(include_in_schema=False, tags=["pages"])
PAGE_SIZE = 50
#: How long a login form may be left open before it is sent (its nonce cookie's lifetime).
LOGIN_FORM_SECONDS = 12 * 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 512 * 1024 * 1024


class LoginRequired(Exception):
    """A page needs a logged-in user: redirect to the login page (handled in ``pages.install``)."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


def _need_user(request: Request, user: Principal | None) -> Principal:
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return user


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    target = target or "/"
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _latest_run(store: Any, user: Principal) -> dict[str, Any] | None:
    total, runs = evaluations.list_runs(store, user, limit=1)
    return runs[0] if total else None


def _staging(request: Request) -> Staging:
    app = request.app
    if getattr(app.state, "staging", None) is None:
        app.state.staging = Staging()
    return app.state.staging


# ---------------------------------------------------------------- login, logout, language

def _login_cookie(settings: Settings) -> str:
    return f"{settings.cookie_name}_login"


def _login_page(request: Request, settings: Settings, user: Principal | None,
                context: dict[str, Any], status_code: int = 200) -> Response:
    """The login form, tied to this browser: its CSRF field is made from the browser's login
    nonce (an HttpOnly cookie, set here when the browser has none yet)."""
    nonce = request.cookies.get(_login_cookie(settings)) or auth.login_nonce()
    response = render(request, "login.html",
                      {**context, "login_csrf": auth.login_csrf_token(settings, nonce)},
                      user=user, status_code=status_code)
    response.set_cookie(_login_cookie(settings), nonce, max_age=LOGIN_FORM_SECONDS,
                        path="/login", httponly=True, secure=settings.cookie_secure,
                        samesite=settings.cookie_samesite)  # type: ignore[arg-type]
    return response


@router.get("/login")
def login_form(request: Request, settings: SettingsDep, user: PageUser, next: str = "/"
               ) -> Response:
    return _login_page(request, settings, user, {"next": _safe_next(next)})


@router.post("/login")
def login_submit(request: Request, settings: SettingsDep, store: StoreDep,
                 username: Annotated[str, Form()], password: Annotated[str, Form()],
                 next: Annotated[str, Form()] = "/",
                 csrf_token: Annotated[str | None, Form()] = None) -> Response:
    """Page login: sets the HttpOnly session cookie and the CSRF cookie, then redirects.
    The form must come from this site in this browser (its CSRF field matches the login nonce
    cookie); one that does not, a wrong password or too many attempts shows the form again with
    the reason, and the password is not checked for a form that did not come from here."""
    locale = locale_of(request)
    again = {"next": _safe_next(next), "username": username}
    if not auth.check_login_csrf(settings, request.cookies.get(_login_cookie(settings)),
                                 csrf_token):
        message = _t(locale, "The login form has expired; please log in again.")
        return _login_page(request, settings, None, {**again, "error": message},
                           status_code=403)
    try:
        user = auth.authenticate(store, settings, username, password, client_address(request))
    except (NotAuthenticated, TooManyAttempts) as exc:
        message = (_t(locale, "Too many failed attempts; wait a few minutes and try again.")
                   if isinstance(exc, TooManyAttempts)
                   else _t(locale, "Wrong user name or password, or the account is disabled."))
        return _login_page(request, settings, None, {**again, "error": message},
                           status_code=exc.status)
    session = auth.issue_token(settings, user, kind="session")
    response = RedirectResponse(_safe_next(next), status_code=303)
    max_age = settings.token_minutes * 60
    response.set_cookie(settings.cookie_name, session, max_age=max_age, httponly=True,
                        secure=settings.cookie_secure, samesite=settings.cookie_samesite)  # type: ignore[arg-type]
    response.set_cookie(settings.csrf_cookie_name, auth.csrf_token(settings, session),
                        max_age=max_age, httponly=False, secure=settings.cookie_secure,
                        samesite=settings.cookie_samesite)  # type: ignore[arg-type]
    response.delete_cookie(_login_cookie(settings), path="/login")  # used: the next is new
    return response


@router.post("/logout")
def logout(settings: SettingsDep, _csrf: CsrfChecked) -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(settings.cookie_name)
    response.delete_cookie(settings.csrf_cookie_name)
    return response


@router.get("/lang/{locale}")
def set_language(locale: str, next: str = "/") -> Response:
    """Switch the page language (zh_CN or en) and go back."""
    chosen = i18n.negotiate(locale, None)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(i18n.LANG_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="lax")
    return response


def _t(locale: str, message: str) -> str:
    return i18n.translations(locale).gettext(message)


# ---------------------------------------------------------------- map and parcel card

@router.get("/")
def map_page(request: Request, store: StoreDep, settings: SettingsDep, user: PageUser
             ) -> Response:
    viewer = user or PUBLIC
    locale = locale_of(request)
    run = _latest_run(store, viewer)
    _, districts = catalogue.list_districts(store, viewer, limit=1000)
    boxes = [d["bbox"] for d in districts if d.get("bbox")]
    bounds = ([min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
               max(b[3] for b in boxes)] if boxes else [112.3, 21.4, 113.3, 22.9])
    config = legend.map_config(run, locale)
    config.update(bounds=bounds, evaluated=run is not None,
                  tianditu=settings.tianditu_token or None,
                  card_url="/pages/parcels/{code}/card")
    return render(request, "map.html", {"config": config, "run": run,
                                        "districts": districts}, user=user)


@router.get("/pages/parcels/{code}/card")
def parcel_card(request: Request, code: str, store: StoreDep, user: PageUser) -> Response:
    """The parcel card (地块卡片): attributes as the role may see them, categories with their
    reasons and clauses, and (for logged-in users) the version history."""
    viewer = user or PUBLIC
    locale = locale_of(request)
    try:
        detail = land_service.parcel_detail(store, viewer, code)
    except NotFound:
        return render(request, "partials/card_missing.html", {"code": code}, user=user,
                      status_code=404)
    evaluation = detail.get("evaluation")
    names = legend.names(evaluation, locale)
    history: list[dict[str, Any]] = []
    history_total = 0
    if user is not None:
        history_total, history = land_service.history(store, user, code, limit=20)
    return render(request, "partials/card.html", {
        "p": detail, "evaluation": evaluation, "names": names, "history": history,
        "history_total": history_total,
        "colours": {e.code: e.colour for e in legend.categories(
            evaluation, locale)}}, user=user)


# ---------------------------------------------------------------- dashboard

def _dashboard_data(store: Any, user: Principal, locale: str, run_id: int | None,
                    district: str | None) -> dict[str, Any]:
    _, runs = evaluations.list_runs(store, user, limit=50)
    if not runs:
        return {"runs": [], "run": None}
    run = next((r for r in runs if r["id"] == run_id), None) if run_id else runs[0]
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
    category_totals = [{"code": e.code, "label": e.label, "colour": e.colour,
                        **by_code.get(("category", e.code), {"parcels": 0, "area_mu": 0.0})}
                       for e in cats]
    flag_totals = [{"code": e.code, "label": e.label, "colour": e.colour,
                    **by_code.get(("flag", e.code), {"parcels": 0, "area_mu": 0.0})}
                   for e in flags]
    districts = [d["district"] for d in stats["districts"]]
    chart = {
        "districts": districts,
        "series": [{"name": e.label, "colour": e.colour, "data": [
            round(sum(r["area_mu"] for r in stats["categories"] if r["kind"] == "category"
                      and r["code"] == e.code and r["district_code"] == d["district_code"]), 2)
            for d in stats["districts"]]} for e in cats],
        "pie": [{"name": c["label"], "value": round(c["area_mu"], 2), "colour": c["colour"]}
                for c in category_totals if c["parcels"]],
    }
    return {"runs": runs, "run": run, "stats": stats, "names": names,
            "category_totals": category_totals, "flag_totals": flag_totals, "chart": chart}


@router.get("/dashboard")
def dashboard(request: Request, store: StoreDep, user: PageUser, run: int | None = None,
              district: str | None = None) -> Response:
    """District dashboard (统计看板): counts and 亩 by category and district, potential, idle and
    unsupplied stock, charts and a table."""
    who = _need_user(request, user)
    data = _dashboard_data(store, who, locale_of(request), run, district)
    _, districts = catalogue.list_districts(store, who, limit=1000)
    return render(request, "dashboard.html", {**data, "district": district or "",
                                              "district_options": districts}, user=who)


@router.get("/dashboard.xlsx")
def dashboard_excel(request: Request, store: StoreDep, user: PageUser, run: int | None = None,
                    district: str | None = None) -> Response:
    who = _need_user(request, user)
    data = _dashboard_data(store, who, locale_of(request), run, district)
    if data["run"] is None:
        raise NotFound("no evaluation run yet: run `landrenew evaluate` first", field="run")
    content = workbooks.dashboard_workbook(data["stats"], data["names"], run=data["run"],
                                           user=who.name)
    name = f"landrenew-dashboard-run{data['run']['id']}-{city_today():%Y%m%d}.xlsx"
    return Response(content, media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


# ---------------------------------------------------------------- parcel list

def _filters(district: str | None, category: str | None, flag: str | None) -> dict[str, Any]:
    return {"district": district or None, "category": category or None, "flag": flag or None}


@router.get("/parcels")
def parcel_list(request: Request, store: StoreDep, user: PageUser, district: str | None = None,
                category: str | None = None, flag: str | None = None, page: int = 1
                ) -> Response:
    """Parcel list (地块清单) with filters; an htmx request gets just the table."""
    who = _need_user(request, user)
    if page < 1:
        raise InputError("page must be 1 or more", field="page")
    filters = _filters(district, category, flag)
    total, items = parcel_service.list_parcels(store, who, **filters, limit=PAGE_SIZE,
                                               offset=(page - 1) * PAGE_SIZE)
    locale = locale_of(request)
    run = _latest_run(store, who)
    _, districts = catalogue.list_districts(store, who, limit=1000)
    context = {"items": items, "total": total, "page": page, "page_size": PAGE_SIZE,
               "pages": max(1, -(-total // PAGE_SIZE)), "filters": filters,
               "query": "&".join(f"{k}={quote(str(v))}" for k, v in filters.items() if v),
               "names": legend.names(run, locale),
               "categories": legend.categories(run, locale),
               "flags": legend.flags(run, locale), "district_options": districts,
               "district_names": {d["code"]: d["name"] for d in districts}}
    template = ("partials/parcel_table.html" if request.headers.get("HX-Request")
                else "parcels.html")
    return render(request, template, context, user=who)


@router.get("/parcels.xlsx")
def parcel_list_excel(request: Request, store: StoreDep, user: PageUser,
                      district: str | None = None, category: str | None = None,
                      flag: str | None = None) -> Response:
    who = _need_user(request, user)
    filters = _filters(district, category, flag)
    run = _latest_run(store, who)
    names = legend.names(run, locale_of(request))
    rows = parcel_service.iter_parcels(store, who, **filters,
                                       limit=workbooks.EXCEL_MAX_ROWS - 1)
    content = workbooks.parcels_workbook(rows, names, filters=filters, user=who.name)
    name = f"landrenew-parcels-{city_today():%Y%m%d}.xlsx"
    return Response(content, media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


# ---------------------------------------------------------------- import (upload → report → confirm)

@router.get("/import")
def import_form(request: Request, user: PageUser) -> Response:
    who = _need_user(request, user)
    require_write(who)
    return render(request, "import.html", {"suffixes": SUFFIXES}, user=who)


def _import_options(options: dict[str, str | None]) -> ImportOptions:
    return ImportOptions(batch=options.get("batch") or None, crs=options.get("crs") or None,
                         reason=options.get("reason") or None)


@router.post("/import")
def import_upload(request: Request, store: StoreDep, settings: SettingsDep, user: PageUser,
                  _csrf: CsrfChecked, file: Annotated[UploadFile, File()],
                  batch: Annotated[str | None, Form()] = None,
                  crs: Annotated[str | None, Form()] = None,
                  reason: Annotated[str | None, Form()] = None) -> Response:
    """Step one: validate the upload as a dry run (试导入) and show the report."""
    who = _need_user(request, user)
    require_write(who)
    content = file.file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise InputError(f"the upload exceeds {MAX_UPLOAD // 2**20} MiB; import it with "
                         "the command line", field="file")
    filename = file.filename or "upload"
    options = {"batch": batch, "crs": crs, "reason": reason}
    try:
        report = upload_parcels(store, who, filename, content, dry_run=True,
                                options=_import_options(options),
                                projected_crs=settings.projected_crs)
    except ValidationFailed as exc:
        return render(request, "import_report.html", {
            "refused": True, "file": filename, "message": str(exc),
            **problem_listing(exc.problems)}, user=who, status_code=422)
    staged = _staging(request).put(who.name, filename, content, options)
    return render(request, "import_report.html", {"refused": False, "report": report,
                                                  "token": staged.token}, user=who)


@router.post("/import/confirm")
def import_confirm(request: Request, store: StoreDep, settings: SettingsDep, user: PageUser,
                   _csrf: CsrfChecked, token: Annotated[str, Form()]) -> Response:
    """Step two: import the staged file for real (all or nothing) and show what was stored."""
    who = _need_user(request, user)
    require_write(who)
    staging = _staging(request)
    staged = staging.get(token, who.name)
    try:
        report = upload_parcels(store, who, staged.filename, staged.path.read_bytes(),
                                dry_run=False, options=_import_options(staged.options),
                                projected_crs=settings.projected_crs)
    except ValidationFailed as exc:  # the data changed between the dry run and now
        return render(request, "import_report.html", {
            "refused": True, "file": staged.filename, "message": str(exc),
            **problem_listing(exc.problems)}, user=who, status_code=422)
    staging.drop(token)
    return render(request, "import_report.html", {"refused": False, "report": report,
                                                  "token": None}, user=who)



# ---------------------------------------------------------------- audit (admins)

@router.get("/audit")
def audit_page(request: Request, store: StoreDep, user: PageUser, entity_type: str | None = None,
               actor: str | None = None, page: int = 1) -> Response:
    """The audit trail (审计日志): who, when, what, before and after; administrators only."""
    who = _need_user(request, user)
    if page < 1:
        raise InputError("page must be 1 or more", field="page")
    total, items = catalogue.list_audit(store, who, entity_type=entity_type or None,
                                        actor=actor or None, limit=PAGE_SIZE,
                                        offset=(page - 1) * PAGE_SIZE)
    return render(request, "audit.html", {
        "items": items, "total": total, "page": page, "pages": max(1, -(-total // PAGE_SIZE)),
        "entity_type": entity_type or "", "actor": actor or ""}, user=who)


__all__ = ["LoginRequired", "PermissionDenied", "router"]
