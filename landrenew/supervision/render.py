"""Report files (报告文件) drawn from a report's inputs (:mod:`landrenew.supervision.report`):
Word (.docx, the form the bureau edits and sends), PDF (WeasyPrint, Noto CJK fonts) and the
Excel annex tables (.xlsx), with the charts and district map of
:mod:`landrenew.supervision.charts` and the text and tables of
:mod:`landrenew.supervision.content`.

The same inputs give the same text and tables: a filed report renders again identically.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from collections.abc import Callable, Mapping
from typing import Any

from landrenew.core.errors import InputError
from landrenew.supervision.charts import figures
from landrenew.supervision.content import NUMBER, formulas, summary, tables
from landrenew.supervision.report import SECTIONS

FORMATS = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           ".pdf": "application/pdf",
           ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


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
                if NUMBER.match(text):
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
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
            parts.append("<tr>" + "".join(
                f"<td class='n'>{e(c)}</td>" if NUMBER.match(c) else f"<td>{e(c)}</td>"
                for c in row) + "</tr>")
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
