"""Rows that report one figure: what range each allows, which disagree, and which one decides.

Several articles often print the same figure of one survey wave (same study, metric, group,
segment and year). :func:`disagreements` finds the sets that cannot all be true;
:func:`distinct_figures` keeps one row per figure, the most precise one, and says why.
"""

from __future__ import annotations

import pandas as pd

from .fields import AGREEMENT_TOLERANCE, APPROXIMATE_TOLERANCE

#: The columns that identify one figure.
FIGURE_KEYS = ["study_id", "metric", "group", "segment", "year"]
#: Precision of a qualifier: an exact figure, then one given in words, then a bound.
_QUALIFIER_RANK = {"=": 0, "~": 1, "<": 2, ">": 2}
_QUALIFIER_WORDS = {0: "exact figure", 1: "figure in words", 2: "bound"}


def figure_bounds(percent: float, qualifier: str) -> tuple[float, float]:
    """The range of true figures a published one allows: rounding for an exact figure, a margin for words, a bound."""
    if qualifier == ">":
        return percent, 100.0
    if qualifier == "<":
        return 0.0, percent
    half = APPROXIMATE_TOLERANCE if qualifier == "~" else AGREEMENT_TOLERANCE / 2
    return percent - half, percent + half


def id_list(text: object) -> list[str]:
    """The ids of a ';'-separated cell (blank: none)."""
    return [] if pd.isna(text) else [t.strip() for t in str(text).split(";") if t.strip()]


def set_aside_ids(conflicts: pd.DataFrame) -> set[str]:
    """Every finding id that a recorded conflict sets aside."""
    return {i for c in conflicts.get("set_aside", pd.Series(dtype=object)) for i in id_list(c)}


def _keys(findings: pd.DataFrame) -> list[str]:
    return [k for k in FIGURE_KEYS if k in findings]


def disagreements(findings: pd.DataFrame) -> list[list[str]]:
    """Sets of rows that report the same figure (study, metric, group, segment, year) but cannot all be true.

    Each row allows a range (:func:`figure_bounds`); a set disagrees when the ranges
    have no point in common. Rows computed from others (``derived_from``) are left out.
    """
    f = findings[findings["derived_from"].isna()] if "derived_from" in findings else findings
    out = []
    for _, grp in f.groupby(_keys(f), sort=False, dropna=False):
        if len(grp) < 2 or grp["percent"].isna().any():
            continue
        bounds = [figure_bounds(float(p), str(q)) for p, q in zip(grp["percent"], grp["qualifier"])]
        if max(lo for lo, _ in bounds) > min(hi for _, hi in bounds) + 1e-9:
            out.append(list(grp["finding_id"]))
    return out


def precision_keys(findings: pd.DataFrame, publisher: pd.Series | None = None) -> pd.DataFrame:
    """The criteria of the rule, one column each, smaller is better, in the order they decide.

    ``derived`` (a row computed from another comes after a published one), ``qualifier`` (exact, then
    words, then a bound), ``publisher`` (the sponsor's own publication, then a secondary report;
    left out when ``publisher`` is None), ``base`` (a stated base, then none) and ``order`` (file order).
    """
    index = findings.index
    keys = {"derived": (findings["derived_from"].notna() if "derived_from" in findings
                        else pd.Series(False, index=index)).astype(int)}
    keys["qualifier"] = (findings["qualifier"].map(_QUALIFIER_RANK).fillna(3) if "qualifier" in findings
                         else pd.Series(0, index=index)).astype(int)
    if publisher is not None:
        keys["publisher"] = (publisher.reindex(index) != "sponsor").astype(int)
    keys["base"] = (findings["base_n"].isna() if "base_n" in findings else pd.Series(True, index=index)).astype(int)
    keys["order"] = pd.Series(range(len(index)), index=index)
    return pd.DataFrame(keys, index=index)


def _why(criterion: str, best: pd.Series) -> str:
    """Plain words for the criterion that put the chosen row before the next one."""
    if criterion == "derived":
        return "published, not derived"
    if criterion == "qualifier":
        return _QUALIFIER_WORDS[int(best["qualifier"])]
    if criterion == "publisher":
        return "sponsor's own publication"
    if criterion == "base":
        return "stated base"
    return "first in file order"


def _publisher_of(findings: pd.DataFrame, sources: pd.DataFrame | None) -> pd.Series | None:
    if sources is not None:
        return findings["source_id"].map(dict(zip(sources["source_id"], sources["publisher"])))
    if "publisher" in findings:
        return findings["publisher"]
    return None


def distinct_figures(findings: pd.DataFrame, sources: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per figure (study, metric, group, segment, year): the most precise of the rows that report it.

    The rule, in order: a published row before a derived one; an exact figure (``=``) before one in
    words (``~``) before a bound (``<``, ``>``); the sponsor's own publication before a secondary
    report (``publisher`` of ``sources``, or of the findings when ``sources`` is None; skipped when
    neither has it); a stated base before none; then file order. Rows a recorded conflict set aside
    (``set_aside``) are left out. Two columns are added: ``chosen_because`` (plain words: the
    criterion that decided and how many other rows report the figure) and ``other_rows`` (their
    finding ids, "; "-joined, empty when none).
    """
    if "set_aside" in findings:
        findings = findings[~findings["set_aside"].astype(bool)]
    if findings.empty:
        return findings.assign(chosen_because=pd.Series(dtype=object), other_rows=pd.Series(dtype=object))
    ids = findings["finding_id"] if "finding_id" in findings else findings.index.to_series()
    flat = findings.reset_index(drop=True)  # positions: the caller's index need not be unique
    keys = precision_keys(flat, _publisher_of(flat, sources))
    criteria = list(keys.columns)
    ranked = keys.assign(_figure=flat.groupby(_keys(flat), sort=False, dropna=False).ngroup().to_numpy(),
                         _id=ids.astype(str).to_numpy())
    ranked = ranked.sort_values(["_figure", *criteria], kind="stable")
    place = ranked.groupby("_figure", sort=False).cumcount().to_numpy()
    best, runner = ranked[place == 0].set_index("_figure"), ranked[place == 1].set_index("_figure")
    others = ranked[place > 0].groupby("_figure", sort=False)["_id"].agg("; ".join).reindex(best.index, fill_value="")
    count = ranked.groupby("_figure", sort=False).size().reindex(best.index) - 1
    decided = pd.Series(None, index=best.index, dtype=object)
    for c in reversed(criteria):  # the first criterion on which the best row beats the next one
        differs = best.loc[runner.index, c] != runner[c]
        decided[differs[differs].index] = c
    because = [_why(d, best.loc[fig]) + f"; {n} other report" + ("s" if n > 1 else "") if n else "only report"
               for fig, d, n in zip(best.index, decided, count)]
    out = findings.iloc[best["order"].to_numpy()].assign(chosen_because=because, other_rows=others.to_numpy())
    return out.iloc[best["order"].to_numpy().argsort(kind="stable")]
