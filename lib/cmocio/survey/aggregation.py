"""Every figure a page can show, computed at once: question x wave x segment x function, and the totals.

:func:`cells` returns the raw sums behind each figure (counts, weight sums,
the largest single weight), one row per cell, so that :mod:`.privacy` can decide
what may be shown. :func:`shares` turns them into shares with Wilson intervals
(Kish effective sample size when weighted).

A *cell* is identified by ``question_id``, ``wave``, ``dimension`` (``""`` for
no breakdown, else a segment name), ``segment`` (a segment value, or ``all``)
and ``group`` (``marketing``, ``it`` or ``all``). Waves are never pooled: with a
wave column each wave has its own cells; without one, ``wave`` is ``all``.
The pseudo-question ``RESPONDENTS`` counts people, for group sizes.

Aggregation is vectorised: one pass over the respondents sums every leaf (one wave,
one value of every segment column, one function: sparse matrix products and one
sorted reduction), and each breakdown is then a sum over leaves, so the cost hardly
grows with the number of breakdowns.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from statsmodels.stats.proportion import proportion_confint

from .. import stats
from .instrument import ALL, CROSS, FUNCTIONS, GROUPS, SEGMENT_PREFIX, WAVE_COLUMN, crossed_name, segment_columns

RESPONDENTS = "respondents"
CELL_KEYS = ["question_id", "wave", "dimension", "segment", "group"]
SUM_COLUMNS = ["n_respondents", "n_answered", "n_yes", "weight_sum", "weight_sq_sum", "yes_weight", "max_weight",
               "n_eff"]
SHARE_COLUMNS = ["question_id", "metric", "wave", "dimension", "segment", "group", "n_respondents", "n_answered",
                 "n_missing", "percent", "n_eff", "ci_low", "ci_high", "suppressed", "reason"]


def _natural(values) -> list[str]:
    """Sort labels with numbers in numeric order (wave 2 before wave 10)."""
    return sorted(values, key=lambda s: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(s))])


def waves_of(responses: pd.DataFrame) -> list[str]:
    """The waves in order, or ``['all']`` when the responses have no wave column."""
    return _natural(pd.unique(responses[WAVE_COLUMN].astype(str))) if WAVE_COLUMN in responses else [ALL]


def empty_cells() -> pd.DataFrame:
    cols = [CELL_KEYS[0], "metric", *CELL_KEYS[1:], *SUM_COLUMNS]
    return pd.DataFrame({c: pd.Series(dtype="float" if c in SUM_COLUMNS else "object") for c in cols})


def cells(responses: pd.DataFrame, questions: pd.DataFrame, weighted: bool = True,
          pairs: Sequence[tuple[str, str]] = ()) -> pd.DataFrame:
    """Sums behind every publishable figure: one row per question x wave x breakdown x group.

    ``pairs`` of segment columns add their crossed breakdowns (:func:`crossed_name`, values ``Online × Senior``),
    with the combinations some respondent holds, after the others: sums over the same leaves, nearly free.
    """
    qids = [q for q in questions["question_id"] if q in responses.columns]
    if responses.empty or not qids:
        return empty_cells()
    metric_of = {**dict(zip(questions["question_id"], questions["metric"])), RESPONDENTS: ""}
    n = len(responses)
    block = responses[qids]
    values = np.column_stack([block[q].to_numpy(dtype="float32", na_value=np.nan) for q in qids])
    answered = np.column_stack([~np.isnan(values), np.ones(n, bool)]).astype("float32")
    yes = np.column_stack([np.nan_to_num(values, nan=0.0), np.ones(n, "float32")])
    names = [*qids, RESPONDENTS]
    w = responses["weight"].to_numpy(dtype="float64") if weighted else np.ones(n)
    scale = float(np.max(w)) if n and np.isfinite(w).all() and np.max(w) > 0 else 1.0
    w = w / scale  # sums and squares of weights scaled to at most 1 never overflow; sums are scaled back below
    fn = np.where(responses["function"].to_numpy() == FUNCTIONS[0], 0, 1)
    waves = waves_of(responses)
    wave_idx = (pd.Categorical(responses[WAVE_COLUMN].astype(str), categories=waves).codes.astype(np.int64)
                if WAVE_COLUMN in responses else np.zeros(n, np.int64))
    columns = segment_columns(responses)
    seg_values, seg_idx = [], []
    for seg_col in columns:
        values_ = _natural(pd.unique(responses[seg_col].astype(str)))
        seg_values.append(values_)
        # int64: Categorical codes are int8 for up to 127 values, and wave x segment indices would wrap
        seg_idx.append(pd.Categorical(responses[seg_col].astype(str), categories=values_).codes.astype(np.int64))
    # One pass over the respondents: sums per leaf, a leaf being one wave x every segment x function present.
    # Every breakdown is then a sum over leaves, whatever the number of waves, segments and values.
    sizes = [len(waves), *(len(v) for v in seg_values), 2]
    if np.prod(np.array(sizes, dtype=float)) > 2.0 ** 62:  # too many combinations for one int64 key
        raise ValueError(f"{len(columns)} segment columns with {', '.join(map(str, sizes[1:-1]))} values are more "
                         "breakdowns than one table can hold; keep the segment columns you report on")
    key = wave_idx.copy()
    for idx, values_ in zip(seg_idx, seg_values):
        key = key * len(values_) + idx
    key = key * 2 + fn
    order = np.argsort(key, kind="stable")  # one sort gives the leaves and the runs for the largest weight
    sorted_key = key[order]
    starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
    leaf_keys = sorted_key[starts]
    leaf = np.empty(n, np.int64)
    leaf[order] = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, n]))
    n_leaves, cols = len(leaf_keys), np.arange(n)
    ones = sparse.csr_matrix((np.ones(n), (leaf, cols)), shape=(n_leaves, n))
    sums = {"count": np.asarray(ones @ answered), "nyes": np.asarray(ones @ yes)}
    if np.all(w == 1.0):  # unweighted, or every weight alike: weighted sums are the counts
        sums.update(sw=sums["count"], sw2=sums["count"], syes=sums["nyes"])
    else:
        mw = sparse.csr_matrix((w, (leaf, cols)), shape=(n_leaves, n))
        mw2 = sparse.csr_matrix((w * w, (leaf, cols)), shape=(n_leaves, n))
        sums.update(sw=np.asarray(mw @ answered), sw2=np.asarray(mw2 @ answered), syes=np.asarray(mw @ yes))
    leaf_max = np.maximum.reduceat((w[:, None] * answered)[order], starts, axis=0)
    leaf_members = np.bincount(leaf, minlength=n_leaves).astype(float)
    leaf_fn, rest = leaf_keys % 2, leaf_keys // 2
    leaf_seg = []
    for values_ in reversed(seg_values):
        leaf_seg.insert(0, rest % len(values_))
        rest = rest // len(values_)
    leaf_wave = rest
    parts = []
    breakdowns = [("", [ALL], np.zeros(n_leaves, np.int64))]
    breakdowns += [(c[len(SEGMENT_PREFIX):], v, s) for c, v, s in zip(columns, seg_values, leaf_seg)]
    for a, b in pairs:
        i, j = columns.index(a), columns.index(b)
        held, this = np.unique(leaf_seg[i] * len(seg_values[j]) + leaf_seg[j], return_inverse=True)
        breakdowns.append((crossed_name(a[len(SEGMENT_PREFIX):], b[len(SEGMENT_PREFIX):]),
                           [f"{seg_values[i][x // len(seg_values[j])]}{CROSS}{seg_values[j][x % len(seg_values[j])]}"
                            for x in held], this.ravel().astype(np.int64)))
    for dimension, values_, this in breakdowns:
        n_w, n_s = len(waves), len(values_)
        target = (leaf_wave * n_s + this) * 2 + leaf_fn
        k = n_w * n_s * 2

        def total(a: np.ndarray) -> np.ndarray:
            out_ = np.zeros((k, a.shape[1]))
            np.add.at(out_, target, a)
            return out_

        maxw = np.zeros((k, len(names)))
        np.maximum.at(maxw, target, leaf_max)
        count, nyes, sw, sw2, syes = (total(sums[c]) for c in ("count", "nyes", "sw", "sw2", "syes"))
        members = np.bincount(target, weights=leaf_members, minlength=k)
        shape = (n_w, n_s, 2, len(names))

        def with_total(a: np.ndarray, how) -> np.ndarray:
            a = a.reshape(shape)
            return np.concatenate([a, how(a, axis=2, keepdims=True)], axis=2)  # group 'all' after the functions

        sw_t, sw2_t = with_total(sw, np.sum), with_total(sw2, np.sum)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # unscaled squares may overflow to inf
            n_eff = np.where(sw2_t > 0, sw_t * sw_t / sw2_t, 0.0)  # Kish, from the scaled sums
            stats_ = {
                "n_respondents": with_total(np.repeat(members[:, None], len(names), axis=1), np.sum),
                "n_answered": with_total(count, np.sum), "n_yes": with_total(nyes, np.sum),
                "weight_sum": sw_t * scale, "weight_sq_sum": sw2_t * scale * scale,
                "yes_weight": with_total(syes, np.sum) * scale, "max_weight": with_total(maxw, np.max) * scale,
                "n_eff": n_eff,
            }
        grid = np.meshgrid(np.arange(n_w), np.arange(n_s), np.arange(3), np.arange(len(names)), indexing="ij")
        frame = pd.DataFrame({
            "question_id": np.asarray(names, dtype=object)[grid[3].ravel()],
            "wave": np.asarray(waves, dtype=object)[grid[0].ravel()],
            "dimension": dimension,
            "segment": np.asarray(values_, dtype=object)[grid[1].ravel()],
            "group": np.asarray(GROUPS, dtype=object)[grid[2].ravel()],
            **{c: v.ravel() for c, v in stats_.items()},
        })
        parts.append(frame)
    out = pd.concat(parts, ignore_index=True)
    out.insert(1, "metric", out["question_id"].map(metric_of))
    return out


def shares(cells_: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Share answering yes, Kish effective n and Wilson interval of every cell (before suppression)."""
    out = cells_.copy()
    sw = out["weight_sum"].to_numpy(float)
    sw2 = out["weight_sq_sum"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out["percent"] = np.where(sw > 0, (100 * out["yes_weight"].to_numpy(float) / sw).clip(0, 100), np.nan)
        if "n_eff" not in out:
            out["n_eff"] = np.where(sw2 > 0, sw * sw / sw2, 0.0)
        out["max_share"] = np.where(sw > 0, out["max_weight"].to_numpy(float) / sw, np.nan)
    out["n_missing"] = out["n_respondents"] - out["n_answered"]
    low = np.full(len(out), np.nan)
    high = np.full(len(out), np.nan)
    ok = (out["n_eff"] > 0).to_numpy() & out["percent"].notna().to_numpy()
    if ok.any():  # the Wilson interval of every cell at once (the same formula as stats.wilson_interval)
        n_eff = out["n_eff"].to_numpy(float)[ok]
        p = np.clip(out["percent"].to_numpy(float)[ok] / 100, 0.0, 1.0)
        low[ok], high[ok] = proportion_confint(p * n_eff, n_eff, alpha=1 - stats.check_confidence(confidence),
                                               method="wilson")
    out["ci_low"], out["ci_high"] = 100 * low, 100 * high
    return out
