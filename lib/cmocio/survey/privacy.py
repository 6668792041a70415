"""Anonymity: which figures may be shown, so that no small group and no hidden figure can be read.

The rule (stated in the README and on the page):

1. **Minimum group.** A figure is shown only if at least ``min_group_size``
   people answered, their Kish effective sample size is at least
   ``min_group_size``, and no single respondent carries more than half of the
   group's weight. A group whose weights sum to zero is hidden with that reason.
2. **No differencing.** Within each question and wave, figures are tied by
   sums: marketing + IT = all respondents, in every segment; the segments of a
   breakdown add up to the overall figure, for each function. In every such
   relation either nothing is hidden, or the hidden part cannot be recovered: if
   the total is shown, at least two parts are hidden and together they pass the
   minimum-group rule; if the total is hidden, so is at least one part. Further
   figures are hidden until that holds everywhere, and a linear-algebra audit
   then checks that no hidden figure is determined by the shown ones through any
   chain of relations. Questions are handled one by one because the people
   answering differ from question to question. Waves are never pooled, so no
   relation runs across them.
3. **Rounding.** Shares are published as whole percentages, intervals and
   effective sizes to one decimal; nothing is written at full precision.

Which figures are hidden depends only on who answered and their weights, never
on the answers, so changing a hidden person's answers changes nothing shown.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from .aggregation import CELL_KEYS, SHARE_COLUMNS
from .instrument import ALL, FUNCTIONS, GROUPS

PROTECTS = "hidden so that another hidden figure cannot be worked out"
_FIGURES = ["n_respondents", "n_answered", "n_missing", "percent", "n_eff", "ci_low", "ci_high"]
#: Decimals of each published column: shares and differences whole, intervals and n_eff one decimal,
#: p-values three. Every table computed from responses goes through :func:`rounded` before it is shown.
ROUNDING = {"percent": 0, "percent_marketing": 0, "percent_it": 0, "percent_early": 0, "percent_late": 0, "diff": 0,
            "ci_low": 1, "ci_high": 1, "diff_low": 1, "diff_high": 1, "n_eff": 1, "p_value": 3, "p_adjusted": 3,
            "benchmark_percent": 1, "portfolio_percent": 0}


def check_min_group_size(min_group_size: int) -> int:
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, (int, np.integer)) or min_group_size < 1:
        raise ValueError(f"min_group_size must be a whole number of at least 1, got {min_group_size!r}")
    return int(min_group_size)


def primary_reason(n_answered: float, weight_sum: float, n_eff: float, max_share: float, k: int) -> str:
    """Why a group may not be shown on its own, or '' if it may."""
    if n_answered <= 0:
        return "nobody answered"
    if n_answered < k:
        return f"fewer than {k} answered"
    if not weight_sum > 0:
        return "the weights of this group sum to zero"
    if n_eff < k:
        return f"effective sample size under {k} after weighting"
    if max_share > 0.5:
        return "one respondent carries more than half of the group's weight"
    return ""


def _relations(frame: pd.DataFrame) -> list[tuple[list[int], int, str]]:
    """(parts, total, kind) index triples of every additive relation, within each question and wave."""
    index = {k: i for i, k in enumerate(zip(*(frame[c] for c in CELL_KEYS)))}
    rels = []
    by_qw = defaultdict(lambda: defaultdict(set))
    for q, w, d, s, _ in index:
        by_qw[(q, w)][d].add(s)
    for (q, w), dims in by_qw.items():
        for d, segs in dims.items():
            for s in sorted(segs):
                parts = [index.get((q, w, d, s, g)) for g in FUNCTIONS]
                total = index.get((q, w, d, s, ALL))
                if total is not None and None not in parts:
                    rels.append((parts, total, "function"))
            if d == "":
                continue
            for g in GROUPS:
                parts = [index[(q, w, d, s, g)] for s in sorted(segs) if (q, w, d, s, g) in index]
                total = index.get((q, w, "", ALL, g))
                if total is not None and parts:
                    rels.append((parts, total, "segment"))
    return rels


def _union_ok(frame: pd.DataFrame, rows: list[int], k: int) -> bool:
    sub = frame.iloc[rows]
    sw, sw2 = sub["weight_sum"].sum(), sub["weight_sq_sum"].sum()
    n_eff = sw * sw / sw2 if sw2 > 0 else 0.0
    share = sub["max_weight"].max() / sw if sw > 0 else np.nan
    return primary_reason(sub["n_answered"].sum(), sw, n_eff, share, k) == ""


def _determined(hidden: list[int], rels: list[tuple[list[int], int, str]]) -> list[int]:
    """Hidden cells whose value follows from the shown ones through the relations (exact linear audit)."""
    if not hidden:
        return []
    pos = {c: i for i, c in enumerate(hidden)}
    rows = []
    for parts, total, _ in rels:
        cells_ = [(c, 1.0) for c in parts] + [(total, -1.0)]
        if any(c in pos for c, _ in cells_):
            row = np.zeros(len(hidden))
            for c, coef in cells_:
                if c in pos:
                    row[pos[c]] += coef
            rows.append(row)
    if not rows:
        return []
    a = np.vstack(rows)
    _, sv, vt = np.linalg.svd(a, full_matrices=True)
    rank = int((sv > 1e-9 * max(1.0, sv.max() if sv.size else 1.0)).sum())
    null = vt[rank:].T  # columns span the null space
    if null.size == 0:
        return list(hidden)
    free = np.linalg.norm(null, axis=1) > 1e-9
    return [c for c, f in zip(hidden, free) if not f]


def suppress(table: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    """Mark every figure that may not be shown (``suppressed``, ``reason``) and blank its numbers.

    ``table`` comes from :func:`cmocio.survey.aggregation.shares`. The decisions use
    only counts and weights, never answers. An empty table is returned unchanged
    in shape.
    """
    k = check_min_group_size(min_group_size)
    out = table.reset_index(drop=True).copy()
    if out.empty:
        out["suppressed"] = pd.Series(dtype=bool)
        out["reason"] = pd.Series(dtype=object)
        return out
    reasons = [primary_reason(*vals, k) for vals in zip(out["n_answered"], out["weight_sum"], out["n_eff"],
                                                        out["max_share"])]
    hidden = np.array([bool(r) for r in reasons])
    n_answered = out["n_answered"].to_numpy(float)
    rels_by_qw = defaultdict(list)
    for rel in _relations(out):
        key = (out.at[rel[1], "question_id"], out.at[rel[1], "wave"])
        rels_by_qw[key].append(rel)

    def hide(i: int) -> None:
        hidden[i] = True
        reasons[i] = PROTECTS

    def smallest(cands: list[int]) -> int:
        return min(cands, key=lambda c: (n_answered[c], c))

    for rels in rels_by_qw.values():
        while True:
            changed = True
            while changed:
                changed = False
                for parts, total, kind in rels:
                    if n_answered[total] == 0:  # an empty group hides nothing
                        continue
                    parts = [c for c in parts if n_answered[c] > 0]
                    hidden_parts = [c for c in parts if hidden[c]]
                    if not hidden_parts and not hidden[total]:
                        continue
                    visible_parts = [c for c in parts if not hidden[c]]
                    if hidden[total]:
                        if hidden_parts or not visible_parts:
                            continue
                        hide(smallest(visible_parts))
                    elif len(hidden_parts) >= 2 and _union_ok(out, hidden_parts, k):
                        continue
                    elif kind == "function" or not visible_parts:
                        hide(total)
                    else:
                        hide(smallest(visible_parts))
                    changed = True
            cells_here = sorted({c for parts, total, _ in rels for c in (*parts, total)})
            exposed = _determined([c for c in cells_here if hidden[c] and n_answered[c] > 0], rels)
            if not exposed:
                break
            before = int(hidden.sum())
            for c in exposed:  # widen the suppression around each exposed cell, then check again
                for parts, total, _ in rels:
                    if c in parts or c == total:
                        visible = [x for x in (*parts, total) if not hidden[x]]
                        if visible:
                            hide(smallest(visible))
                            break
            if int(hidden.sum()) == before:  # nothing left to widen: hide the whole question and wave
                for c in cells_here:
                    if not hidden[c]:
                        hide(c)
                break
    out["suppressed"] = hidden
    out["reason"] = reasons
    for col in _FIGURES:
        out[col] = out[col].astype(float).where(~hidden)
    return out


def rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy fit to publish: every figure computed from responses rounded (see ``ROUNDING``)."""
    out = frame.copy()
    for col, digits in ROUNDING.items():
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float).round(digits)
    return out


def publishable(table: pd.DataFrame) -> pd.DataFrame:
    """The columns of a suppressed share table a page or file may show, rounded, counts as whole numbers."""
    out = rounded(table[SHARE_COLUMNS])
    for col in ("n_respondents", "n_answered", "n_missing"):
        out[col] = out[col].astype("Float64").round(0).astype("Int64")
    return out
