"""The deck's slides on an organisation's heatmap and drivers, from the same survey context as the page.

:func:`insight_findings` gives two findings: the heatmap of all respondents by the first
segment (a grid, drawn by :func:`grid_table` as a native table coloured on the page's
diverging scale, hidden cells blank) and the drivers (a bar chart of differences in
points, with the published evidence in the footnote). Both carry the tables the
workbook writes, rounded as the page rounds them.
"""

from __future__ import annotations

import pandas as pd

from ..plots.heatmap import SCALE_PTS
from ..survey import rounded
from ..survey.context import SurveyContext
from ..survey.drivers import CAVEAT
from .content import Finding, _short

#: The unit of a finding drawn as a coloured grid rather than a chart.
GRID = "grid"


def insight_findings(org: SurveyContext) -> list[Finding]:
    """The heatmap and drivers of the organisation, as findings of its section."""
    out = []
    heat = rounded(org.heatmap())
    everyone = heat[heat["group"] == "all"]
    if org.result.dimensions and not everyone.empty:
        dim = org.result.dimensions[0]
        part = everyone[everyone["dimension"] == dim]
        questions = list(dict.fromkeys(part["metric"]))
        segments = list(dict.fromkeys(part["segment"]))
        values = part.set_index(["segment", "metric"])["diff"]
        series = {s: [None if pd.isna(values.get((s, m))) else float(values.get((s, m))) for m in questions]
                  for s in segments}
        marked = int(part["marked"].sum())
        every_group = heat[heat["dimension"] == dim]
        table = every_group.assign(question=[org.wording(m) for m in every_group["metric"]])[
            ["dimension", "segment", "group", "question_id", "question", "percent", "overall_percent", "diff",
             "diff_low", "diff_high", "p_adjusted", "marked", "suppressed", "reason"]]
        out.append(Finding("Your organisation",
                           f"{org.label}: where each {dim.replace('_', ' ')} stands against the organisation, in points "
                           f"({marked} of {len(part)} differ meaningfully and significantly; marketing and IT in the "
                           "workbook)",
                           [_short(org.wording(m), 55) for m in questions], series, GRID,
                           "Blue above the organisation, red below; outlined: meaningful and significant after "
                           f"adjustment; blank: hidden to protect anonymity (fewer than {org.result.min_group_size} "
                           "people, or the disclosure audit).", table, "heatmap"))
    drivers = rounded(org.drivers())
    everyone = drivers[drivers["group"] == "all"]
    if not everyone.empty:
        top = everyone.iloc[0]
        evidence = org.evidence()
        published = "; ".join(f"{r.study}: {_short(org.wording(r.metric), 40)} {r.percent_very_effective:.0f}% of very "
                              f"effective vs {r.percent_effective:.0f}% of effective relationships"
                              for r in evidence.itertuples())
        practice = _short(org.wording(top["practice"]), 50)
        out.append(Finding("Your organisation",
                           f"{org.label}: a collaborative relationship goes most with “{practice}” "
                           f"({top['percent_agree']:.0f}% of those who agree vs {top['percent_rest']:.0f}% of the rest)",
                           [_short(org.wording(m), 55) for m in everyone["practice"]],
                           {"Those who agree minus the rest": [float(v) for v in everyone["diff"]]}, "pts",
                           f"Your pulse survey: {CAVEAT}. Published: {published or 'no comparison'}.", everyone,
                           "drivers", what="practices, strongest first"))
    return out


def _colour(v: float) -> tuple[int, int, int]:
    """The page's diverging scale: red below, white at zero, blue above, saturated at ±SCALE_PTS."""
    t = max(-1.0, min(1.0, v / SCALE_PTS))
    end = (33, 102, 172) if t > 0 else (178, 24, 43)
    return tuple(round(255 + (e - 255) * abs(t)) for e in end)


def grid_table(slide, finding: Finding, box: tuple[float, float, float, float], limit: int) -> None:
    """A finding of unit :data:`GRID` as a native table in ``box`` (inches: left, top, width, height): at most
    ``limit`` questions down, segments across, coloured by value; hidden cells blank."""
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    left, top, width, height = box
    segments = list(finding.series)
    questions = finding.categories[:limit]
    everyone = finding.table[finding.table["group"] == "all"] if len(finding.table) else finding.table
    marks = everyone.set_index(["segment", "question"])["marked"] if len(everyone) else pd.Series(dtype=bool)
    wordings = list(dict.fromkeys(everyone["question"])) if len(everyone) else finding.categories
    shape = slide.shapes.add_table(len(questions) + 1, len(segments) + 1, Inches(left), Inches(top),
                                   Inches(width), Inches(height))
    table = shape.table
    each = min(1.4, (width - 4.0) / max(len(segments), 1))
    table.columns[0].width = Inches(width - each * len(segments))
    for j, s in enumerate(segments, 1):
        table.columns[j].width = Inches(each)
        table.cell(0, j).text = s
    table.cell(0, 0).text = "Question"
    for i, q in enumerate(questions, 1):
        table.cell(i, 0).text = q
        for j, s in enumerate(segments, 1):
            v = finding.series[s][i - 1]
            cell = table.cell(i, j)
            cell.fill.solid()
            cell.fill.fore_color.rgb = RGBColor(*(_colour(v) if v is not None else (242, 242, 242)))
            cell.text = "" if v is None else (f"{round(v):+d}" if round(v) else "0")
            para = cell.text_frame.paragraphs[0]
            para.font.bold = bool(marks.get((s, wordings[i - 1]), False)) if i - 1 < len(wordings) else False
    for row in table.rows:
        row.height = Inches(height / (len(questions) + 1))
        for cell in row.cells:
            for para in cell.text_frame.paragraphs:
                para.font.size = Pt(10)
