"""The deck and the workbook: native charts with their sources, every table formatted, nothing hidden leaks."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from pptx.enum.chart import XL_TICK_LABEL_POSITION
from pptx import Presentation
from pptx.util import Emu

from cmocio import report, survey
from cmocio.deliverables import content, write_deck, write_workbook

from .test_survey import QIDS, Q, base, flipped, frame


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    return report.start("deliverables", output_dir=str(tmp_path_factory.mktemp("work")))


@pytest.fixture(scope="module")
def published(ctx):
    return content.published_findings(ctx)


@pytest.fixture(scope="module")
def example(ctx, published, tmp_path_factory):
    r = survey.load_responses(str(survey.EXAMPLE_PATH), Q, "weight")
    found = published + content.own_findings(ctx, survey.analyse(r, Q), "Synthetic example organisation")
    out = tmp_path_factory.mktemp("deliverables")
    from cmocio.data import source_table

    sources = source_table(ctx.data)
    return (found, write_deck(found, out / "briefing.pptx", date="2026-01-31"),
            write_workbook(found, sources, out / "tables.xlsx"))


def _texts(slide) -> list[str]:
    return [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame and sh.text_frame.text]


def test_one_finding_per_slide_with_a_native_chart_at_most_twelve_categories_and_a_short_footnote(example):
    found, deck, _ = example
    prs = Presentation(str(deck))
    assert (prs.slide_width, prs.slide_height) == (Emu(12192000), Emu(6858000))  # 16:9
    slides = list(prs.slides)
    assert _texts(slides[0])[0] == "Marketing and IT: what the surveys show"
    chart_slides = [s for s in slides if any(sh.has_chart for sh in s.shapes)]
    assert len(chart_slides) == len(found)
    for slide, finding in zip(chart_slides, found):
        texts = _texts(slide)
        assert texts[0] == finding.headline
        assert not [sh for sh in slide.shapes if sh.shape_type == 13], "charts are native, not pictures"
        chart = next(sh.chart for sh in slide.shapes if sh.has_chart)
        shown = len(chart.plots[0].categories)
        assert shown <= content.MAX_CATEGORIES and list(chart.plots[0].categories) == finding.categories[:shown]
        series = {s.name: [None if v is None else round(v, 6) for v in s.values] for s in chart.plots[0].series}
        assert series == {k: [None if v is None else round(v, 6) for v in vs[:shown]] for k, vs in finding.series.items()}
        if len(finding.categories) > shown:  # the rest are in the workbook, and the slide says so
            assert f"of {len(finding.categories)} " in texts[1] and f"in the workbook, sheet “{finding.name}”" in texts[1]
        for s in chart.plots[0].series:  # the site's colour of the group or series
            assert "#" + str(s.format.fill.fore_color.rgb) == finding.colours[s.name].upper()
        assert finding.footnote in texts and len(finding.footnote) <= content.MAX_FOOTNOTE
        negative = any(v is not None and v < 0 for vs in series.values() for v in vs)
        low = chart.category_axis.tick_label_position == XL_TICK_LABEL_POSITION.LOW
        assert low == negative, "labels sit left of the plot only where a bar runs left of zero"
    assert any(len(f.categories) > content.MAX_CATEGORIES for f in found), "the test covers a cut chart"
    assert [t[0] for t in map(_texts, slides)].count("Your organisation") == 1  # the benchmark's own section
    assert _texts(slides[-1])[0].startswith("Sources") and "APMdigest, 2013-12-06" in " ".join(_texts(slides[-1]))


def test_every_slide_has_its_number_and_date_and_no_text_overflows_its_box(example):
    from cmocio.deliverables.measure import fits

    _, deck, _ = example
    prs = Presentation(str(deck))
    slides, height, width = list(prs.slides), prs.slide_height, prs.slide_width
    for i, slide in enumerate(slides, start=1):
        texts = _texts(slide)
        assert f"{i} / {len(slides)}" in texts and any("2026-01-31" in t for t in texts)
        for sh in slide.shapes:
            if not (sh.has_text_frame and sh.text_frame.text):
                continue
            font = sh.text_frame.paragraphs[0].font
            assert fits(sh.text_frame.text, font.size.pt, sh.width.inches, sh.height.inches, bool(font.bold)), \
                (i, sh.text_frame.text[:60])
            assert sh.top + sh.height <= height and sh.left + sh.width <= width, (i, sh.text_frame.text[:60])


def test_bars_left_of_zero_keep_their_labels_clear(tmp_path):
    both = content.Finding("S", "Practices", ["Up", "Down"], {"Agree minus rest": [12.0, -3.0]}, "pts", "Made up.")
    up = content.Finding("S", "Practices", ["Up", "Also up"], {"Agree minus rest": [12.0, 3.0]}, "pts", "Made up.")
    prs = Presentation(str(write_deck([both, up], tmp_path / "d.pptx", date="2026-01-31")))
    axes = [sh.chart.category_axis.tick_label_position for s in prs.slides for sh in s.shapes if sh.has_chart]
    assert axes[0] == XL_TICK_LABEL_POSITION.LOW and axes[1] != XL_TICK_LABEL_POSITION.LOW


def test_text_measurement_can_fail():
    from cmocio.deliverables.measure import fits, fitting_size

    long = "word " * 400
    assert not fits(long, 10, 12.33, 0.66) and fits("A short note.", 10, 12.33, 0.66)
    with pytest.raises(ValueError, match="does not fit"):
        fitting_size(long, 12.33, 0.66, (11, 10, 9))


def test_the_customer_experience_headline_uses_every_ownership_figure(ctx, published):
    cx = next(f for f in published if f.name == "cx_ownership")
    own = ctx.theme("customer_experience")
    own = own[own["metric"].map(ctx.family) == "cx_owner_marketing"]
    assert len(cx.categories) == len(own) and f" of {len(own)} figures" in cx.headline
    assert f"from {own['percent'].min():.0f}%" in cx.headline and not cx.headline.startswith("Most")


def test_the_workbook_reads_plainly_with_numbers_as_numbers(example):
    found, _, book = example
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ([f.name for f in found] + [f"{f.name} data" for f in found] + ["Sources", "Caveats"])
    gaps = wb["perception_gaps"]
    headers = [c.value for c in gaps[4] if c.value]
    assert headers[:2] == ["Study", "Question"] and "Difference" in headers and "Verdict" in headers
    assert not {"study_id", "a", "b", "diff_low", "metric", "testable"} & set(headers), "machine columns stay apart"
    col = headers.index("Marketing") + 1
    first = gaps.cell(5, col).value
    assert gaps.cell(5, col).number_format == '0"%"' and isinstance(first, (int, float)) and 0 <= first <= 100
    assert gaps.cell(5, headers.index("Difference") + 1).number_format.startswith('+0" pts"')
    values = [c.value for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    reader = [c.value for f in found for row in wb[f.name].iter_rows() for c in row if c.value is not None]
    assert not [v for v in values if isinstance(v, str) and v in ("True", "False")], "one convention: yes / no"
    assert not [v for v in reader if isinstance(v, str) and v in ("derived_minimum", "marketing", "it")], \
        "codes stay on the machine sheets"
    assert not [v for v in values if isinstance(v, float) and abs(v * 1e6 - round(v * 1e6)) > 1e-6], "float noise"
    assert not [v for v in values if isinstance(v, str) and v.replace(".", "", 1).lstrip("-").isdigit()], \
        "numbers stored as text"
    p = headers.index("p (adjusted)") + 1
    ps = [gaps.cell(r, p).value for r in range(5, gaps.max_row + 1) if gaps.cell(r, p).value is not None]
    assert "<0.001" in ps and 0 not in ps and 0.0 not in ps
    bounds = [c.number_format for ws in wb for row in ws.iter_rows() for c in row if c.number_format.startswith('">"')]
    assert bounds, "a bound keeps its sign on a number"
    machine = [c.value for c in wb["perception_gaps data"][1]]
    assert "study_id" in machine and "diff_low" in machine
    src = wb["Sources"]
    assert [c.value for c in src[1]][-1] == "Address"
    addresses = [src.cell(r, src.max_column).value for r in range(2, src.max_row + 1)]
    assert sum(str(a).startswith("https://") for a in addresses if a) >= 40
    from cmocio.data import load_dataset

    assert src.max_row == 1 + len(load_dataset().sources) and wb["Caveats"]["A1"].value


def test_the_same_findings_give_the_same_bytes(example, tmp_path):
    found, deck, book = example
    again = write_deck(found, tmp_path / "again.pptx", date="2026-01-31")
    assert again.read_bytes() == deck.read_bytes()
    with zipfile.ZipFile(deck) as z:
        assert any(n.startswith("ppt/embeddings/") for n in z.namelist()), "charts carry their data sheets"


def _deliverables(ctx, published, responses, folder: Path) -> tuple[bytes, bytes]:
    found = published + content.own_findings(ctx, survey.analyse(responses, Q, 5), "Client")
    deck = write_deck(found, folder / "d.pptx")
    book = write_workbook(found, ctx.data.sources[["outlet"]], folder / "t.xlsx")
    return deck.read_bytes(), book.read_bytes()


def test_a_hidden_group_never_reaches_the_deck_or_its_chart_data(ctx, published, tmp_path):
    rng = np.random.default_rng(5)
    rows = base() + [("it", 1.0, {q: int(rng.random() < 0.5) for q in QIDS}) for _ in range(3)]  # 3 < 5: hidden
    r = frame(rows)
    original = _deliverables(ctx, published, r, tmp_path)
    changed = _deliverables(ctx, published, flipped(r, len(base())), tmp_path)
    assert changed == original, "an IT answer that must stay hidden changed the deck or the workbook"
    visible = _deliverables(ctx, published, flipped(r, 0), tmp_path)
    assert visible[0] != original[0] and visible[1] != original[1], "control: a visible change shows"


def test_the_workbook_shows_only_figures_the_audited_table_shows(ctx, published, tmp_path):
    """The attacker tests read the audited table; the deliverables add nothing to it, so they cover them too."""
    from openpyxl import load_workbook

    rng = np.random.default_rng(5)
    r = frame(base() + [("it", 1.0, {q: int(rng.random() < 0.5) for q in QIDS}) for _ in range(3)])
    _deliverables(ctx, published, r, tmp_path)
    shown = survey.publishable(survey.analyse(r, Q, 5).overall())
    shown = shown[~shown["suppressed"]].set_index(["question_id", "group"])
    rows = list(load_workbook(tmp_path / "t.xlsx", read_only=True)["your_answers"].iter_rows(values_only=True))
    header = rows.index(next(row for row in rows if row and row[0] == "Question"))
    figures = [row for row in rows[header + 1:] if row and row[0]]
    assert figures and {row[2] for row in figures} == {"Marketing"}, "the hidden IT group is in no row"
    for _, qid, label, share, low, high, answered in figures:
        group = {"Marketing": "marketing"}[label]
        cell = shown.loc[(qid, group)]
        assert (share, low, high, int(answered)) == (cell["percent"], cell["ci_low"], cell["ci_high"],
                                                     cell["n_answered"])


def test_the_command_writes_both_files_and_refuses_bad_studies(tmp_path, capsys):
    from cmocio.__main__ import main

    assert main(["deck", "-o", str(tmp_path), "--studies", "[leapfrog-2015, leapfrog-2016]"]) == 0
    assert (tmp_path / "briefing.pptx").stat().st_size > 10_000 and (tmp_path / "tables.xlsx").is_file()
    slides = list(Presentation(str(tmp_path / "briefing.pptx")).slides)
    notes = " ".join(sh.text_frame.text for s in slides for sh in s.shapes if sh.has_text_frame)
    assert "Forrester" not in notes and "Leapfrog 2016" in notes
    from cmocio.sentences import counts  # the count of the evidence, as the overview page says it

    said = counts.evidence_sentence(counts.evidence(report.start("d", output_dir=str(tmp_path / "w"),
                                                                 studies=["leapfrog-2015", "leapfrog-2016"])))
    assert said.startswith("2 survey waves") and said in " ".join(sh.text_frame.text for sh in slides[0].shapes)
    assert openpyxl.load_workbook(tmp_path / "tables.xlsx")["Caveats"]["A1"].value == said + "."
    assert main(["deck", "-o", str(tmp_path / "x"), "--studies", "[no-such-study]"]) == 1
    assert "unknown study id(s) 'no-such-study'" in capsys.readouterr().err
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["deck", "-o", str(blocker)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write the deliverables to") and "Traceback" not in err
