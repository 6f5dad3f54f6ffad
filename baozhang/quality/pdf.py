"""The quality report as a PDF (Q3): the same sections, figures and tables as the report
page (the page's own presentation, quality/views.py, so a figure is labelled and shown in
one place), then the charts' tables (quality/charts.py) with a bar for each count.

fpdf2 (LGPL-3.0) writes it; the Chinese text is set in WenQuanYi Micro Hei (Apache-2.0,
quality/fonts/), embedded as a subset of the glyphs used, so ``pdftotext`` reads the
Chinese back and the file stays small. One language per file (the reader's, or the one
asked for: the report to the authority is in Chinese).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, BinaryIO

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
FAMILY = "wqy"
CONTENT_TYPE = "application/pdf"


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(90)
        self.cell(0, 6, f"{self.footer_text}  {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)


def _document(title: str) -> _Document:
    pdf = _Document(format="A4")
    pdf.set_title(title)
    pdf.set_creator("Baozhang")
    pdf.set_lang(translation.get_language() or "zh-hans")
    # The face has no bold; headings use the same face (table headings ask for "B").
    pdf.add_font(FAMILY, fname=str(FONT), collection_font_number=0)
    pdf.add_font(FAMILY, style="B", fname=str(FONT), collection_font_number=0)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_margins(16, 14, 16)
    pdf.alias_nb_pages()
    pdf.footer_text = title
    pdf.add_page()
    return pdf


def _heading(pdf: FPDF, text: str, size: float) -> None:
    if pdf.get_y() > pdf.h - 50:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(FAMILY, size=size)
    pdf.multi_cell(0, size * 0.55, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    pdf.set_font(FAMILY, size=10)


def _paragraph(pdf: FPDF, text: str, size: float = 10, grey: bool = False) -> None:
    pdf.set_font(FAMILY, size=size)
    if grey:
        pdf.set_text_color(85)
    pdf.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)


def _table(
    pdf: FPDF,
    columns: list[str] | None,
    rows: list[list[str]],
    widths: tuple[float, ...] | None = None,
) -> None:
    pdf.set_font(FAMILY, size=9)
    with pdf.table(
        col_widths=widths,
        first_row_as_headings=columns is not None,
        line_height=5,
        padding=1.2,
        headings_style=None if columns is None else _headings_style(),
    ) as table:
        for row in [columns] if columns is not None else []:
            line = table.row()
            for cell in row:
                line.cell(cell)
        for row in rows:
            line = table.row()
            for cell in row:
                line.cell(cell)
    pdf.ln(2)


def _headings_style() -> Any:
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", fill_color=(232, 236, 241))


def _bars(pdf: FPDF, chart: dict[str, Any]) -> None:
    """A bar per label for the chart's first series when it counts (no picture for rates:
    their table says it)."""
    first = chart["data"]["series"][0]
    values = first["values"]
    if first["unit"] == "%" or not values or not any(values):
        return
    top = max(v for v in values if v is not None)
    meets = chart["data"].get("meets") or []
    label_w, bar_w = 45.0, pdf.epw - 45.0 - 14.0
    pdf.set_font(FAMILY, size=8)
    for i, (label, value) in enumerate(zip(chart["data"]["labels"], values, strict=True)):
        if pdf.get_y() > pdf.h - 24:
            pdf.add_page()
        y = pdf.get_y()
        while label and pdf.get_string_width(label) > label_w - 2:
            label = label[:-1]
        pdf.cell(label_w, 5, label)
        width = 0.0 if not value else bar_w * value / top
        colour = (45, 164, 78) if (meets and meets[i]) else (31, 111, 235)
        if meets and not meets[i]:
            colour = (207, 34, 46)
        pdf.set_fill_color(*colour)
        if width > 0:
            pdf.rect(pdf.l_margin + label_w, y + 1, width, 3, style="F")
        pdf.set_xy(pdf.l_margin + label_w + width + 1, y)
        pdf.cell(12, 5, f"{value:g}" if value is not None else "—")
        pdf.ln(5)
    pdf.set_fill_color(255)
    pdf.ln(2)


def write_pdf(
    report: dict[str, Any],
    target: str | BinaryIO,
    *,
    language: str | None = None,
    now: dt.datetime | None = None,
    live: bool = True,
) -> None:
    """Write quality_report's ``report`` as a PDF to a path or binary file, in
    ``language`` (default: the current one). ``live=False`` for a frozen report: only the
    charts drawn from its own figures (quality/charts.py)."""
    from baozhang.quality.templatetags.quality_charts import report_charts
    from baozhang.quality.views import _context

    with translation.override(language or translation.get_language() or "zh-hans"):
        context = _context(report, links=False)
        charts = report_charts(report, now=now, live=live)
        title = _("Quality report")
        label = report["period"]["label"] or ""
        pdf = _document(f"{title} {label}".strip())
        _heading(pdf, f"{title} {label}".strip(), 18)
        period_text = _("Period %(label)s: from %(first)s to %(last)s.") % {
            "label": label,
            "first": f"{context['first']:%Y-%m-%d}",
            "last": f"{context['last']:%Y-%m-%d}",
        }
        generated = timezone.localtime()
        _paragraph(pdf, f"{period_text} {context['scope_text']}")
        _paragraph(
            pdf,
            _("Generated %(time)s.") % {"time": f"{generated:%Y-%m-%d %H:%M} ({generated:%Z})"},
            grey=True,
        )
        for number, section in enumerate(context["sections"], start=1):
            _heading(pdf, f"{number}. {section['title']}", 13)
            if not section["configured"]:
                note = _("no source configured")
                if section["note"]:
                    note += f" — {section['note']}"
                _paragraph(pdf, note, grey=True)
                continue
            if section["figures"]:
                _table(
                    pdf,
                    None,
                    [[str(f["label"]), str(f["value"])] for f in section["figures"]],
                    widths=(2, 1),
                )
            if section["note"]:
                _paragraph(pdf, section["note"], size=8, grey=True)
            for table in section["tables"]:
                _heading(pdf, str(table["title"]), 11)
                if table["rows"]:
                    _table(
                        pdf,
                        [str(c) for c in table["columns"]],
                        [[str(c) for c in row["cells"]] for row in table["rows"]],
                    )
                else:
                    _paragraph(pdf, _("None in this period."), grey=True)
        if charts:
            _heading(pdf, _("Charts"), 15)
        for chart in charts:
            _heading(pdf, chart["title"], 12)
            _bars(pdf, chart)
            _table(pdf, chart["columns"], chart["rows"])
            if chart["extra"]:
                _table(pdf, None, [[k, v] for k, v in chart["extra"]], widths=(2, 1))
            if chart["note"]:
                _paragraph(pdf, chart["note"], size=8, grey=True)
        pdf.output(target)
