"""Which base each published figure rests on, and its interval: reported, a minimum, derived from a study's
total, assumed, or none, with the caveat that says so."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .intervals import check_confidence, wilson_interval

QUALIFIER_CAVEATS = {
    "=": "",
    ">": "published as a lower bound; computed at the bound",
    "<": "published as an upper bound; computed at the bound",
    "~": "published as an approximation",
}

#: Base kinds of a finding whose ``base_n`` is known; the ``minimum`` kinds are floors ("more than N").
KNOWN_BASES = ("reported", "minimum", "derived", "derived_minimum")
MINIMUM_BASES = ("minimum", "derived_minimum")
#: Study-level columns a findings frame may carry (see :func:`with_study_sizes`).
STUDY_SIZE_COLUMNS = ("study_n", "study_n_qualifier")


def with_study_sizes(findings: pd.DataFrame, studies: pd.DataFrame) -> pd.DataFrame:
    """Add each finding's study size as reported: ``study_n`` and ``study_n_qualifier`` (``=`` or ``>``).

    A known total is used before any assumption: a figure about all respondents
    whose base is blank takes its study's total (``derived``, or
    ``derived_minimum`` for "more than N"), and its caveat says so; a figure about a
    segment of them (``segment``: "top-performing companies") does not.
    """
    size = studies.set_index("study_id")
    out = findings.copy()
    out["study_n"] = out["study_id"].map(size["respondents"]).astype(float)
    qualifier = out["study_id"].map(size["respondents_qualifier"]).astype(object)
    out["study_n_qualifier"] = qualifier.where(qualifier.notna(), None)
    if "group" in out and "base_n" in out:
        fill = (out["group"] == "all") & out["base_n"].isna() & out["study_n"].notna()
        if "segment" in out:  # a figure about some of the companies (top performers) is not about all respondents
            fill &= out["segment"].isna() | (out["segment"].astype(str).str.strip() == "")
        if fill.any():
            out["base_n"] = out["base_n"].astype("Float64").where(~fill, out["study_n"]).astype("Int64")
            kinds = np.where(out.loc[fill, "study_n_qualifier"] == ">", "derived_minimum", "derived")
            out["base_n_kind"] = out["base_n_kind"].astype(object)
            out.loc[fill, "base_n_kind"] = kinds
            note = "base: the study's total respondents (all respondents answered)"
            out["note"] = out["note"].astype(object)
            out.loc[fill, "note"] = [f"{n}; {note}" if isinstance(n, str) and n else note for n in out.loc[fill, "note"]]
    return out


def base_for(base_n: object, assumed_n: int | None, cap: float = math.nan) -> tuple[float, str]:
    """The base to compute with and where it comes from.

    Returns ``(n, "")`` for a known base (the caller keeps its kind), ``(n, "assumed")``
    for an assumption, never above ``cap`` (a study's exact total), or ``(nan, "none")``.
    """
    if base_n is not None and not pd.isna(base_n):
        return float(base_n), ""
    if assumed_n:
        return float(min(assumed_n, cap)) if not math.isnan(cap) else float(assumed_n), "assumed"
    return math.nan, "none"


def _exact_total(row: pd.Series | dict, suffix: str = "") -> float:
    """A study's total where it is exact (not "more than N"); nan otherwise."""
    n, q = row.get("study_n" + suffix, math.nan), row.get("study_n_qualifier" + suffix, None)
    return float(n) if isinstance(q, str) and q == "=" and n is not None and not pd.isna(n) else math.nan


def base_caveat(kind: str, n: float, assumed_n: int | None = None) -> str:
    """How a base was arrived at, in words, for a caveat column."""
    if kind in MINIMUM_BASES:
        return f"base is a minimum (at least {n:,.0f}); interval and test conservative"
    if kind == "assumed":
        capped = assumed_n is not None and n < assumed_n
        return f"base unknown; assumed n={n:,.0f}" + (" (capped at the study's total)" if capped else "")
    if kind == "none":
        return "base unknown; no interval"
    return ""


INTERVAL_COLUMNS = ["n_used", "n_source", "ci_low", "ci_high", "caveat"]


def with_intervals(findings: pd.DataFrame, confidence: float = 0.95, assumed_n: int | None = None) -> pd.DataFrame:
    """Add a Wilson interval (in percent) to each finding.

    Adds ``n_used``, ``n_source`` (the row's ``base_n_kind``, or ``assumed`` /
    ``none``), ``ci_low``, ``ci_high`` and ``caveat``. Rows without a base get
    no interval unless ``assumed_n`` is given; an assumed base never exceeds the
    study's exact total (``study_n`` with qualifier ``=``, where the frame has it).
    """
    check_confidence(confidence)
    if assumed_n is not None and assumed_n < 0:
        raise ValueError(f"assumed_n must be positive or 0 for none, got {assumed_n!r}")
    out = findings.copy()
    if out.empty:
        for c in INTERVAL_COLUMNS:
            out[c] = pd.Series(dtype="object" if c in ("n_source", "caveat") else "float")
        return out
    rows = []
    for _, r in out.iterrows():
        n, src = base_for(r.get("base_n"), assumed_n, _exact_total(r))
        src = src or str(r.get("base_n_kind", "reported"))
        low = high = math.nan
        if not math.isnan(n):
            low, high = wilson_interval(float(r["percent"]) / 100, n, confidence)
        caveats = [QUALIFIER_CAVEATS.get(str(r.get("qualifier", "=")), ""), base_caveat(src, n, assumed_n)]
        rows.append((n, src, 100 * low, 100 * high, "; ".join(c for c in caveats if c)))
    extra = pd.DataFrame(rows, columns=INTERVAL_COLUMNS, index=out.index)
    return pd.concat([out, extra], axis=1)
