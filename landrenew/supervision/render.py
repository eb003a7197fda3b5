"""Report files (报告文件) drawn from a report's inputs (:mod:`landrenew.supervision.report`):
Word (.docx, the form the bureau edits and sends), PDF (WeasyPrint, Noto CJK fonts) and the
Excel annex tables (.xlsx), with charts and a district map drawn for print (matplotlib).

The same inputs give the same text and tables: a filed report renders again identically.
Numbers are written as staff read them: 亩 with two decimals and separators, 万元, per cent.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from landrenew.core.errors import InputError
from landrenew.supervision.report import SECTIONS

FORMATS = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           ".pdf": "application/pdf",
           ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
CJK_FONTS = ["Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei",
             "Microsoft YaHei"]
STATUS_COLOURS = {"open": "#3b82f6", "done_on_time": "#16a34a", "done_late": "#f59e0b",
                  "overdue": "#dc2626"}


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
        out.append(("表9 年度目标及修正", ["任务", "年度", "目标", "版次", "修正理由", "修正人",
                                     "时间"],
                    [[t["task_code"], str(t["year"]), t["target"], str(t["revision"]),
                      t["reason"] or "", t["recorded_by"], t["recorded_at"]]
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


# ------------------------------------------------------------------ charts and map

def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.sans-serif"] = CJK_FONTS + list(plt.rcParams["font.sans-serif"])
    plt.rcParams["axes.unicode_minus"] = False
    plt.rcParams["svg.hashsalt"] = "landrenew"
    return plt


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


def status_chart(inputs: Mapping[str, Any]) -> bytes:
    """Tasks by status (bars)."""
    plt = _pyplot()
    from landrenew.supervision.rules import STATUSES

    fig, ax = plt.subplots(figsize=(6, 2.6))
    counts = inputs["task_counts"]
    keys = list(STATUSES)
    bars = ax.bar([STATUSES[k] for k in keys], [counts.get(k, 0) for k in keys],
                  color=[STATUS_COLOURS[k] for k in keys])
    ax.bar_label(bars, fmt="%d项")
    ax.set_title("试点任务状态")
    ax.set_ylabel("任务数（项）")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def stock_chart(inputs: Mapping[str, Any]) -> bytes | None:
    """Low-efficiency land by district (亩)."""
    rows = [r for r in inputs["stock"] if r["district"] != "全市"]
    if not rows:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 2.8))
    bars = ax.bar([r["district"] for r in rows], [r["low_mu"] for r in rows], color="#b45309")
    ax.bar_label(bars, labels=[mu(r["low_mu"]) for r in rows], fontsize=7)
    ax.set_title("各县(市、区)低效用地面积")
    ax.set_ylabel("亩")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def district_map(inputs: Mapping[str, Any]) -> bytes | None:
    """The districts coloured by their government's overdue tasks on the day."""
    shapes = inputs.get("map") or []
    if not shapes:
        return None
    import shapely.geometry

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 4.2))
    palette = ["#dcfce7", "#fef3c7", "#fdba74", "#f87171", "#b91c1c"]
    for s in shapes:
        geom = shapely.geometry.shape(s["geometry"])
        colour = palette[min(int(s["overdue"]), len(palette) - 1)]
        polys = getattr(geom, "geoms", [geom])
        for poly in polys:
            if hasattr(poly, "exterior"):
                x, y = poly.exterior.xy
                ax.fill(x, y, facecolor=colour, edgecolor="#374151", linewidth=0.6)
        c = geom.representative_point()
        ax.annotate(f"{s['name']}\n逾期{s['overdue']}项", (c.x, c.y), ha="center",
                    va="center", fontsize=7)
    ax.set_title("各县(市、区)政府逾期任务")
    ax.set_aspect("equal")
    ax.axis("off")
    return _png(fig)


def figures(inputs: Mapping[str, Any]) -> list[tuple[str, bytes]]:
    out = [("图1 试点任务状态", status_chart(inputs))]
    for title, make in (("图2 各县(市、区)低效用地面积", stock_chart),
                        ("图3 各县(市、区)政府逾期任务分布", district_map)):
        png = make(inputs)
        if png is not None:
            out.append((title, png))
    return out


# ------------------------------------------------------------------ Word

def docx_bytes(inputs: Mapping[str, Any]) -> bytes:
    """The report as Word: title, summary, sections, figures, tables, formulas."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = docx.Document()
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    props = doc.core_properties
    props.title = inputs["title"]
    props.author = "landrenew"
    stamp = dt.datetime.combine(dt.date.fromisoformat(str(inputs["as_of"])), dt.time())
    props.created = props.modified = stamp
    head = doc.add_heading(inputs["title"], level=0)
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(f"{inputs['city_name']} · 截至{inputs['as_of']} · "
                      f"依据 {inputs['pack']} {inputs['pack_version']}")
    for line in summary(inputs):
        doc.add_paragraph(line)
    if "sections" in inputs:
        for key, name in SECTIONS.items():
            doc.add_heading(name, level=1)
            doc.add_paragraph(inputs["sections"].get(key) or "（待填写）")
    for title, png in figures(inputs):
        doc.add_picture(io.BytesIO(png), width=Cm(15))
        doc.add_paragraph(title).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for title, header, rows in tables(inputs):
        doc.add_heading(title, level=2)
        table = doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = text
        for row in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = text
        if not rows:
            doc.add_paragraph("（无）")
    doc.add_heading("计算口径", level=2)
    for line in formulas(inputs):
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ Excel

def xlsx_bytes(inputs: Mapping[str, Any]) -> bytes:
    """The annex tables, one sheet each, and the formulas."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    stamp = dt.datetime.combine(dt.date.fromisoformat(str(inputs["as_of"])), dt.time())
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.title = inputs["title"]
    for title, header, rows in tables(inputs):
        ws = wb.create_sheet(title.split(" ")[0])
        ws.append([title])
        ws["A1"].font = Font(bold=True)
        ws.append(header)
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
        for i, _ in enumerate(header, start=1):
            ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = 16
    ws = wb.create_sheet("计算口径")
    ws.append([inputs["title"]])
    ws.append([f"截至{inputs['as_of']}", f"依据 {inputs['pack']} {inputs['pack_version']}"])
    for line in formulas(inputs):
        ws.append([line])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ HTML and PDF

CSS = """
@page { size: A4; margin: 18mm 15mm; @bottom-center { content: counter(page); font-size: 9pt; } }
body { font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; font-size: 10pt;
       line-height: 1.5; }
h1 { text-align: center; font-size: 17pt; }
h2 { font-size: 12pt; margin-top: 14pt; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin-bottom: 6pt; }
th, td { border: 0.5pt solid #555; padding: 2pt 3pt; vertical-align: top; }
th { background: #eee; }
td.n { text-align: right; }
figure { text-align: center; margin: 8pt 0; }
figure img { width: 15cm; }
.meta { text-align: center; color: #444; }
"""


def html_text(inputs: Mapping[str, Any]) -> str:
    e = html.escape
    parts = [f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
             f"<title>{e(inputs['title'])}</title><style>{CSS}</style></head><body>",
             f"<h1>{e(inputs['title'])}</h1>",
             f"<p class='meta'>{e(inputs['city_name'])} · 截至{e(str(inputs['as_of']))} · "
             f"依据 {e(inputs['pack'])} {e(inputs['pack_version'])}</p>"]
    parts += [f"<p>{e(line)}</p>" for line in summary(inputs)]
    if "sections" in inputs:
        for key, name in SECTIONS.items():
            text = inputs["sections"].get(key) or "（待填写）"
            parts.append(f"<h2>{e(name)}</h2><p>{e(text)}</p>")
    for title, png in figures(inputs):
        data = base64.b64encode(png).decode()
        parts.append(f"<figure><img src='data:image/png;base64,{data}' alt='{e(title)}'>"
                     f"<figcaption>{e(title)}</figcaption></figure>")
    for title, header, rows in tables(inputs):
        parts.append(f"<h2>{e(title)}</h2>")
        if not rows:
            parts.append("<p>（无）</p>")
            continue
        parts.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in header)
                     + "</tr></thead><tbody>")
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("<h2>计算口径</h2>" + "".join(f"<p>{e(x)}</p>" for x in formulas(inputs)))
    parts.append("</body></html>")
    return "".join(parts)


def pdf_bytes(inputs: Mapping[str, Any]) -> bytes:
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    out: bytes = HTML(string=html_text(inputs)).write_pdf()
    return out


RENDERERS: dict[str, Callable[[Mapping[str, Any]], bytes]] = {
    ".docx": docx_bytes, ".pdf": pdf_bytes, ".xlsx": xlsx_bytes}


def render(inputs: Mapping[str, Any], suffix: str) -> bytes:
    """The report file of ``suffix`` (.docx, .pdf, .xlsx)."""
    make = RENDERERS.get(suffix.lower())
    if make is None:
        raise InputError(f"a report is a .docx, .pdf or .xlsx file, not '{suffix}'",
                         field="output")
    return make(inputs)


def file_name(inputs: Mapping[str, Any], suffix: str) -> str:
    return f"{inputs['city_name']}{inputs['period_name']}{inputs['kind_name']}" \
           f"_{inputs['as_of']}{suffix}"
