"""One room for sentences: every count from one place, the same headline on the pages and in the deck."""

from __future__ import annotations

import nbformat
import pandas as pd
import pytest

from cmocio import report, sentences
from cmocio.build import discover
from cmocio.sentences import briefs, counts
from cmocio.sentences.words import md_escape


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    return report.start("sentences", output_dir=str(tmp_path_factory.mktemp("work")))


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    """Every Markdown output of each committed notebook, joined (what its page says in words)."""
    out = {}
    for path in discover():
        nb = nbformat.read(str(path), as_version=4)
        text = [o["data"]["text/markdown"] for c in nb.cells for o in c.get("outputs", [])
                if "text/markdown" in o.get("data", {})]
        out[path.stem] = "\n".join("".join(t) if isinstance(t, list) else t for t in text)
    return out


def test_each_theme_page_opens_with_a_brief_of_three_to_five_findings(ctx, pages):
    for name in briefs.THEMES | {"00_overview": ""}:
        lines = sentences.page_brief(name, ctx)
        assert 2 <= len(lines) <= 5, (name, lines)
        assert pages[name].startswith(sentences.brief(name, ctx)), name  # the first thing the page says


def test_the_decks_headlines_are_the_pages_sentences(ctx, pages):
    from cmocio.deliverables import content

    heads = sentences.headlines(ctx)
    deck = {f.name: f.headline for f in content.published_findings(ctx)}
    assert [deck[n] for n in ("perception_gaps", "wave_changes", "cx_ownership", "segment_gaps")] == list(heads.values())
    for page, line in heads.items():
        assert md_escape(line) in pages[page] and md_escape(line) in pages["00_overview"], page


def test_counts_reconcile_across_pages_and_headlines(ctx, pages):
    """The deck's and the workbook's count of the evidence is checked where the deck command runs
    (test_deliverables); here the pages."""
    e = counts.evidence(ctx)
    said = counts.evidence_sentence(e)
    assert md_escape(said) in pages["00_overview"]
    assert e.waves == len(ctx.waves()) and f"{e.waves} survey waves" in said
    gaps = briefs.alignment_gaps(ctx)
    c = counts.comparisons(gaps)
    assert c.total == len(gaps) and c.with_interval <= c.total and c.significant <= c.tested <= c.total
    assert md_escape(counts.comparisons_sentence(c, "marketing–IT gaps")) in pages["01_alignment"]
    assert f"{c.holds} of {c.questions} questions" in sentences.headlines(ctx)["01_alignment"]


def test_words_keep_bounds_acronyms_and_counts_honest():
    assert sentences.figure_words(50, ">") == "more than 50%" and sentences.figure_words(67.0, "~") == "about 67%"
    assert sentences.in_sentence("Marketing and IT share ownership") == "marketing and IT share ownership"
    assert sentences.in_sentence("IT has adapted") == "IT has adapted" and sentences.in_sentence("CMOs own") == "CMOs own"
    assert sentences.distance_words(40, ">") == "up to 40 points" and sentences.distance_words(-40, ">") == "more than 40 points"
    assert sentences.distance_words(12, "=") == "12 points"
    assert sentences.quantity_words(10, 10) == "All 10" and sentences.quantity_words(0, 4) == "None of the 4"


def test_a_bound_counts_as_a_majority_only_in_its_own_direction():
    own = pd.DataFrame({"percent": [50.0, 50.0, 60.0, 40.0], "qualifier": [">", "<", "=", "="]})
    assert sentences.cx_ownership_headline(own).startswith("2 of 4 figures")
    assert "from 40% to 60%" in sentences.cx_ownership_headline(own)
    control = own.assign(qualifier="=")
    assert sentences.cx_ownership_headline(control).startswith("1 of 4 figures")


def test_the_overview_lists_only_the_selected_studies_conflicts_and_waves(ctx, tmp_path):
    every = ctx
    one = report.start("t", output_dir=str(tmp_path), studies=["forrester-2013"])
    listed = one.conflicts_table()
    assert len(every.conflicts_table()) == len(every.data.conflicts) > len(listed) > 0
    assert set(listed["studies"].str.split(", ").explode()) >= {"Forrester 2013"}
    assert all("Forrester 2013" in s for s in listed["studies"])
    assert list(one.waves_table()["study_id"]) == ["forrester-2013"]
    assert set(every.waves()["study_id"]) == set(every.findings["study_id"])  # a wave is a study with figures


def test_the_benchmark_page_reads_a_bound_as_one_and_keeps_it_in_capitals():
    from cmocio.sentences.benchmark import differs_most

    bench = pd.DataFrame({"role": ["benchmark"], "diff": [40.0], "question_id": ["q10"], "group": ["marketing"],
                          "benchmark_group": ["marketing"], "study_id": ["forrester-2013"], "metric": ["m"],
                          "percent": [90.0], "benchmark_percent": [50.0], "benchmark_qualifier": [">"],
                          "verdict": ["not testable against a bound"]})
    gaps = pd.DataFrame({"diff": [46.0], "question_id": ["q10"], "metric": ["m"], "percent_marketing": [90.0],
                         "percent_it": [44.0]})
    changes = pd.DataFrame({"group": [], "verdict": []})
    text = differs_most(bench, gaps, changes, 0, lambda m: "Marketing and IT share ownership", lambda s: "Forrester 2013")
    assert "up to 40 points more likely" in text and "(90% vs more than 50%)" in text
    assert "*marketing and IT share ownership*" in text and "and it share" not in text
    control = differs_most(bench.assign(benchmark_qualifier="="), gaps, changes, 0, lambda m: "Marketing and IT share "
                           "ownership", lambda s: "Forrester 2013")
    assert "are 40 points more likely" in control and "(90% vs 50%)" in control
