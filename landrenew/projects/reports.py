"""The project library as Excel (试点项目清单), the shape a pilot progress report uses."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook

from landrenew.core import sheets
from landrenew.core.clock import city_today
from landrenew.projects.vocabulary import BATCHES, INSTRUMENTS, TERMS

COLUMNS = (("序号", None), ("项目名称", "name"), ("项目类型", "type_name"),
           ("所在行政区", "district_code"), ("批次", "batch"), ("实施期限", "term"),
           ("运用的政策工具", "instruments"), ("牵头单位", "lead_unit"),
           ("实施主体", "owner_company"), ("项目阶段", "stage_name"),
           ("计划开工", "planned_start"), ("计划完成", "planned_end"),
           ("实际开工", "actual_start"), ("实际完成", "actual_end"), ("是否逾期", None),
           ("涉及地块", "parcel_codes"), ("版本", "version"), ("项目编号", "id"))


def library_workbook(items: list[dict[str, Any]], *, user: str,
                     today: dt.date | None = None) -> bytes:
    today = today or city_today()
    wb = Workbook()
    ws = wb.active
    ws.title = "试点项目清单"
    ws.append([c for c, _ in COLUMNS])
    for i, p in enumerate(items, start=1):
        overdue = bool(p["planned_end"] and p["planned_end"] < today and not p["actual_end"]
                       and p["stage"] != "withdrawn")
        row: list[Any] = []
        for title, key in COLUMNS:
            if title == "序号":
                row.append(i)
            elif title == "是否逾期":
                row.append("是" if overdue else "否")
            elif key == "batch":
                row.append(BATCHES.get(p["batch"] or "", p["batch"]))
            elif key == "term":
                row.append(TERMS.get(p["term"] or "", p["term"]))
            elif key == "instruments":
                row.append("、".join(INSTRUMENTS.get(v, v) for v in p["instruments"]))
            elif key == "parcel_codes":
                row.append("、".join(p["parcel_codes"]))
            else:
                row.append(p.get(key or ""))
        ws.append(row)
    notes = wb.create_sheet("说明")
    notes.append(["导出人", user])
    notes.append(["导出日期", today.isoformat()])
    notes.append(["依据", "江府函〔2023〕202号 §三(五)(七)：试点项目库动态调整"])
    buf = io.BytesIO()
    sheets.text_only(wb).save(buf)
    return buf.getvalue()
