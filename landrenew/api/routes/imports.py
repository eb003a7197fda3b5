"""Uploading parcel surveys (成果上传): validate (``dry_run``) or store, all or nothing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from landrenew.api.deps import CurrentUser, SettingsDep, StoreDep, upload_name
from landrenew.api.schemas import ImportReportPublic
from landrenew.land.importing import ImportOptions
from landrenew.land.service import read_upload, upload_parcels

router = APIRouter(prefix="/api/imports", tags=["imports"])


@router.post("/parcels", response_model=ImportReportPublic)
def import_parcels(store: StoreDep, settings: SettingsDep, user: CurrentUser,
                   file: Annotated[UploadFile, File(description="GeoPackage, zipped Shapefile, "
                                                                "Excel, GeoJSON …")],
                   dry_run: Annotated[bool, Form(description="Validate only (试导入)")] = True,
                   batch: Annotated[str | None, Form()] = None,
                   crs: Annotated[str | None, Form()] = None,
                   reason: Annotated[str | None, Form()] = None) -> ImportReportPublic:
    """Validate (``dry_run=true``, the default) or store (``dry_run=false``) an upload.

    A refused file answers 422 with its problems; nothing is stored. Either answer lists at
    most the first ``MAX_PROBLEMS`` (1000) problems, in file order, and says how many there
    were in ``problem_count`` (:func:`~landrenew.core.errors.problem_listing`).
    """
    name = upload_name(file.filename)
    content = read_upload(file.file, settings.max_upload_mb)
    options = ImportOptions(batch=batch, crs=crs, reason=reason)
    report = upload_parcels(store, user, name, content,
                            dry_run=dry_run, options=options,
                            projected_crs=settings.projected_crs)
    return ImportReportPublic(**report)
