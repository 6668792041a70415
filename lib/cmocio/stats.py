"""Survey statistics for published percentages: intervals, gap tests, effect sizes.

The articles print percentages without bases or uncertainty. These functions add
what a survey methodologist would, and say plainly where they cannot:

* no interval or test is computed where the base is unknown, unless the caller
  states an assumed base (``assumed_n``), and then the result says so;
* figures published as bounds (``>`` / ``<``) or approximations (``~``) are used
  at their stated value and flagged in the ``caveat`` column.

All computations use statsmodels; the functions here only arrange inputs and outputs.
Empty inputs return empty frames with the same columns as a full result.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportion_effectsize,
    proportions_ztest,
)

QUALIFIER_CAVEATS = {
    "=": "",
    ">": "published as a lower bound; computed at the bound",
    "<": "published as an upper bound; computed at the bound",
    "~": "published as an approximation",
}


def check_confidence(confidence: float) -> float:
    if not isinstance(confidence, (int, float)) or isinstance(confidence, bool) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be a fraction between 0 and 1 (e.g. 0.95), got {confidence!r}")
    return float(confidence)


def _check_share(p: float, name: str = "p") -> float:
    if not 0 <= p <= 1:
        raise ValueError(f"{name} must be a proportion between 0 and 1, got {p!r}")
    return float(p)


def wilson_interval(p: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``p`` (0-1) observed in ``n`` respondents.

    ``n`` may be fractional (a Kish effective sample size). Returns (low, high) as proportions.
    """
    _check_share(p)
    alpha = 1 - check_confidence(confidence)
    if not n > 0:
        raise ValueError(f"n must be positive, got {n!r}")
    low, high = proportion_confint(p * n, n, alpha=alpha, method="wilson")
    return float(low), float(high)


def newcombe_interval(p1: float, n1: float, p2: float, n2: float, confidence: float = 0.95) -> tuple[float, float]:
    """Newcombe hybrid score interval for the difference ``p1 - p2`` of two independent proportions."""
    _check_share(p1, "p1"), _check_share(p2, "p2")
    alpha = 1 - check_confidence(confidence)
    if not (n1 > 0 and n2 > 0):
        raise ValueError(f"n1 and n2 must be positive, got {n1!r} and {n2!r}")
    low, high = confint_proportions_2indep(p1 * n1, n1, p2 * n2, n2, method="newcomb", compare="diff", alpha=alpha)
    return float(low), float(high)


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's h effect size for two proportions: 2·asin(√p1) − 2·asin(√p2)."""
    return float(proportion_effectsize(_check_share(p1, "p1"), _check_share(p2, "p2")))


def bh_adjust(pvalues: Sequence[float]) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values; missing values stay missing and are not counted."""
    arr = np.asarray(pvalues, dtype=float)
    out = np.full(arr.shape, np.nan)
    ok = ~np.isnan(arr)
    if ok.any():
        out[ok] = multipletests(arr[ok], method="fdr_bh")[1]
    return out


def add_adjusted(frame: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Set ``p_adjusted`` (Benjamini–Hochberg over the frame's ``p_value``) and ``significant``.

    ``significant`` is the adjusted p-value below 1 − confidence, and missing where
    no test was possible. Changes ``frame`` in place and returns it.
    """
    frame["p_adjusted"] = bh_adjust(frame["p_value"].to_numpy(dtype=float))
    sig = pd.array(frame["p_adjusted"] < (1 - confidence), dtype="boolean")
    sig[frame["p_adjusted"].isna().to_numpy()] = pd.NA
    frame["significant"] = sig
    return frame


def kish_effective_n(weights: Sequence[float]) -> float:
    """Kish effective sample size (Σw)² / Σw²; 0 for no weights."""
    w = np.asarray(weights, dtype=float)
    s2 = float((w**2).sum())
    return float(w.sum() ** 2 / s2) if s2 > 0 else 0.0


#: Base kinds of a finding whose ``base_n`` is known; the ``minimum`` kinds are floors ("more than N").
KNOWN_BASES = ("reported", "minimum", "derived", "derived_minimum")
MINIMUM_BASES = ("minimum", "derived_minimum")
#: Study-level columns a findings frame may carry (see :func:`with_study_sizes`).
STUDY_SIZE_COLUMNS = ("study_n", "study_n_qualifier")


def with_study_sizes(findings: pd.DataFrame, studies: pd.DataFrame) -> pd.DataFrame:
    """Add each finding's study size as reported: ``study_n`` and ``study_n_qualifier`` (``=`` or ``>``).

    A known total is used before any assumption: a figure about all respondents
    whose base is blank takes its study's total (``derived``, or
    ``derived_minimum`` for "more than N"), and its caveat says so.
    """
    size = studies.set_index("study_id")
    out = findings.copy()
    out["study_n"] = out["study_id"].map(size["respondents"]).astype(float)
    qualifier = out["study_id"].map(size["respondents_qualifier"]).astype(object)
    out["study_n_qualifier"] = qualifier.where(qualifier.notna(), None)
    if "group" in out and "base_n" in out:
        fill = (out["group"] == "all") & out["base_n"].isna() & out["study_n"].notna()
        if fill.any():
            out["base_n"] = out["base_n"].astype("Float64").where(~fill, out["study_n"]).astype("Int64")
            kinds = np.where(out.loc[fill, "study_n_qualifier"] == ">", "derived_minimum", "derived")
            out["base_n_kind"] = out["base_n_kind"].astype(object)
            out.loc[fill, "base_n_kind"] = kinds
            note = "base: the study's total respondents (all respondents answered)"
            out["note"] = out["note"].astype(object)
            out.loc[fill, "note"] = [f"{n}; {note}" if isinstance(n, str) and n else note for n in out.loc[fill, "note"]]
    return out


def base_for(base_n: object, assumed_n: int | None, cap: float = math.nan) -> tuple[float, str]:
    """The base to compute with and where it comes from.

    Returns ``(n, "")`` for a known base (the caller keeps its kind), ``(n, "assumed")``
    for an assumption, never above ``cap`` (a study's exact total), or ``(nan, "none")``.
    """
    if base_n is not None and not pd.isna(base_n):
        return float(base_n), ""
    if assumed_n:
        return float(min(assumed_n, cap)) if not math.isnan(cap) else float(assumed_n), "assumed"
    return math.nan, "none"


def _exact_total(row: pd.Series | dict, suffix: str = "") -> float:
    """A study's total where it is exact (not "more than N"); nan otherwise."""
    n, q = row.get("study_n" + suffix, math.nan), row.get("study_n_qualifier" + suffix, None)
    return float(n) if isinstance(q, str) and q == "=" and n is not None and not pd.isna(n) else math.nan


def base_caveat(kind: str, n: float, assumed_n: int | None = None) -> str:
    """How a base was arrived at, in words, for a caveat column."""
    if kind in MINIMUM_BASES:
        return f"base is a minimum (at least {n:,.0f}); interval and test conservative"
    if kind == "assumed":
        capped = assumed_n is not None and n < assumed_n
        return f"base unknown; assumed n={n:,.0f}" + (" (capped at the study's total)" if capped else "")
    if kind == "none":
        return "base unknown; no interval"
    return ""


INTERVAL_COLUMNS = ["n_used", "n_source", "ci_low", "ci_high", "caveat"]


def with_intervals(findings: pd.DataFrame, confidence: float = 0.95, assumed_n: int | None = None) -> pd.DataFrame:
    """Add a Wilson interval (in percent) to each finding.

    Adds ``n_used``, ``n_source`` (the row's ``base_n_kind``, or ``assumed`` /
    ``none``), ``ci_low``, ``ci_high`` and ``caveat``. Rows without a base get
    no interval unless ``assumed_n`` is given; an assumed base never exceeds the
    study's exact total (``study_n`` with qualifier ``=``, where the frame has it).
    """
    check_confidence(confidence)
    if assumed_n is not None and assumed_n < 0:
        raise ValueError(f"assumed_n must be positive or 0 for none, got {assumed_n!r}")
    out = findings.copy()
    if out.empty:
        for c in INTERVAL_COLUMNS:
            out[c] = pd.Series(dtype="object" if c in ("n_source", "caveat") else "float")
        return out
    rows = []
    for _, r in out.iterrows():
        n, src = base_for(r.get("base_n"), assumed_n, _exact_total(r))
        src = src or str(r.get("base_n_kind", "reported"))
        low = high = math.nan
        if not math.isnan(n):
            low, high = wilson_interval(float(r["percent"]) / 100, n, confidence)
        caveats = [QUALIFIER_CAVEATS.get(str(r.get("qualifier", "=")), ""), base_caveat(src, n, assumed_n)]
        rows.append((n, src, 100 * low, 100 * high, "; ".join(c for c in caveats if c)))
    extra = pd.DataFrame(rows, columns=INTERVAL_COLUMNS, index=out.index)
    return pd.concat([out, extra], axis=1)


# ---- comparisons of published figures --------------------------------------------------------

NEWCOMBE_METHOD = "Newcombe interval; p-value by inverting it"
NOT_TESTABLE = "not testable: published as a bound"
BREAK_EVEN_METHOD = "untested at the published bases; break-even base by the Newcombe p-value, BH-adjusted over the table"
SPLIT_METHOD = "Newcombe p-value under each functional split of the known total, BH-adjusted per split"
#: The plain-words conclusions of a comparison (column ``conclusion``).
HOLDS = "holds whatever the unknown bases"
DEPENDS = "depends on the unknown bases"
NOT_SIGNIFICANT = "not significant"
NOT_SIGNIFICANT_AT_MINIMUM = "not significant at the minimum bases"
#: Break-even bases are searched up to this many respondents per side.
MAX_BREAK_EVEN_N = 100_000
#: Marketing's share of a study's total in the split sweep: 10% to 90% in steps of one point.
SPLIT_SHARES = np.round(np.arange(0.10, 0.9001, 0.01), 2)

COMPARE_COLUMNS = ["a", "b", "percent_a", "percent_b", "qualifier_a", "qualifier_b", "n_a", "n_b",
                   "base_a", "base_b", "study_n_a", "study_n_qualifier_a", "study_n_b", "study_n_qualifier_b",
                   "diff", "diff_low", "diff_high", "p_value", "p_adjusted", "significant", "cohens_h",
                   "method", "testable", "break_even_n", "splits_significant", "conclusion", "caveat"]


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
                  confidence: float = 0.95, assumed_n: int | None = None) -> pd.DataFrame:
    """Compare the figures where ``column`` is ``a`` against those where it is ``b``.

    One output row per combination of ``keys`` that has both an ``a`` and a
    ``b`` figure (for example ``column="group", a="marketing", b="it",
    keys=["study_id", "metric", "year"]`` gives each study's perception gap).
    ``diff`` is ``a − b`` in percentage points, with a Newcombe interval and the
    p-value that inverts it, Benjamini–Hochberg adjusted across the rows tested.

    Each side's base is labelled (``base_a``/``base_b``: reported, minimum,
    derived, derived_minimum, assumed, none). Where a base is unknown (and no
    ``assumed_n``), only the difference is given, with its break-even base or
    split sweep (:func:`add_sensitivity`). A comparison that needs a published
    bound to cut the way it cannot is ``testable = False``, untested.
    Where several rows report the same figure, the first published (not derived) one is used.
    """
    conf = check_confidence(confidence)
    keys = list(keys)
    if "derived_from" in findings.columns:  # published rows before derived ones
        findings = findings.iloc[np.argsort(findings["derived_from"].notna().to_numpy(), kind="stable")]
    left = findings[findings[column] == a].drop_duplicates(keys)
    right = findings[findings[column] == b].drop_duplicates(keys)
    cols = keys + ["percent", "base_n", "qualifier"]
    cols += [c for c in ("base_n_kind", "study_id", *STUDY_SIZE_COLUMNS) if c in findings.columns and c not in keys]
    merged = left[cols].merge(right[cols], on=keys, suffixes=("_a", "_b"))
    if merged.empty:
        return empty_comparison(keys)
    records = []
    for _, r in merged.iterrows():
        same_study = "study_id" in keys or r.get("study_id_a", "") == r.get("study_id_b", None)
        records.append({**{k: r[k] for k in keys}, **_compare_row(r, a, b, conf, assumed_n, same_study)})
    out = pd.DataFrame.from_records(records)
    return finish_comparison(out, conf)[keys + COMPARE_COLUMNS]


def empty_comparison(keys: Sequence[str]) -> pd.DataFrame:
    """A comparison table with no rows and every column."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in list(keys) + COMPARE_COLUMNS})


def _compare_row(r: pd.Series, a: object, b: object, conf: float, assumed_n: int | None, same_study: bool) -> dict:
    pa_, pb_ = float(r["percent_a"]) / 100, float(r["percent_b"]) / 100
    qa, qb = str(r["qualifier_a"]), str(r["qualifier_b"])
    cap_a, cap_b = _exact_total(r, "_a"), _exact_total(r, "_b")
    if same_study and pd.isna(r["base_n_a"]) and pd.isna(r["base_n_b"]):
        cap_a, cap_b = cap_a / 2, cap_b / 2  # two unknown shares of one known total: at most an even split each
    na, sa = base_for(r["base_n_a"], assumed_n, cap_a)
    nb, sb = base_for(r["base_n_b"], assumed_n, cap_b)
    sa = sa or str(r.get("base_n_kind_a", "reported"))
    sb = sb or str(r.get("base_n_kind_b", "reported"))
    diff = 100 * (pa_ - pb_)
    testable = bound_allows(diff, qa, qb)
    low = high = pv = math.nan
    caveats = []
    if not testable:
        caveats.append(NOT_TESTABLE)
    elif "none" in (sa, sb):
        caveats.append("a base is unknown; difference only")
    else:
        low, high = newcombe_interval(pa_, na, pb_, nb, conf)
        pv = newcombe_pvalue(pa_, na, pb_, nb)
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
    return {"a": a, "b": b, "percent_a": 100 * pa_, "percent_b": 100 * pb_, "qualifier_a": qa, "qualifier_b": qb,
            "n_a": na, "n_b": nb, "base_a": sa, "base_b": sb,
            "study_n_a": r.get("study_n_a", math.nan), "study_n_qualifier_a": r.get("study_n_qualifier_a", None),
            "study_n_b": r.get("study_n_b", math.nan), "study_n_qualifier_b": r.get("study_n_qualifier_b", None),
            "diff": diff, "diff_low": 100 * low, "diff_high": 100 * high, "p_value": pv,
            "cohens_h": cohens_h(pa_, pb_), "testable": testable, "caveat": "; ".join(caveats)}


def finish_comparison(frame: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Adjust a whole comparison table (BH), then add break-even bases, split sweeps and conclusions.

    Call it again after concatenating comparison tables, so that adjustment and
    sensitivity run over the table a reader sees.
    """
    add_adjusted(frame, confidence)
    return add_sensitivity(frame, confidence)


def _role(frame: pd.DataFrame, side: str) -> np.ndarray:
    """Which function each side's figure is from: the ``group`` key, else the compared value."""
    col = frame["group"] if "group" in frame.columns else frame[side]
    return col.astype(str).to_numpy()


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
    Changes ``frame`` in place and returns it.
    """
    alpha = 1 - check_confidence(confidence)
    m = len(frame)
    frame["break_even_n"] = pd.Series(np.full(m, np.nan), index=frame.index, dtype=float)
    frame["splits_significant"] = pd.Series(np.full(m, np.nan), index=frame.index, dtype=float)
    frame["conclusion"] = pd.Series([""] * m, index=frame.index, dtype=object)
    if m == 0:
        return frame
    p1 = frame["percent_a"].to_numpy(dtype=float) / 100
    p2 = frame["percent_b"].to_numpy(dtype=float) / 100
    tested = frame["testable"].astype(bool).to_numpy() & (p1 != p2)
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
    sweep_rows = (split["a"] | split["b"]) & ~free["a"] & ~free["b"]
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
    frame["method"] = np.where(method == "", "untested: a base is unknown", method)
    return frame


def _wilson_arrays(p: np.ndarray, n: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits, vectorised (the closed form statsmodels' ``wilson`` uses)."""
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return centre - half, centre + half


def newcombe_pvalues(p1: np.ndarray, n1: np.ndarray, p2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """Two-sided p-values that agree with the Newcombe interval, for arrays of comparisons.

    For each row, the largest alpha whose (1 − alpha) Newcombe interval still
    holds zero, found by bisection on the normal quantile: a difference is
    significant at alpha exactly when that interval excludes zero.
    """
    from scipy.stats import norm

    p1, n1, p2, n2 = (np.asarray(v, dtype=float) for v in (p1, n1, p2, n2))
    d = p1 - p2
    lo, hi = np.zeros_like(d), np.full_like(d, 40.0)
    for _ in range(52):  # 40 / 2**52: z to within 1e-14
        z = (lo + hi) / 2
        l1, u1 = _wilson_arrays(p1, n1, z)
        l2, u2 = _wilson_arrays(p2, n2, z)
        lower = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        upper = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
        excludes = np.where(d > 0, lower > 0, upper < 0)
        lo, hi = np.where(excludes, z, lo), np.where(excludes, hi, z)
    out = 2 * norm.sf((lo + hi) / 2)
    return np.where(d == 0, 1.0, out)


def newcombe_pvalue(p1: float, n1: float, p2: float, n2: float) -> float:
    """Two-sided p-value that agrees with the Newcombe interval: the largest alpha whose interval still holds 0.

    Inverting the interval (rather than running a separate z-test) means a
    difference is significant at level alpha exactly when the (1 − alpha)
    Newcombe interval excludes zero.
    """
    _check_share(p1, "p1"), _check_share(p2, "p2")
    if not (n1 > 0 and n2 > 0):
        raise ValueError(f"n1 and n2 must be positive, got {n1!r} and {n2!r}")
    return float(newcombe_pvalues(np.array([p1]), np.array([n1]), np.array([p2]), np.array([n2]))[0])


def score_test_fixed(p: float, n: float, p0: float) -> float:
    """Two-sided score test of a share ``p`` (base ``n``) against a fixed value ``p0``.

    The Wilson interval is the inversion of this test, so the two always agree:
    p < alpha exactly when the (1 − alpha) Wilson interval excludes ``p0``.
    """
    _check_share(p), _check_share(p0, "p0")
    if not n > 0:
        raise ValueError(f"n must be positive, got {n!r}")
    if p0 in (0.0, 1.0):
        return 1.0 if p == p0 else 0.0
    z, pvalue = proportions_ztest(p * n, n, value=p0, prop_var=p0)
    return float(pvalue)


META_COLUMNS = ["family", "k", "studies", "pooled", "pooled_low", "pooled_high", "p_value", "tau2", "i2", "q",
                "q_p_value", "fixed", "fixed_low", "fixed_high"]
#: Base kinds a meta-analysis may use: known counts, and floors (a floor makes an interval too wide, never too narrow).
META_KINDS = ("reported", "derived", "minimum", "derived_minimum")


def gap_effects(gaps: pd.DataFrame) -> pd.DataFrame:
    """Perception gaps (marketing minus IT) that a meta-analysis can use, with their sampling variance.

    Keeps rows whose two figures are exact (qualifier ``=`` or ``~``, not a bound)
    and whose two bases are known (published, derived, or a published floor);
    the gap's variance is the sum of two binomial variances, in points squared.
    """
    need = {"percent_a", "percent_b", "n_a", "n_b", "qualifier_a", "qualifier_b"}
    if gaps.empty or not need <= set(gaps.columns):
        return gaps.iloc[:0].assign(variance=pd.Series(dtype=float))
    ok = (gaps["qualifier_a"].isin(["=", "~"]) & gaps["qualifier_b"].isin(["=", "~"])
          & gaps["n_a"].notna() & gaps["n_b"].notna())
    if "base_a" in gaps and "base_b" in gaps:
        ok &= gaps["base_a"].isin(META_KINDS) & gaps["base_b"].isin(META_KINDS)
    g = gaps[ok].copy()
    pa, pb = g["percent_a"].astype(float) / 100, g["percent_b"].astype(float) / 100
    g["variance"] = 1e4 * (pa * (1 - pa) / g["n_a"].astype(float) + pb * (1 - pb) / g["n_b"].astype(float))
    g["diff"] = 100 * (pa - pb)
    return g[g["variance"] > 0]


def meta_analysis(effects: pd.DataFrame, by: str = "family", confidence: float = 0.95,
                  min_k: int = 2) -> pd.DataFrame:
    """Random-effects pooling of ``diff`` (with ``variance``) within each ``by`` group, by statsmodels.

    DerSimonian–Laird between-study variance (``tau2``), its Wald interval and
    test, heterogeneity (I², Cochran's Q and its p-value), and the fixed-effect
    estimate beside it. A study counts once per group (its first row), so that two
    wordings from one sample are not pooled as independent evidence. Groups with
    fewer than ``min_k`` studies are left out; an empty input gives an empty table
    of the same columns.
    """
    from scipy import stats as sps
    from statsmodels.stats.meta_analysis import combine_effects

    check_confidence(confidence)
    rows = []
    if not effects.empty:
        if "study_id" in effects:
            effects = effects.drop_duplicates([by, "study_id"])
        for key, grp in effects.groupby(by, sort=True):
            if len(grp) < min_k:
                continue
            res = combine_effects(grp["diff"].to_numpy(float), grp["variance"].to_numpy(float),
                                  method_re="chi2", use_t=False, alpha=1 - confidence)
            frame = res.summary_frame(alpha=1 - confidence)
            fe = frame.loc["fixed effect"]
            # DerSimonian-Laird truncates tau2 at zero; statsmodels leaves it negative when Q < df, which would
            # shrink the random-effects variance to nothing. With no between-study variance the two models agree.
            tau2 = max(float(res.tau2), 0.0)
            re_ = frame.loc["random effect"] if tau2 > 0 else fe
            q, df = float(res.q), len(grp) - 1
            i2 = 100 * max(0.0, (q - df) / q) if q > 0 else 0.0
            z = re_["eff"] / re_["sd_eff"] if re_["sd_eff"] > 0 else np.nan
            rows.append({by: key, "k": int(len(grp)), "studies": "; ".join(map(str, grp["study_id"])) if "study_id" in grp else "",
                         "pooled": re_["eff"], "pooled_low": re_["ci_low"], "pooled_high": re_["ci_upp"],
                         "p_value": float(2 * sps.norm.sf(abs(z))) if np.isfinite(z) else np.nan,
                         "tau2": tau2, "i2": i2, "q": q, "q_p_value": float(sps.chi2.sf(q, df)),
                         "fixed": fe["eff"], "fixed_low": fe["ci_low"], "fixed_high": fe["ci_upp"]})
    out = pd.DataFrame(rows, columns=[by if c == "family" else c for c in META_COLUMNS])
    return out
