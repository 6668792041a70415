"""The rule every figure of an organisation's own survey must pass before it is shown, and how it is rounded.

A group (a question's answerers, or a group's members) may be shown only if

* at least ``min_group_size`` (k) people are in it;
* its Kish effective sample size after weighting is at least k;
* its weights sum to more than zero;
* no one respondent carries more than ``max(30%, 1/k)`` of its weight (the
  (1, 30%) dominance rule of statistical disclosure control: a share that one
  person dominates would give their answer away from its bounds).

Every hidden figure carries the same reason, :data:`HIDDEN`, whatever hid it
(too few people, weights, or the protection of another hidden figure), so the
reason itself tells nothing about the people behind it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..aggregation import SHARE_COLUMNS

#: The one reason shown for every hidden figure.
HIDDEN = "hidden to protect anonymity"
#: Largest share of a group's weight one respondent may carry (or 1/k when that is larger).
DOMINANCE = 0.30
#: Decimals of each published column: shares and differences whole, intervals and n_eff one decimal,
#: p-values three. Every table computed from responses goes through :func:`rounded` before it is shown.
ROUNDING = {"percent": 0, "percent_marketing": 0, "percent_it": 0, "percent_early": 0, "percent_late": 0, "diff": 0,
            "ci_low": 1, "ci_high": 1, "diff_low": 1, "diff_high": 1, "n_eff": 1, "p_value": 3, "p_adjusted": 3,
            "benchmark_percent": 1, "portfolio_percent": 0, "overall_percent": 0, "percent_agree": 0,
            "percent_rest": 0, "score": 1}


def check_min_group_size(min_group_size: int) -> int:
    """``min_group_size`` as an int, or a ValueError saying what is allowed."""
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, (int, np.integer)) or min_group_size < 1:
        raise ValueError(f"min_group_size must be a whole number of at least 1, got {min_group_size!r}")
    return int(min_group_size)


def dominance_limit(k: int) -> float:
    """Largest share of a group's weight one respondent may carry under threshold ``k``."""
    return max(DOMINANCE, 1.0 / k)


def passes(n, weight_sum, n_eff, max_share, k: int):
    """Whether groups may be shown on their own (vectorised; NaN and infinite values never pass)."""
    n, weight_sum, n_eff, max_share = (np.asarray(x, dtype=float) for x in (n, weight_sum, n_eff, max_share))
    with np.errstate(invalid="ignore"):
        return (n >= k) & (weight_sum > 0) & np.isfinite(weight_sum) & (n_eff >= k) & (max_share <= dominance_limit(k))


def primary_reason(n_answered: float, weight_sum: float, n_eff: float, max_share: float, k: int) -> str:
    """Why a group may not be shown on its own, or '' if it may (for the analyst's own checks, never published)."""
    if not n_answered >= k:
        return f"fewer than {k} answered"
    if not weight_sum > 0:
        return "the weights of this group sum to zero"
    if not n_eff >= k:
        return f"effective sample size under {k} after weighting"
    if not max_share <= dominance_limit(k):
        return f"one respondent carries more than {dominance_limit(k):.0%} of the group's weight"
    return ""


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


def _hidden_words(hidden: int) -> str:
    """How many figures the page hides, in words."""
    if hidden == 0:
        return "No figure on this page is hidden."
    return "One figure on this page is hidden." if hidden == 1 else f"{hidden} figures on this page are hidden."


def statement(k: int, hidden: int, ledger: bool) -> str:
    """The anonymity rule as a page states it, with how many figures it hid."""
    kept = ("Every release of this survey is recorded in its disclosure ledger: the threshold is fixed at the "
            "first release, figures an earlier release showed count as known, and where a later release would give "
            "a hidden figure or a few people's answers away by difference from an earlier one, those figures are "
            "hidden too (a release in which fewer people changed than the threshold is refused). " if ledger else
            "This page reads made-up data, so no disclosure ledger is kept for it. ")
    return (f"**Anonymity.** A figure is shown only if at least {k} people answered, their effective sample size "
            f"after weighting is at least {k}, and no one carries more than {dominance_limit(k):.0%} of the group's "
            "weight. Further figures are hidden until nobody holding only what is published can work out a hidden "
            "count or prove that a hidden group answered as one, even knowing that every count lies between zero "
            "and its group's size (an audit by linear programming). Every hidden figure carries the same reason. "
            f"{kept}Shares are rounded to whole percentages. {_hidden_words(hidden)} "
            "A group shown at 0% or 100% does tell each member's answer: no rule can prevent that.")
