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
from .instrument import ALL, CROSS, FUNCTIONS, GROUPS, SEGMENT_PREFIX, WAVE_COLUMN, crossed_name, segment_columns

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


def crossed_dimension(segment: str, practice_dim: str) -> str:
    """The name of a segment crossed with a practice's two sides (audited, never published)."""
    return crossed_name(segment, practice_dim)


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
    segs = []
    for col in segment_columns(responses):
        codes, names = pd.factorize(responses[col].astype(str), sort=True)
        segs.append((col[len(SEGMENT_PREFIX):], codes[here], [str(x) for x in names]))
    cells = practice_sums(outcome, sides, fn, w, outcome_id, metric, practice_ids, str(wave), segs)
    classes = None
    few = weighted and len(np.unique(w[:1000])) <= privacy.MAX_WEIGHT_CLASSES  # many values: no need to sort them all
    values = np.unique(w) if few else np.zeros(0)
    if 1 < len(values) <= privacy.MAX_WEIGHT_CLASSES:  # weights of a few values: audited class by class
        classes = [practice_sums(outcome[w == v], [s[w == v] for s in sides], fn[w == v], np.ones(int((w == v).sum())),
                                 outcome_id, metric, practice_ids, str(wave),
                                 [(d, c[w == v], names) for d, c, names in segs]) for v in values]
    k = privacy.check_min_group_size(min_group_size)
    if ledger is None:
        return suppress_drivers(cells, page, k, practice_ids, classes)
    book = privacy.Ledger(ledger.path, f"{ledger.survey} (drivers)")
    raw = aggregation.shares(cells[cells["dimension"].isin(["", *map(dimension_of, practice_ids)]).to_numpy()])
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
                  metric: str, practice_ids: list[str], wave: str,
                  segments: list[tuple[str, np.ndarray, list[str]]] = ()) -> pd.DataFrame:
    """The sums of :func:`cmocio.survey.aggregation.cells` for the outcome and group sizes, overall and by each
    practice's agreers and rest, by function: one pass over the respondents.

    Each respondent falls in one leaf (their side of every practice, and their function); every breakdown is a
    sum over leaves. ``rest`` holds, per practice, whether each respondent is not an agreer. ``segments``
    (name, each respondent's value code, the values) add each segment's breakdown and, for every practice, the
    segment crossed with its two sides (:func:`crossed_dimension`, values ``Online × agree``): the cells the
    audit sees between a driver and a breakdown of the page.
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
    sums = {"answered": answered.astype(float), "yes": yes.astype(float), "sw": wa, "sw2": wa * wa,
            "syes": np.where(yes, w, 0.0), "all_sw": w, "all_sw2": w * w}
    leaf = {name: np.bincount(key, weights=v, minlength=size) for name, v in sums.items()}
    leaf["members"] = np.bincount(key, minlength=size).astype(float)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]]) if n else np.zeros(0, np.int64)
    leaf["max"], leaf["all_max"] = np.zeros(size), np.zeros(size)
    if n:
        leaf["max"][sorted_key[starts]] = np.maximum.reduceat(wa[order], starts)
        leaf["all_max"][sorted_key[starts]] = np.maximum.reduceat(w[order], starts)
    ids = np.arange(size)
    sided = [(dimension_of(p), j + 1) for j, p in enumerate(practice_ids)]
    recs = _records(leaf, ids, [("", ALL, None), *((d, seg, (bit, side)) for d, bit in sided
                                                 for seg, side in ((AGREE, 0), (REST, 1)))])
    batches: list[list] = []  # segments whose leaves together stay small are summed in one pass
    for seg in segments:
        if batches and np.prod([len(v) for _, _, v in batches[-1]]) * len(seg[2]) * size <= 1 << 22:
            batches[-1].append(seg)
        else:
            batches.append([seg])
    for batch in batches:
        shape = [len(values) for _, _, values in batch]
        by = np.zeros(n, np.int64)
        for _, codes, values in batch:
            by = by * len(values) + codes
        by = by * size + key
        total = int(np.prod(shape)) * size
        lv = {c: np.bincount(by, weights=v, minlength=total) for c, v in sums.items()}
        lv["members"] = np.bincount(by, minlength=total).astype(float)
        for c, v in (("max", wa), ("all_max", w)):
            lv[c] = np.zeros(total)
            np.maximum.at(lv[c], by, v)
        for i, (name, _, values) in enumerate(batch):
            others = tuple(a for a in range(len(batch)) if a != i)
            per = {c: getattr(np, "max" if "max" in c else "sum")(v.reshape(*shape, size), axis=others)
                   for c, v in lv.items()}
            for j, value in enumerate(values):
                parts = [(name, value, None), *((crossed_dimension(name, d), f"{value}{CROSS}{seg}", (bit, side))
                                                for d, bit in sided for seg, side in ((AGREE, 0), (REST, 1)))]
                recs += _records({c: v[j] for c, v in per.items()}, ids, parts)
    out = pd.DataFrame.from_records(recs)
    outcome_rows = out["question_id"].isna().to_numpy()
    out["question_id"] = np.where(outcome_rows, outcome_id, out["question_id"])
    out.insert(1, "metric", np.where(outcome_rows, metric, ""))
    out.insert(2, "wave", wave)
    for col in ("weight_sum", "weight_sq_sum", "yes_weight", "max_weight"):
        out[col] = out[col] * scale
    out["weight_sq_sum"] = out["weight_sq_sum"] * scale
    return out


def _records(leaf: dict[str, np.ndarray], ids: np.ndarray, breakdowns: list[tuple[str, str, tuple | None]]
             ) -> list[dict]:
    """One record per breakdown x group x (outcome, sizes), summed over the leaves (``question_id`` None: outcome)."""
    recs = []
    for dim, seg, sided in breakdowns:
        in_seg = np.ones(len(ids), bool) if sided is None else ((ids >> sided[0]) & 1) == sided[1]
        for g, f in ((FUNCTIONS[0], 0), (FUNCTIONS[1], 1), (ALL, None)):
            m = in_seg & ((ids & 1) == f if f is not None else True)
            tot = {name: float(v[m].sum()) for name, v in leaf.items() if "max" not in name}
            for q, prefix, mx in ((None, "", "max"), (RESPONDENTS, "all_", "all_max")):
                sw, sw2 = tot[f"{prefix}sw"], tot[f"{prefix}sw2"]
                answered_n = tot["answered"] if q is None else tot["members"]
                recs.append({"question_id": q, "dimension": dim, "segment": seg, "group": g,
                             "n_respondents": tot["members"], "n_answered": answered_n,
                             "n_yes": tot["yes"] if q is None else answered_n, "weight_sum": sw,
                             "weight_sq_sum": sw2, "yes_weight": tot["syes"] if q is None else sw,
                             "max_weight": float(leaf[mx][m].max()) if m.any() else 0.0,
                             "n_eff": sw * sw / sw2 if sw2 > 0 else 0.0})
    return recs


def suppress_drivers(cells: pd.DataFrame, page: pd.DataFrame, k: int, practice_ids: list[str],
                     classes: list[pd.DataFrame] | None = None, forced: set[tuple] = frozenset()) -> pd.DataFrame:
    """Each practice's breakdown of the outcome after the rule and the audit, tied to what ``page`` shows.

    ``page`` is the page's suppressed analysis table. Its hidden overall figures of the outcome and sizes are
    hidden here too; a practice hidden for a group in ``page`` hides its breakdown's sizes for that group.
    A practice's sides and each segment breakdown of the page are two margins of one table (segment x side):
    its cells are audited, never published, a segment value's agreers being its yes count on the practice
    where the page shows it. ``forced`` holds cells to hide whatever the rule says (those the ledger keeps
    hidden). The overall rows come first, as the page shows them.
    """
    wave = str(cells["wave"].iloc[0]) if len(cells) else ""
    here = page[page["wave"].astype(str) == wave]
    shown = here[here["dimension"] == ""]
    hidden_on_page = {(q, g) for q, g, h in zip(shown["question_id"], shown["group"], shown["suppressed"]) if h}
    on_page = dict(zip(zip(*(here[c].astype(str) for c in CELL_KEYS)), ~here["suppressed"].to_numpy(bool)))
    segs = [d for d in pd.unique(cells["dimension"]) if d and d in set(here["dimension"])]
    parts = []
    every = aggregation.shares(cells)  # once: each practice takes its rows
    for p in practice_ids:
        dim = dimension_of(p)
        latent = {crossed_dimension(d, dim): [] for d in segs}
        rows = cells["dimension"].isin(["", dim, *segs, *latent]).to_numpy()
        part = every[rows].reset_index(drop=True)
        keys = set(zip(*(part[c].astype(str) for c in CELL_KEYS)))
        hide = [(q, wave, "", ALL, g) for q in part["question_id"].unique() for g in GROUPS
                if (q, g) in hidden_on_page]
        hide += [(RESPONDENTS, wave, dim, s, g) for s in (AGREE, REST) for g in GROUPS if (p, g) in hidden_on_page]
        hide += [key for key in keys if key[2] in segs and not on_page.get(key, False)]
        hide += [key for key in forced if key in keys]
        known = set()
        for d in segs:
            values = list(pd.unique(part.loc[part["dimension"] == d, "segment"]))
            name = crossed_dimension(d, dim)
            latent[name] = [(d, {f"{v}{CROSS}{s}": v for v in values for s in (AGREE, REST)}),
                            (dim, {f"{v}{CROSS}{s}": s for v in values for s in (AGREE, REST)})]
            for v in values:
                for g in GROUPS:  # the page's yes count on the practice: the agreers, and the others by difference
                    if on_page.get((p, wave, d, v, g), False) and on_page.get((RESPONDENTS, wave, d, v, g), False):
                        known |= {(RESPONDENTS, wave, name, f"{v}{CROSS}{s}", g) for s in (AGREE, REST)}
        sub = [c[rows].reset_index(drop=True) for c in classes] if classes else None
        keep = {key for key in keys if (key[2] in ("", *segs) and on_page.get(key, False))
                or (key[0] == RESPONDENTS and key[2] == dim and (p, key[4]) not in hidden_on_page)}
        done = privacy.suppress(part, k, hide, classes=sub, latent=latent, known=known, keep=keep)
        mine = (done["dimension"] == dim).to_numpy()
        hid = done["suppressed"].to_numpy(bool)
        shown_here = np.array([on_page.get(key, False) for key in zip(*(done[c].astype(str) for c in CELL_KEYS))])
        size_known = np.array([q == RESPONDENTS and (p, g) not in hidden_on_page
                               for q, g in zip(done["question_id"], done["group"])])  # p's yes count
        if (~mine & hid & shown_here).any() or (mine & hid & size_known).any():
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
