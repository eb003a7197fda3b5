"""Excel downloads (报表导出) for the pages: the district dashboard and the filtered parcel list.

Headers are Chinese (the bureaus file these reports) with the field code kept in a second header
row or a notes sheet, so a reader can trace every column back to the API. Workbooks are written
with openpyxl in write-only mode; the parcel list streams and stops at Excel's row limit with a
note saying so. Every row goes through :func:`landrenew.core.sheets.append`: text typed by
somebody (a right holder, a district's name) is a text cell, never a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook

from landrenew.core import sheets
from landrenew.land.exporting import excel_value
from landrenew.land.fields import COMPUTED_LABELS_ZH, FIELDS_BY_NAME

EXCEL_MAX_ROWS = 1_048_576


def _notes(wb: Workbook, items: list[tuple[str, Any]]) -> None:
    ws = wb.create_sheet("说明")
    sheets.append(ws, ["项目", "内容"])
    for k, v in items:
        sheets.append(ws, [k, excel_value(v)])


def dashboard_workbook(stats: dict[str, Any], names: dict[str, str], *, run: dict[str, Any],
                       user: str) -> bytes:
    """The dashboard's tables: totals by district, categories and flags by district, notes."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("分区汇总")
    sheets.append(ws, ["行政区代码", "行政区", "地块数", "面积(亩)", "低效用地地块数", "低效用地面积(亩)",
               "潜力建筑面积(㎡)"])
    for d in stats["districts"]:
        sheets.append(ws, [d["district_code"], d["district"], d["parcels"], d["area_mu"],
                   d["low_efficiency"], d["low_efficiency_mu"], d["potential_floor_area_m2"]])
    t = stats["total"]
    sheets.append(ws, ["", "合计", t["parcels"], t["area_mu"], t["low_efficiency"],
               t["low_efficiency_mu"], t["potential_floor_area_m2"]])
    for kind, title in (("category", "低效类型统计"), ("flag", "闲置与批而未供")):
        sheet = wb.create_sheet(title)
        sheets.append(sheet, ["行政区代码", "行政区", "代码", "名称", "地块数", "面积(亩)"])
        for r in stats["categories"]:
            if r["kind"] == kind:
                sheets.append(sheet, [r["district_code"], r["district"], r["code"],
                              names.get(r["code"], r["code"]), r["parcels"], r["area_mu"]])
    _notes(wb, [("认定批次", run["id"]), ("规则包", f"{run['pack_id']} {run['pack_version']}"),
                ("评价日", run["as_of"]), ("统计范围", "全市" if stats["scope"] == "city"
                                         else "、".join(stats["scope"])),
                ("导出人", user), ("导出时间", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
                ("面积口径", "面积按 CGCS2000 高斯-克吕格投影计算，1 亩 = 10000/15 ㎡")])
    return _bytes(wb)


def parcels_workbook(rows: Iterable[dict[str, Any]], names: dict[str, str], *,
                     filters: dict[str, Any], user: str) -> bytes:
    """The filtered parcel list, one row per parcel, Chinese headers over the field codes."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("地块清单")
    columns: list[str] | None = None
    written = 0
    truncated = False
    for rec in rows:
        if columns is None:
            columns = [c for c in rec if c != "bbox"]
            sheets.append(ws, [_label(c) for c in columns])
            sheets.append(ws, columns)
        if written >= EXCEL_MAX_ROWS - 2:
            truncated = True
            break
        sheets.append(ws, [_value(c, rec.get(c), names) for c in columns])
        written += 1
    if columns is None:
        sheets.append(ws, ["（无符合条件的地块）"])
    _notes(wb, [("筛选条件", "; ".join(f"{k}={v}" for k, v in filters.items() if v) or "无"),
                ("地块数", written), ("是否截断", "是：超出 Excel 行数上限，请用命令行导出"
                                   if truncated else "否"),
                ("导出人", user), ("导出时间", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))])
    return _bytes(wb)


def _label(column: str) -> str:
    spec = FIELDS_BY_NAME.get(column)
    return spec.label_zh if spec else COMPUTED_LABELS_ZH.get(column, column)


def _value(column: str, value: Any, names: dict[str, str]) -> Any:
    if column in ("categories", "flags"):
        return "、".join(names.get(v, v) for v in value or [])
    if column == "is_low_efficiency":
        return None if value is None else ("是" if value else "否")
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return excel_value(value)


def _bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
