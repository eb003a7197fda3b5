"""Consolidation workflow page (土地整备流程页面): the 4 stages and 11 steps of a project with each
step's requirements, the log, the flags and the willingness gate per consent unit.

The forms post to page routes (CSRF form field) that call the same service as the REST API; htmx
swaps the workflow body after each provision or close. A refusal of the workflow itself (wrong
role, missing items, out of order, bad input) comes back inside the body with its status code
(the page tells htmx to swap 4xx answers) and names what is missing or which roles may act;
refusals of access (not logged in, read-only, not visible) are the usual error answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from landrenew.api.deps import CsrfChecked, PageUser, StoreDep
from landrenew.core.access import Principal
from landrenew.core.clock import city_today
from landrenew.core.errors import Conflict, InputError, LandrenewError
from landrenew.participation.consent import BODIES
from landrenew.participation.decisions import UNIT_KINDS
from landrenew.projects import workflow_service as service
from landrenew.projects.workflow_state import RoleNotAllowed
from landrenew.web.pages.common import need_user
from landrenew.web.render import render

router = APIRouter(include_in_schema=False, tags=["pages"])

BODY = "partials/consolidation_workflow.html"


def workflow_context(store: StoreDep, who: Principal, project_id: int,
                     wf: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """The page's context; ``wf`` is the workflow when an operation has just returned it."""
    if wf is None:
        wf = service.get_workflow(store, who, project_id)
    return {"wf": wf, "refusal": None, "done": None, "unit_kinds": UNIT_KINDS, "bodies": BODIES,
            "consent_form": None, "consent_typed": {},
            "today_text": city_today().isoformat(), **extra}


@router.get("/projects/{project_id}/workflow")
def workflow_page(request: Request, project_id: int, store: StoreDep, user: PageUser
                  ) -> Response:
    """The workflow of a land-consolidation or urban-village project."""
    who = need_user(request, user)
    return render(request, "consolidation.html", workflow_context(store, who, project_id),
                  user=who)


def refusal_of(exc: LandrenewError) -> dict[str, Any]:
    return {"status": exc.status, "code": exc.code, "message": exc,
            "missing": getattr(exc, "missing", None), "allowed": getattr(exc, "allowed", None),
            "gate": getattr(exc, "gate", None)}


def _act(request: Request, store: StoreDep, who: Principal, project_id: int,
         op: Callable[[], dict[str, Any]], done: str) -> Response:
    """Run a workflow operation and answer with the workflow body it returns; a refusal of the
    workflow is shown in the body with its status."""
    try:
        wf = op()
    except (RoleNotAllowed, Conflict, InputError) as exc:
        return render(request, BODY,
                      workflow_context(store, who, project_id, refusal=refusal_of(exc)),
                      user=who, status_code=exc.status)
    return render(request, BODY, workflow_context(store, who, project_id, wf, done=done), user=who)


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


@router.post("/projects/{project_id}/workflow/provide")
def workflow_provide(request: Request, project_id: int, store: StoreDep, user: PageUser,
                     _csrf: CsrfChecked, step: Annotated[str, Form()],
                     item: Annotated[str, Form()], ref: Annotated[str | None, Form()] = None,
                     note: Annotated[str | None, Form()] = None,
                     passed: Annotated[str | None, Form()] = None) -> Response:
    """Provide a document or a decision for the current step (htmx gets the body back)."""
    who = need_user(request, user)
    outcome = {"true": True, "false": False}.get((passed or "").strip().lower())
    return _act(request, store, who, project_id, lambda: service.provide_item(
        store, who, project_id, step, item, ref=_text(ref), note=_text(note), passed=outcome),
        done=item)


@router.post("/projects/{project_id}/workflow/close")
def workflow_close(request: Request, project_id: int, store: StoreDep, user: PageUser,
                   _csrf: CsrfChecked, step: Annotated[str, Form()],
                   note: Annotated[str | None, Form()] = None) -> Response:
    """Close the current step (htmx gets the body back, or the refusal naming what is missing)."""
    who = need_user(request, user)
    return _act(request, store, who, project_id, lambda: service.close_step(
        store, who, project_id, step, note=_text(note)), done=step)


@router.post("/projects/{project_id}/workflow/return")
def workflow_return(request: Request, project_id: int, store: StoreDep, user: PageUser,
                    _csrf: CsrfChecked, step: Annotated[str, Form()],
                    reason: Annotated[str, Form()] = "",
                    to_step: Annotated[str | None, Form()] = None,
                    items: Annotated[list[str] | None, Form()] = None) -> Response:
    """Return the current step (退回) to itself or an earlier one, with the reason; the items
    ticked (all of the target step when none is) must be provided again."""
    who = need_user(request, user)
    return _act(request, store, who, project_id, lambda: service.return_step(
        store, who, project_id, step, reason=(reason or "").strip(), to_step=_text(to_step),
        items=items or None), done=step)


@router.post("/projects/{project_id}/workflow/flags")
def workflow_flags(request: Request, project_id: int, store: StoreDep, user: PageUser,
                   _csrf: CsrfChecked, flag: Annotated[str, Form()],
                   value: Annotated[str, Form()] = "true",
                   reason: Annotated[str | None, Form()] = None) -> Response:
    """Declare a project fact (e.g. a soil-pollution risk) that switches requirements on or off."""
    who = need_user(request, user)
    return _act(request, store, who, project_id, lambda: service.set_flags(
        store, who, project_id, {flag: value == "true"}, reason=_text(reason)), done=flag)
