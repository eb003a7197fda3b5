"""Uploading parcel surveys (成果上传): the CLI's all-or-nothing import, with a dry run and a
district check.

The import runs through :func:`landrenew.land.importing.import_parcels` on a store whose write
transaction is checked before it commits: district staff may only write parcels of their own
districts — both the new version and the version it replaces — else the whole file is refused
and nothing is stored. A dry run (试导入) makes the same writes and rolls them back, so its report
says exactly what a real import would insert, update or leave unchanged.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from landrenew.core.access import PermissionDenied, Principal, require_write
from landrenew.core.errors import InputError, Problem, ValidationFailed, problem_listing
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import ParcelVersion
from landrenew.land.importing import ImportOptions, import_parcels

SUFFIXES = (".gpkg", ".zip", ".xlsx", ".xls", ".geojson", ".json", ".parquet", ".csv")
Guard = Callable[[Session], None]


@dataclass
class _GuardedStore(Store):
    """A store whose write transactions run ``guard`` before committing, or roll back (dry run)."""

    guard: Guard | None = None
    dry_run: bool = False

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session:
            tx = session.begin()
            try:
                yield session
                session.flush()
                if self.guard is not None:
                    self.guard(session)
            except BaseException:
                tx.rollback()
                raise
            if self.dry_run:
                tx.rollback()
            else:
                tx.commit()


def _district_guard(user: Principal, started: dt.datetime) -> Guard:
    scope = user.scope or ()

    def guard(session: Session) -> None:
        written = select(ParcelVersion.parcel_code).where(
            ParcelVersion.valid_from >= started, ParcelVersion.changed_by == user.name)
        touched = select(ParcelVersion.parcel_code, ParcelVersion.district_code).where(
            ParcelVersion.parcel_code.in_(written),
            or_(ParcelVersion.valid_from >= started, ParcelVersion.valid_to >= started))
        outside = sorted({code for code, district in session.execute(touched)
                          if district not in scope})
        if outside:
            raise PermissionDenied(
                f"{len(outside)} parcel(s) are outside your districts ({', '.join(scope)}), "
                f"e.g. {', '.join(outside[:5])}; nothing was stored", field="district_code")

    return guard


def upload_parcels(store: Store, user: Principal, filename: str, content: bytes, *,
                   dry_run: bool, options: ImportOptions | None = None,
                   projected_crs: str | None = None) -> dict[str, Any]:
    """Import an uploaded file (GeoPackage, zipped Shapefile, Excel …); the report as a dict,
    its problems listed as every answer lists them (:func:`~landrenew.core.errors.problem_listing`:
    the first of them, and ``problem_count``)."""
    require_write(user)
    name = Path(filename or "upload").name
    if not name.lower().endswith(SUFFIXES):
        raise InputError(f"'{name}' is not a supported upload ({', '.join(SUFFIXES)})",
                         field="file")
    store.ensure_current()
    options = options or ImportOptions()
    guarded = _GuardedStore(store.url, store.engine, store.caps, store._sessions,
                            guard=_district_guard(user, utcnow()) if user.scope is not None
                            else None, dry_run=dry_run)
    with tempfile.TemporaryDirectory(prefix="landrenew-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        options.report = str(Path(folder) / "report.json")
        try:
            report = import_parcels(guarded, path, options, user=user.name,
                                    projected_crs=projected_crs)
        except ValidationFailed as exc:
            exc.file = name
            exc.problems = _named(exc.problems, str(path), name)
            raise
    out = report.as_dict()
    out.update(file=name, stored=not dry_run, dry_run=dry_run, report_path=None,
               **problem_listing(_named(report.problems, str(path), name)))
    return out


def _named(problems: list[Problem], path: str, name: str) -> list[Problem]:
    """The problems of the upload's temporary file ``path`` under the name it was uploaded as."""
    return [replace(p, file=name) if p.file == path else p for p in problems]
