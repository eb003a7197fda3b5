"""What a programme report says (报告内容), drawn from its inputs
(:mod:`landrenew.supervision.report`): the summary paragraphs, every table as printed and the
formulas, with numbers written as staff read them: 亩 with two decimals and separators, 万元,
per cent. The same inputs give the same text and tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

# ------------------------------------------------------------------ numbers in words

def mu(value: Any) -> str:
    return "—" if value is None else f"{float(value):,.2f}"


def wan(value: Any) -> str:
    return "—" if value is None else f"{float(value):,.2f}"


def pct(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"


def units(names: Sequence[str]) -> str:
    return "、".join(names)


# ------------------------------------------------------------------ tables

Table = tuple[str, list[str], list[list[str]]]
#: A cell printed right-aligned: a number, an amount, a share (or a dash for none).
NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?%?$|^—$")


def tables(inputs: Mapping[str, Any]) -> list[Table]:
    """Every table of the report: title, header, rows (text as printed)."""
    out: list[Table] = [
        ("表1 试点任务完成情况", ["序号", "任务", "牵头单位", "责任单位", "完成时限", "状态",
                          "完成日期", "最新进展"],
         [[t["code"], t["title"], units(t["lead_units"]), units(t["responsible_units"]),
           str(t["deadline"]), t["status_name"] + (f"（逾期{t['days_overdue']}天）"
                                                   if t["days_overdue"] else ""),
           str(t["done_on"] or ""),
           (f"{t['last_percent']}% {t['last_text']}（{t['last_unit']}，{t['last_reported_on']}）"
            if t["last_percent"] is not None else "")] for t in inputs["tasks"]]),
        ("表2 节点目标", ["任务", "节点", "时限", "落后的县(市、区)"],
         [[m["task"], m["title"], str(m["due"]),
           units([b["unit"] for b in m["behind"]]) or "无"] for m in inputs["milestones"]]),
        ("表3 逾期单位（按逾期任务数排序）", ["单位", "逾期未完成", "逾期完成", "累计逾期天数",
                                   "涉及任务"],
         [[r["unit"], str(r["overdue"]), str(r["done_late"]), str(r["days_overdue"]),
           "、".join(r["tasks"])] for r in inputs["laggards"]]),
        ("表4 督导情况（通报、督办、问责）", ["日期", "任务", "单位", "方式", "事由", "办理时限"],
         [[str(a["acted_on"]), a["task_code"], a["unit"], a["kind_name"], a["reason"],
           str(a["due_on"] or "")] for a in inputs["acts"]]),
        ("表5 试点项目（批次×类型×阶段）", ["批次", "项目类型", "阶段", "项目数"],
         [[r["batch_name"], r["type_name"], r["stage_name"], str(r["count"])]
          for r in inputs["projects"]["rows"]]),
        ("表6 低效用地存量与亩均效益", ["县(市、区)", "建设用地(亩)", "低效用地(宗)",
                                "低效用地(亩)", "低效用地占比", "再开发潜力(万㎡)",
                                "亩均税收(万元/亩)", "亩均产出(万元/亩)", "亩均投资(万元/亩)"],
         [[r["district"], mu(r["construction_mu"]), str(r["low_parcels"]), mu(r["low_mu"]),
           pct(r["low_share"]), f"{float(r['potential_m2']) / 10000:,.2f}",
           wan(r["tax_per_mu"]), wan(r["output_per_mu"]), wan(r["investment_per_mu"])]
          for r in inputs["stock"]]),
        ("表7 批而未供和闲置土地年度处置率", ["县(市、区)", "类别", "年初存量(亩)", "年内新增(亩)",
                                   "年内处置(亩)", "处置率"],
         [[r["district"], r["flag_name"], mu(r["stock_start_mu"]), mu(r["added_mu"]),
           mu(r["disposed_mu"]), pct(r["rate"])] for r in inputs["disposal"]]),
        ("表8 单位GDP建设用地使用面积", ["县(市、区)", "年份", "地区生产总值(万元)",
                                 "建设用地(亩)", "亩/亿元", "比上年变化"],
         [[r["district"], str(r["year"]), wan(r["gdp_10k_yuan"]),
           mu(r["construction_land_mu"]), mu(r["mu_per_100m_yuan"]),
           pct(r["change_ratio"])] for r in inputs["land_per_gdp"]]),
    ]
    if "targets" in inputs:
        out.append(("表9 年度目标、修正及进展", ["任务", "年度", "目标", "版次", "修正理由",
                                         "修正人", "时间", "任务状态", "最新进展"],
                    [[t["task_code"], str(t["year"]), t["target"], str(t["revision"]),
                      t["reason"] or "", t["recorded_by"], t["recorded_at"],
                      t.get("status_name") or "",
                      f"{t['last_percent']}%" if t.get("last_percent") is not None else ""]
                     for t in inputs["targets"]]))
    return out


def summary(inputs: Mapping[str, Any]) -> list[str]:
    """The report's paragraphs before the tables."""
    counts = inputs["task_counts"]
    total = len(inputs["tasks"])
    lines = [
        f"根据{inputs['source']}，现将截至{inputs['as_of']}的试点工作情况报告如下。",
        f"一、任务完成情况。全市试点任务共{total}项，其中按期完成{counts.get('done_on_time', 0)}项、"
        f"逾期完成{counts.get('done_late', 0)}项、进行中{counts.get('open', 0)}项、"
        f"逾期未完成{counts.get('overdue', 0)}项。",
    ]
    behind = [m for m in inputs["milestones"] if m["state"] == "due" and m["behind"]]
    if behind:
        lines.append("二、节点目标。" + "；".join(
            f"{m['title']}（{m['due']}前）尚未达到的有{units([b['unit'] for b in m['behind']])}"
            for m in behind) + "。")
    else:
        lines.append("二、节点目标。已到期的节点目标均已达到。")
    lag = inputs["laggards"]
    lines.append("三、督导情况。" + (
        "逾期单位依次为" + "、".join(f"{r['unit']}（{r['overdue']}项）" for r in lag[:5])
        + f"；已通报、督办、问责{len(inputs['acts'])}次。" if lag else "无逾期单位。"))
    projects = inputs["projects"]
    lines.append(f"四、试点项目。项目库共有项目{projects['total']}个。")
    run = inputs.get("evaluation")
    if run:
        city = next((r for r in inputs["stock"] if r["district"] == "全市"), None)
        if city:
            lines.append(f"五、低效用地。据{run['as_of']}评价，全市低效用地{city['low_parcels']}宗、"
                         f"{mu(city['low_mu'])}亩，占建设用地{pct(city['low_share'])}。")
    else:
        lines.append("五、低效用地。截至报告日尚无低效用地评价结果。")
    return lines


def formulas(inputs: Mapping[str, Any]) -> list[str]:
    f = inputs["formulas"]
    return [f["share"], f["per_mu"], f["disposal"], f["gdp"]]
