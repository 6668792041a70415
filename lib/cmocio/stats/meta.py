"""Random-effects meta-analysis of perception gaps across studies (statsmodels), one figure per study and
question family."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .intervals import check_confidence

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
            studies = "; ".join(map(str, grp["study_id"])) if "study_id" in grp else ""
            rows.append({by: key, "k": int(len(grp)), "studies": studies,
                         "pooled": re_["eff"], "pooled_low": re_["ci_low"], "pooled_high": re_["ci_upp"],
                         "p_value": float(2 * sps.norm.sf(abs(z))) if np.isfinite(z) else np.nan,
                         "tau2": tau2, "i2": i2, "q": q, "q_p_value": float(sps.chi2.sf(q, df)),
                         "fixed": fe["eff"], "fixed_low": fe["ci_low"], "fixed_high": fe["ci_upp"]})
    out = pd.DataFrame(rows, columns=[by if c == "family" else c for c in META_COLUMNS])
    return out
