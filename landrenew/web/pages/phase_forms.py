"""Phase forms (分片表单): register the people to relocate (被搬迁人), record a signed
compensation agreement with its scanned copy, and withdraw one.

The agreement's evidence is the uploaded file: the server computes its SHA-256 (nobody types a
digest) and the ledger keeps the digest with the file's name as the note. Each form answers with
the people table and the demolition gate (htmx swaps it in place); a refusal comes back in the
same place with its status (409 with the rule and its clause, 422 naming the field), in the
page's language, with what was typed kept.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from landrenew.api.deps import CsrfChecked, PageUser, StoreDep
from landrenew.core.access import Principal, require_write
from landrenew.core.errors import InputError, LandrenewError
from landrenew.projects import phase_service
from landrenew.projects.vocabulary import PERSON_KINDS
from landrenew.web.pages.common import need_user
from landrenew.web.pages.finance import evidence_hash
from landrenew.web.pages.project_forms import error_of
from landrenew.web.pages.projects import phase_context
from landrenew.web.render import render

router = APIRouter(include_in_schema=False, tags=["pages"])
PEOPLE = "partials/phase_people.html"

#: A person's kind may be typed as its code or its Chinese name.
_KINDS = {**{code: code for code in PERSON_KINDS},
          **{zh: code for code, zh in PERSON_KINDS.items()}}


def _answer(request: Request, store: StoreDep, who: Principal, phase_id: int, *,
            form: str | None = None, typed: dict[str, Any] | None = None,
            error: LandrenewError | None = None) -> Response:
    context = phase_context(store, who, phase_id)
    context.update(form=form, typed=typed or {},
                   refusal=error_of(error) if error is not None else None)
    return render(request, PEOPLE, context, user=who,
                  status_code=error.status if error is not None else 200)


def _day(text: str, field: str) -> dt.date:
    value = (text or "").strip()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"'{value}' is not a day (YYYY-MM-DD)", field=field) from None


def people_lines(text: str) -> list[dict[str, str]]:
    """People pasted one per line, ``id, name, kind`` (commas, Chinese commas or tabs, as copied
    from Excel); the kind as its code or its Chinese name. A line's problem names the line."""
    out = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.replace("\t", ",").replace("，", ",").strip()
        if not line:
            continue
        cells = [c.strip() for c in next(csv.reader([line]))]
        if len(cells) != 3 or not all(cells):
            raise InputError(f"line {number}: write each person as id, name, kind (e.g. "
                             "CV-001, 陈大文, 村民)", field="lines", row=number)
        out.append({"person_id": cells[0], "name": cells[1],
                    "kind": _KINDS.get(cells[2], cells[2])})
    return out


@router.post("/phases/{phase_id}/people")
def phase_people(request: Request, phase_id: int, store: StoreDep, user: PageUser,
                 _csrf: CsrfChecked, person_id: Annotated[str, Form()] = "",
                 name: Annotated[str, Form()] = "", kind: Annotated[str, Form()] = "villager",
                 lines: Annotated[str, Form()] = "") -> Response:
    """Register one person, or many pasted one per line (all or nothing)."""
    who = need_user(request, user)
    require_write(who)
    typed = {"person_id": person_id, "name": name, "kind": kind, "lines": lines}
    try:
        people = (people_lines(lines) if lines.strip() else
                  [{"person_id": person_id.strip(), "name": name.strip(),
                    "kind": _KINDS.get(kind, kind)}])
        phase_service.add_people(store, who, phase_id, people)
    except LandrenewError as exc:
        if exc.status in (401, 403, 404) or exc.status >= 500:
            raise
        return _answer(request, store, who, phase_id, form="people", typed=typed, error=exc)
    return _answer(request, store, who, phase_id)


async def _agreement(request: Request, store: StoreDep, who: Principal, phase_id: int,
                     action: str, person_id: str, signed_on: str, note: str | None,
                     evidence: UploadFile | None) -> Response:
    require_write(who)
    typed = {"person_id": person_id, "signed_on": signed_on, "note": note or ""}
    try:
        sha, filename = await evidence_hash(evidence)
        text = "; ".join(t for t in ((note or "").strip(), filename or "") if t) or None
        phase_service.record_agreement(store, who, phase_id, person_id,
                                       _day(signed_on, "signed_on"), action=action,
                                       evidence_sha256=sha, note=text)
    except LandrenewError as exc:
        if exc.status in (401, 403, 404) or exc.status >= 500:
            raise
        return _answer(request, store, who, phase_id, form=f"{action}:{person_id}",
                       typed=typed, error=exc)
    return _answer(request, store, who, phase_id)


@router.post("/phases/{phase_id}/sign")
async def phase_sign(request: Request, phase_id: int, store: StoreDep, user: PageUser,
                     _csrf: CsrfChecked, person_id: Annotated[str, Form()],
                     signed_on: Annotated[str, Form()] = "",
                     note: Annotated[str | None, Form()] = None,
                     evidence: Annotated[UploadFile | None, File()] = None) -> Response:
    """Record a signed agreement with its scanned copy; htmx gets the people table and gate
    back (the refusal in place: 409 with the rule and clause, e.g. before the scheme's
    approval)."""
    who = need_user(request, user)
    return await _agreement(request, store, who, phase_id, "sign", person_id, signed_on, note,
                            evidence)


@router.post("/phases/{phase_id}/withdraw")
async def phase_withdraw(request: Request, phase_id: int, store: StoreDep, user: PageUser,
                         _csrf: CsrfChecked, person_id: Annotated[str, Form()],
                         signed_on: Annotated[str, Form()] = "",
                         note: Annotated[str | None, Form()] = None,
                         evidence: Annotated[UploadFile | None, File()] = None) -> Response:
    """Withdraw a signed agreement (解约), with the day, the reason and any document."""
    who = need_user(request, user)
    return await _agreement(request, store, who, phase_id, "withdraw", person_id, signed_on,
                            note, evidence)
