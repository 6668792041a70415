"""Random-effects meta-analysis of perception gaps across studies, one figure per study and question family,
with the methods recommended for few studies.

With two to five studies that disagree, the DerSimonian–Laird estimate with a normal interval claims far more
than the studies allow. Here:

* the between-study variance τ² is estimated by restricted maximum likelihood (REML);
* the pooled interval and test are Hartung–Knapp–Sidik–Jonkman (HKSJ): a t distribution with k − 1 degrees of
  freedom and the Hartung–Knapp variance q / Σ wᵢ, q = Σ wᵢ(yᵢ − μ)² / (k − 1), wᵢ = 1 / (vᵢ + τ²); q is taken
  as at least 1 (the modification of Röver, Knapp and Friede 2015), so that studies which happen to agree
  closely never give an interval narrower than the random-effects model's own variance allows;
* the prediction interval for the gap in a new study is μ ± t(k − 2) · √(τ² + SE²) (Higgins, Thompson and
  Spiegelhalter 2009) with SE the Hartung–Knapp standard error, so it always contains the pooled interval;
  given from three studies on;
* a family of two studies is not pooled: its two gaps are shown side by side, because with two studies the
  interval is too wide to say anything (and τ² is barely estimable).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize
from scipy import stats as sps

from .intervals import check_confidence

META_COLUMNS = ["family", "k", "studies", "pooled", "pooled_low", "pooled_high", "p_value", "pi_low", "pi_high",
                "tau2", "i2", "q", "q_p_value", "fixed", "fixed_low", "fixed_high", "method"]
#: Base kinds a meta-analysis may use: known counts, and floors ("more than N" used as N). A floor changes a
#: study's weight in either direction under random effects, so it is labelled in the gaps' caveats.
META_KINDS = ("reported", "derived", "minimum", "derived_minimum")
#: How far rounding can move a pooled gap, in points: each study's gap is two whole percents, each within half a
#: point of its true value, and a pooled gap is a weighted mean of the studies' gaps. A side is named only where
#: the interval clears zero by more than this.
ROUNDING_SHIFT = 1.0
#: The fewest studies a family is pooled from; smaller families are shown side by side.
MIN_POOLED = 3
#: Why a family of fewer than :data:`MIN_POOLED` studies has no pooled gap.
NOT_POOLED = "two studies: shown side by side, not pooled (an interval from two studies says almost nothing)"
POOLED = "REML τ², Hartung–Knapp–Sidik–Jonkman interval, prediction interval for a new study"


def gap_effects(gaps: pd.DataFrame) -> pd.DataFrame:
    """Perception gaps (marketing minus IT) that a meta-analysis can use, with their sampling variance.

    Keeps rows whose two figures are printed as exact numbers (qualifier ``=``: not a figure in words, which
    the rounding rule lets move five points, and not a bound) and whose two bases are known (published,
    derived, or a published floor); the gap's variance is the sum of two binomial variances, in points squared.
    """
    need = {"percent_a", "percent_b", "n_a", "n_b", "qualifier_a", "qualifier_b"}
    if gaps.empty or not need <= set(gaps.columns):
        return gaps.iloc[:0].assign(variance=pd.Series(dtype=float))
    ok = (gaps["qualifier_a"].eq("=") & gaps["qualifier_b"].eq("=")
          & gaps["n_a"].notna() & gaps["n_b"].notna())
    if "base_a" in gaps and "base_b" in gaps:
        ok &= gaps["base_a"].isin(META_KINDS) & gaps["base_b"].isin(META_KINDS)
    g = gaps[ok].copy()
    pa, pb = g["percent_a"].astype(float) / 100, g["percent_b"].astype(float) / 100
    g["variance"] = 1e4 * (pa * (1 - pa) / g["n_a"].astype(float) + pb * (1 - pb) / g["n_b"].astype(float))
    g["diff"] = 100 * (pa - pb)
    return g[g["variance"] > 0]


def _restricted_loglik(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    w = 1 / (v + tau2)
    mu = (w * y).sum() / w.sum()
    return float(-0.5 * (np.log(v + tau2).sum() + np.log(w.sum()) + (w * (y - mu) ** 2).sum()))


def reml_tau2(y: np.ndarray, v: np.ndarray) -> float:
    """The REML estimate of the between-study variance: where the restricted likelihood is highest, τ² ≥ 0.

    The restricted likelihood of a few studies can have two peaks, so every root of its score,
    ½ [Σ wᵢ²(yᵢ − μ)² − Σ wᵢ + Σ wᵢ² / Σ wᵢ] with wᵢ = 1 / (vᵢ + τ²), is found on a grid and the
    highest of them (or τ² = 0) is kept.
    """
    y, v = np.asarray(y, dtype=float), np.asarray(v, dtype=float)
    if len(y) < 2:
        return 0.0

    def score(tau2: float) -> float:
        w = 1 / (v + tau2)
        mu = (w * y).sum() / w.sum()
        return float((w**2 * (y - mu) ** 2).sum() - w.sum() + (w**2).sum() / w.sum())

    high = 10 * (float(np.var(y)) + float(v.max()))
    while score(high) > 0:
        high *= 4
    grid = np.concatenate([[0.0], np.geomspace(high * 1e-6, high, 200)])
    signs = np.array([score(t) for t in grid])
    candidates = [0.0] + [optimize.brentq(score, grid[i], grid[i + 1], xtol=1e-12, rtol=1e-12)
                          for i in np.flatnonzero((signs[:-1] > 0) & (signs[1:] <= 0))]
    return float(max(candidates, key=lambda t: _restricted_loglik(y, v, t)))


def pool(y: np.ndarray, v: np.ndarray, confidence: float = 0.95) -> dict:
    """Pool effects ``y`` with sampling variances ``v``: REML τ², HKSJ interval and test, prediction interval.

    Also Cochran's Q with its p-value, I² (from Q), and the fixed-effect estimate with its normal interval.
    The prediction interval needs at least three studies (missing otherwise).
    """
    y, v = np.asarray(y, dtype=float), np.asarray(v, dtype=float)
    k, alpha = len(y), 1 - check_confidence(confidence)
    w0 = 1 / v
    fixed = float((w0 * y).sum() / w0.sum())
    q = float((w0 * (y - fixed) ** 2).sum())
    z = float(sps.norm.ppf(1 - alpha / 2))
    fixed_se = float(np.sqrt(1 / w0.sum()))
    tau2 = reml_tau2(y, v)
    w = 1 / (v + tau2)
    mu = float((w * y).sum() / w.sum())
    hk_se = float(np.sqrt(max(1.0, (w * (y - mu) ** 2).sum() / (k - 1)) / w.sum()))
    t = float(sps.t.ppf(1 - alpha / 2, k - 1))
    p_value = float(2 * sps.t.sf(abs(mu) / hk_se, k - 1))
    pi_low = pi_high = np.nan
    if k >= 3:
        half = float(sps.t.ppf(1 - alpha / 2, k - 2)) * np.sqrt(tau2 + hk_se**2)
        pi_low, pi_high = mu - half, mu + half
    return {"k": k, "pooled": mu, "pooled_low": mu - t * hk_se, "pooled_high": mu + t * hk_se, "p_value": p_value,
            "pi_low": pi_low, "pi_high": pi_high, "tau2": tau2,
            "i2": 100 * max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0, "q": q,
            "q_p_value": float(sps.chi2.sf(q, k - 1)),
            "fixed": fixed, "fixed_low": fixed - z * fixed_se, "fixed_high": fixed + z * fixed_se}


def meta_analysis(effects: pd.DataFrame, by: str = "family", confidence: float = 0.95,
                  min_k: int = 2) -> pd.DataFrame:
    """Random-effects pooling of ``diff`` (with ``variance``) within each ``by`` group (:func:`pool`).

    A study counts once per group (its first row), so that two wordings from one sample are not pooled as
    independent evidence. Groups with fewer than ``min_k`` studies are left out; groups of fewer than
    :data:`MIN_POOLED` are listed with heterogeneity only and ``method`` :data:`NOT_POOLED`. An empty input
    gives an empty table of the same columns.
    """
    check_confidence(confidence)
    columns = [by if c == "family" else c for c in META_COLUMNS]
    rows = []
    if not effects.empty:
        if "study_id" in effects:
            effects = effects.drop_duplicates([by, "study_id"])
        for key, grp in effects.groupby(by, sort=True):
            if len(grp) < max(min_k, 2):
                continue
            result = pool(grp["diff"].to_numpy(float), grp["variance"].to_numpy(float), confidence)
            if len(grp) < MIN_POOLED:
                result = {c: result[c] if c in ("k", "i2", "q", "q_p_value") else np.nan for c in result}
            studies = "; ".join(map(str, grp["study_id"])) if "study_id" in grp else ""
            rows.append({by: key, "studies": studies, **result,
                         "method": NOT_POOLED if len(grp) < MIN_POOLED else POOLED})
    return pd.DataFrame(rows, columns=columns)
