"""The deck and the workbook: native charts with their sources, every table formatted, nothing hidden leaks."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from pptx import Presentation

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
    sources = ctx.data.sources[["outlet", "headline", "author"]]
    return found, write_deck(found, out / "briefing.pptx"), write_workbook(found, sources, out / "tables.xlsx")


def test_one_finding_per_slide_with_a_native_chart_and_its_sources(example):
    found, deck, _ = example
    slides = list(Presentation(str(deck)).slides)
    assert slides[0].shapes.title.text == "Marketing and IT: what the surveys show"
    chart_slides = [s for s in slides if any(sh.has_chart for sh in s.shapes)]
    assert len(chart_slides) == len(found)
    for slide, finding in zip(chart_slides, found):
        assert slide.shapes.title.text == finding.headline
        assert not [sh for sh in slide.shapes if sh.shape_type == 13], "charts are native, not pictures"
        chart = next(sh.chart for sh in slide.shapes if sh.has_chart)
        series = {s.name: [None if v is None else round(v, 6) for v in s.values] for s in chart.plots[0].series}
        assert series == {k: [None if v is None else round(v, 6) for v in vs] for k, vs in finding.series.items()}
        assert list(chart.plots[0].categories) == finding.categories
        notes = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame and sh != slide.shapes.title]
        assert notes == [finding.footnote] and finding.footnote
    first = chart_slides[0]
    note = [sh.text_frame.text for sh in first.shapes if sh.has_text_frame and sh != first.shapes.title][0]
    assert note.startswith("Sources: ") and "APMdigest, 2013-12-06" in note and "303 respondents" in note
    assert [s.shapes.title.text for s in slides].count("Your organisation") == 1  # the benchmark's own section
    assert slides[-1].shapes.title.text == "Caveats"


def test_the_workbook_has_every_table_formatted_sources_and_caveats(example):
    found, _, book = example
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == [f.name for f in found] + ["Sources", "Caveats"]
    gaps = wb["perception_gaps"]
    headers = [c.value for c in gaps[4]]
    assert "Marketing" in headers and "IT / technology" in headers and "Difference" in headers
    col = headers.index("Marketing") + 1
    first = gaps.cell(5, col).value
    assert gaps.cell(5, col).number_format == '0"%"' and isinstance(first, (int, float)) and 0 <= first <= 100  # shown as N%
    assert gaps.cell(5, headers.index("Difference") + 1).number_format.startswith('+0" pts"')
    from cmocio.data import load_dataset

    assert wb["Sources"].max_row == 1 + len(load_dataset().sources) and wb["Caveats"]["A1"].value


def test_the_same_findings_give_the_same_bytes(example, tmp_path):
    found, deck, book = example
    again = write_deck(found, tmp_path / "again.pptx")
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
    header = rows.index(next(row for row in rows if row and row[0] == "Item"))
    figures = [row for row in rows[header + 1:] if row and row[0]]
    assert figures and {row[2] for row in figures} == {"marketing"}, "the hidden IT group is in no row"
    for qid, _, group, share, low, high, answered in figures:
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
    assert main(["deck", "-o", str(tmp_path / "x"), "--studies", "[no-such-study]"]) == 1
    assert "unknown study id(s) 'no-such-study'" in capsys.readouterr().err
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["deck", "-o", str(blocker)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write the deliverables to") and "Traceback" not in err
