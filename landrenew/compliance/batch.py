"""Checks in batch (批量审查): a sheet of requests (CSV or Excel, one request a row) checked row
by row, each decided row kept like a single check; the result is every input column plus
``decision``, ``reasons`` (JSON), ``pack`` and ``pack_version``, ``check_id`` and a ``summary``
in words.

A header may name a field by its code or its Chinese name; other columns are carried through
untouched. A row's site is a ``wkt`` column or ``lon`` and ``lat`` columns (EPSG:4490). A row with
a missing or unreadable fact gets ``invalid`` naming the field, a row of a place without rules
``no_rules``, a row of a district outside the user's ``invalid`` naming ``district_code``; the
other rows are still decided. The decided rows are stored together (all or none).
Results are written through :mod:`landrenew.core.sheets`, so that text stays text and no cell
can run as a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import shapely
from openpyxl import Workbook
from pyproj import CRS
from sqlalchemy.orm import Session

from landrenew.compliance.decisions import Decision, Reason
from landrenew.compliance.explain import summary
from landrenew.compliance.fields import KIND_FIELDS, check_kind, header_field
from landrenew.compliance.service import judge, keep, read_request
from landrenew.core import sheets
from landrenew.core.access import Principal, require_write
from landrenew.core.clock import city_today
from landrenew.core.errors import InputError, LandrenewError
from landrenew.core.packs import NoRules
from landrenew.core.store import Store
from landrenew.land.importing import resolve_projected_crs

SUFFIXES = (".csv", ".xlsx")
OUTPUT_COLUMNS = ("decision", "reasons", "pack", "pack_version", "check_id", "summary")


@dataclass
class BatchResult:
    kind: str
    file: str
    batch: str
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)  # as the sheet shows them

    def undecided(self) -> list[tuple[int, str, list[str]]]:
        """The rows not decided: (row, decision, the fields named)."""
        out = []
        for number, r in zip(self.row_numbers, self.rows, strict=True):
            if r["decision"] in ("invalid", "no_rules"):
                named = {x["field"] for x in json.loads(r["reasons"])
                         if x.get("kind") in ("missing", "malformed", "no_rules")}
                out.append((number, r["decision"], sorted(named)))
        return out

    def count(self, decision: str) -> int:
        return sum(r["decision"] == decision for r in self.rows)

    @property
    def decided(self) -> int:
        return sum(r["decision"] not in ("invalid", "no_rules") for r in self.rows)

    @property
    def all_decided(self) -> bool:
        return self.decided == len(self.rows)

    def as_dict(self) -> dict[str, Any]:
        tally: dict[str, int] = {}
        for r in self.rows:
            tally[r["decision"]] = tally.get(r["decision"], 0) + 1
        return {"kind": self.kind, "file": self.file, "batch": self.batch,
                "rows": len(self.rows), "decided": self.decided, "decisions": tally}

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=[*self.columns, *OUTPUT_COLUMNS])


def _cell(value: Any, name: str | None) -> Any:
    """A spreadsheet cell as a request value: a number kept as the text it shows (exact, and
    a price is never a float), blanks as None."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def read_sheet(filename: str, content: bytes) -> tuple[list[str], list[tuple[int, dict]]]:
    """The sheet's header and its rows (numbered as the file shows them: data start on 2)."""
    suffix = Path(filename).suffix.lower()
    try:
        if suffix == ".xlsx":
            frame = pd.read_excel(io.BytesIO(content), sheet_name=0, dtype=object,
                                  engine="openpyxl")
        elif suffix == ".csv":
            frame = _read_csv(content, filename)
        else:
            raise InputError(f"a batch is a {' or '.join(SUFFIXES)} sheet, not {suffix or 'this'}",
                             file=filename)
    except LandrenewError:
        raise
    except Exception as exc:
        raise InputError(f"cannot read the sheet: {exc}", file=filename) from exc
    columns = [str(c).strip() for c in frame.columns]
    frame.columns = columns
    if len(set(columns)) != len(columns):
        raise InputError("a column name appears twice", file=filename)
    rows = [(i + 2, {c: _cell(v, c) for c, v in zip(columns, values, strict=True)})
            for i, values in enumerate(frame.itertuples(index=False, name=None))]
    return columns, rows


def _read_csv(content: bytes, filename: str) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False,
                               encoding=encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("the CSV file is neither UTF-8 nor GB18030", file=filename)


def _row_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A row by field code (a column named by its Chinese name read as its field)."""
    out: dict[str, Any] = {}
    for column, value in raw.items():
        name = header_field(column)
        if name is not None and name not in out:
            out[name] = value
    return out


def _refused(decision: str, field_name: str, message: str) -> dict[str, Any]:
    reason = Reason("input", "", field_name, None, "known", None, None, "",
                    "no_rules" if decision == "no_rules" else "malformed", message=message)
    return {"decision": decision, "reasons": [reason.as_dict()], "pack": "", "pack_version": ""}


def check_sheet(store: Store, user: Principal, kind: str, filename: str, content: bytes, *,
                on: dt.date | None = None, projected_crs: str | None = None,
                source: str = "batch") -> BatchResult:
    """Check every row of a sheet (see the module) and keep the decided ones."""
    check_kind(kind)
    require_write(user)
    store.ensure_current()
    columns, rows = read_sheet(filename, content)
    if not rows:
        raise InputError("the sheet has no rows", file=filename)
    if not any(header_field(c) == "district_code" for c in columns):
        raise InputError("the sheet has no district_code (行政区) column", file=filename,
                         field="district_code")
    day = on or city_today()
    result = BatchResult(kind, Path(filename).name,
                         f"{Path(filename).name}#{uuid.uuid4().hex[:8]}", columns)
    with store.session() as session:
        zone = _Zone(session, projected_crs, user.name)
        for row, raw in rows:
            out = _check_row(session, store, user, kind, raw, day, zone, result.batch, row, source)
            out["summary"] = summary(out["decision"], out["reasons"], kind=kind,
                                     outcome=out.pop("outcome", None))
            out["reasons"] = json.dumps(out["reasons"], ensure_ascii=False)
            result.rows.append({**raw, **out})
            result.row_numbers.append(row)
    return result


@dataclass
class _Zone:
    """The city's projected zone, looked up once for the whole sheet (when a row has a site)."""

    session: Session
    configured: str | None
    user: str
    crs: CRS | None = None

    def for_site(self, site: shapely.Geometry | None) -> Callable[[], CRS]:
        def resolve() -> CRS:
            if self.crs is None:
                assert site is not None
                self.crs = resolve_projected_crs(self.session, self.configured, site.bounds,
                                                 self.user)
            return self.crs
        return resolve


def _check_row(session: Session, store: Store, user: Principal, kind: str,
               raw: Mapping[str, Any], day: dt.date, zone: _Zone, batch: str, row: int,
               source: str) -> dict[str, Any]:
    try:
        request = read_request(kind, _row_values(raw), strict=False)
    except InputError as exc:
        return _refused("invalid", exc.field or "district_code", exc.message)
    if not user.covers(request.district):
        return _refused("invalid", "district_code",
                        f"district '{request.district}' is not assigned to you")
    try:
        decision: Decision = judge(session, request, day, zone.for_site(request.site))
    except NoRules as exc:
        return _refused("no_rules", "district_code", exc.message)
    check_id = None
    if decision.decision != "invalid":
        check_id = keep(session, store.caps, user, request, decision, day, source=source,
                        batch=batch, row=row).id
    return {"decision": decision.decision, "reasons": [r.as_dict() for r in decision.reasons],
            "pack": decision.pack, "pack_version": decision.pack_version, "check_id": check_id,
            "outcome": decision.outcome()}


def result_file(result: BatchResult, suffix: str) -> bytes:
    """The result sheet as ``.csv`` (UTF-8 with BOM, for Excel) or ``.xlsx``; every text cell is
    text, never a formula."""
    frame = result.frame()
    if suffix == ".csv":
        return sheets.csv_frame(frame).to_csv(index=False).encode("utf-8-sig")
    if suffix != ".xlsx":
        raise InputError(f"the result is a {' or '.join(SUFFIXES)} file, not {suffix}",
                         field="output")
    return _xlsx(frame, "审查结果")


def _xlsx(frame: pd.DataFrame, sheet: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    sheets.append(ws, [str(c) for c in frame.columns])
    for values in frame.itertuples(index=False, name=None):
        sheets.append(ws, values)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template(kind: str, suffix: str = ".xlsx") -> bytes:
    """A blank sheet for ``kind``: a header row of the field codes (Chinese names are read
    too), ``wkt`` for the site."""
    frame = pd.DataFrame(columns=[*KIND_FIELDS[check_kind(kind)], "wkt"])
    if suffix == ".csv":
        return frame.to_csv(index=False).encode("utf-8-sig")
    return _xlsx(frame, "审查申请")
