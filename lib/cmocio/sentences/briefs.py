"""Each page's brief: three to five findings a strategist could quote, the deck's headlines among them.

The analyses behind each headline are chosen here once (:func:`alignment_gaps`, :func:`incentive_changes`,
:func:`cx_ownership`, :func:`martech_segments`), so the overview, the theme page and the deck state the same
sentence from the same rows.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..plots import GROUP_NOUNS
from . import counts
from .gaps import bullet_list
from .questions import rosier_by_study
from .words import md_escape
from .headlines import change_headline, cx_ownership_headline, gap_headline, latest_level, segment_headline

#: The theme pages, by their notebooks' file stems, as the overview's brief names them.
THEMES = {"01_alignment": "Alignment", "02_shared_incentives": "Shared incentives",
          "03_customer_experience": "Customer experience", "04_martech_planning": "Martech planning"}
#: The questions whose change between waves the incentives headline follows.
INCENTIVE_METRICS = ("shared_incentives", "relationship_collaborative", "relationship_very_collaborative")


def alignment_gaps(ctx: Any) -> pd.DataFrame:
    """Marketing minus IT on every alignment question put to both (the ranked reasons apart)."""
    align = ctx.theme("alignment")
    return ctx.perception_gaps(align[~align["metric"].str.startswith("reason_")])


def testable(gaps: pd.DataFrame) -> pd.DataFrame:
    """The comparisons a bound does not prevent from ranking the two sides."""
    return gaps[gaps["testable"].astype(bool)] if "testable" in gaps else gaps


def incentive_changes(ctx: Any) -> pd.DataFrame:
    """Shared incentives and relationship quality, wave to wave within each series."""
    return ctx.wave_changes(ctx.findings[ctx.findings["metric"].isin(INCENTIVE_METRICS)])


def cx_ownership(ctx: Any) -> pd.DataFrame:
    """Every figure on whether marketing owns the customer experience (family ``cx_owner_marketing``)."""
    cx = ctx.theme("customer_experience")
    return cx[cx["metric"].map(ctx.family) == "cx_owner_marketing"]


def martech_segments(ctx: Any) -> pd.DataFrame:
    """Very effective minus effective CMO–CIO relationships on martech planning."""
    return ctx.segment_gaps(ctx.theme("martech_planning"))


_HEADLINES = {
    "01_alignment": lambda ctx: gap_headline(alignment_gaps(ctx), ctx.wording, "Marketing", "IT"),
    "02_shared_incentives": lambda ctx: change_headline(incentive_changes(ctx), ctx.wording, GROUP_NOUNS,
                                                        "Shared incentives and relationship quality"),
    "03_customer_experience": lambda ctx: cx_ownership_headline(cx_ownership(ctx)),
    "04_martech_planning": lambda ctx: segment_headline(martech_segments(ctx), ctx.wording),
}


def headline(name: str, ctx: Any) -> str:
    """The headline of theme page ``name`` (the deck's slide for that theme says the same)."""
    return _HEADLINES[name](ctx)


def headlines(ctx: Any) -> dict[str, str]:
    """The headline of each theme, keyed by its page, in the pages' order."""
    return {name: headline(name, ctx) for name in _HEADLINES}


def _rosier(gaps: pd.DataFrame, study_label) -> str:
    by_study = rosier_by_study(gaps, study_label)
    if by_study.empty:
        return ""
    m = int((by_study["marketing"] > by_study["it"]).sum())
    i = int((by_study["it"] > by_study["marketing"]).sum())
    return (f"Which side sees the relationship rosier changes from study to study: marketing gives the more "
            f"favourable answers in {m} of {len(by_study)} studies, IT in {i}")


def page_brief(name: str, ctx: Any) -> list[str]:
    """The three to five sentences that open page ``name`` (its notebook's file stem)."""
    if name == "00_overview":  # the selection, then each theme's headline
        return [counts.evidence_sentence(counts.evidence(ctx)), *headlines(ctx).values()]
    heads = {name: headline(name, ctx)} if name in _HEADLINES else {}
    if name == "01_alignment":
        gaps = alignment_gaps(ctx)
        changes = ctx.wave_changes(ctx.theme("alignment").pipe(lambda a: a[~a["metric"].str.startswith("reason_")]))
        out = [heads[name], counts.comparisons_sentence(counts.comparisons(gaps), "marketing–IT gaps"),
               _rosier(gaps, ctx.study_label),
               change_headline(changes, ctx.wording, GROUP_NOUNS, "Alignment within a survey series")]
        return [s for s in out if s]
    if name == "02_shared_incentives":
        changes = incentive_changes(ctx)
        shared = ctx.findings[ctx.findings["metric"] == "shared_incentives"]
        out = [heads[name], latest_level(shared, ctx.wording, ctx.study_label, GROUP_NOUNS),
               counts.comparisons_sentence(counts.comparisons(changes), "wave-to-wave changes")]
        return [s for s in out if s]
    if name == "03_customer_experience":
        both = ctx.perception_gaps(ctx.theme("customer_experience"))
        out = [heads[name]]
        if not both.empty:
            out += [gap_headline(both, ctx.wording, "Marketing", "IT"),
                    counts.comparisons_sentence(counts.comparisons(both), "questions put to both functions")]
        return out
    if name == "04_martech_planning":
        seg = martech_segments(ctx)
        changes = ctx.wave_changes(ctx.theme("martech_planning"))
        return [heads[name], counts.comparisons_sentence(counts.comparisons(seg), "differences between segments"),
                change_headline(changes, ctx.wording, GROUP_NOUNS, "Martech questions within a survey series")]
    raise ValueError(f"no brief for a page named {name!r}")


def brief_markdown(lines: list[str], links: list[str] | None = None) -> str:
    """A brief as the page shows it: a bold lead and one bullet per finding, each a full sentence (escaped: the
    wordings come from data), led by a link where ``links`` name a page for it."""
    links = links or [""] * len(lines)
    items = [(f"[{THEMES[page]}]({page}.ipynb): " if page else "") + md_escape(line if line.endswith(".") else line + ".")
             for line, page in zip(lines, links)]
    return "**In brief**\n\n" + bullet_list(items)


def brief_table(name: str, ctx: Any) -> pd.DataFrame:
    """Page ``name``'s brief as data: one row a finding (``headline``), as the page states it in words."""
    return pd.DataFrame({"headline": page_brief(name, ctx)})


def brief(name: str, ctx: Any) -> str:
    """Page ``name``'s brief as Markdown (what its first output cell shows); the overview's bullets lead to the
    theme pages."""
    lines = page_brief(name, ctx)
    links = ["", *THEMES] if name == "00_overview" else None
    return brief_markdown(lines, links)


__all__ = ["INCENTIVE_METRICS", "THEMES", "alignment_gaps", "brief", "brief_markdown", "brief_table", "cx_ownership", "headline",
           "headlines",
           "incentive_changes", "martech_segments", "page_brief", "testable"]
