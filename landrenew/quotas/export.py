"""The quota ledger as Excel (指标台账), in the shape a bureau files: one row per entry (date,
kind, year, movement, from, to, 亩, rule and clause, project, evidence, reason, who, when in
Beijing time, hash), the balances by kind, holder and year, and the year's ring-fence. Amounts
are numbers with four decimals (``#,##0.0000``) so that a bureau can add them up; the ledger
keeps the exact decimal. Text cells stay text (never a formula)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from landrenew.core import sheets
from landrenew.core.clock import city_time_text, city_today

MU = "#,##0.0000"
ENTRY_HEADER = ["序号", "记账日期", "指标种类", "年度", "变动类型", "转出方", "转入方",
                "面积(亩)", "依据规则", "依据条款", "关联项目", "关联审查", "凭证", "事由",
                "冲正记录", "登记人", "登记时间(北京时间)", "台账", "记录哈希"]


def _mu(ws: Any, col: int) -> None:
    ws.cell(ws.max_row, col).number_format = MU


def ledger_workbook(entries: list[dict[str, Any]], balances: list[dict[str, Any]],
                    fences: list[dict[str, Any]], *, user: str,
                    today: dt.date | None = None) -> bytes:
    """``entries``, ``balances`` and ``fences`` as :mod:`landrenew.quotas.views` gives them."""
    wb = Workbook()
    ws = wb.active
    ws.title = "指标台账"
    sheets.append(ws, ENTRY_HEADER)
    for i, e in enumerate(entries, start=1):
        sheets.append(ws, [i, e["on"], e["kind_name"], e["year"], e["movement_name"],
                           e["from_name"], e["to_name"], Decimal(e["mu"]), e["rule"],
                           e["clause"], e["project"], e["check"], e["evidence"], e["reason"],
                           e["reverses"], e["recorded_by"], city_time_text(e["recorded_at"]),
                           e["ledger"], e["hash"]])
        _mu(ws, 8)
    ws = wb.create_sheet("指标余额")
    sheets.append(ws, ["指标种类", "持有方", "持有方代码", "年度", "余额(亩)"])
    for b in balances:
        sheets.append(ws, [b["kind_name"], b["holder_name"], b["holder"], b["year"],
                           Decimal(b["balance_mu"])])
        _mu(ws, 5)
    ws = wb.create_sheet("专项指标")
    sheets.append(ws, ["城市", "年度", "计划安排(亩)", "已分配(亩)", "已使用(亩)", "剩余(亩)",
                       "最低要求(亩)", "是否达标", "差额(亩)", "依据条款"])
    for f in fences:
        sheets.append(ws, [f["city"], f["year"], Decimal(f["planned_mu"]),
                           Decimal(f["allocated_mu"]), Decimal(f["used_mu"]),
                           Decimal(f["left_mu"]), Decimal(f["minimum_mu"]),
                           "是" if f["meets"] else "否", Decimal(f["short_by_mu"]), f["clause"]])
        for col in (3, 4, 5, 6, 7, 9):
            _mu(ws, col)
    sheets.append(wb.create_sheet("说明"), [f"导出人 {user}，导出日期 {today or city_today()}；"
                                          "面积单位为亩，台账记录不可修改，更正以冲正记录进行。"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
