"""Counts from one place: how many waves, sponsors and articles a selection holds, and how many comparisons have an
interval, could be tested and are significant. Pages, deck and workbook take every count from here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from .. import stats
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
    """How far a table of comparisons (gaps, changes, segment differences) could be taken."""

    total: int
    with_interval: int  # both bases known (or assumed): an interval for the difference
    tested: int  # a p-value after adjustment
    significant: int  # significant after adjustment
    holds: int  # significant whatever the unknown bases are
    bounds: int  # not testable: a figure published as a bound


def comparisons(table: pd.DataFrame) -> Comparisons:
    """The counts of a comparison table (see :mod:`cmocio.stats`)."""
    col = table.get
    return Comparisons(len(table), int(col("diff_low", pd.Series(dtype=float)).notna().sum()),
                       int(col("p_adjusted", pd.Series(dtype=float)).notna().sum()),
                       int(col("significant", pd.Series(dtype=bool)).fillna(False).astype(bool).sum()),
                       int((col("conclusion", pd.Series(dtype=object)) == stats.HOLDS).sum()),
                       int((col("conclusion", pd.Series(dtype=object)) == stats.NOT_TESTABLE).sum()))


def comparisons_sentence(c: Comparisons, what: str = "gaps") -> str:
    """Every count of a comparison table in one sentence, so that no page counts them its own way."""
    if not c.total:
        return f"No {what} in this selection"
    if c.tested:
        tested = (f"{c.with_interval} have an interval (both bases known) and {c.tested} could be tested, "
                  f"{c.significant} of them significant after adjustment")
    else:
        tested = "none could be tested directly: the articles give no base for either side"
    bounds = f"; {c.bounds} cannot be tested, being published as bounds" if c.bounds else ""
    return f"Of {c.total} {what}, {tested}; {c.holds} of the {c.total} {HOLDS_PHRASE}{bounds}"


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
