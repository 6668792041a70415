"""The PowerPoint deck (16:9): a title slide, one finding per slide with its native, editable chart, caveats and
sources; a slide number and the date on each slide, every text measured against its box."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

from ..files import atomic_write_bytes
from .content import MAX_CATEGORIES, Finding, caveats
from .insights import GRID, grid_table
from .measure import FONT, fitting_size

#: A fixed timestamp in the file's properties, so the same findings give the same file.
FIXED_TIME = datetime(2000, 1, 1)


#: A 16:9 slide, inches.
SLIDE_W, SLIDE_H = 13 + 1 / 3, 7.5
#: Boxes of a finding slide, inches: (left, top, width, height).
HEADLINE = (0.5, 0.3, 12.33, 1.2)
SUBTITLE = (0.5, 1.5, 12.33, 0.42)
CHART = (0.5, 1.92, 12.33, 4.5)
NOTE = (0.5, 6.42, 12.33, 0.66)
FOOTER_LEFT = (0.5, 7.1, 9.0, 0.32)
FOOTER_RIGHT = (10.83, 7.1, 2.0, 0.32)
BODY = (0.5, 1.5, 12.33, 5.5)
#: Text colours: the site's body text and its accent (the contents box's rule).
INK, MUTED, ACCENT = "222222", "555555", "7570B3"
HEADLINE_SIZES = (26, 24, 22, 20, 18)
BODY_SIZES = (16, 14, 13, 12, 11)
NOTE_SIZES = (11, 10, 9)


def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _text(slide, box: tuple[float, float, float, float], text: str, sizes: tuple[float, ...], *, bold: bool = False,
          colour: str = INK, align: str = "left"):
    """A text box whose text is set at the largest of ``sizes`` that fits it (measured, see :mod:`.measure`)."""
    from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
    from pptx.util import Inches, Pt

    left, top, width, height = box
    size = fitting_size(text, width, height, sizes, bold)
    frame = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height)).text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    for i, line in enumerate(text.split("\n")):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.text = line
        para.alignment = PP_ALIGN.RIGHT if align == "right" else PP_ALIGN.LEFT
        para.font.size, para.font.bold, para.font.name = Pt(size), bold, FONT
        para.font.color.rgb = _rgb(colour)
    return frame


def _accent(slide) -> None:
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, Inches(0.18), Inches(SLIDE_H))
    bar.fill.solid()
    bar.fill.fore_color.rgb = _rgb(ACCENT)
    bar.line.fill.background()


def _blank(prs):
    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank: every box is the deck's own, measured
    _accent(slide)
    return slide


def _title_slide(prs, title: str, subtitle: str) -> None:
    slide = _blank(prs)
    _text(slide, (0.8, 2.4, 11.7, 1.6), title, (40, 36, 32, 28), bold=True)
    _text(slide, (0.8, 4.1, 11.7, 2.4), subtitle, (20, 18, 16, 14), colour=MUTED)


def subtitle(finding: Finding) -> str:
    """What the chart shows: how many of the finding's rows, where the rest are, and how bounds are drawn."""
    n = len(finding.categories)
    shown = min(n, MAX_CATEGORIES)
    first = (f"The first {shown} of {n} {finding.what}; every one is in the workbook, sheet “{finding.name}”."
             if n > shown else f"{n} {finding.what.split(',')[0]}.")
    bounds = any(q in (">", "<") for qs in finding.qualifiers.values() for q in qs[:shown])
    return first + (" Hatched bars are bounds, labelled as published (“>50%”: more than half)." if bounds else "")


def _finding_slide(prs, finding: Finding) -> None:
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.enum.dml import MSO_PATTERN
    from pptx.util import Inches, Pt

    slide = _blank(prs)
    _text(slide, HEADLINE, finding.headline, HEADLINE_SIZES, bold=True)
    _text(slide, SUBTITLE, subtitle(finding), (13, 12, 11), colour=MUTED)
    shown = min(len(finding.categories), MAX_CATEGORIES)
    fmt = '0"%"' if finding.unit == "%" else '+0" pts";-0" pts"'
    data = CategoryChartData(number_format=fmt)
    data.categories = finding.categories[:shown]
    for name, values in finding.series.items():
        data.add_series(name, values[:shown])
    left, top, width, height = CHART
    chart = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, Inches(left), Inches(top), Inches(width),
                                   Inches(height), data).chart
    chart.font.name, chart.font.size = FONT, Pt(10)
    chart.has_legend = len(finding.series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(11)
    chart.category_axis.reverse_order = True  # first category on top, as in the notebooks
    if any(v is not None and v < 0 for values in finding.series.values() for v in values[:shown]):
        from pptx.enum.chart import XL_TICK_LABEL_POSITION

        chart.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW  # labels clear of bars left of zero
    chart.category_axis.tick_labels.font.size = Pt(10)
    chart.value_axis.tick_labels.font.size = Pt(10)
    chart.value_axis.has_major_gridlines = True
    chart.value_axis.major_gridlines.format.line.color.rgb = _rgb("E5E5E5")
    if finding.unit == "%":
        chart.value_axis.minimum_scale, chart.value_axis.maximum_scale = 0, 100
    chart.value_axis.tick_labels.number_format = fmt
    chart.value_axis.tick_labels.number_format_is_linked = False
    plot = chart.plots[0]
    plot.gap_width, plot.overlap = 60, 0
    plot.has_data_labels = True
    plot.data_labels.number_format = fmt
    plot.data_labels.number_format_is_linked = False
    plot.data_labels.font.size = Pt(9)
    for series in plot.series:
        colour = _rgb(finding.colours.get(series.name, "#" + ACCENT))
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = colour
        labels = series.data_labels  # the series' own labels: a point's own label must not hide the others
        labels.show_value, labels.number_format, labels.number_format_is_linked = True, fmt, False
        labels.font.size = Pt(9)
        for j, mark in enumerate(finding.qualifiers.get(series.name, [])[:shown]):
            value = finding.series[series.name][j]
            if mark not in (">", "<", "~") or value is None:
                continue
            point = series.points[j]
            if mark in (">", "<"):  # a bound: hatched, never a solid bar
                point.format.fill.patterned()
                point.format.fill.pattern = MSO_PATTERN.WIDE_UPWARD_DIAGONAL
                point.format.fill.fore_color.rgb = colour
                point.format.fill.back_color.rgb = _rgb("FFFFFF")
                point.format.line.color.rgb = colour
            label = point.data_label.text_frame
            label.text = f"{mark}{value:.0f}%"
            label.paragraphs[0].font.size = Pt(9)
    if finding.footnote:
        _text(slide, NOTE, finding.footnote, NOTE_SIZES, colour=MUTED)


def _grid_slide(prs, finding: Finding) -> None:
    """A finding of unit :data:`~cmocio.deliverables.insights.GRID`: a coloured native table in the chart's box."""
    slide = _blank(prs)
    _text(slide, HEADLINE, finding.headline, HEADLINE_SIZES, bold=True)
    _text(slide, SUBTITLE, subtitle(finding), (13, 12, 11), colour=MUTED)
    grid_table(slide, finding, CHART, MAX_CATEGORIES)
    if finding.footnote:
        _text(slide, NOTE, finding.footnote, NOTE_SIZES, colour=MUTED)


def _list_slides(prs, title: str, items: list[str], sizes: tuple[float, ...] = (14,)) -> None:
    """``items`` as paragraphs over as many slides as they need, each slide's text measured to fit."""
    from .measure import fits

    pages: list[list[str]] = [[]]
    for item in items:
        trial = pages[-1] + [item]
        if pages[-1] and not fits("\n".join(trial), min(sizes), BODY[2], BODY[3]):
            pages.append([item])
        else:
            pages[-1] = trial
    for i, page in enumerate(pages):
        slide = _blank(prs)
        suffix = f" ({i + 1} of {len(pages)})" if len(pages) > 1 else ""
        _text(slide, HEADLINE[:3] + (0.9,), title + suffix, (28, 26, 24), bold=True)
        _text(slide, BODY, "\n".join(page), sizes)


def _footers(prs, date: str) -> None:
    """Slide number (n / N) and date on every slide."""
    total = len(prs.slides)
    for i, slide in enumerate(prs.slides, start=1):
        _text(slide, FOOTER_LEFT, f"CMO–CIO Alignment Notebooks · {date}", (10,), colour=MUTED)
        _text(slide, FOOTER_RIGHT, f"{i} / {total}", (10,), colour=MUTED, align="right")


def write_deck(findings: list[Finding], path: Path, title: str = "Marketing and IT: what the surveys show",
               date: str = "", sources: list[str] | None = None, about: str = "") -> Path:
    """Write the deck atomically: 16:9, sections in the findings' order, then caveats and the sources slides.

    ``date`` (default: today, ``YYYY-MM-DD``) is on every slide; ``sources`` are the lines of the sources slides
    (default: every finding's, once each); ``about`` says on the title slide what the evidence holds.
    """
    from pptx import Presentation
    from pptx.util import Emu

    date = date or datetime.now().date().isoformat()
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)  # 13.33 × 7.5 in, 16:9
    _title_slide(prs, title, (about + "\n" if about else "") + "CMO–CIO Alignment Notebooks: published survey "
                             f"figures, with what they can and cannot show\n{date}")
    section = None
    for finding in findings:
        if finding.section != section and finding.section == "Your organisation":
            _title_slide(prs, "Your organisation", "Your pulse survey beside the published studies")
        section = finding.section
        (_grid_slide if finding.unit == GRID else _finding_slide)(prs, finding)
    _list_slides(prs, "Caveats", caveats(), (16, 14))
    lines = sources if sources is not None else list(dict.fromkeys(line for f in findings for line in f.sources))
    if lines:
        _list_slides(prs, "Sources", lines, (12, 11))
    _footers(prs, date)
    props = prs.core_properties
    props.title, props.author, props.created, props.modified = title, "CMO–CIO Alignment Notebooks", FIXED_TIME, FIXED_TIME
    props.last_modified_by, props.revision = "CMO–CIO Alignment Notebooks", 1
    buffer = io.BytesIO()
    prs.save(buffer)
    atomic_write_bytes(path, _stable_zip(buffer.getvalue()))
    return path


_W3CDTF = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def _stable_zip(data: bytes) -> bytes:
    """The same package with fixed entry and document times (the charts' embedded workbooks too),
    so equal content gives equal bytes."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename.endswith(".xlsx"):
                body = _stable_zip(body)
            elif info.filename == "docProps/core.xml":
                body = _W3CDTF.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", body)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, body)
    return out.getvalue()
