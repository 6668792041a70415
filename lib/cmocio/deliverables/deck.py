"""The PowerPoint deck: a title slide, then one finding per slide with its native, editable chart."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

from ..files import atomic_write_bytes
from .content import Finding, caveats
from .insights import GRID, grid_slide

#: A fixed timestamp in the file's properties, so the same findings give the same file.
FIXED_TIME = datetime(2000, 1, 1)


def _title_slide(prs, title: str, subtitle: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    slide.shapes.title.text = title
    slide.placeholders[1].text = subtitle


def _finding_slide(prs, finding: Finding) -> None:
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Inches, Pt

    slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = Inches(0.5), Inches(0.3), Inches(9), Inches(1.3)
    title.text = finding.headline
    title.text_frame.word_wrap = True
    title.text_frame.paragraphs[0].font.size = Pt(18)
    data = CategoryChartData(number_format='0"%"' if finding.unit == "%" else '+0" pts";-0" pts"')
    data.categories = finding.categories
    for name, values in finding.series.items():
        data.add_series(name, values)
    frame = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, Inches(0.5), Inches(1.7), Inches(9), Inches(4.7), data)
    chart = frame.chart
    chart.has_legend = len(finding.series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
    chart.category_axis.reverse_order = True  # first category on top, as in the notebooks
    chart.category_axis.tick_labels.font.size = Pt(9)
    chart.value_axis.tick_labels.font.size = Pt(9)
    if finding.unit == "%":
        chart.value_axis.minimum_scale, chart.value_axis.maximum_scale = 0, 100
    chart.value_axis.tick_labels.number_format = data.number_format
    chart.value_axis.tick_labels.number_format_is_linked = False
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.number_format = data.number_format
    plot.data_labels.number_format_is_linked = False
    plot.data_labels.font.size = Pt(8)
    note = slide.shapes.add_textbox(Inches(0.5), Inches(6.5), Inches(9), Inches(0.8)).text_frame
    note.word_wrap = True
    note.text = finding.footnote
    note.paragraphs[0].font.size = Pt(9)


def write_deck(findings: list[Finding], path: Path, title: str = "Marketing and IT: what the surveys show") -> Path:
    """Write the deck atomically; sections follow the findings' order."""
    from pptx import Presentation
    from pptx.util import Pt

    prs = Presentation()
    _title_slide(prs, title, "CMO–CIO Alignment Notebooks: published survey figures, with what they can and cannot show")
    section = None
    for finding in findings:
        if finding.section != section and finding.section == "Your organisation":
            _title_slide(prs, "Your organisation", "Your pulse survey beside the published studies")
        section = finding.section
        (grid_slide if finding.unit == GRID else _finding_slide)(prs, finding)
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = "Caveats"
    body = slide.placeholders[1].text_frame
    for i, text in enumerate(caveats()):
        para = body.paragraphs[0] if i == 0 else body.add_paragraph()
        para.text = text
        para.font.size = Pt(14)
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
