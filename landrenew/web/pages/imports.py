"""Uploading a survey (成果上传): check, see the report, confirm."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from landrenew.api.deps import CsrfChecked, PageUser, SettingsDep, StoreDep, upload_name
from landrenew.core.access import require_write
from landrenew.core.errors import ValidationFailed, problem_listing
from landrenew.land.importing import ImportOptions
from landrenew.land.mapping_service import list_mappings
from landrenew.land.service import SUFFIXES, read_upload, upload_parcels
from landrenew.web.pages.common import need_user, staged_uploads
from landrenew.web.render import render

router = APIRouter(include_in_schema=False, tags=["pages"])


@router.get("/import")
def import_form(request: Request, store: StoreDep, user: PageUser) -> Response:
    who = need_user(request, user)
    require_write(who)
    return render(request, "import.html", {"suffixes": SUFFIXES,
                                           "mappings": list_mappings(store, who)}, user=who)


def _import_options(options: dict[str, str | None]) -> ImportOptions:
    return ImportOptions(batch=options.get("batch") or None, crs=options.get("crs") or None,
                         reason=options.get("reason") or None)


@router.post("/import")
def import_upload(request: Request, store: StoreDep, settings: SettingsDep, user: PageUser,
                  _csrf: CsrfChecked, file: Annotated[UploadFile, File()],
                  batch: Annotated[str | None, Form()] = None,
                  crs: Annotated[str | None, Form()] = None,
                  reason: Annotated[str | None, Form()] = None,
                  mapping: Annotated[str | None, Form(max_length=64)] = None) -> Response:
    """Step one: validate the upload as a dry run (试导入) with the chosen field mapping and
    show the report; the confirmation imports with the same version of that mapping."""
    who = need_user(request, user)
    require_write(who)
    filename = upload_name(file.filename)
    content = read_upload(file.file, settings.max_upload_mb)
    options = {"batch": batch, "crs": crs, "reason": reason}
    try:
        report = upload_parcels(store, who, filename, content, dry_run=True,
                                options=_import_options(options),
                                projected_crs=settings.projected_crs, mapping=mapping or None)
    except ValidationFailed as exc:
        return render(request, "import_report.html", {
            "refused": True, "file": filename, "message": exc,
            **problem_listing(exc.problems)}, user=who, status_code=422)
    version = report["mapping_version"]
    options.update(mapping=report["mapping_name"],
                   mapping_version=None if version is None else str(version))
    staged = staged_uploads(request).put(who.name, filename, content, options)
    return render(request, "import_report.html", {"refused": False, "report": report,
                                                  "token": staged.token}, user=who)


def _version(text: str | None) -> int | None:
    return None if text is None else int(text)


@router.post("/import/confirm")
def import_confirm(request: Request, store: StoreDep, settings: SettingsDep, user: PageUser,
                   _csrf: CsrfChecked, token: Annotated[str, Form()]) -> Response:
    """Step two: import the staged file for real (all or nothing) and show what was stored."""
    who = need_user(request, user)
    require_write(who)
    staging = staged_uploads(request)
    staged = staging.get(token, who.name)
    try:
        report = upload_parcels(store, who, staged.filename, staged.path.read_bytes(),
                                dry_run=False, options=_import_options(staged.options),
                                projected_crs=settings.projected_crs,
                                mapping=staged.options.get("mapping"),
                                mapping_version=_version(staged.options.get("mapping_version")))
    except ValidationFailed as exc:  # the data changed between the dry run and now
        return render(request, "import_report.html", {
            "refused": True, "file": staged.filename, "message": exc,
            **problem_listing(exc.problems)}, user=who, status_code=422)
    staging.drop(token)
    return render(request, "import_report.html", {"refused": False, "report": report,
                                                  "token": None}, user=who)



# ---------------------------------------------------------------- audit (admins)

