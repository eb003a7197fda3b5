"""Uploading parcel surveys (成果上传): validate (``dry_run``) or store, all or nothing, with a
saved or built-in field mapping chosen by name; administrators save the mappings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile

from landrenew.api.deps import CurrentUser, SettingsDep, StoreDep, upload_name
from landrenew.api.schemas import (
    ImportReportPublic,
    MappingDeleted,
    MappingDetail,
    MappingPublic,
    MappingSave,
)
from landrenew.land import mapping_service
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
                   reason: Annotated[str | None, Form()] = None,
                   mapping: Annotated[str | None, Form(
                       description="A field mapping by name: a saved one, or built-in "
                                   "'chinese' or 'shapefile' (names cut to 10 characters)",
                       max_length=64)] = None) -> ImportReportPublic:
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
                            projected_crs=settings.projected_crs, mapping=mapping)
    return ImportReportPublic(**report)


@router.get("/mappings", response_model=list[MappingPublic])
def list_mappings(store: StoreDep, user: CurrentUser) -> list[MappingPublic]:
    """The field mappings an upload may choose: built-in, then saved by name."""
    return [MappingPublic(**m) for m in mapping_service.list_mappings(store, user)]


@router.get("/mappings/{name}", response_model=MappingDetail)
def get_mapping(name: str, store: StoreDep, user: CurrentUser) -> MappingDetail:
    """A field mapping with its YAML and versions."""
    return MappingDetail(**mapping_service.mapping_detail(store, user, name))


@router.put("/mappings/{name}", response_model=MappingPublic)
def save_mapping(name: str, body: MappingSave, store: StoreDep, user: CurrentUser
                 ) -> MappingPublic:
    """Save a field mapping under a name (administrators); a changed one is a new version."""
    return MappingPublic(**mapping_service.save_mapping(store, user, name, body.definition,
                                                        body.reason))


@router.delete("/mappings/{name}", response_model=MappingDeleted)
def delete_mapping(name: str, store: StoreDep, user: CurrentUser,
                   reason: Annotated[str, Query(min_length=1, max_length=2000)]
                   ) -> MappingDeleted:
    """Delete a saved field mapping (administrators; its versions stay)."""
    return MappingDeleted(**mapping_service.delete_mapping(store, user, name, reason))
