"""Sentences about comparisons row by row: what a difference's bases allow, wave-to-wave changes, the grouped
brief of what holds and what depends on unknown bases, pooled families and who sees the relationship rosier."""

from __future__ import annotations

from typing import Callable, Iterable

import pandas as pd

from .. import stats
from ..plots import GROUP_LABELS
from .words import figure_words, md_escape

#: A comparison's conclusion as a sentence for the headline prose.
HOLDING_WORDS = {
    stats.HOLDS: "It holds whatever the unknown bases are.",
    stats.DEPENDS: "Whether it is significant depends on bases the article does not give.",
    stats.NOT_SIGNIFICANT_AT_MINIMUM: "It is not significant at the minimum bases the article allows.",
    stats.NOT_SIGNIFICANT: "It is not significant.",
    stats.NOT_TESTABLE: "It cannot be tested: one figure is published as a bound.",
    stats.NOT_TESTED: "It is not tested: the question is tested once, by its headline answer.",
}
#: At most this many rows of one kind in a brief; the table has every one.
BRIEF_ROWS = 5


def fmt_pct(x: float) -> str:
    """A percentage for prose: '42%'."""
    return "n/a" if x is None or pd.isna(x) else f"{x:.0f}%"


def fmt_pp(x: float) -> str:
    """A signed difference in points for prose: '+12 pts'."""
    return "n/a" if x is None or pd.isna(x) else f"{x:+.0f} pts"


def bullet_list(lines: Iterable[str]) -> str:
    """A Markdown bullet list, or a line saying there is nothing to list."""
    lines = list(lines)
    return "\n".join(f"- {line}" for line in lines) if lines else "_Nothing to report for this selection._"


def size_words(n: object, qualifier: object, unknown: str = "an unreported number") -> str:
    """A study's size as reported: "131", "more than 300", or ``unknown``."""
    if n is None or pd.isna(n):
        return unknown
    return f"{'more than ' if qualifier == '>' else ''}{float(n):,.0f}"


def study_size(row: pd.Series, a: str = "a", b: str = "b") -> str:
    """The reported size of the study (or studies) behind a comparison, in words."""
    sa = size_words(row[f"study_n_{a}"], row[f"study_n_qualifier_{a}"])
    sb = size_words(row[f"study_n_{b}"], row[f"study_n_qualifier_{b}"])
    if sa == sb:
        return f"the study had {sa} respondents in all"
    return f"the two waves had {sa} and {sb} respondents in all"


def what_it_takes(row: pd.Series, size: str) -> str:
    """A comparison's standing in plain words: tested, or what its unknown bases would need to be."""
    conclusion = row["conclusion"]
    if conclusion == stats.NOT_TESTABLE:
        return "not testable: published as a bound that cannot support this direction"
    if conclusion == stats.NOT_TESTED:
        return "not tested: another answer category of a question tested once, by its headline"
    if not pd.isna(row["break_even_n"]):
        return (f"significant if each side had at least {row['break_even_n']:,.0f} respondents; {size}")
    if not pd.isna(row["splits_significant"]):
        share = float(row["splits_significant"])
        where = ("every possible split" if share == 1 else "no possible split" if share == 0
                 else f"{share:.0%} of the possible splits")
        return f"significant under {where} of the sample between marketing and IT (10% to 90% marketing); {size}"
    if conclusion == stats.HOLDS:
        kinds = {row.get(f"base_{side}") for side in ("a", "b", "late", "early")}
        return "significant with the bases as published" + (
            " (minimums, so larger true bases only strengthen it)" if kinds & set(stats.MINIMUM_BASES) else "")
    if row["diff"] == 0:
        return "no difference"
    if conclusion == stats.NOT_SIGNIFICANT and (pd.isna(row["p_value"])):
        return f"not significant at any base up to {stats.MAX_BREAK_EVEN_N:,} per side"
    return "not significant with the bases as published"


def chart_note(row: pd.Series) -> str:
    """The few words a break-even chart shows for a row without a break-even base."""
    if row["conclusion"] == stats.NOT_TESTABLE:
        return "not testable: published as a bound"
    if row["conclusion"] == stats.NOT_TESTED:
        return "not tested: a category of a question tested once"
    if not pd.isna(row["splits_significant"]):
        return f"significant under {float(row['splits_significant']):.0%} of splits of the known total"
    if row["conclusion"] == stats.HOLDS:
        return "significant at the published bases"
    if row["diff"] == 0:
        return "no difference"
    return "not significant at the published bases" if not pd.isna(row["p_value"]) else "not significant at any base shown"


def wave_change_lines(changes: pd.DataFrame, wording: Callable[[str], str]) -> list[str]:
    """One Markdown line per wave change: the question, both figures, and what the bases allow."""
    return [f"{GROUP_LABELS.get(r.group, r.group)}: *{md_escape(wording(r.metric))}* went from "
            f"{fmt_pct(r.percent_early)} ({r.year_early}) to {fmt_pct(r.percent_late)} ({r.year_late}), {fmt_pp(r.diff)}: "
            + md_escape(what_it_takes(r._asdict(), study_size(r._asdict(), "early", "late")))
            for r in changes.itertuples()]


def robustness_brief(robust: pd.DataFrame, limit: int = BRIEF_ROWS) -> str:
    """Markdown that separates what holds whatever the unknown bases are from what depends on them.

    Each group names its count and its ``limit`` largest differences; the table above has every row.
    """
    parts = []
    for heading, keep in (("Holds whatever the unknown bases are", [stats.HOLDS]),
                          ("Depends on the unknown bases", [stats.DEPENDS, stats.NOT_SIGNIFICANT_AT_MINIMUM]),
                          ("Not shown by these figures", [stats.NOT_SIGNIFICANT, stats.NOT_TESTABLE]),
                          ("Shown, not tested (another category of a question tested once)", [stats.NOT_TESTED])):
        if heading.startswith("Shown") and not robust["conclusion"].isin(keep).any():
            continue
        sub = robust[robust["conclusion"].isin(keep)]
        sub = sub.reindex(sub["diff"].abs().sort_values(ascending=False, kind="stable").index)
        lines = [f"*{md_escape(r.label)}* ({fmt_pp(r.diff)}): {md_escape(r.what_it_takes)}."
                 for r in sub.head(limit).itertuples()]
        if len(sub) > limit:
            lines.append(f"and {len(sub) - limit} more, in the table above.")
        parts.append(f"**{heading}** ({len(sub)})\n\n" + bullet_list(lines))
    return "\n\n".join(parts)


def pooled_lines(pooled: pd.DataFrame, confidence: float) -> list[str]:
    """One line per pooled family: the pooled gap, its interval, which side is ahead, and how much studies differ."""
    lines = []
    for r in pooled.itertuples():
        side = "marketing" if r.pooled > 0 else "IT"
        sig = r.pooled_low > 0 or r.pooled_high < 0
        spread = ("the studies disagree more than chance allows" if r.q_p_value < 1 - confidence
                  else "the studies do not disagree more than chance allows")
        lines.append(f"*{md_escape(r.family.replace('_', ' '))}* ({r.k} studies): pooled gap {fmt_pp(r.pooled)} "
                     f"({confidence:.0%} interval {r.pooled_low:+.1f} to {r.pooled_high:+.1f}); "
                     + (f"{side} is ahead" if sig else "no clear gap") + f"; I² {r.i2:.0f}%, {spread}.")
    return lines


def rosier_lines(rosier: pd.DataFrame) -> list[str]:
    """Per study, the side that gives the more favourable answers, and on how many of its questions."""
    lines = []
    for r in rosier.itertuples():
        side = "marketing" if r.marketing > r.it else "IT" if r.it > r.marketing else "neither side"
        lines.append(f"{md_escape(r.study)}: {side} gives the more favourable answer on {max(r.marketing, r.it)} of "
                     f"{r.marketing + r.it} question(s).")
    return lines


def reason_lines(reason_gaps: pd.DataFrame, reason_text: dict[str, str]) -> list[str]:
    """One line per reason both sides ranked: CMOs' and CIOs' figures, the difference and what its bases allow."""
    return [f"*{md_escape(reason_text.get(r.metric, r.metric))}*: CMOs {fmt_pct(r.percent_a)}, CIOs "
            f"{fmt_pct(r.percent_b)} ({fmt_pp(r.diff)}): {md_escape(what_it_takes(r._asdict(), study_size(r._asdict())))}"
            for r in reason_gaps.itertuples()]


def segment_lines(seg: pd.DataFrame, wording: Callable[[str], str], confidence: float,
                  limit: int = BRIEF_ROWS) -> list[str]:
    """The ``limit`` largest segment differences: both figures, the difference, its interval, and significance."""
    seg = seg.reindex(seg["diff"].abs().sort_values(ascending=False, kind="stable").index).head(limit)
    return [f"*{md_escape(wording(r.metric))}*: {figure_words(r.percent_a, r.qualifier_a)} vs "
            f"{figure_words(r.percent_b, r.qualifier_b)} ({fmt_pp(r.diff)}"
            + (f", {confidence:.0%} interval {fmt_pp(r.diff_low)} to {fmt_pp(r.diff_high)}" if pd.notna(r.diff_low) else "")
            + ")" + (" — significant after adjustment" if pd.notna(r.significant) and bool(r.significant) else "")
            for r in seg.itertuples()]


def pair_lines(gaps: pd.DataFrame, study_label: Callable[[str], str], wording: Callable[[str], str]) -> list[str]:
    """One line per question put to both functions: study, question, both figures as published, what it would take."""
    return [f"{md_escape(study_label(r.study_id))}, *{md_escape(wording(r.metric))}*: marketing "
            f"{figure_words(r.percent_a, r.qualifier_a)}, IT {figure_words(r.percent_b, r.qualifier_b)}: "
            f"{md_escape(what_it_takes(r._asdict(), study_size(r._asdict())))}" for r in gaps.itertuples()]


__all__ = ["BRIEF_ROWS", "HOLDING_WORDS", "bullet_list", "chart_note", "fmt_pct", "fmt_pp", "pair_lines",
           "pooled_lines", "reason_lines", "robustness_brief", "rosier_lines", "segment_lines", "size_words",
           "study_size", "wave_change_lines", "what_it_takes"]
