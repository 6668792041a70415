"""Across a portfolio: which practices go with better relationships from one organisation to the next.

For each practice, every organisation whose practice and outcome figures (all
respondents, latest wave) pass the minimum-group rule gives one point: its share
agreeing with the practice and its share calling the relationship collaborative.
The driver is Spearman's rank correlation across those organisations, with its
p-value, Benjamini–Hochberg adjusted across practices, and the outcome's mean among
the organisations above the median practice share minus those at or below it.

It is shown on the consultant's index only, never on a client's page (it is made
of every client's figures), and only where at least ``MIN_BAND_ORGANISATIONS``
organisations count. It describes organisations that chose the same consultant,
not an industry, and an association between organisations, not a cause within any.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import stats
from ..survey.drivers import OUTCOME, PRACTICES
from ..survey.instrument import ALL
from .pooling import MIN_BAND_ORGANISATIONS

PORTFOLIO_DRIVER_COLUMNS = ["practice", "n_organisations", "spearman_rho", "p_value", "p_adjusted", "significant",
                            "outcome_above_median", "outcome_at_or_below_median", "diff"]
CAVEAT = ("Across the organisations of this portfolio (clients of one consultant, not an industry): an association "
          "between organisations, not a cause within any of them.")


def portfolio_drivers(contrib: pd.DataFrame, questions: pd.DataFrame, confidence: float = 0.95,
                      min_organisations: int = MIN_BAND_ORGANISATIONS) -> pd.DataFrame:
    """One row per practice with enough organisations: rank correlation with the outcome across organisations."""
    from scipy.stats import spearmanr

    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in PORTFOLIO_DRIVER_COLUMNS})
    if contrib.empty:
        return empty
    metric = dict(zip(questions["question_id"], questions["metric"]))
    ok = contrib[contrib["eligible"].astype(bool) & (contrib["group"] == ALL)]
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = ok.assign(share=100 * ok["yes_weight"].astype(float) / ok["weight_sum"].astype(float),
                       metric=ok["question_id"].map(metric))
    wide = ok.pivot_table(index="organisation", columns="metric", values="share", aggfunc="first")
    if OUTCOME not in wide:
        return empty
    recs = []
    for practice in [p for p in PRACTICES if p in wide]:
        both = wide[[practice, OUTCOME]].dropna()
        if len(both) < min_organisations:
            continue
        rho, p = spearmanr(both[practice], both[OUTCOME])
        above = both[practice] > both[practice].median()
        recs.append({"practice": practice, "n_organisations": len(both), "spearman_rho": float(rho),
                     "p_value": float(p) if np.isfinite(p) else np.nan,
                     "outcome_above_median": both.loc[above, OUTCOME].mean(),
                     "outcome_at_or_below_median": both.loc[~above, OUTCOME].mean()})
    if not recs:
        return empty
    out = pd.DataFrame.from_records(recs)
    out["diff"] = out["outcome_above_median"] - out["outcome_at_or_below_median"]
    stats.add_adjusted(out, confidence)
    return out.sort_values("spearman_rho", ascending=False)[PORTFOLIO_DRIVER_COLUMNS].round(
        {"spearman_rho": 2, "p_value": 3, "p_adjusted": 3, "outcome_above_median": 0, "outcome_at_or_below_median": 0,
         "diff": 0}).reset_index(drop=True)
