"""Spreadsheets that cannot run code (表格导出防公式注入).

A value somebody typed — a parcel's right holder, a project's name, an extra attribute — may start
with ``=``, ``+``, ``-`` or ``@``: Excel and LibreOffice take such a cell for a formula
(``=HYPERLINK(…)``, ``=cmd|…``) when the file is opened. Every Excel and CSV file the platform
writes goes through here:

* Excel: text is written as a text cell (``data_type = "s"``), never as a formula — the value is
  kept exactly as typed and shown as typed;
* CSV: a text value starting with one of those characters (or a tab or a carriage return) gets a
  leading ``'`` (the OWASP recommendation), so that a spreadsheet shows it as text.

Numbers, dates and booleans are written as themselves.
"""

from __future__ import annotations

import contextlib
import io
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet

#: The first characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_text(value: Any) -> Any:
    """A value as a CSV file should hold it: formula-like text prefixed with ``'``."""
    return "'" + value if is_formula_like(value) else value


def csv_untext(value: str) -> str:
    """The value :func:`csv_text` was given (for CSV text the platform reads back, e.g. a form
    it filled): a ``'`` before a formula-like value is taken off."""
    return value[1:] if value.startswith("'") and is_formula_like(value[1:]) else value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every formula-like text value neutralised (other values untouched)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(csv_text)
    out.columns = [csv_text(c) for c in out.columns]
    return out


def cell_value(value: Any) -> Any:
    """A value as an Excel cell takes it (no NaN, numpy or pandas types; Decimal as a number)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        with contextlib.suppress(AttributeError, ValueError):
            value = value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, Decimal):
        return value
    return value


def text_cell(ws: Worksheet, value: Any) -> Any:
    """A cell for a write-only sheet: text stays text, whatever it starts with."""
    value = cell_value(value)
    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


def append(ws: Worksheet, values: Iterable[Any]) -> None:
    """Append a row; in a normal sheet, every text cell is kept as text (never a formula)."""
    if getattr(ws, "_write_only", False) or type(ws).__name__ == "WriteOnlyWorksheet":
        ws.append([text_cell(ws, v) for v in values])
        return
    ws.append([cell_value(v) for v in values])
    for cell in ws[ws.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def text_only(wb: Workbook) -> Workbook:
    """A normal (not write-only) workbook with every formula cell turned back into the text it
    was typed as: for writers that fill cells with ``ws.append`` or ``ws.cell`` (call it just
    before saving)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    return wb


def write_frame(frame: pd.DataFrame, path: str | Path, sheet: str,
                extra_sheets: Sequence[tuple[str, pd.DataFrame]] = ()) -> Path:
    """A frame (and more) as an .xlsx file, streamed, every text cell a text cell."""
    wb = Workbook(write_only=True)
    for name, table in ((sheet, frame), *extra_sheets):
        ws = wb.create_sheet(name[:31])
        append(ws, [str(c) for c in table.columns])
        for row in table.itertuples(index=False, name=None):
            append(ws, row)
    p = Path(path)
    wb.save(p)
    return p


def write_rows(sheet: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet with one header row and the rows, as .xlsx bytes (streamed; text stays text)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    append(ws, header)
    for row in rows:
        append(ws, row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
