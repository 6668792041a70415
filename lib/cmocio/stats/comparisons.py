"""Comparisons of published figures: one against another with the Newcombe interval and its p-value,
adjusted over the table, and where a base is unknown, what it would take (break-even bases, split sweeps)
and whether the conclusion holds whatever the bases are.

Each figure is taken from its most precise row (:mod:`.selection`), only a question's headline metric is
tested, and every test is made at the least favourable values the printed figures allow (:mod:`.rounding`).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd

from .bases import (KNOWN_BASES, MINIMUM_BASES, QUALIFIER_CAVEATS, STUDY_SIZE_COLUMNS, _exact_total, base_caveat,
                    base_for)
from .intervals import (check_confidence, add_adjusted, bh_adjust, cohens_h, newcombe_interval, newcombe_pvalues)
from .rounding import least_favourable, widest_pairs
from .selection import CHOICE_COLUMNS, HEADLINE, QUESTION_COLUMNS, distinct, figure_used, is_tested

NEWCOMBE_METHOD = ("Newcombe interval over every value the printed figures allow; p-value by inverting it, "
                   "at the least favourable values")
NOT_TESTABLE = "not testable: published as a bound"
BREAK_EVEN_METHOD = "untested at the published bases; break-even base by the Newcombe p-value, BH-adjusted over the table"
SPLIT_METHOD = "Newcombe p-value under each functional split of the known total, BH-adjusted per split"
#: The plain-words conclusions of a comparison (column ``conclusion``).
HOLDS = "holds whatever the unknown bases"
DEPENDS = "depends on the unknown bases"
NOT_SIGNIFICANT = "not significant"
NOT_SIGNIFICANT_AT_MINIMUM = "not significant at the minimum bases"
NOT_TESTED = "shown, not tested: the question is tested by its headline category"
#: Break-even bases are searched up to this many respondents per side.
MAX_BREAK_EVEN_N = 100_000
#: Marketing's share of a study's total in the split sweep: 10% to 90% in steps of one point.
SPLIT_SHARES = np.round(np.arange(0.10, 0.9001, 0.01), 2)

COMPARE_COLUMNS = ["a", "b", "percent_a", "percent_b", "qualifier_a", "qualifier_b", "n_a", "n_b",
                   "base_a", "base_b", "study_n_a", "study_n_qualifier_a", "study_n_b", "study_n_qualifier_b",
                   "diff", "diff_low", "diff_high", "p_value", "p_adjusted", "significant", "cohens_h",
                   "method", "testable", "break_even_n", "splits_significant", "conclusion", "caveat",
                   "figures_used", "finding_a", "finding_b", "others_a", "others_b", "worst_a", "worst_b",
                   "question_ref", "role"]


def bound_allows(diff: float, qualifier_a: str, qualifier_b: str) -> bool:
    """Whether figures published as bounds allow a conclusion in the direction of ``diff`` (= a − b).

    "More than x" (``>``) for ``a`` means the true ``a`` may be higher still, so
    it can support "a is higher than b" but never "a is lower"; ``<`` the reverse.
    For ``b`` the directions swap. When the two bounds leave no direction (both
    "more than"), nothing can be concluded, not even "no difference".
    """
    allowed = {1, -1}
    for q, sign in ((qualifier_a, 1), (qualifier_b, -1)):
        if q == ">":
            allowed &= {sign}
        elif q == "<":
            allowed &= {-sign}
    return bool(allowed) and (diff == 0 or int(np.sign(diff)) in allowed)


def open_side(qualifier_a: str, qualifier_b: str) -> tuple[bool, bool]:
    """Which interval limits a bound leaves open: (low open, high open) for a − b."""
    high = qualifier_a == ">" or qualifier_b == "<"  # a may be higher, or b lower: the difference may be larger
    low = qualifier_a == "<" or qualifier_b == ">"
    return low, high


def compare_pairs(findings: pd.DataFrame, column: str, a: object, b: object, keys: Sequence[str],
                  confidence: float = 0.95, assumed_n: int | None = None, finish: bool = True) -> pd.DataFrame:
    """Compare the figures where ``column`` is ``a`` against those where it is ``b``.

    One output row per combination of ``keys`` that has both an ``a`` and a
    ``b`` figure (for example ``column="group", a="marketing", b="it",
    keys=["study_id", "metric", "year"]`` gives each study's perception gap).
    ``diff`` is ``a − b`` in percentage points as printed. Its Newcombe interval
    covers every pair of values the printed figures allow (rounding, words,
    bounds: :mod:`.rounding`), and its p-value is taken at the least favourable
    of them (``worst_a``, ``worst_b``), Benjamini–Hochberg adjusted across the rows tested.

    Each figure comes from its most precise row (:func:`cmocio.data.distinct_figures`):
    ``finding_a``/``finding_b`` name the rows used, ``others_a``/``others_b`` the other
    rows of the same figure, ``figures_used`` says both in words. Only a question's
    headline metric is tested (``role``, ``question_ref``: :func:`.selection.with_questions`);
    its other categories, sums and complements are shown with conclusion :data:`NOT_TESTED`.

    Each side's base is labelled (``base_a``/``base_b``: reported, minimum,
    derived, derived_minimum, assumed, none). Where a base is unknown (and no
    ``assumed_n``), only the difference is given, with its break-even base or
    split sweep (:func:`add_sensitivity`). A comparison that needs a published
    bound to cut the way it cannot is ``testable = False``, untested.

    With ``finish=False`` the table is left for the caller to finish as part of a larger family
    (:func:`finish_comparison`): adjustment and sensitivity columns are present but not filled.
    """
    conf = check_confidence(confidence)
    keys = list(keys)
    rows = distinct(findings)
    if not rows.empty and rows.duplicated(keys + [column]).any():
        raise ValueError(f"compare_pairs: the keys {keys} do not tell apart the figures of one {column}; "
                         "add the column that does (a segment, a study)")
    left, right = rows[rows[column] == a], rows[rows[column] == b]
    cols = keys + ["percent", "base_n", "qualifier"]
    extra = ("base_n_kind", "study_id", "finding_id", *CHOICE_COLUMNS, *QUESTION_COLUMNS, *STUDY_SIZE_COLUMNS)
    cols += [c for c in extra if c in rows.columns and c not in keys]
    merged = left[cols].merge(right[cols], on=keys, suffixes=("_a", "_b"))
    if merged.empty:
        return empty_comparison(keys)
    records = []
    for _, r in merged.iterrows():
        same_study = "study_id" in keys or r.get("study_id_a", "") == r.get("study_id_b", None)
        records.append({**{k: r[k] for k in keys}, **_compare_row(r, a, b, conf, assumed_n, same_study)})
    out = pd.DataFrame.from_records(records)
    if not finish:
        return out.reindex(columns=keys + COMPARE_COLUMNS)
    return finish_comparison(out, conf)[keys + COMPARE_COLUMNS]


def empty_comparison(keys: Sequence[str]) -> pd.DataFrame:
    """A comparison table with no rows and every column."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in list(keys) + COMPARE_COLUMNS})


def _side(r: pd.Series, side: str, *names: str) -> object:
    """A column of one side of a merged row (``finding_id_a``), or of both sides alike (a key), else None."""
    for name in names:
        for col in (f"{name}_{side}", name):
            if col in r.index and not (np.isscalar(r[col]) and pd.isna(r[col])):
                return r[col]
    return None


def _compare_row(r: pd.Series, a: object, b: object, conf: float, assumed_n: int | None, same_study: bool) -> dict:
    pa_, pb_ = float(r["percent_a"]) / 100, float(r["percent_b"]) / 100
    qa, qb = str(r["qualifier_a"]), str(r["qualifier_b"])
    role = _side(r, "a", "role")
    tested_question = role is None or str(role) == HEADLINE
    cap_a, cap_b = _exact_total(r, "_a"), _exact_total(r, "_b")
    if same_study and pd.isna(r["base_n_a"]) and pd.isna(r["base_n_b"]):
        cap_a, cap_b = cap_a / 2, cap_b / 2  # two unknown shares of one known total: at most an even split each
    na, sa = base_for(r["base_n_a"], assumed_n, cap_a)
    nb, sb = base_for(r["base_n_b"], assumed_n, cap_b)
    sa = sa or str(r.get("base_n_kind_a", "reported"))
    sb = sb or str(r.get("base_n_kind_b", "reported"))
    diff = 100 * (pa_ - pb_)
    worst = [float(v[0]) for v in least_favourable([100 * pa_], [qa], [100 * pb_], [qb])]
    testable = bound_allows(diff, qa, qb)
    low = high = pv = math.nan
    caveats = []
    if not testable:
        caveats.append(NOT_TESTABLE)
    elif not tested_question:
        caveats.append("another answer category of a question that is tested once, by its headline")
    elif "none" in (sa, sb):
        caveats.append("a base is unknown; difference only")
    else:
        (la, lb), (ha, hb) = (tuple(float(v[0]) / 100 for v in pair)
                              for pair in widest_pairs([100 * pa_], [qa], [100 * pb_], [qb]))
        low = newcombe_interval(la, na, lb, nb, conf)[0]
        high = newcombe_interval(ha, na, hb, nb, conf)[1]
        pv = float(newcombe_pvalues(np.array([worst[0] / 100]), np.array([na]), np.array([worst[1] / 100]),
                                    np.array([nb]))[0])
        low_open, high_open = open_side(qa, qb)
        if low_open:
            low = math.nan
        if high_open:
            high = math.nan
        if low_open or high_open:
            caveats.append(f"{'lower' if low_open else 'upper'} limit open: computed at a published bound")
    for kind, n in ((sa, na), (sb, nb)):
        text = base_caveat(kind, n, assumed_n) if kind != "none" else ""
        if text and text not in caveats:
            caveats.append(text)
    for q in dict.fromkeys((qa, qb)):
        if QUALIFIER_CAVEATS.get(q) and testable:
            caveats.append(QUALIFIER_CAVEATS[q])
    fa, fb = _side(r, "a", "finding_id"), _side(r, "b", "finding_id")
    oa, ob = _side(r, "a", "other_rows") or "", _side(r, "b", "other_rows") or ""
    used = [figure_used(f, _side(r, s, "chosen_because"), o) for f, s, o in ((fa, "a", oa), (fb, "b", ob))]
    return {"a": a, "b": b, "percent_a": 100 * pa_, "percent_b": 100 * pb_, "qualifier_a": qa, "qualifier_b": qb,
            "n_a": na, "n_b": nb, "base_a": sa, "base_b": sb,
            "study_n_a": r.get("study_n_a", math.nan), "study_n_qualifier_a": r.get("study_n_qualifier_a", None),
            "study_n_b": r.get("study_n_b", math.nan), "study_n_qualifier_b": r.get("study_n_qualifier_b", None),
            "diff": diff, "diff_low": 100 * low, "diff_high": 100 * high, "p_value": pv,
            "cohens_h": cohens_h(pa_, pb_), "testable": testable, "caveat": "; ".join(caveats),
            "figures_used": " vs ".join(u for u in used if u), "finding_a": fa, "finding_b": fb,
            "others_a": oa, "others_b": ob, "worst_a": worst[0], "worst_b": worst[1],
            "question_ref": _side(r, "a", "question_ref"), "role": role}


def finish_comparison(frame: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Adjust a whole comparison table (BH), then add break-even bases, split sweeps and conclusions.

    Call it again after concatenating comparison tables, so that adjustment and
    sensitivity run over the table a reader sees.
    """
    add_adjusted(frame, confidence)
    return add_sensitivity(frame, confidence)


def _role(frame: pd.DataFrame, side: str) -> np.ndarray:
    """Which function each side's figure is from: the ``group`` key where a row has one, else the compared value."""
    if "group" not in frame.columns:
        return frame[side].astype(str).to_numpy()
    return frame["group"].where(frame["group"].notna(), frame[side]).astype(str).to_numpy()


def _scenarios_significant(p1: np.ndarray, n1: np.ndarray, p2: np.ndarray, n2: np.ndarray,
                           tested: np.ndarray, alpha: float) -> np.ndarray:
    """Significance of every row under each of several sets of bases, BH-adjusted within each set.

    ``n1`` and ``n2`` have one row per scenario and one column per comparison; the
    result has the same shape. All p-values are computed in one vectorised call.
    """
    n1, n2 = np.atleast_2d(n1), np.atleast_2d(n2)
    ok = tested[None, :] & ~np.isnan(n1) & ~np.isnan(n2)
    sig = np.zeros(n1.shape, dtype=bool)
    if ok.any():
        pv = np.full(n1.shape, np.nan)
        rows = np.broadcast_to(p1, n1.shape), np.broadcast_to(p2, n2.shape)
        pv[ok] = newcombe_pvalues(rows[0][ok], n1[ok], rows[1][ok], n2[ok])
        for j in np.flatnonzero(ok.any(axis=1)):
            sig[j, ok[j]] = bh_adjust(pv[j, ok[j]]) < alpha
    return sig


def add_sensitivity(frame: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """What the unknown bases would take: ``break_even_n``, ``splits_significant`` and ``conclusion``.

    * ``break_even_n``: for a row with a base that is unknown and not bounded by a
      known total (or a minimum base at which it is not significant), the smallest
      per-side base at which the difference would be significant after BH
      adjustment over the table, with every such unknown base in the table set to
      that same number, minimum bases raised to it where lower, sides of a known
      total split evenly, and known bases as labelled. Missing where it would take
      more than :data:`MAX_BREAK_EVEN_N` per side (or there is no difference).
    * ``splits_significant``: for a row whose unknown bases are shares of a known
      study total (the functional split is not reported), the fraction of
      marketing shares from 10% to 90% under which the difference is significant;
      rows with no bounded total stay untested in these scenarios.
    * ``conclusion``: whether the result holds whatever the unknown bases are.

    Every scenario tests the least favourable values the printed figures allow
    (``worst_a``/``worst_b`` where the frame has them), and only a question's headline.
    Changes ``frame`` in place and returns it.
    """
    alpha = 1 - check_confidence(confidence)
    m = len(frame)
    frame["break_even_n"] = pd.Series(np.full(m, np.nan), index=frame.index, dtype=float)
    frame["splits_significant"] = pd.Series(np.full(m, np.nan), index=frame.index, dtype=float)
    frame["conclusion"] = pd.Series([""] * m, index=frame.index, dtype=object)
    if m == 0:
        return frame
    worst = ("worst_a", "worst_b") if {"worst_a", "worst_b"} <= set(frame.columns) else ("percent_a", "percent_b")
    p1 = frame[worst[0]].to_numpy(dtype=float) / 100  # the least favourable values the printing allows
    p2 = frame[worst[1]].to_numpy(dtype=float) / 100
    question = is_tested(frame["role"]).to_numpy(dtype=bool) if "role" in frame.columns else np.ones(m, dtype=bool)
    tested = frame["testable"].astype(bool).to_numpy() & (p1 != p2) & question
    known = {s: np.where(frame[f"base_{s}"].isin(KNOWN_BASES), frame[f"n_{s}"].to_numpy(dtype=float), np.nan)
             for s in ("a", "b")}
    total = {s: np.where(frame[f"study_n_qualifier_{s}"].astype(object) == "=",
                         frame[f"study_n_{s}"].to_numpy(dtype=float), np.nan) for s in ("a", "b")}
    role = {s: _role(frame, s) for s in ("a", "b")}
    # A side whose unknown base is a share of a known total (marketing or IT of a study without its split).
    split = {s: np.isnan(known[s]) & ~np.isnan(total[s]) & np.isin(role[s], ["marketing", "it"]) for s in ("a", "b")}
    free = {s: np.isnan(known[s]) & ~split[s] for s in ("a", "b")}

    def share_base(s: str, share: float) -> np.ndarray:
        frac = np.where(role[s] == "marketing", share, 1 - share)
        return np.where(split[s], total[s] * frac, known[s])

    # Split sweep: rows with free unknown bases stay untested.
    sweep_rows = (split["a"] | split["b"]) & ~free["a"] & ~free["b"] & question
    if sweep_rows.any():
        hits = _scenarios_significant(p1, np.stack([share_base("a", sh) for sh in SPLIT_SHARES]),
                                      p2, np.stack([share_base("b", sh) for sh in SPLIT_SHARES]), tested, alpha).sum(axis=0)
        frame.loc[sweep_rows, "splits_significant"] = hits[sweep_rows] / len(SPLIT_SHARES)

    # Break-even: free unknown bases all at n; known totals split evenly.
    even = {s: share_base(s, 0.5) for s in ("a", "b")}

    floor = {s: frame[f"base_{s}"].isin(MINIMUM_BASES).to_numpy() for s in ("a", "b")}

    def at(s: str, n: float) -> np.ndarray:
        # unknown bases at n; minimum bases at least n; known totals split evenly; the rest as known
        return np.where(free[s], n, np.where(floor[s], np.maximum(even[s], n), even[s]))

    def scenarios(ns: np.ndarray) -> np.ndarray:
        """Significance of every row (columns) with the unknown bases at each n of ``ns`` (rows)."""
        return _scenarios_significant(p1, np.stack([at("a", n) for n in ns]), p2, np.stack([at("b", n) for n in ns]),
                                      tested, alpha)

    not_sig = ~frame["significant"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    be_rows = np.flatnonzero((free["a"] | free["b"] | ((floor["a"] | floor["b"]) & not_sig)) & tested)
    if len(be_rows):
        ends = scenarios(np.array([1, MAX_BREAK_EVEN_N]))
        be_rows = be_rows[ends[1, be_rows]]  # significant at the largest base considered
        at_one = ends[0, be_rows]
        frame.iloc[be_rows[at_one], frame.columns.get_loc("break_even_n")] = 1.0
        rows = be_rows[~at_one]
        # One bisection per row, all run side by side: each round evaluates every row's midpoint at once.
        # A row's path depends only on its own column, so the result is that of bisecting it alone.
        lo, hi = np.ones(len(rows), dtype=np.int64), np.full(len(rows), MAX_BREAK_EVEN_N, dtype=np.int64)
        while (hi - lo > 1).any():
            active = hi - lo > 1
            mid = (lo + hi) // 2
            values, which = np.unique(mid[active], return_inverse=True)
            sig = scenarios(values)[which, rows[active]]
            lo[active] = np.where(sig, lo[active], mid[active])
            hi[active] = np.where(sig, mid[active], hi[active])
        frame.iloc[rows, frame.columns.get_loc("break_even_n")] = hi.astype(float)

    conclusions = []
    for i in range(m):
        row = frame.iloc[i]
        if not bool(row["testable"]):
            conclusions.append(NOT_TESTABLE)
        elif not question[i]:
            conclusions.append(NOT_TESTED)
        elif free["a"][i] or free["b"][i]:
            conclusions.append(DEPENDS if not math.isnan(row["break_even_n"]) else NOT_SIGNIFICANT)
        elif split["a"][i] or split["b"][i]:
            share = row["splits_significant"]
            conclusions.append(HOLDS if share == 1 else NOT_SIGNIFICANT if share == 0 else DEPENDS)
        elif pd.notna(row["significant"]) and bool(row["significant"]):
            conclusions.append(HOLDS)
        elif {row["base_a"], row["base_b"]} & set(MINIMUM_BASES):
            conclusions.append(NOT_SIGNIFICANT_AT_MINIMUM)
        else:
            conclusions.append(NOT_SIGNIFICANT)
    frame["conclusion"] = conclusions
    method = np.where(frame["p_value"].notna().to_numpy(), NEWCOMBE_METHOD, "").astype(object)
    method = np.where((method == "") & ~np.isnan(frame["break_even_n"].to_numpy(dtype=float)), BREAK_EVEN_METHOD, method)
    method = np.where((method == "") & ~np.isnan(frame["splits_significant"].to_numpy(dtype=float)), SPLIT_METHOD, method)
    method = np.where((method == "") & (frame["conclusion"] == NOT_TESTABLE).to_numpy(), "untested: published as a bound",
                      method)
    method = np.where((method == "") & ~question, "untested: another category of a question tested once", method)
    frame["method"] = np.where(method == "", "untested: a base is unknown", method)
    return frame
