"""What the published studies say about each practice, set beside the organisation's own drivers and shares.

The published evidence about a practice is the CMO Council's comparison of marketers
in *very effective* CMO–CIO relationships with those in *effective* ones (segments
``very_effective`` and ``effective`` of ``data/findings.csv``), compared as the theme
notebooks compare them (:meth:`cmocio.report.Context.segment_gaps`): bases as
published, with what the unknown bases allow (``conclusion``).

Actions are chosen from that evidence only: the organisation's weakest practices
(its share furthest below the very-effective figure) that the studies found more
common in very effective relationships. They say what the studies found, with figure
and source, never that a practice causes a better relationship.
"""

from __future__ import annotations

import pandas as pd

from .. import stats
from .instrument import ALL

EVIDENCE_COLUMNS = ["practice_id", "metric", "study_id", "study", "year", "percent_very_effective",
                    "percent_effective", "base_very_effective", "base_effective", "base_kind", "diff", "conclusion",
                    "caveat"]
ACTION_COLUMNS = ["practice_id", "metric", "percent", "study", "year", "percent_very_effective", "percent_effective",
                  "base_very_effective", "base_effective", "base_kind", "conclusion", "driver_diff", "driver_verdict"]


def practice_evidence(report_ctx, practices: pd.DataFrame) -> pd.DataFrame:
    """Every published very-effective against effective comparison of the practices' metrics.

    ``report_ctx`` is the page's :class:`cmocio.report.Context`; ``practices`` holds ``question_id`` and
    ``metric`` of the practices. A practice the studies did not compare has no row.
    """
    f = report_ctx.findings
    gaps = report_ctx.segment_gaps(f[f["metric"].isin(practices["metric"])])
    if gaps.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in EVIDENCE_COLUMNS})
    ids = dict(zip(practices["metric"], practices["question_id"]))
    out = pd.DataFrame({
        "practice_id": gaps["metric"].map(ids), "metric": gaps["metric"], "study_id": gaps["study_id"],
        "study": [report_ctx.study_label(s) for s in gaps["study_id"]], "year": gaps["year"],
        "percent_very_effective": gaps["percent_a"], "percent_effective": gaps["percent_b"],
        "base_very_effective": gaps["n_a"], "base_effective": gaps["n_b"],
        "base_kind": [a if a == b else f"{a} / {b}" for a, b in zip(gaps["base_a"], gaps["base_b"])],
        "diff": gaps["diff"], "conclusion": gaps["conclusion"], "caveat": gaps["caveat"]})
    out = out.round({"percent_very_effective": 1, "percent_effective": 1, "diff": 1})  # as published, no float noise
    return out.sort_values(["practice_id", "year", "study_id"]).reset_index(drop=True)


def actions(overall: pd.DataFrame, evidence: pd.DataFrame, drivers: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """The practices to look at first: shown for all respondents, below and furthest from the very-effective figure.

    ``overall`` is the page's overall figures (all respondents among them), ``evidence`` from
    :func:`practice_evidence`, ``drivers`` from :func:`cmocio.survey.drivers.drivers`. Only comparisons whose
    difference favours very effective relationships and holds at some base are used: a practice the studies
    found no more common there gives no action.
    """
    shown = overall[(overall["group"] == ALL) & ~overall["suppressed"].astype(bool)]
    usable = evidence[(evidence["diff"] > 0) & evidence["conclusion"].isin([stats.HOLDS, stats.DEPENDS])]
    if shown.empty or usable.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ACTION_COLUMNS})
    latest = usable.sort_values("year").groupby("practice_id", sort=False).tail(1)
    merged = latest.merge(shown[["question_id", "percent"]], left_on="practice_id", right_on="question_id")
    mine = drivers[drivers["group"] == ALL].set_index("practice_id") if len(drivers) else pd.DataFrame()
    merged["driver_diff"] = merged["practice_id"].map(mine["diff"]) if len(mine) else float("nan")
    merged["driver_verdict"] = merged["practice_id"].map(mine["verdict"]).fillna("no driver shown") \
        if len(mine) else "no driver shown"
    merged["_gap"] = merged["percent"] - merged["percent_very_effective"]
    merged = merged[merged["_gap"] < 0]  # already at or above the very-effective figure: nothing to suggest
    merged = merged.sort_values(["_gap", "practice_id"]).head(top)
    return merged[ACTION_COLUMNS].reset_index(drop=True)
