"""Problem reports (质检报告) as CSV (opens in Excel, UTF-8 with BOM) or JSON.

A report quotes the values it refuses, which come from somebody's file: in the CSV, a value that
a spreadsheet would take for a formula is neutralised (:func:`landrenew.core.sheets.csv_text`)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from landrenew.core import sheets
from landrenew.core.errors import Problem

HEADERS = ("file", "row", "field", "code", "severity", "message", "value")
HEADERS_ZH = ("文件", "行/要素号", "字段", "问题代码", "级别", "说明", "原值")


def write_report(problems: list[Problem], path: str | Path) -> str:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    rows = [prob.as_dict() for prob in problems]
    if p.suffix.lower() == ".json":
        p.write_text(json.dumps({"problems": rows, "count": len(rows)}, ensure_ascii=False,
                                indent=2), encoding="utf-8")
    else:
        with p.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow([f"{zh} {en}" for zh, en in zip(HEADERS_ZH, HEADERS, strict=True)])
            for r in rows:
                writer.writerow([sheets.csv_text(r[h]) if r[h] is not None else "" for h in HEADERS])
    return str(p)
