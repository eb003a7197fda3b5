"""A consolidation project's money as Excel (土地整备资金台账): the cost ledger by category and
item, the fund-balance study with its sensitivity table, the storage-fee settlement with its
milestones, and every disbursement step by step, each line with its rule and clause.

Amounts are written as numbers with two decimals (Excel's ``#,##0.00``) converted from Decimal,
so a bureau can add them up; the JSON and the database keep the exact Decimal.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from landrenew.core import sheets
from landrenew.core.clock import city_today

MONEY = "#,##0.00"


def _yuan(ws: Worksheet, row: list[Any], money_cols: tuple[int, ...]) -> None:
    ws.append([Decimal(v) if i in money_cols and v not in (None, "") else v
               for i, v in enumerate(row)])
    for i in money_cols:
        ws.cell(ws.max_row, i + 1).number_format = MONEY


def finance_workbook(view: dict[str, Any], *, user: str, today: dt.date | None = None) -> bytes:
    """``view`` is :func:`landrenew.finance.service.overview`'s result."""
    today = today or city_today()
    wb = Workbook()
    ws = wb.active
    ws.title = "成本台账"
    costs = view["costs"]
    ws.append(["类别代码", "成本类别", "金额(元)", "笔数", "依据"])
    for c in costs["summary"]["categories"]:
        _yuan(ws, [c["category"], c["zh"], c["amount"], c["items"], c["clause"]], (2,))
    _yuan(ws, ["", "合计", costs["total"], len(costs["items"]), ""], (2,))
    ws.append([])
    ws.append(["序号", "成本类别", "说明", "金额(元)", "凭证SHA-256", "文件编号", "发生日期",
               "登记人", "登记时间"])
    for i, item in enumerate(costs["items"], start=1):
        _yuan(ws, [i, item["category_zh"], item["description"], item["amount"],
                   item["evidence_sha256"], item["document_ref"], item["incurred_on"],
                   item["recorded_by"], item["recorded_at"]], (3,))
    ws.append([])
    ws.append(["不计入成本", "", "依据"])
    for e in costs["excluded"]:
        ws.append([e["zh"], e["code"], e["clause"]])

    study = view.get("fund_balance")
    if study:
        bal, grid = study["result"]["balance"], study["result"]["sensitivity"]
        ws = wb.create_sheet("资金平衡")
        for label, key in (("出让收入(元)", "revenue"), ("成本合计(元)", "total_cost"),
                           ("计提合计(元)", "total_provisions"), ("盈余(负为缺口)(元)", "surplus")):
            _yuan(ws, [label, bal[key]], (1,))
        ws.append(["结论", bal["status"]])
        ws.append(["依据", bal["clause"]])
        ws.append([])
        ws.append(["计提项目", "计提基数", "基数金额(元)", "比例", "金额(元)", "依据"])
        for p in bal["provisions"]:
            _yuan(ws, [p.get("zh") or p["code"], p.get("base_zh") or p["base"], p["base_amount"],
                       p["rate"], p["amount"], p["clause"]], (2, 4))
        ws = wb.create_sheet("敏感性分析")
        ws.append(["楼面地价 \\ 容积率", *[f"{Decimal(s):+.0%}" for s in grid["far_steps"]]])
        for step, row in zip(grid["price_steps"], grid["surplus"], strict=True):
            _yuan(ws, [f"{Decimal(step):+.0%}", *row], tuple(range(1, len(row) + 1)))
        ws.append([grid["note"]])

    settlement = view.get("settlement")
    if settlement:
        fee, schedule = settlement["result"]["storage_fee"], settlement["result"]["schedule"]
        ws = wb.create_sheet("收储费用")
        _yuan(ws, ["审计成本(元)", fee["audited_cost"]], (1,))
        _yuan(ws, ["服务费(元)", fee["service_fee"]["total"]], (1,))
        _yuan(ws, ["收储费用(元)", fee["total"]], (1,))
        _yuan(ws, ["成本台账合计(元)", settlement["result"]["ledger_total"]], (1,))
        ws.append(["依据", fee["clause"]])
        ws.append([])
        ws.append(["支付节点", "比例", "金额(元)", "时点"])
        for p in schedule["payments"]:
            _yuan(ws, [p["name"], p["share"], p["amount"], p["due"]], (2,))

    for n, rec in enumerate(view.get("disbursements") or [], start=1):
        ws = wb.create_sheet(f"资金拨付{n}")
        res = rec["result"]
        _yuan(ws, ["出让收入(元)", res["revenue"]], (1,))
        ws.append(["记录", rec["id"], rec["recorded_by"], rec["recorded_at"]])
        ws.append([])
        ws.append(["步骤", "应付(元)", "实付(元)", "未足额(元)", "余额(元)", "依据"])
        for s in res["steps"]:
            _yuan(ws, [s["zh"], s["due"], s["amount"], s["shortfall"], s["remaining_after"],
                       s["clause"]], (1, 2, 3, 4))
    notes = wb.create_sheet("说明")
    notes.append(["项目", view["project"]["name"], view["project"]["id"]])
    notes.append(["导出人", user])
    notes.append(["导出日期", today.isoformat()])
    notes.append(["金额", "人民币元；数据库与接口以十进制精确到分保存"])
    buf = io.BytesIO()
    sheets.text_only(wb).save(buf)
    return buf.getvalue()
