"""The one-sentence finding of each analysis: a page's brief and a slide's headline alike."""

from __future__ import annotations

from typing import Callable

import pandas as pd

from . import counts
from .questions import tested_questions
from .words import HOLDS_PHRASE, figure_words, quantity_words

Wording = Callable[[str], str]


def short(text: str, width: int = 60) -> str:
    """``text`` cut at a word boundary to at most ``width`` characters, with "…" where it was cut."""
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def gap_headline(gaps: pd.DataFrame, wording: Wording, a_name: str, b_name: str) -> str:
    """Two sides on the same questions: the widest gap a bound does not blur, and how many gaps hold.

    ``gaps``: a perception-gap table (``percent_a``/``percent_b``, ``qualifier_a``/``_b``, ``diff``, ``testable``,
    ``conclusion``); the count is over every row, as the pages' counts are.
    """
    ranked = tested_questions(gaps) if len(gaps) else gaps
    if ranked.empty:
        return f"No question in this selection was put to both {a_name.lower()} and {b_name} in comparable form"
    top = ranked.loc[ranked["diff"].abs().idxmax()]
    c = counts.comparisons(gaps)
    return (f"{a_name} and {b_name} answer the same questions differently: the widest gap is on "
            f"“{short(wording(top['metric']), 70)}” ({a_name} {figure_words(top['percent_a'], top.get('qualifier_a'))}, "
            f"{b_name} {figure_words(top['percent_b'], top.get('qualifier_b'))}); {c.holds} of {c.questions} "
            f"questions asked of both {HOLDS_PHRASE}")


def change_headline(changes: pd.DataFrame, wording: Wording, nouns: dict[str, str], subject: str = "") -> str:
    """Change between waves of a series: how many rose, and the largest rise or fall.

    ``subject`` names what changed ("Shared incentives and relationship quality"), leading the sentence.
    """
    lead = f"{subject}: " if subject else ""
    if changes.empty:
        return f"{lead}no question was asked in two waves of one series in this selection"
    rose = int((changes["diff"] > 0).sum())
    top = changes.loc[changes["diff"].abs().idxmax()]
    many = quantity_words(rose, len(changes))
    return (f"{lead}{many[0].lower() + many[1:] if lead else many} wave-to-wave changes were rises; the largest "
            f"was {top['diff']:+.0f} points for {nouns.get(top['group'], top['group'])} on "
            f"“{short(wording(top['metric']), 70)}”")


def latest_level(figures: pd.DataFrame, wording: Wording, study_label: Callable[[str], str],
                 nouns: dict[str, str]) -> str:
    """Where one question stands in its latest wave: each group's figure, as published."""
    if figures.empty:
        return ""
    dated = figures.dropna(subset=["year"])
    latest = dated[dated["year"] == dated["year"].max()] if not dated.empty else figures
    study = latest["study_id"].iloc[0]
    latest = latest[latest["study_id"] == study]
    parts = [f"{figure_words(r.percent, r.qualifier)} of {nouns.get(r.group, r.group)}" for r in latest.itertuples()]
    return (f"In the latest wave ({study_label(study)}), {' and '.join(parts)} said "
            f"“{short(wording(latest['metric'].iloc[0]), 90)}”")


def cx_ownership_headline(own: pd.DataFrame) -> str:
    """Who owns the customer experience: how many figures give marketing a majority, and their range.

    ``own``: every published figure of the ``cx_owner_marketing`` family (``percent``, ``qualifier``).
    A bound counts as a majority only where it says so (">50%"); "<50%" never does.
    """
    if own.empty:
        return "No study in this selection asked who owns the customer experience"
    q = own["qualifier"].fillna("=")
    majority = int(((own["percent"] > 50) & (q != "<") | ((own["percent"] >= 50) & (q == ">"))).sum())
    low, high = own.loc[own["percent"].idxmin()], own.loc[own["percent"].idxmax()]
    return (f"{quantity_words(majority, len(own))} figures on who owns the customer experience show a majority "
            f"naming marketing; they run from {figure_words(low['percent'], low['qualifier'])} to "
            f"{figure_words(high['percent'], high['qualifier'])}, depending on the wording and on who was asked")


def segment_headline(seg: pd.DataFrame, wording: Wording) -> str:
    """Very effective against effective relationships: how many differences stand, and the largest."""
    if seg.empty:
        return "No study in this selection compares very effective with effective relationships"
    c = counts.comparisons(seg)
    top = seg.loc[seg["diff"].idxmax()]
    return (f"Very effective CMO–CIO relationships plan and measure martech more: {c.holds} of {c.questions} "
            f"differences {HOLDS_PHRASE}; the largest is on “{short(wording(top['metric']), 70)}” "
            f"({figure_words(top['percent_a'], top.get('qualifier_a'))} vs "
            f"{figure_words(top['percent_b'], top.get('qualifier_b'))})")


__all__ = ["change_headline", "cx_ownership_headline", "gap_headline", "latest_level", "segment_headline", "short"]
