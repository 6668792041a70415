"""Comparisons counted by question (each tested once), who sees it rosier, and pooled gaps as much as few
studies allow."""

from __future__ import annotations

from typing import Callable

import pandas as pd

from .. import stats
from ..stats.meta import ROUNDING_SHIFT
from .gaps import bullet_list, fmt_pp
from .words import md_escape


def tested_questions(gaps: pd.DataFrame) -> pd.DataFrame:
    """The comparisons that stand for a question: its headline, where a bound allows a direction."""
    if gaps.empty:
        return gaps
    keep = gaps["testable"].astype(bool)
    if "role" in gaps:
        keep &= stats.is_tested(gaps["role"])
    return gaps[keep]


def rosier_by_study(gaps: pd.DataFrame, study_label: Callable[[str], str]) -> pd.DataFrame:
    """Per study, on how many questions each side gives the more favourable answer (one count a question)."""
    rows = tested_questions(gaps)
    rows = rows[rows["rosier"].isin(["marketing", "it"])]
    question = rows["question_ref"] if "question_ref" in rows else rows["metric"]
    rows = rows.assign(question_ref=question.to_numpy()).drop_duplicates(["study_id", "question_ref"])
    table = (rows.assign(study=rows["study_id"].map(study_label))
             .pivot_table(index="study", columns="rosier", values="question_ref", aggfunc="count", fill_value=0))
    return table.reindex(columns=["marketing", "it"], fill_value=0).reset_index()


def rosier_lines(rosier: pd.DataFrame, gaps: pd.DataFrame, confidence: float) -> list[str]:
    """Who gives the more favourable answer in each study, and how many questions the tests leave standing."""
    lines = []
    for r in rosier.itertuples():
        if r.marketing == r.it:
            lines.append(f"{md_escape(r.study)}: marketing and IT each give the more favourable answer on "
                         f"{r.marketing} question(s).")
            continue
        side = "marketing" if r.marketing > r.it else "IT"
        lines.append(f"{md_escape(r.study)}: {side} gives the more favourable answer on {max(r.marketing, r.it)} "
                     f"of {r.marketing + r.it} question(s).")
    questions = tested_questions(gaps)
    tested = int(questions["p_adjusted"].notna().sum())
    sig = int(questions["significant"].fillna(False).astype(bool).sum())
    lines.append(f"{tested} of {len(questions)} questions asked of both functions have known (or assumed) bases and "
                 f"could be tested, each once; {sig} remain significant after adjustment over the whole evidence "
                 f"base at {1 - confidence:.2f}, at the least favourable values the printed figures allow.")
    return lines


def meta_brief(pooled: pd.DataFrame, effects: pd.DataFrame, confidence: float) -> str:
    """Markdown: each family's pooled gap with its intervals, or its two studies side by side, in plain words."""
    lines = []
    for r in pooled.itertuples():
        family = md_escape(str(getattr(r, "family")).replace("_", " "))
        if pd.isna(r.pooled):
            members = effects[effects["family"] == getattr(r, "family")]
            each = "; ".join(f"{md_escape(e.label)} {fmt_pp(e.diff)}" for e in members.itertuples())
            differ = " They differ more than chance allows." if r.q_p_value < 1 - confidence else ""
            lines.append(f"*{family}* (2 studies, shown side by side, not pooled): {each}.{differ}")
            continue
        sig = r.pooled_low > ROUNDING_SHIFT or r.pooled_high < -ROUNDING_SHIFT  # at any value rounding allows
        side = "marketing" if r.pooled > 0 else "IT"
        lines.append(f"*{family}* ({r.k} studies): pooled gap {fmt_pp(r.pooled)}, {confidence:.0%} interval "
                     f"{r.pooled_low:+.1f} to {r.pooled_high:+.1f} (Hartung–Knapp); "
                     + (f"{side} is ahead" if sig else "no clear gap")
                     + f"; a new study could find anything from {r.pi_low:+.0f} to {r.pi_high:+.0f} points; I² {r.i2:.0f}%.")
    if not lines:
        return "_No family has two studies with both bases known._"
    return bullet_list(lines) + ("\n\nTwo or three studies say little: the intervals above are wide because that is "
                                 "all so few studies can show, and a family of two is not pooled at all.")


__all__ = ["meta_brief", "rosier_by_study", "rosier_lines", "tested_questions"]
