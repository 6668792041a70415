"""Intervals for shares and differences of shares, the tests they invert, effect sizes and multiple testing.

Wilson and Newcombe intervals (statsmodels), p-values that agree with them exactly
(:func:`newcombe_pvalue`, :func:`score_test_fixed`), Cohen's h, Benjamini–Hochberg
adjustment and the Kish effective sample size of weighted answers.
"""

from __future__ import annotations

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


def newcombe_intervals(p1: np.ndarray, n1: np.ndarray, p2: np.ndarray, n2: np.ndarray, confidence: float = 0.95
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe hybrid score intervals of ``p1 - p2``, vectorised (the same limits as :func:`newcombe_interval`)."""
    from scipy.stats import norm

    p1, n1, p2, n2 = (np.asarray(v, dtype=float) for v in (p1, n1, p2, n2))
    z = np.full_like(p1, norm.isf((1 - check_confidence(confidence)) / 2))
    l1, u1 = _wilson_arrays(p1, n1, z)
    l2, u2 = _wilson_arrays(p2, n2, z)
    d = p1 - p2
    return d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


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
