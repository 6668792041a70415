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


def _check_confidence(confidence: float) -> float:
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
    alpha = 1 - _check_confidence(confidence)
    if not n > 0:
        raise ValueError(f"n must be positive, got {n!r}")
    low, high = proportion_confint(p * n, n, alpha=alpha, method="wilson")
    return float(low), float(high)


def newcombe_interval(p1: float, n1: float, p2: float, n2: float, confidence: float = 0.95) -> tuple[float, float]:
    """Newcombe hybrid score interval for the difference ``p1 - p2`` of two independent proportions."""
    _check_share(p1, "p1"), _check_share(p2, "p2")
    alpha = 1 - _check_confidence(confidence)
    if not (n1 > 0 and n2 > 0):
        raise ValueError(f"n1 and n2 must be positive, got {n1!r} and {n2!r}")
    low, high = confint_proportions_2indep(p1 * n1, n1, p2 * n2, n2, method="newcomb", compare="diff", alpha=alpha)
    return float(low), float(high)


def two_proportion_ztest(p1: float, n1: float, p2: float, n2: float) -> tuple[float, float]:
    """Pooled two-sided z-test of ``p1 == p2``. Returns (z, p-value); (nan, nan) if degenerate."""
    _check_share(p1, "p1"), _check_share(p2, "p2")
    if not (n1 > 0 and n2 > 0):
        raise ValueError(f"n1 and n2 must be positive, got {n1!r} and {n2!r}")
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        return (0.0, 1.0) if p1 == p2 else (math.nan, math.nan)
    z, pvalue = proportions_ztest(np.array([p1 * n1, p2 * n2]), np.array([n1, n2]))
    return float(z), float(pvalue)


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


def base_for(base_n: object, assumed_n: int | None) -> tuple[float, str]:
    """The base to compute with and where it comes from: ('reported'|'derived'|'assumed'|'none')."""
    if base_n is not None and not pd.isna(base_n):
        return float(base_n), ""
    if assumed_n:
        return float(assumed_n), "assumed"
    return math.nan, "none"


INTERVAL_COLUMNS = ["n_used", "n_source", "ci_low", "ci_high", "caveat"]


def with_intervals(findings: pd.DataFrame, confidence: float = 0.95, assumed_n: int | None = None) -> pd.DataFrame:
    """Add a Wilson interval (in percent) to each finding.

    Adds ``n_used``, ``n_source`` (the row's ``base_n_kind``, or ``assumed`` /
    ``none``), ``ci_low``, ``ci_high`` and ``caveat``. Rows without a base get
    no interval unless ``assumed_n`` is given.
    """
    _check_confidence(confidence)
    if assumed_n is not None and assumed_n < 0:
        raise ValueError(f"assumed_n must be positive or 0 for none, got {assumed_n!r}")
    out = findings.copy()
    if out.empty:
        for c in INTERVAL_COLUMNS:
            out[c] = pd.Series(dtype="object" if c in ("n_source", "caveat") else "float")
        return out
    rows = []
    for _, r in out.iterrows():
        n, src = base_for(r.get("base_n"), assumed_n)
        src = src or str(r.get("base_n_kind", "reported"))
        low = high = math.nan
        if not math.isnan(n):
            low, high = wilson_interval(float(r["percent"]) / 100, n, confidence)
        caveats = [QUALIFIER_CAVEATS.get(str(r.get("qualifier", "=")), "")]
        if src == "assumed":
            caveats.append(f"base unknown; assumed n={int(n)}")
        elif src == "none":
            caveats.append("base unknown; no interval")
        rows.append((n, src, 100 * low, 100 * high, "; ".join(c for c in caveats if c)))
    extra = pd.DataFrame(rows, columns=INTERVAL_COLUMNS, index=out.index)
    return pd.concat([out, extra], axis=1)


COMPARE_COLUMNS = ["a", "b", "percent_a", "percent_b", "n_a", "n_b", "diff", "diff_low", "diff_high",
                   "z", "p_value", "p_adjusted", "significant", "cohens_h", "caveat"]


def compare_pairs(findings: pd.DataFrame, column: str, a: object, b: object, keys: Sequence[str],
                  confidence: float = 0.95, assumed_n: int | None = None) -> pd.DataFrame:
    """Compare the figures where ``column`` is ``a`` against those where it is ``b``.

    One output row per combination of ``keys`` that has both an ``a`` and a
    ``b`` figure (for example ``column="group", a="marketing", b="it",
    keys=["study_id", "metric", "year"]`` gives each study's perception gap).
    ``diff`` is ``a − b`` in percentage points, with a Newcombe interval, a
    pooled z-test and Benjamini–Hochberg adjustment across the rows tested.
    Where either base is unknown (and no ``assumed_n``), only the difference is given.
    Where several rows report the same figure, the first published (not derived) one is used.
    """
    conf = _check_confidence(confidence)
    keys = list(keys)
    if "derived_from" in findings.columns:  # published rows before derived ones
        findings = findings.iloc[np.argsort(findings["derived_from"].notna().to_numpy(), kind="stable")]
    left = findings[findings[column] == a].drop_duplicates(keys)
    right = findings[findings[column] == b].drop_duplicates(keys)
    cols = keys + ["percent", "base_n", "qualifier"]
    merged = left[cols].merge(right[cols], on=keys, suffixes=("_a", "_b"))
    if merged.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in keys + COMPARE_COLUMNS})
    records = []
    for _, r in merged.iterrows():
        pa_, pb_ = float(r["percent_a"]) / 100, float(r["percent_b"]) / 100
        na, sa = base_for(r["base_n_a"], assumed_n)
        nb, sb = base_for(r["base_n_b"], assumed_n)
        low = high = z = pv = math.nan
        caveats = []
        if "none" in (sa, sb):
            caveats.append("a base is unknown; difference only")
        else:
            low, high = newcombe_interval(pa_, na, pb_, nb, conf)
            z, pv = two_proportion_ztest(pa_, na, pb_, nb)
            if "assumed" in (sa, sb):
                caveats.append(f"base unknown; assumed n={assumed_n}")
        for q in {str(r["qualifier_a"]), str(r["qualifier_b"])}:
            if QUALIFIER_CAVEATS.get(q):
                caveats.append(QUALIFIER_CAVEATS[q])
        records.append({**{k: r[k] for k in keys}, "a": a, "b": b,
                        "percent_a": 100 * pa_, "percent_b": 100 * pb_, "n_a": na, "n_b": nb,
                        "diff": 100 * (pa_ - pb_), "diff_low": 100 * low, "diff_high": 100 * high,
                        "z": z, "p_value": pv, "cohens_h": cohens_h(pa_, pb_),
                        "caveat": "; ".join(caveats)})
    out = pd.DataFrame.from_records(records)
    add_adjusted(out, conf)
    return out[keys + COMPARE_COLUMNS]


def newcombe_pvalue(p1: float, n1: float, p2: float, n2: float) -> float:
    """Two-sided p-value that agrees with the Newcombe interval: the largest alpha whose interval still holds 0.

    Inverting the interval (rather than running a separate z-test) means a
    difference is significant at level alpha exactly when the (1 − alpha)
    Newcombe interval excludes zero.
    """
    from scipy.optimize import brentq

    _check_share(p1, "p1"), _check_share(p2, "p2")
    if not (n1 > 0 and n2 > 0):
        raise ValueError(f"n1 and n2 must be positive, got {n1!r} and {n2!r}")
    if p1 == p2:
        return 1.0

    def edge(alpha: float) -> float:
        low, high = newcombe_interval(p1, n1, p2, n2, 1 - alpha)
        return low if p1 > p2 else -high  # crosses 0 where the interval starts to exclude 0

    lo, hi = 1e-15, 1 - 1e-12
    if edge(lo) > 0:
        return 0.0
    if edge(hi) <= 0:
        return 1.0
    return float(brentq(edge, lo, hi, xtol=1e-14, rtol=1e-10))


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
