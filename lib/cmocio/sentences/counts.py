"""Counts from one place: how many waves, sponsors and articles a selection holds, and how many comparisons have an
interval, could be tested and are significant. Pages, deck and workbook take every count from here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from .. import stats
from .questions import tested_questions
from .words import HOLDS_PHRASE


@dataclass(frozen=True)
class Evidence:
    """What a selection of the published figures holds."""

    waves: int  # studies (survey waves) with at least one figure in the selection
    sponsors: int
    first_year: int | None
    last_year: int | None
    undated: int  # waves without a year
    sized: int  # waves that report a sample size
    articles: int  # articles the figures come from
    figures: int


def evidence(ctx: Any) -> Evidence:
    """The counts of a notebook context's selection (its ``findings``, ``data.studies``)."""
    f = ctx.findings
    waves = ctx.data.studies[ctx.data.studies["study_id"].isin(f["study_id"])]
    years = waves["year"].dropna().astype(int)
    return Evidence(len(waves), int(waves["sponsor"].nunique()), int(years.min()) if len(years) else None,
                    int(years.max()) if len(years) else None, int(waves["year"].isna().sum()),
                    int(waves["respondents"].notna().sum()), int(f["source_id"].nunique()), len(f))


def evidence_sentence(e: Evidence) -> str:
    """The selection in one sentence: "46 survey waves by 29 sponsors, 2010–2023, …"."""
    span = f", {e.first_year}–{e.last_year}" if e.first_year is not None else ""
    undated = f" ({e.undated} without a year)" if e.undated else ""
    return (f"{e.waves} survey waves by {e.sponsors} sponsors{span}{undated}, reported in {e.articles} articles: "
            f"{e.figures} published figures; {e.sized} of the waves report a sample size")


@dataclass(frozen=True)
class Comparisons:
    """How far a table of comparisons (gaps, changes, segment differences) could be taken.

    A question is tested once, by its headline answer (:func:`cmocio.sentences.questions.tested_questions`): every
    count but ``total`` and ``bounds`` is a count of questions.
    """

    total: int  # comparisons in the table (every answer category)
    questions: int  # comparisons that stand for a question: its headline, where a bound allows a direction
    with_interval: int  # of those, both bases known (or assumed): an interval for the difference
    tested: int  # of those, a p-value after adjustment
    significant: int  # of those, significant after adjustment
    holds: int  # of those, significant whatever the unknown bases are
    bounds: int  # comparisons not testable: a figure published as a bound


def comparisons(table: pd.DataFrame) -> Comparisons:
    """The counts of a comparison table (see :mod:`cmocio.stats`)."""
    q = tested_questions(table) if len(table) else table
    def col(frame, name, dtype):
        return frame[name] if name in frame else pd.Series(dtype=dtype)
    return Comparisons(len(table), len(q), int(col(q, "diff_low", float).notna().sum()),
                       int(col(q, "p_adjusted", float).notna().sum()),
                       int(col(q, "significant", bool).fillna(False).astype(bool).sum()),
                       int((col(q, "conclusion", object) == stats.HOLDS).sum()),
                       int((col(table, "conclusion", object) == stats.NOT_TESTABLE).sum()))


def comparisons_sentence(c: Comparisons, what: str = "gaps") -> str:
    """Every count of a comparison table in one sentence, so that no page counts them its own way."""
    if not c.total:
        return f"No {what} in this selection"
    whole = (f"Of {c.total} {what}, {c.questions} stand for a question (each question is tested once, by its "
             f"headline answer; a bound cannot rank the two sides)" if c.questions != c.total else
             f"Of {c.total} {what}")
    if c.tested:
        tested = (f"{c.with_interval} of those have an interval (both bases known) and {c.tested} could be tested, "
                  f"{c.significant} of them significant after adjustment")
    else:
        tested = "none could be tested directly: the articles give no base for either side"
    return f"{whole}; {tested}; {c.holds} of the {c.questions} {HOLDS_PHRASE}"


def direction_sentence(gaps: pd.DataFrame) -> str:
    """Gaps over time in one sentence: how many, from how many studies and years, with intervals, and which side
    is ahead how often."""
    if gaps.empty:
        return "No gaps in this selection"
    years = gaps["year"].dropna().astype(int)
    span = f", {years.min()}–{years.max()}" if len(years) else ""
    c = comparisons(gaps)
    return (f"{c.total} gaps from {gaps['study_id'].nunique()} studies{span}; {c.with_interval} have an interval; "
            f"marketing is ahead on {int((gaps['diff'] > 0).sum())}, IT on {int((gaps['diff'] < 0).sum())}")


__all__ = ["Comparisons", "Evidence", "comparisons", "comparisons_sentence", "direction_sentence", "evidence",
           "evidence_sentence"]
