"""The rest of the portfolio as a benchmark for each organisation, without exposing any of them.

The rule (stated in the README and on every organisation's page):

1. **Only organisations with enough people count.** An organisation contributes
   to a question only if, in its latest wave, its marketing group, its IT group
   and all its respondents each pass the minimum-group rule of
   :mod:`cmocio.survey.privacy` on that question (at least ``min_group_size``
   answered, an effective sample size of at least as many, no respondent with
   more than 30% of the group's weight). It then contributes to all three pooled
   figures of the question, so marketing + IT = all holds within the pool and no
   group's pooled figure can be worked out from the other two.
2. **At least five others, none dominant.** On an organisation's page, the pooled
   figures of a question are shown only if at least ``min_organisations`` (5)
   *other* organisations contribute, and in each of the three groups no single
   one carries more than half of the pooled weight. Otherwise the whole
   question is hidden, with the one reason every hidden figure carries.
3. **Its own data left out.** The pool on an organisation's page is every other
   contributing organisation; nobody else's page is shown to it.
4. **Weights.** Each organisation's weights are scaled to average 1 over its
   respondents before pooling, so an organisation counts by its head count.
5. **Rounding** as for every figure: whole percentages, intervals and effective
   sizes to one decimal.
6. **Bands, not ranks.** Where at least ``MIN_BAND_ORGANISATIONS`` (10) other
   organisations contribute to a shown question, the page also says which quarter of
   them the organisation's own figure falls in (by the share of them below it, ties
   counting half). A quarter of ten or more organisations holds several of them, so a
   band tells nothing about any one; it is hidden with its question, and it is never a
   rank.

Whether a pooled figure is shown depends only on who answered and their weights,
never on what they answered: changing an organisation's answers can change a
shown pooled figure it contributes to, and nothing else on any other page.
What the rule cannot prevent: organisations that share their pages with each
other learn the pool of the rest. Pages from two runs whose pools differ by a
few organisations would give those away by subtraction; the portfolio's
disclosure ledger (:mod:`.disclosure`) hides such a question on the later run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import stats
from ..survey import aggregation
from ..survey.instrument import ALL, FUNCTIONS
from ..survey.privacy import HIDDEN, check_min_group_size, primary_reason, rounded

MIN_ORGANISATIONS = 5
MIN_BAND_ORGANISATIONS = 10
BANDS = ("bottom quarter", "second quarter", "third quarter", "top quarter")
MAX_SHARE = 0.5
POOL_GROUPS = (*FUNCTIONS, ALL)
CONTRIBUTION_COLUMNS = ["organisation", "question_id", "metric", "group", "n_answered", "weight_sum",
                        "weight_sq_sum", "yes_weight", "eligible"]
POOLED_COLUMNS = ["question_id", "metric", "group", "n_organisations", "n_answered", "percent", "n_eff", "ci_low",
                  "ci_high", "suppressed", "reason", "band"]


def contributions(organisation: str, responses: pd.DataFrame, questions: pd.DataFrame, min_group_size: int = 5,
                  weighted: bool = True) -> pd.DataFrame:
    """What one organisation brings to the pool: sums per question and group in its latest wave.

    ``eligible`` is the same for the three groups of a question: true only if each
    of them passes the minimum-group rule. The sums never leave the consultant's
    machine; only pooled, checked figures reach a page.
    """
    k = check_min_group_size(min_group_size)
    empty = pd.DataFrame({c: pd.Series(dtype="object") for c in CONTRIBUTION_COLUMNS})
    if responses.empty:
        return empty
    latest = aggregation.waves_of(responses)[-1]
    frame = responses
    if aggregation.WAVE_COLUMN in frame:
        frame = frame[frame[aggregation.WAVE_COLUMN].astype(str) == latest]
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("segment_")])
    if weighted and "weight" in frame:
        mean = float(frame["weight"].mean())
        frame = frame.assign(weight=frame["weight"] / mean if mean > 0 else frame["weight"])
    cells = aggregation.cells(frame, questions, weighted)
    cells = cells[(cells["question_id"] != aggregation.RESPONDENTS) & (cells["dimension"] == "")]
    cells = cells[cells["group"].isin(POOL_GROUPS)].copy()
    if cells.empty:
        return empty
    sw, sw2 = cells["weight_sum"].to_numpy(float), cells["weight_sq_sum"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(sw2 > 0, sw * sw / sw2, 0.0)
        share = np.where(sw > 0, cells["max_weight"].to_numpy(float) / sw, np.nan)
    ok = [primary_reason(n, w, e, s, k) == "" for n, w, e, s in zip(cells["n_answered"], sw, n_eff, share)]
    cells["ok"] = ok
    eligible = cells.groupby("question_id")["ok"].transform("all") & (
        cells.groupby("question_id")["group"].transform("nunique") == len(POOL_GROUPS))
    cells["eligible"] = eligible.astype(bool)
    cells["organisation"] = organisation
    return cells[CONTRIBUTION_COLUMNS].reset_index(drop=True)


def pooled(contrib: pd.DataFrame, organisation: str, questions: pd.DataFrame, confidence: float = 0.95,
           min_organisations: int = MIN_ORGANISATIONS) -> pd.DataFrame:
    """The rest of the portfolio for ``organisation``: one row per question and group, hidden rows blank.

    Rows come in the instrument's order with every question and group present, so
    the table has the same shape whatever is hidden. Figures are rounded for
    publication.
    """
    if min_organisations < MIN_ORGANISATIONS:
        raise ValueError(f"min_organisations must be at least {MIN_ORGANISATIONS}, got {min_organisations}")
    frame = pd.DataFrame([(q, m, g) for q, m in zip(questions["question_id"], questions["metric"])
                          for g in POOL_GROUPS], columns=["question_id", "metric", "group"])
    if not contrib.empty:
        others = contrib[(contrib["organisation"] != organisation) & contrib["eligible"].astype(bool)]
        others = others.sort_values(["question_id", "group", "organisation"])
        sums = others.groupby(["question_id", "group"]).agg(
            n_organisations=("organisation", "nunique"), n_answered=("n_answered", "sum"),
            weight_sum=("weight_sum", "sum"), weight_sq_sum=("weight_sq_sum", "sum"),
            yes_weight=("yes_weight", "sum"), largest=("weight_sum", "max")).reset_index()
        frame = frame.merge(sums, on=["question_id", "group"], how="left")
    for c in ("n_organisations", "n_answered", "weight_sum", "weight_sq_sum", "yes_weight", "largest"):
        if c not in frame:
            frame[c] = np.nan
    frame[["n_organisations", "n_answered"]] = frame[["n_organisations", "n_answered"]].fillna(0)
    sw = frame["weight_sum"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(sw > 0, frame["largest"].to_numpy(float) / sw, np.nan)
    few = frame["n_organisations"] < min_organisations
    dominant = ~few & ~(share <= MAX_SHARE)
    reason = np.where(few, f"fewer than {min_organisations} other organisations with enough respondents",
                      np.where(dominant, "one organisation carries more than half of the pool", ""))
    frame["reason"] = reason
    # a question is shown whole or hidden whole: one hidden group could otherwise be worked out from the others
    hidden_q = frame.groupby("question_id")["reason"].transform(lambda r: (r != "").any())
    frame["suppressed"] = hidden_q.astype(bool)
    frame["reason"] = np.where(frame["suppressed"], HIDDEN, "")  # one reason, whatever hid the question
    shown = ~frame["suppressed"].to_numpy()
    pct = np.full(len(frame), np.nan)
    n_eff = np.full(len(frame), np.nan)
    low = np.full(len(frame), np.nan)
    high = np.full(len(frame), np.nan)
    for i in np.flatnonzero(shown):
        p = min(max(frame["yes_weight"].iat[i] / sw[i], 0.0), 1.0)
        n_eff[i] = sw[i] ** 2 / frame["weight_sq_sum"].iat[i]
        pct[i] = 100 * p
        lo, hi = stats.wilson_interval(p, n_eff[i], confidence)
        low[i], high[i] = 100 * lo, 100 * hi
    frame["percent"], frame["n_eff"], frame["ci_low"], frame["ci_high"] = pct, n_eff, low, high
    frame["band"] = _bands(contrib, organisation, frame, shown)
    frame["n_answered"] = frame["n_answered"].where(shown).astype("Float64").round(0).astype("Int64")
    frame["n_organisations"] = frame["n_organisations"].where(shown).astype("Float64").astype("Int64")
    return rounded(frame[POOLED_COLUMNS])


def _bands(contrib: pd.DataFrame, organisation: str, frame: pd.DataFrame, shown: np.ndarray) -> list[str]:
    """This organisation's quarter among the others, per row of ``frame``; "" where no band may be shown."""
    out = [""] * len(frame)
    if contrib.empty:
        return out
    ok = contrib[contrib["eligible"].astype(bool)]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = ok["yes_weight"].to_numpy(float) / ok["weight_sum"].to_numpy(float)
    ok = ok.assign(share=share)
    own = ok[ok["organisation"] == organisation].set_index(["question_id", "group"])["share"]
    others = ok[ok["organisation"] != organisation].groupby(["question_id", "group"])["share"].agg(list)
    for i, (q, g) in enumerate(zip(frame["question_id"], frame["group"])):
        theirs = np.asarray(others.get((q, g), []), dtype=float)
        if not shown[i] or (q, g) not in own.index or len(theirs) < MIN_BAND_ORGANISATIONS:
            continue
        mine = float(own[(q, g)])
        below = (np.sum(theirs < mine - 1e-12) + 0.5 * np.sum(np.abs(theirs - mine) <= 1e-12)) / len(theirs)
        out[i] = BANDS[min(int(below * 4), 3)]
    return out


def read_pooled(path: str | Path) -> pd.DataFrame:
    """A pooled-portfolio file as :func:`pooled` wrote it; a file of another shape is an error naming it."""
    from ..errors import DataValidationError, Problem
    from ..survey.identifying import safe_message

    try:
        frame = pd.read_csv(path, dtype={"question_id": str, "metric": str, "group": str, "reason": str, "band": str},
                            keep_default_na=False, na_values={c: [""] for c in POOLED_COLUMNS if c not in
                                                              ("question_id", "metric", "group", "reason", "band")})
    except (OSError, ValueError) as exc:
        raise DataValidationError([Problem(str(path), None, None, f"cannot be read ({safe_message(exc)})")],
                                  "portfolio file")
    if "band" not in frame:  # written before bands were
        frame["band"] = ""
    missing = [c for c in POOLED_COLUMNS if c not in frame]
    if missing:
        raise DataValidationError([Problem(str(path), 1, c, "missing column (write it with python -m cmocio "
                                                            "portfolio)") for c in missing], "portfolio file")
    frame["suppressed"] = frame["suppressed"].astype(str).str.lower().isin(["true", "1"])
    return frame[POOLED_COLUMNS]


#: The rule in a sentence, for pages.
RULE = ("A portfolio figure pools every other organisation of the run that has at least {k} people answering in "
        "marketing, in IT and overall; it is shown only when at least {m} other organisations contribute and none "
        "carries more than half of it, and a question is shown whole or not at all. This organisation's own data are "
        "left out of its pool, and no other organisation is named.")
