"""Drivers: how strongly each practice goes with the relationship outcome, across one organisation's respondents.

For a practice (shared incentives, a multi-year martech plan, …) and the outcome
(by default *the relationship is collaborative*), the respondents of the latest wave
split into those who agree with the practice and *the rest* (disagree, or no
answer). The driver is the outcome share among agreers minus the outcome share among
the rest, in points, with the Newcombe interval and the p-value from the same interval
(weighted shares use the Kish effective sample size), Benjamini–Hochberg adjusted
across the table. It is an association within one organisation, not a cause.

What a driver publishes is a breakdown of the outcome: its figure among agreers and
among the rest, for marketing, IT and everyone, whose sizes are the practice's own
yes counts. So every practice's breakdown goes through the same rule and disclosure
audit as a segment (:func:`cmocio.survey.privacy.suppress`), tied to the outcome's
overall figures, and inherits what the page hides: a group whose outcome or practice
figure the page hides has no driver, and a breakdown whose size the audit would hide
while the page shows it is not published at all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import stats
from . import aggregation, privacy
from .aggregation import CELL_KEYS, RESPONDENTS
from .compare import TWO_SAMPLE, verdicts
from .instrument import ALL, FUNCTIONS, GROUPS, WAVE_COLUMN

#: The outcome a driver analysis explains, by default: the collaborative-relationship question.
OUTCOME = "relationship_collaborative"
#: Metrics of the instrument that are practices (the rest describe the relationship, or change over a year).
PRACTICES = ("shared_incentives", "can_communicate_other_priorities", "collaborate_frequently",
             "shared_ownership_martech_projects", "actionable_customer_insight", "multiyear_martech_strategy_plan",
             "multiyear_martech_funding_plan", "pilots_new_technology", "measures_financial_impact")
AGREE, REST = "agree", "rest"
_FIGURES = ["n_respondents", "n_answered", "n_missing", "percent", "n_eff", "ci_low", "ci_high"]
CAVEAT = "association within one organisation, not cause"
DRIVER_COLUMNS = ["practice_id", "practice", "outcome_id", "outcome", "group", "n_agree", "percent_agree", "n_rest",
                  "percent_rest", "diff", "diff_low", "diff_high", "p_value", "p_adjusted", "significant",
                  "meaningful", "verdict", "method", "caveat"]


def dimension_of(practice_id: str) -> str:
    """The breakdown name of a practice: ``practice q04``."""
    return f"practice {practice_id}"


def driver_cells(responses: pd.DataFrame, questions: pd.DataFrame, page: pd.DataFrame, wave: str, outcome_id: str,
                 practice_ids: list[str], min_group_size: int, weighted: bool = True,
                 ledger: privacy.Ledger | None = None, kind: str = "notebook") -> pd.DataFrame:
    """Every practice's breakdown of the outcome in one wave, after the rule and the audit (full precision).

    ``page`` is the page's suppressed analysis table (:func:`suppress_drivers` says how it is used). With the
    survey's ``ledger``, the breakdowns are a release of their own in it (survey name + `` (drivers)``): checked
    against the earlier releases of the drivers as the page is against its own, and recorded.
    """
    if outcome_id not in responses or not practice_ids or responses.empty:  # nothing to break down
        empty = aggregation.shares(aggregation.empty_cells())
        return empty.assign(suppressed=pd.Series(dtype=bool), reason=pd.Series(dtype=object))
    here = (responses[WAVE_COLUMN].astype(str) == str(wave)).to_numpy() if WAVE_COLUMN in responses else slice(None)
    metric = questions.loc[questions["question_id"] == outcome_id, "metric"]
    metric = str(metric.iloc[0]) if len(metric) else ""
    w = responses["weight"].to_numpy(float)[here] if weighted else np.ones(len(responses))[here]
    outcome = responses[outcome_id].to_numpy(dtype=float, na_value=np.nan)[here]
    sides = [responses[p].to_numpy(dtype="int8", na_value=0)[here] != 1 for p in practice_ids]  # True: the rest
    fn = (responses["function"] != FUNCTIONS[0]).to_numpy()[here]
    cells = practice_sums(outcome, sides, fn, w, outcome_id, metric, practice_ids, str(wave))
    classes = None
    few = weighted and len(np.unique(w[:1000])) <= privacy.MAX_WEIGHT_CLASSES  # many values: no need to sort them all
    values = np.unique(w) if few else np.zeros(0)
    if 1 < len(values) <= privacy.MAX_WEIGHT_CLASSES:  # weights of a few values: audited class by class
        classes = [practice_sums(outcome[w == v], [s[w == v] for s in sides], fn[w == v], np.ones(int((w == v).sum())),
                                 outcome_id, metric, practice_ids, str(wave)) for v in values]
    k = privacy.check_min_group_size(min_group_size)
    if ledger is None:
        return suppress_drivers(cells, page, k, practice_ids, classes)
    book = privacy.Ledger(ledger.path, f"{ledger.survey} (drivers)")
    raw = aggregation.shares(cells)
    with book.transaction():  # checked and recorded as one step
        forced = book.plan(raw, k, weighted)
        table = suppress_drivers(cells, page, k, practice_ids, classes, forced)
        while True:  # hide more until the difference from every earlier release hides nobody too
            more = book.differences(raw, table, k) - forced
            if not more:
                break
            forced |= more
            table = suppress_drivers(cells, page, k, practice_ids, classes, forced)
        book.record(raw, table, k, weighted, kind)
    return table


def practice_sums(outcome: np.ndarray, rest: list[np.ndarray], it: np.ndarray, weight: np.ndarray, outcome_id: str,
                  metric: str, practice_ids: list[str], wave: str) -> pd.DataFrame:
    """The sums of :func:`cmocio.survey.aggregation.cells` for the outcome and group sizes, overall and by each
    practice's agreers and rest, by function: one pass over the respondents.

    Each respondent falls in one leaf (their side of every practice, and their function); every breakdown is a
    sum over leaves. ``rest`` holds, per practice, whether each respondent is not an agreer.
    """
    n, k = len(outcome), len(rest)
    if k > 20:
        raise ValueError(f"drivers: {k} practices at once are more than one pass can hold; pass at most 20")
    scale = float(weight.max()) if n and np.isfinite(weight).all() and weight.max() > 0 else 1.0
    w = weight / scale
    key = it.astype(np.int16 if k < 15 else np.int64)  # small keys sort by radix
    for j, side in enumerate(rest):
        key |= side.astype(key.dtype) << (j + 1)
    size = 1 << (k + 1)
    answered = ~np.isnan(outcome)
    yes = answered & (outcome == 1)
    wa = np.where(answered, w, 0.0)
    leaf = {name: np.bincount(key, weights=v, minlength=size) for name, v in (
        ("members", None), ("answered", answered.astype(float)), ("yes", yes.astype(float)), ("sw", wa),
        ("sw2", wa * wa), ("syes", np.where(yes, w, 0.0)), ("all_sw", w), ("all_sw2", w * w))}
    leaf["members"] = np.bincount(key, minlength=size).astype(float)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]]) if n else np.zeros(0, np.int64)
    leaf["max"], leaf["all_max"] = np.zeros(size), np.zeros(size)
    if n:
        leaf["max"][sorted_key[starts]] = np.maximum.reduceat(wa[order], starts)
        leaf["all_max"][sorted_key[starts]] = np.maximum.reduceat(w[order], starts)
    ids = np.arange(size)
    recs = []
    for dim, bit in [("", None), *((dimension_of(p), j + 1) for j, p in enumerate(practice_ids))]:
        for seg, side in ([(ALL, None)] if bit is None else [(AGREE, 0), (REST, 1)]):
            in_seg = np.ones(size, bool) if bit is None else ((ids >> bit) & 1) == side
            for g, f in ((FUNCTIONS[0], 0), (FUNCTIONS[1], 1), (ALL, None)):
                m = in_seg & ((ids & 1) == f if f is not None else True)
                tot = {name: float(v[m].sum()) for name, v in leaf.items() if "max" not in name}
                for q, prefix, mx in ((outcome_id, "", "max"), (RESPONDENTS, "all_", "all_max")):
                    sw, sw2 = tot[f"{prefix}sw" if prefix else "sw"], tot[f"{prefix}sw2" if prefix else "sw2"]
                    answered_n = tot["answered"] if q == outcome_id else tot["members"]
                    recs.append({"question_id": q, "metric": metric if q == outcome_id else "", "wave": wave,
                                 "dimension": dim, "segment": seg, "group": g, "n_respondents": tot["members"],
                                 "n_answered": answered_n, "n_yes": tot["yes"] if q == outcome_id else answered_n,
                                 "weight_sum": sw * scale, "weight_sq_sum": sw2 * scale * scale,
                                 "yes_weight": (tot["syes"] if q == outcome_id else sw) * scale,
                                 "max_weight": float(leaf[mx][m].max()) * scale if m.any() else 0.0,
                                 "n_eff": sw * sw / sw2 if sw2 > 0 else 0.0})
    return pd.DataFrame.from_records(recs)


def suppress_drivers(cells: pd.DataFrame, page: pd.DataFrame, k: int, practice_ids: list[str],
                     classes: list[pd.DataFrame] | None = None, forced: set[tuple] = frozenset()) -> pd.DataFrame:
    """Each practice's breakdown of the outcome after the rule and the audit, tied to what ``page`` shows.

    ``page`` is the page's suppressed analysis table. Its hidden overall figures of the outcome and sizes are
    hidden here too; a practice hidden for a group in ``page`` hides its breakdown's sizes for that group.
    ``forced`` holds cells to hide whatever the rule says (those the ledger keeps hidden). The overall rows
    come first, as the page shows them.
    """
    wave = str(cells["wave"].iloc[0]) if len(cells) else ""
    shown = page[(page["wave"].astype(str) == wave) & (page["dimension"] == "")]
    hidden_on_page = {(q, g) for q, g, h in zip(shown["question_id"], shown["group"], shown["suppressed"]) if h}
    parts = []
    for p in practice_ids:
        dim = dimension_of(p)
        rows = cells["dimension"].isin(["", dim]).to_numpy()
        part = aggregation.shares(cells[rows])
        keys = set(zip(*(part[c].astype(str) for c in CELL_KEYS)))
        hide = [(q, wave, "", ALL, g) for q in part["question_id"].unique() for g in GROUPS
                if (q, g) in hidden_on_page]
        hide += [(RESPONDENTS, wave, dim, s, g) for s in (AGREE, REST) for g in GROUPS if (p, g) in hidden_on_page]
        hide += [key for key in forced if key in keys]
        sub = [c[rows].reset_index(drop=True) for c in classes] if classes else None
        done = privacy.suppress(part, k, hide, classes=sub)
        mine = (done["dimension"] == dim).to_numpy()
        hid = done["suppressed"].to_numpy(bool)
        keys = list(zip(done["question_id"], done["group"]))
        on_page = np.array([key not in hidden_on_page for key in keys])  # the page shows this overall figure
        size_known = np.array([q == RESPONDENTS and (p, g) not in hidden_on_page for q, g in keys])  # p's yes count
        if (~mine & hid & on_page).any() or (mine & hid & size_known).any():
            done.loc[mine, "suppressed"] = True  # publish nothing of this breakdown: the page alone says as much
            done.loc[mine, "reason"] = privacy.HIDDEN
            done.loc[mine, _FIGURES] = np.nan
        parts.append(done[mine])
    overall = aggregation.shares(cells[(cells["dimension"] == "").to_numpy()]).reset_index(drop=True)
    off = np.array([(q, g) in hidden_on_page for q, g in zip(overall["question_id"], overall["group"])], dtype=bool)
    overall["suppressed"], overall["reason"] = off, np.where(off, privacy.HIDDEN, "")
    overall.loc[off, _FIGURES] = np.nan
    return pd.concat([overall, *parts], ignore_index=True)


def drivers(table: pd.DataFrame, questions: pd.DataFrame, confidence: float = 0.95,
            min_difference_pts: float = 5.0) -> pd.DataFrame:
    """One row per practice and group whose two sides are shown: the outcome among agreers minus the rest."""
    wording = dict(zip(questions["question_id"], questions["metric"]))
    t = table[table["question_id"] != RESPONDENTS].set_index(CELL_KEYS)
    recs = []
    for (q, w, d, s, g), r in t.iterrows():
        if not d or s != AGREE:
            continue
        rest = t.loc[(q, w, d, REST, g)]
        if bool(r["suppressed"]) or bool(rest["suppressed"]):
            continue
        recs.append({"practice_id": d.split(" ", 1)[1], "outcome_id": q, "group": g, "n_agree": r["n_answered"],
                     "percent_agree": r["percent"], "neff_agree": r["n_eff"], "n_rest": rest["n_answered"],
                     "percent_rest": rest["percent"], "neff_rest": rest["n_eff"]})
    if not recs:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in DRIVER_COLUMNS})
    out = pd.DataFrame.from_records(recs)
    pa, pr = out["percent_agree"].to_numpy(float) / 100, out["percent_rest"].to_numpy(float) / 100
    na, nr = out["neff_agree"].to_numpy(float), out["neff_rest"].to_numpy(float)
    low, high = stats.newcombe_intervals(pa, na, pr, nr, confidence)
    out["diff"], out["diff_low"], out["diff_high"] = 100 * (pa - pr), 100 * low, 100 * high
    out["p_value"] = stats.newcombe_pvalues(pa, na, pr, nr)
    out["method"], out["caveat"] = TWO_SAMPLE, CAVEAT
    out[["n_agree", "n_rest"]] = out[["n_agree", "n_rest"]].round(0).astype("Int64")
    out["practice"] = out["practice_id"].map(wording)
    out["outcome"] = out["outcome_id"].map(wording)
    out = verdicts(out, confidence, min_difference_pts)
    order = {g: i for i, g in enumerate((ALL, *GROUPS[:2]))}
    out = out.assign(_g=out["group"].map(order)).sort_values(["_g", "diff", "practice_id"], ascending=[True, False, True])
    return out[DRIVER_COLUMNS].reset_index(drop=True)


def practice_ids(questions: pd.DataFrame, responses: pd.DataFrame) -> list[str]:
    """The practice questions present in the responses, in the instrument's order."""
    return [q for q, m in zip(questions["question_id"], questions["metric"]) if m in PRACTICES and q in responses]


def outcome_id(questions: pd.DataFrame, metric: str = OUTCOME) -> str:
    """The question id of the outcome metric; a ValueError if the instrument has none."""
    ids = questions.loc[questions["metric"] == metric, "question_id"]
    if ids.empty:
        raise ValueError(f"drivers: no question of the instrument measures {metric!r}")
    return str(ids.iloc[0])
