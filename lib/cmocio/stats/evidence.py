"""Every comparison of the evidence base in one family: one adjustment, one set of what-it-would-take scenarios.

The pages test three kinds of comparison: marketing against IT on a question put to both (``perception``),
very effective against effective CMO–CIO relationships (``segment``), and consecutive waves of one survey
series (``wave``). They are computed once over the whole evidence base and adjusted together
(Benjamini–Hochberg, with break-even bases and split sweeps over the same family), so a comparison gets the
same adjusted result on every page that shows it. :func:`evidence_comparisons` keeps the result for the life
of the process, keyed by the content of its inputs; :func:`select` takes a page's rows from it.
"""

from __future__ import annotations

import hashlib
from typing import Iterable

import pandas as pd

from .comparisons import compare_pairs, empty_comparison, finish_comparison

#: Each kind of comparison: (column compared, side a, side b, key columns before any ``segment``).
KINDS = {
    "perception": ("group", "marketing", "it", ("study_id", "metric", "year")),
    "segment": ("group", "very_effective", "effective", ("study_id", "metric", "year")),
}
WAVE_KEYS = ("series", "metric", "group")
_CACHE: dict[str, pd.DataFrame] = {}
_CACHE_SIZE = 16


def _keys(base: Iterable[str], frame: pd.DataFrame) -> list[str]:
    keys = list(base)
    return keys[:2] + ["segment"] + keys[2:] if "segment" in frame.columns else keys


def wave_pairs(frame: pd.DataFrame, series_of: pd.Series, confidence: float = 0.95,
               assumed_n: int | None = None, finish: bool = False) -> pd.DataFrame:
    """Changes between consecutive waves of each survey series (columns ``_a`` = later), left for the caller to
    finish as a family unless ``finish``.

    ``series_of`` maps a study id to its series (``series`` in studies.csv); studies without one are left out.
    """
    f = frame.assign(series=frame["study_id"].map(series_of)).dropna(subset=["series", "year"])
    keys = _keys(WAVE_KEYS, f)
    parts = []
    for _, grp in f.groupby("series", sort=True):
        years = sorted(grp["year"].dropna().astype(int).unique())
        for early, late in zip(years, years[1:]):
            parts.append(compare_pairs(grp, "year", late, early, keys, confidence, assumed_n, finish=False))
    out = pd.concat(parts, ignore_index=True) if parts else empty_comparison(keys)
    return finish_comparison(out, confidence) if finish else out


def _digest(*parts: object) -> str:
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, pd.DataFrame):
            h.update(",".join(map(str, part.columns)).encode())
            h.update(pd.util.hash_pandas_object(part.astype(str), index=False).to_numpy().tobytes())
        else:
            h.update(repr(part).encode())
    return h.hexdigest()


def evidence_comparisons(findings: pd.DataFrame, series_of: pd.Series, confidence: float = 0.95,
                         assumed_n: int | None = None) -> pd.DataFrame:
    """Every comparison of ``findings``, one row each, adjusted as one family; column ``kind`` says which.

    The result is computed once per process for the same inputs (by content) and shared: do not change it.
    """
    key = _digest(findings, series_of.reset_index(), confidence, assumed_n)
    if key in _CACHE:
        return _CACHE[key]
    parts = []
    for kind, (column, a, b, base) in KINDS.items():
        part = compare_pairs(findings, column, a, b, _keys(base, findings), confidence, assumed_n, finish=False)
        parts.append(part.assign(kind=kind))
    parts.append(wave_pairs(findings, series_of, confidence, assumed_n).assign(kind="wave"))
    out = finish_comparison(pd.concat([p for p in parts if not p.empty] or parts[:1], ignore_index=True), confidence)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = out
    return out


def select(evidence: pd.DataFrame, kind: str, finding_ids: Iterable[str]) -> pd.DataFrame:
    """The comparisons of one kind whose two figures are both among ``finding_ids``, with that kind's columns.

    Wave changes come with their sides named for time: ``year_late``/``year_early`` and ``_late``/``_early``.
    """
    ids = set(finding_ids)
    rows = evidence[(evidence["kind"] == kind) & evidence["finding_a"].isin(ids) & evidence["finding_b"].isin(ids)]
    base = WAVE_KEYS if kind == "wave" else KINDS[kind][3]
    keys = _keys(base, evidence)
    cols = [c for c in empty_comparison(keys).columns if c in rows.columns]
    out = rows[cols].reset_index(drop=True).infer_objects()
    if "year" in out:
        out["year"] = pd.to_numeric(out["year"]).astype("Int64")
    if kind == "wave":
        out = as_wave_table(out)
    return out


def as_wave_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A wave comparison table with its sides named for time (``year_late``, ``percent_early``, ...)."""
    names = {"a": "year_late", "b": "year_early"}
    names.update({c: c[:-2] + ("_late" if c.endswith("_a") else "_early")
                  for c in frame.columns if c.endswith(("_a", "_b"))})
    return frame.rename(columns=names)
