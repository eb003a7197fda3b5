"""The land database's use cases (地块数据的用例): uploading parcel surveys (成果上传), and a
parcel's detail, history and edits (地块详情、历史版本与变更), each within the user's districts.

The upload is the CLI's all-or-nothing import, with a dry run and a district check. It runs
through :func:`landrenew.land.importing.import_parcels` on a store whose write transaction is
checked before it commits: district staff may only write parcels of their own districts — both
the new version and the version it replaces — else the whole file is refused and nothing is
stored. A dry run (试导入) makes the same writes and rolls them back, so its report says exactly
what a real import would insert, update or leave unchanged.
"""
from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import shapely
from sqlalchemy import or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from landrenew.core.access import (
    PermissionDenied,
    Principal,
    require_district,
    require_write,
    require_write_district,
)
from landrenew.core.errors import (
    InputError,
    LandrenewError,
    NotFound,
    ValidationFailed,
    problem_listing,
)
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import EvaluationRun, ParcelResult, ParcelVersion
from landrenew.core.store.published import published_run_id
from landrenew.land.editing import update_parcel
from landrenew.land.fields import CANONICAL
from landrenew.land.importing import ImportOptions, import_parcels
from landrenew.land.mapping_service import resolve_mapping
from landrenew.land.parcels import changed_fields, parcel_history
from landrenew.land.readers import READERS
from landrenew.land.records import parcel_record, split
from landrenew.land.sensitive import redact, redact_attributes, redact_evaluation
from landrenew.land.visibility import public_attributes

#: What an upload may be: every file the readers know that stands alone (a Shapefile comes
#: zipped with its sidecar files).
SUFFIXES = tuple(suffix for suffix in READERS if suffix != ".shp")
Guard = Callable[[Session], None]
P = ParcelVersion.__table__
R = ParcelResult.__table__


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


def read_upload(stream: BinaryIO, max_mb: int) -> bytes:
    """An uploaded file's bytes, refused (without reading past the limit) beyond ``max_mb``."""
    limit = max_mb * 2**20
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise InputError(f"the upload exceeds {max_mb} MiB; import it with the command line",
                         field="file")
    return content


def upload_parcels(store: Store, user: Principal, filename: str, content: bytes, *,
                   dry_run: bool, options: ImportOptions | None = None,
                   projected_crs: str | None = None, mapping: str | None = None,
                   mapping_version: int | None = None) -> dict[str, Any]:
    """Import an uploaded file (GeoPackage, zipped Shapefile, Excel …) with the field mapping it
    chose (a saved or built-in one, by name; ``mapping_version`` pins a saved one's version);
    the report as a dict, its problems listed as every answer lists them
    (:func:`~landrenew.core.errors.problem_listing`: the first of them, and ``problem_count``).

    Every problem and message names the file as it was uploaded, never the server's temporary
    copy. A district officer's file naming a parcel of another district is refused (403) before
    any value is compared, so that a dry run says nothing of another district's values."""
    require_write(user)
    name = Path(filename or "upload").name
    if not name.lower().endswith(SUFFIXES):
        raise InputError(f"'{name}' is not a supported upload ({', '.join(SUFFIXES)})",
                         field="file")
    store.ensure_current()
    options = replace(options or ImportOptions(), source_name=name)
    version = None
    if mapping:
        options.mapping, options.mapping_label, version = resolve_mapping(store, mapping,
                                                                          mapping_version)
    guarded = _GuardedStore(store.url, store.engine, store.caps, store._sessions,
                            guard=_district_guard(user, utcnow()) if user.scope is not None
                            else None, dry_run=dry_run)
    with tempfile.TemporaryDirectory(prefix="landrenew-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            report = import_parcels(guarded, path, options, user=user.name,
                                    projected_crs=projected_crs, districts=user.scope)
        except LandrenewError as exc:
            raise _named(exc, folder, name) from None
    out = report.as_dict()
    out.update(file=name, stored=not dry_run, dry_run=dry_run, report_path=None,
               mapping_name=mapping or None, mapping_version=version,
               **problem_listing(report.problems))
    return out


def _named(exc: LandrenewError, folder: str, name: str) -> LandrenewError:
    """The error with the upload's temporary folder (also as GDAL's ``/vsizip/`` path) replaced
    by the name the file was uploaded as, in its message, file and problems."""
    def scrub(text: str) -> str:
        for prefix in (f"/vsizip/{folder}/{name}", f"/vsizip/{folder}", f"{folder}/{name}",
                       folder):
            text = text.replace(prefix, name)
        return text

    exc.message = scrub(exc.message)
    if exc.file:
        exc.file = scrub(exc.file)
    if isinstance(exc, ValidationFailed):
        exc.problems = [replace(p, file=scrub(p.file), message=scrub(p.message))
                        for p in exc.problems]
    exc.args = (str(exc),)
    return exc

# ---------------------------------------------------------------- a parcel's detail, history, edits


def _published_result(conn: Connection, code: str, user: Principal) -> dict[str, Any] | None:
    """The parcel's result in the published run (已发布的认定批次), None when no run is
    published or it did not judge the parcel: a trial run never reaches the card."""
    run_id = published_run_id(conn)
    if run_id is None:
        return None
    stmt = (select(R, EvaluationRun.pack_id, EvaluationRun.pack_version, EvaluationRun.as_of,
                   EvaluationRun.packs, EvaluationRun.created_at)
            .join(EvaluationRun, EvaluationRun.id == R.c.run_id)
            .where(R.c.parcel_code == code, R.c.run_id == run_id))
    row = conn.execute(stmt).first()
    if row is None:
        return None
    m = row._mapping
    indicators, reasons = redact_evaluation(_json(m["indicators"]), _json(m["reasons"]), user)
    decided = (_json(m["packs"]) or {}).get(m["district_code"]) or {}
    return {"run_id": m["run_id"], "pack_id": decided.get("pack", m["pack_id"]),
            "pack_version": decided.get("version", m["pack_version"]),
            "as_of": m["as_of"], "made_at": m["created_at"],
            "is_low_efficiency": bool(m["is_low_efficiency"]),
            "categories": split(m["categories"]), "flags": split(m["flags"]),
            "potential_floor_area_m2": m["potential_floor_area_m2"],
            "indicators": indicators, "reasons": reasons}


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def parcel_detail(store: Store, user: Principal, code: str) -> dict[str, Any]:
    """A current parcel: attributes, area in m²/亩/公顷, GeoJSON outline, its result in the
    published evaluation run."""
    store.ensure_current()
    with store.engine.connect() as conn:
        row = conn.execute(select(P).where(P.c.parcel_code == code, P.c.valid_to.is_(None),
                                           P.c.is_deleted.is_(False))).first()
        if row is None:
            raise NotFound(f"no parcel '{code}'", field="parcel_code")
        require_district(user, row.district_code, f"parcel '{code}'", "parcel_code")
        record = parcel_record(row, user)
        geom = shapely.from_wkb(row.geom) if row.geom is not None else None
        record["geometry"] = shapely.geometry.mapping(geom) if geom is not None else None
        public = () if user.sees_sensitive or not row.attributes else public_attributes(conn)
        record["attributes"] = redact_attributes(row.attributes, user, public)
        record["evaluation"] = _published_result(conn, code, user)
    record.pop("categories"), record.pop("flags"), record.pop("is_low_efficiency")
    return record


def history(store: Store, user: Principal, code: str, *, limit: int = 100, offset: int = 0
            ) -> tuple[int, list[dict[str, Any]]]:
    """Every version of a parcel (历史版本), oldest first: who, when, why, what changed."""
    store.ensure_current()
    with store.read_session() as session:
        versions = parcel_history(session, code)
        require_district(user, versions[-1].district_code, f"parcel '{code}'", "parcel_code")
        items = []
        for i, v in enumerate(versions[offset:offset + limit], start=offset):
            before = versions[i - 1] if i else None
            rec = {name: _plain(getattr(v, name)) for name in CANONICAL}
            rec.update(version=v.version, operation=v.operation, valid_from=v.valid_from,
                       valid_to=v.valid_to, changed_by=v.changed_by, reason=v.reason,
                       is_deleted=bool(v.is_deleted), area_m2=v.area_m2,
                       changed=changed_fields(before, v))
            items.append(redact(rec, user))
    return len(versions), items


def edit_parcel(store: Store, user: Principal, code: str, changes: dict[str, Any],
                reason: str) -> dict[str, Any]:
    """Change a parcel's attributes as a new version (变更); audited by :func:`update_parcel`."""
    require_write(user)
    if not changes:
        raise InputError("give at least one field to change", field="body")
    current = parcel_detail(store, user, code)  # 404 outside the user's districts
    if "district_code" in changes:
        require_write_district(user, changes["district_code"], "district_code")
    values = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in changes.items()}
    result = update_parcel(store, code, values, user=user.name, reason=reason)
    return {"parcel_code": code, "changed": result["changed"], "version": result["version"],
            "previous_version": current["version"]}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value
