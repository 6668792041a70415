"""The heatmap: every question by every segment, as the difference from the organisation's overall figure.

Each cell is a figure of the suppressed analysis table (:func:`cmocio.survey.analyse`),
so it has passed the minimum-group rule and the disclosure audit with every other
figure of the page; a hidden cell is blank with the one reason. Two segment columns
at once (business unit x level) are a breakdown of their own, added to the responses
before the analysis (:func:`with_crossed`): the audit then ties each crossed cell to
its row, its column and the organisation's total, all of which are published.

A cell's difference is its share minus the organisation's overall share (all
respondents) in points. Its test sets the cell against the rest of the organisation
(the overall sums minus the cell's, which follow from two shown figures), by the
Newcombe interval (scaled by the rest's share of the weight, since the cell is part of the
overall figure) and the p-value from the same interval, Benjamini–Hochberg adjusted
across the heatmap. A cell is *marked* when the difference is meaningful
(``min_difference_pts`` or more) and significant after adjustment.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import stats
from .aggregation import RESPONDENTS
from .compare import TWO_SAMPLE, verdicts
from .instrument import ALL, SEGMENT_PREFIX
from .privacy import HIDDEN

#: Joins two segment names, and two values, in a crossed breakdown.
CROSS = " × "
HEATMAP_COLUMNS = ["dimension", "segment", "group", "question_id", "metric", "percent", "overall_percent", "diff",
                   "diff_low", "diff_high", "p_value", "p_adjusted", "significant", "meaningful", "marked",
                   "n_answered", "suppressed", "reason", "method"]


def crossed_name(a: str, b: str) -> str:
    """The breakdown name of two segment columns at once: ``business_unit × level``."""
    return f"{a}{CROSS}{b}"


def with_crossed(responses: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """``responses`` with one more segment column holding both segments of each respondent (``Online × Senior``).

    ``a`` and ``b`` are segment names (``business_unit``) or columns (``segment_business_unit``); an unknown one
    is a ValueError naming the segments there are.
    """
    cols = [c if c.startswith(SEGMENT_PREFIX) else SEGMENT_PREFIX + c for c in (a, b)]
    known = [c[len(SEGMENT_PREFIX):] for c in responses.columns if c.startswith(SEGMENT_PREFIX)]
    for c in cols:
        if c not in responses:
            raise ValueError(f"heatmap: no segment {c[len(SEGMENT_PREFIX):]!r} in the responses "
                             f"(segments: {', '.join(known) or 'none'})")
    if cols[0] == cols[1]:
        raise ValueError(f"heatmap: two different segments are needed, got {a!r} twice")
    name = SEGMENT_PREFIX + crossed_name(*(c[len(SEGMENT_PREFIX):] for c in cols))
    out = responses.copy()
    out[name] = responses[cols[0]].astype(str) + CROSS + responses[cols[1]].astype(str)
    return out


def heatmap(table: pd.DataFrame, wave: str, confidence: float = 0.95, min_difference_pts: float = 5.0,
            dimensions: list[str] | None = None) -> pd.DataFrame:
    """One row per question x segment value x group of ``wave`` (all breakdowns, or ``dimensions``).

    ``table`` is the suppressed analysis table (full precision). Hidden cells keep their row, blank, with
    :data:`cmocio.survey.privacy.HIDDEN`; a cell whose reference is hidden is shown without a difference.
    """
    t = table[(table["wave"] == wave) & (table["question_id"] != RESPONDENTS)]
    cells = t[t["dimension"] != ""]
    if dimensions is not None:
        cells = cells[cells["dimension"].isin(dimensions)]
    if cells.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in HEATMAP_COLUMNS})
    ref = t[(t["dimension"] == "") & (t["group"] == ALL)].set_index("question_id")
    ref = ref.reindex(cells["question_id"])
    hidden = cells["suppressed"].to_numpy(bool)
    ref_hidden = ref["suppressed"].fillna(True).to_numpy(bool)
    sw_c, sw_o = cells["weight_sum"].to_numpy(float), ref["weight_sum"].to_numpy(float)
    sw2_c, sw2_o = cells["weight_sq_sum"].to_numpy(float), ref["weight_sq_sum"].to_numpy(float)
    yw_c, yw_o = cells["yes_weight"].to_numpy(float), ref["yes_weight"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sw_r, sw2_r, yw_r = sw_o - sw_c, sw2_o - sw2_c, yw_o - yw_c
        tol = 1e-9 * np.maximum(sw_o, 1.0)
        n_r = np.where((sw_r > tol) & (sw2_r > tol * tol), sw_r * sw_r / sw2_r, 0.0)
        p_c = np.clip(yw_c / sw_c, 0, 1)
        p_r = np.clip(yw_r / sw_r, 0, 1)
    n_c = cells["n_eff"].to_numpy(float)
    diff = np.where(hidden | ref_hidden, np.nan, cells["percent"].to_numpy(float) - ref["percent"].to_numpy(float))
    testable = ~hidden & ~ref_hidden & (n_r >= 1) & (n_c > 0)
    low, high, pv = (np.full(len(cells), np.nan) for _ in range(3))
    if testable.any():
        args = (p_c[testable], n_c[testable], p_r[testable], n_r[testable])
        lo, hi = stats.newcombe_intervals(*args, confidence=confidence)
        # overall = f x cell + (1 - f) x rest, f the cell's share of the weight: cell - overall = (1 - f)(cell - rest)
        scale = 1 - sw_c[testable] / sw_o[testable]
        low[testable], high[testable] = 100 * scale * lo, 100 * scale * hi
        pv[testable] = stats.newcombe_pvalues(*args)
    out = pd.DataFrame({
        "dimension": cells["dimension"].to_numpy(), "segment": cells["segment"].to_numpy(),
        "group": cells["group"].to_numpy(), "question_id": cells["question_id"].to_numpy(),
        "metric": cells["metric"].to_numpy(), "percent": cells["percent"].to_numpy(float),
        "overall_percent": np.where(ref_hidden, np.nan, ref["percent"].to_numpy(float)), "diff": diff,
        "diff_low": low, "diff_high": high, "p_value": pv, "n_answered": cells["n_answered"].to_numpy(float),
        "suppressed": hidden, "reason": np.where(hidden, HIDDEN, ""),
        "method": np.where(testable, TWO_SAMPLE + " (the segment against the rest of the organisation)", ""),
    })
    out = verdicts(out, confidence, min_difference_pts)
    out["marked"] = (out["significant"].fillna(False).astype(bool) & out["meaningful"]).astype(bool)
    return out[HEATMAP_COLUMNS].reset_index(drop=True)


def highlights(cells: pd.DataFrame, top: int = 5) -> pd.DataFrame:
    """The marked cells ranked by ``score`` = |difference| x (1 − adjusted p): size, discounted by doubt.

    A cell 20 points off at an adjusted p of 0.001 scores about 20; the same difference at p 0.04 scores 19.2;
    ties go to the larger difference, then to the order of the table.
    """
    marked = cells[cells["marked"].astype(bool)].copy()
    marked["score"] = marked["diff"].abs() * (1 - marked["p_adjusted"].astype(float))
    marked["_size"] = marked["diff"].abs()
    return (marked.sort_values(["score", "_size"], ascending=False, kind="stable").drop(columns="_size")
            .head(top).reset_index(drop=True))


def grid(cells: pd.DataFrame, group: str = ALL) -> pd.DataFrame:
    """The heatmap of one group as a question x segment grid of differences (blank where hidden)."""
    part = cells[cells["group"] == group]
    columns = list(dict.fromkeys(zip(part["dimension"], part["segment"])))
    wide = part.pivot_table(index="question_id", columns=["dimension", "segment"], values="diff", aggfunc="first",
                            dropna=False, sort=False)
    return wide.reindex(index=list(dict.fromkeys(part["question_id"])), columns=pd.MultiIndex.from_tuples(columns))
