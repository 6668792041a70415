"""Your figures beside the published ones, your marketing beside your IT, and this wave beside the last.

One method gives each interval and its test, so they never disagree:

* two independent samples (your two functions, two waves, yours against a
  published figure whose base is known): the Newcombe hybrid score interval,
  and the p-value found by inverting it;
* yours against a published figure whose base is unknown: the published figure
  is treated as fixed; the Wilson interval of your share and the score test,
  which that interval inverts.

The interval is at the chosen confidence, unadjusted; ``significant`` uses
Benjamini–Hochberg adjusted p-values across the table. A difference is
``meaningful`` when it is at least ``min_difference_pts`` points, as
employee-survey tools report beside significance. A published bound supports a
conclusion in its own direction only: against "more than 90%", a lower share of
yours can be tested, a higher one cannot.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import stats
from .instrument import ALL, FUNCTIONS

#: Your group -> published groups it is set beside, and the role of each.
PAIRS = (("marketing", "marketing", "benchmark"), ("marketing", "very_effective", "segment reference"),
         ("marketing", "effective", "segment reference"), ("it", "it", "benchmark"), ("all", "all", "benchmark"))
TWO_SAMPLE = "Newcombe interval; p-value from the same interval"
FIXED = "Wilson interval of yours minus the published figure, taken as fixed; score test (same method)"
BENCHMARK_COLUMNS = ["question_id", "metric", "group", "percent", "n_eff", "study_id", "year", "benchmark_group",
                     "role", "benchmark_percent", "benchmark_qualifier", "benchmark_base", "benchmark_base_kind",
                     "diff", "diff_low", "diff_high", "p_value", "p_adjusted", "significant", "meaningful", "verdict",
                     "method", "caveat"]
GAP_COLUMNS = ["question_id", "metric", "percent_marketing", "percent_it", "diff", "diff_low", "diff_high",
               "p_value", "p_adjusted", "significant", "meaningful", "verdict", "method"]
PORTFOLIO_COLUMNS = ["question_id", "metric", "group", "percent", "portfolio_percent", "n_organisations", "diff",
                     "diff_low", "diff_high", "p_value", "p_adjusted", "significant", "meaningful", "verdict",
                     "method"]
TREND_COLUMNS = ["question_id", "metric", "group", "wave_early", "wave_late", "percent_early", "percent_late",
                 "diff", "diff_low", "diff_high", "p_value", "p_adjusted", "significant", "meaningful", "verdict",
                 "method"]


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def two_sample(p1: float, n1: float, p2: float, n2: float, confidence: float) -> tuple[float, float, float]:
    """(low, high, p) in points for p1 − p2 by the Newcombe interval and its inverted p-value."""
    low, high = stats.newcombe_interval(p1, n1, p2, n2, confidence)
    return 100 * low, 100 * high, stats.newcombe_pvalue(p1, n1, p2, n2)


def against_fixed(p: float, n: float, p0: float, confidence: float) -> tuple[float, float, float]:
    """(low, high, p) in points for p − p0 with p0 fixed: Wilson interval and the score test it inverts."""
    low, high = stats.wilson_interval(p, n, confidence)
    return 100 * (low - p0), 100 * (high - p0), stats.score_test_fixed(p, n, p0)


def verdicts(frame: pd.DataFrame, confidence: float, min_difference_pts: float) -> pd.DataFrame:
    """BH-adjust the tested rows, then set ``significant``, ``meaningful`` and a plain ``verdict``."""
    stats.add_adjusted(frame, confidence)
    frame["meaningful"] = frame["diff"].abs() >= min_difference_pts
    verdict = []
    for r in frame.itertuples(index=False):
        if pd.isna(r.significant):
            verdict.append("untested")
        elif not bool(r.significant):
            verdict.append("no clear difference")
        elif not r.meaningful:
            verdict.append(f"significant but under {min_difference_pts:g} pts")
        else:
            verdict.append("higher" if r.diff > 0 else "lower")
    frame["verdict"] = verdict
    return frame


def benchmark(yours: pd.DataFrame, published: pd.DataFrame, confidence: float = 0.95,
              assumed_n: int | None = None, min_difference_pts: float = 5.0) -> pd.DataFrame:
    """Your share minus each published figure of the same metric and a matching group.

    ``yours``: shares after suppression (one wave, no breakdown). ``published``:
    findings with ``metric, group, study_id, year, percent, base_n, base_n_kind,
    qualifier``. Suppressed figures of yours are never compared.
    """
    if yours.empty or published.empty:
        return _empty(BENCHMARK_COLUMNS)
    own = yours[~yours["suppressed"].astype(bool)]
    link = pd.DataFrame(PAIRS, columns=["group", "benchmark_group", "role"])
    pub = published.rename(columns={"group": "benchmark_group", "percent": "benchmark_percent",
                                    "qualifier": "benchmark_qualifier"})
    keep = ["metric", "benchmark_group", "study_id", "year", "benchmark_percent", "base_n", "benchmark_qualifier"]
    keep += ["base_n_kind"] if "base_n_kind" in pub else []
    merged = own.merge(link, on="group").merge(pub[keep], on=["metric", "benchmark_group"])
    if merged.empty:
        return _empty(BENCHMARK_COLUMNS)
    recs = []
    for r in merged.itertuples(index=False):
        p1, p0 = min(max(r.percent / 100, 0.0), 1.0), float(r.benchmark_percent) / 100
        n2, src = stats.base_for(r.base_n, assumed_n)
        kind = src or str(getattr(r, "base_n_kind", "reported"))
        diff = 100 * (p1 - p0)
        caveats = []
        if src == "none":
            low, high, pv = against_fixed(p1, r.n_eff, p0, confidence)
            method, kind = FIXED, "unknown: treated as fixed"
        else:
            low, high, pv = two_sample(p1, r.n_eff, p0, n2, confidence)
            method = TWO_SAMPLE
            if src == "assumed":
                caveats.append(f"published base unknown; assumed n={assumed_n}")
            elif kind in stats.MINIMUM_BASES:
                caveats.append(f"published {stats.base_caveat(kind, n2)}")
        q = str(r.benchmark_qualifier)
        untested = None  # a verdict that replaces the test's, for rows that may not be tested
        if q == ">" and diff >= 0:
            untested = "not testable against a bound"
            caveats.append("not testable against a bound: published as more than this figure")
        elif q == "<" and diff <= 0:
            untested = "not testable against a bound"
            caveats.append("not testable against a bound: published as less than this figure")
        elif stats.QUALIFIER_CAVEATS.get(q):
            caveats.append(stats.QUALIFIER_CAVEATS[q])
        if r.role == "segment reference":
            untested = "segment reference"
            caveats.append("segment reference: marketers rating their CMO-CIO relationship this way, "
                           "not a benchmark for all marketers")
        if untested:
            pv = np.nan
        recs.append({"question_id": r.question_id, "metric": r.metric, "group": r.group, "percent": r.percent,
                     "n_eff": r.n_eff, "study_id": r.study_id, "year": r.year, "benchmark_group": r.benchmark_group,
                     "role": r.role, "benchmark_percent": 100 * p0, "benchmark_qualifier": q,
                     "benchmark_base": n2, "benchmark_base_kind": kind, "diff": diff, "diff_low": low,
                     "diff_high": high, "p_value": pv, "method": method, "caveat": "; ".join(caveats),
                     "untested": untested})
    out = verdicts(pd.DataFrame.from_records(recs), confidence, min_difference_pts)
    out["verdict"] = out["untested"].fillna(out["verdict"])
    return out[BENCHMARK_COLUMNS]


def own_gaps(yours: pd.DataFrame, confidence: float = 0.95, min_difference_pts: float = 5.0) -> pd.DataFrame:
    """Your marketing minus your IT on each question (one wave, no breakdown; suppressed rows left out)."""
    own = yours[~yours["suppressed"].astype(bool)]
    m = own[own["group"] == FUNCTIONS[0]].set_index("question_id")
    i = own[own["group"] == FUNCTIONS[1]].set_index("question_id")
    common = [q for q in m.index if q in i.index]
    if not common:
        return _empty(GAP_COLUMNS)
    recs = []
    for q in common:
        pm, pi = m.loc[q, "percent"] / 100, i.loc[q, "percent"] / 100
        low, high, pv = two_sample(pm, m.loc[q, "n_eff"], pi, i.loc[q, "n_eff"], confidence)
        recs.append({"question_id": q, "metric": m.loc[q, "metric"], "percent_marketing": 100 * pm,
                     "percent_it": 100 * pi, "diff": 100 * (pm - pi), "diff_low": low, "diff_high": high,
                     "p_value": pv, "method": TWO_SAMPLE})
    return verdicts(pd.DataFrame.from_records(recs), confidence, min_difference_pts)[GAP_COLUMNS]


def trend(table: pd.DataFrame, waves: list[str], confidence: float = 0.95,
          min_difference_pts: float = 5.0) -> pd.DataFrame:
    """Change between consecutive waves, per question and group (no breakdown; both figures shown)."""
    if len(waves) < 2 or table.empty:
        return _empty(TREND_COLUMNS)
    t = table[(table["dimension"] == "") & (table["segment"] == ALL) & ~table["suppressed"].astype(bool)]
    t = t.set_index(["question_id", "group", "wave"])
    recs = []
    for early, late in zip(waves, waves[1:]):
        for (q, g), _ in t.groupby(level=[0, 1], sort=False):
            if (q, g, early) not in t.index or (q, g, late) not in t.index:
                continue
            a, b = t.loc[(q, g, late)], t.loc[(q, g, early)]
            pa, pb = a["percent"] / 100, b["percent"] / 100
            low, high, pv = two_sample(pa, a["n_eff"], pb, b["n_eff"], confidence)
            recs.append({"question_id": q, "metric": a["metric"], "group": g, "wave_early": early, "wave_late": late,
                         "percent_early": 100 * pb, "percent_late": 100 * pa, "diff": 100 * (pa - pb),
                         "diff_low": low, "diff_high": high, "p_value": pv, "method": TWO_SAMPLE})
    if not recs:
        return _empty(TREND_COLUMNS)
    return verdicts(pd.DataFrame.from_records(recs), confidence, min_difference_pts)[TREND_COLUMNS]


def against_portfolio(yours: pd.DataFrame, pool: pd.DataFrame, confidence: float = 0.95,
                      min_difference_pts: float = 5.0) -> pd.DataFrame:
    """Your share minus the rest of the portfolio's, per question and group (both shown; independent samples).

    ``pool`` is :func:`cmocio.portfolio.pooling.pooled` output for this
    organisation (its own data left out). Hidden figures on either side are never compared.
    """
    if yours.empty or pool.empty:
        return _empty(PORTFOLIO_COLUMNS)
    own = yours[~yours["suppressed"].astype(bool)]
    rest = pool[~pool["suppressed"].astype(bool)]
    merged = own.merge(rest[["question_id", "group", "percent", "n_eff", "n_organisations"]],
                       on=["question_id", "group"], suffixes=("", "_pool"))
    if merged.empty:
        return _empty(PORTFOLIO_COLUMNS)
    recs = []
    for r in merged.itertuples(index=False):
        p1, p2 = min(max(r.percent / 100, 0.0), 1.0), min(max(r.percent_pool / 100, 0.0), 1.0)
        low, high, pv = two_sample(p1, r.n_eff, p2, r.n_eff_pool, confidence)
        recs.append({"question_id": r.question_id, "metric": r.metric, "group": r.group, "percent": r.percent,
                     "portfolio_percent": r.percent_pool, "n_organisations": r.n_organisations,
                     "diff": 100 * (p1 - p2), "diff_low": low, "diff_high": high, "p_value": pv,
                     "method": TWO_SAMPLE})
    return verdicts(pd.DataFrame.from_records(recs), confidence, min_difference_pts)[PORTFOLIO_COLUMNS]
