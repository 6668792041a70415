"""The curated survey dataset: loading, typing and validating the five tables.

``data/`` holds five CSV files (see ``data/README.md`` for the dictionary):
``studies.csv``, ``sources.csv``, ``metrics.csv``, ``findings.csv`` and
``conflicts.csv`` (where articles disagree, and what was decided).
:func:`load_dataset` reads them all, checks each file's schema and the rules that
span files, and raises one :class:`~cmocio.errors.DataValidationError` listing
every problem with file, line and column.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import DataValidationError, Problem
from .paths import DATA_DIR  # re-exported: cmocio.data.DATA_DIR is the shipped dataset's folder
from .tables import Field, check_table, read_table

THEMES = ("alignment", "incentives", "customer_experience", "martech_planning", "context")
GROUPS = ("marketing", "it", "all", "very_effective", "effective", "moderately_effective", "martech", "unspecified")
QUALIFIERS = ("=", ">", "<", "~")
BASE_KINDS = ("reported", "minimum", "derived", "derived_minimum", "unknown")
#: Base kinds whose ``base_n`` is a floor ("more than N" respondents, or derived from such a count).
MINIMUM_KINDS = ("minimum", "derived_minimum")
#: Base kinds that carry a ``base_n``.
KNOWN_KINDS = ("reported", "minimum", "derived", "derived_minimum")
#: Two rows that report the same figure may differ by rounding at most this much (points).
AGREEMENT_TOLERANCE = 1.0
#: How far a figure given in words ("about", "nearly", "N in 10") may lie from the number it is read as.
APPROXIMATE_TOLERANCE = 5.0
CONFLICT_KINDS = ("year", "sample", "figure", "question", "group", "wording")
_PUBLISHED = r"(\d{4}(-\d{2}(-\d{2})?)?|unknown)"

_ID = r"[a-z0-9][a-z0-9_.-]*"
_SNAKE = r"[a-z][a-z0-9_]*"

STUDY_FIELDS = (
    Field("study_id", pattern=_ID, pattern_words="a lower-case id such as leapfrog-2016", unique=True),
    Field("label"),
    Field("sponsor"),
    Field("title"),
    Field("partners", required=False),
    Field("series", required=False, pattern=_ID, pattern_words="a lower-case id such as harvey-nash-cio"),
    Field("year", "int", required=False, min=1990, max=2100),
    Field("respondents", "int", required=False, min=1),
    Field("respondents_qualifier", required=False, allowed=QUALIFIERS),
    Field("population"),
    Field("geography"),
    Field("share_marketing", "float", required=False, min=0, max=100),
    Field("share_it", "float", required=False, min=0, max=100),
    Field("note", required=False),
)

SOURCE_FIELDS = (
    Field("source_id", pattern=_ID, pattern_words="a lower-case id such as adage-2015", unique=True),
    Field("seed_file", required=False),
    Field("source_file", required=False),
    Field("address"),
    Field("outlet"),
    Field("headline"),
    Field("author", required=False),
    Field("published", pattern=_PUBLISHED, pattern_words="a date as given: YYYY-MM-DD, YYYY-MM, YYYY or unknown"),
    Field("note", required=False),
)

METRIC_FIELDS = (
    Field("metric", pattern=_SNAKE, pattern_words="a snake_case id", unique=True),
    Field("theme", allowed=THEMES),
    Field("wording"),
    Field("direction", "int", min=-1, max=1),
    Field("family", pattern=_SNAKE, pattern_words="a snake_case id"),
)

CONFLICT_FIELDS = (
    Field("conflict_id", pattern=_ID, pattern_words="a lower-case id such as c01", unique=True),
    Field("kind", allowed=CONFLICT_KINDS),
    Field("findings"),
    Field("description"),
    Field("decision"),
    Field("set_aside", required=False),
)

FINDING_FIELDS = (
    Field("finding_id", pattern=_ID, pattern_words="a lower-case id such as lf16-01", unique=True),
    Field("study_id"),
    Field("source_id"),
    Field("theme", allowed=THEMES),
    Field("metric", pattern=_SNAKE, pattern_words="a snake_case id"),
    Field("group", allowed=GROUPS),
    Field("segment", required=False),
    Field("year", "int", required=False, min=1990, max=2100),
    Field("percent", "float", min=0, max=100),
    Field("qualifier", allowed=QUALIFIERS),
    Field("as_published", required=False),
    Field("base_n", "int", required=False, min=1),
    Field("base_n_kind", allowed=BASE_KINDS),
    Field("derived_from", required=False),
    Field("list_rank", "int", required=False, min=1),
    Field("note", required=False),
)

FILES = {"studies": "studies.csv", "sources": "sources.csv", "metrics": "metrics.csv", "findings": "findings.csv",
         "conflicts": "conflicts.csv"}


@dataclass(frozen=True)
class Dataset:
    """The validated tables of one dataset, each indexed by file line.

    ``findings`` carries one computed column, ``set_aside``: true for a figure that
    a recorded conflict decided to leave out of analyses.
    """

    findings: pd.DataFrame
    studies: pd.DataFrame
    sources: pd.DataFrame
    metrics: pd.DataFrame
    conflicts: pd.DataFrame
    folder: Path


def _reference_path(findings_path: Path | None, name: str, data_dir: Path) -> Path:
    """A reference table is taken from beside a custom findings file when present there."""
    if findings_path is not None:
        beside = findings_path.parent / FILES[name]
        if beside.is_file():
            return beside
    return data_dir / FILES[name]


def _base_problems(row: pd.Series, fpath: str, line: int, study: pd.Series | None) -> list[Problem]:
    """The rules that tie a finding's ``base_n`` to its ``base_n_kind``, group and study."""
    problems = []
    kind = "" if pd.isna(row["base_n_kind"]) else str(row["base_n_kind"])
    n = row["base_n"]
    if kind in KNOWN_KINDS and pd.isna(n):
        problems.append(Problem(fpath, line, "base_n", f"is blank but base_n_kind is '{kind}'"))
    if kind == "unknown" and not pd.isna(n):
        problems.append(Problem(fpath, line, "base_n", "has a value but base_n_kind is 'unknown'"))
    if kind.startswith("derived") and pd.isna(row["note"]) and pd.isna(row["derived_from"]):
        problems.append(Problem(fpath, line, "note", "a derived base needs a note saying how it was derived"))
    if row["group"] == "unspecified" and kind != "unknown":
        problems.append(Problem(fpath, line, "base_n_kind",
                                f"is '{kind}', but a figure whose respondent group is not named has no base: "
                                "use 'unknown' and leave base_n blank"))
    if study is None or pd.isna(study["respondents"]) or pd.isna(n):
        return problems
    total, qualifier = int(study["respondents"]), str(study["respondents_qualifier"])
    if qualifier == ">" and kind in ("reported", "derived"):
        better = "minimum" if kind == "reported" else "derived_minimum"
        problems.append(Problem(fpath, line, "base_n_kind",
                                f"is '{kind}', but study '{row['study_id']}' reports more than {total:,} respondents, "
                                f"so a base taken from it is a floor: use '{better}'"))
    if qualifier == "=" and int(n) > total:
        problems.append(Problem(fpath, line, "base_n",
                                f"{int(n):,} is more than the {total:,} respondents study '{row['study_id']}' had in all"))
    return problems


def _rank_problems(f: pd.DataFrame, fpath: str) -> list[Problem]:
    """Ranked lists (one per study and group) use competition ranking: equal figures share a rank.

    The rank of an item is 1 + the number of items in its list with a higher figure
    (34, 31, 31 rank 1, 2, 2; the next item ranks 4).
    """
    problems = []
    ranked = f[f["list_rank"].notna()]
    for _, lst in ranked.groupby(["study_id", "group"], sort=False):
        pct = lst["percent"].to_numpy(dtype=float)
        for (line, row), p in zip(lst.iterrows(), pct):
            expected = 1 + int((pct > p).sum())
            if int(row["list_rank"]) != expected:
                problems.append(Problem(fpath, int(line), "list_rank",
                                        f"is {int(row['list_rank'])}, but {row['percent']:g}% ranks {expected} in its list "
                                        "(equal figures share a rank; the next rank skips)"))
    return problems


def _cross_file_problems(ds: Dataset, paths: dict[str, Path]) -> list[Problem]:
    f, fpath = ds.findings, str(paths["findings"])
    problems: list[Problem] = []

    def refs(column: str, known: pd.Series, other: str) -> None:
        bad = f[column].notna() & ~f[column].isin(set(known.dropna()))
        for line, value in f.loc[bad, column].items():
            problems.append(Problem(fpath, int(line), column, f"'{value}' is not listed in {FILES[other]}"))

    refs("study_id", ds.studies["study_id"], "studies")
    refs("source_id", ds.sources["source_id"], "sources")
    refs("metric", ds.metrics["metric"], "metrics")

    theme_of = dict(zip(ds.metrics["metric"], ds.metrics["theme"]))
    studies = {r["study_id"]: r for _, r in ds.studies.iterrows()}
    for line, row in f.iterrows():
        expected = theme_of.get(row["metric"])
        if expected is not None and not pd.isna(row["theme"]) and row["theme"] != expected:
            problems.append(Problem(fpath, int(line), "theme",
                                    f"'{row['theme']}' differs from the theme of metric '{row['metric']}' "
                                    f"in metrics.csv ('{expected}')"))
        problems.extend(_base_problems(row, fpath, int(line), studies.get(row["study_id"])))

    ids = set(f["finding_id"])
    for line, value in f["derived_from"].dropna().items():
        if value not in ids:
            problems.append(Problem(fpath, int(line), "derived_from", f"'{value}' is not a finding_id in this file"))

    year_of = dict(zip(ds.studies["study_id"], ds.studies["year"]))
    for line, row in f.iterrows():
        if row["study_id"] not in year_of:
            continue
        sy, fy = year_of[row["study_id"]], row["year"]
        if pd.isna(sy) and not pd.isna(fy):
            problems.append(Problem(fpath, int(line), "year", f"is {int(fy)}, but study '{row['study_id']}' gives no "
                                                              "year: leave it blank (years are never guessed)"))
        elif not pd.isna(sy) and pd.isna(fy):
            problems.append(Problem(fpath, int(line), "year", f"is blank; study '{row['study_id']}' measured {int(sy)}"))
        elif not pd.isna(sy) and int(sy) != int(fy):
            problems.append(Problem(fpath, int(line), "year",
                                    f"{row['year']} differs from the year of study '{row['study_id']}' ({sy})"))

    problems.extend(_rank_problems(f, fpath))
    problems.extend(_agreement_problems(f, ds.conflicts, fpath))
    problems.extend(_conflict_problems(f, ds.conflicts, str(paths["conflicts"])))
    return problems


def figure_bounds(percent: float, qualifier: str) -> tuple[float, float]:
    """The range of true figures a published one allows: rounding for an exact figure, a margin for words, a bound."""
    if qualifier == ">":
        return percent, 100.0
    if qualifier == "<":
        return 0.0, percent
    half = APPROXIMATE_TOLERANCE if qualifier == "~" else AGREEMENT_TOLERANCE / 2
    return percent - half, percent + half


def disagreements(findings: pd.DataFrame) -> list[list[str]]:
    """Sets of rows that report the same figure (study, metric, group, segment, year) but cannot all be true.

    Each row allows a range (:func:`figure_bounds`); a set disagrees when the ranges
    have no point in common. Rows computed from others (``derived_from``) are left out.
    """
    f = findings[findings["derived_from"].isna()] if "derived_from" in findings else findings
    keys = ["study_id", "metric", "group", "segment", "year"]
    out = []
    for _, grp in f.groupby(keys, sort=False, dropna=False):
        if len(grp) < 2 or grp["percent"].isna().any():
            continue
        bounds = [figure_bounds(float(p), str(q)) for p, q in zip(grp["percent"], grp["qualifier"])]
        if max(lo for lo, _ in bounds) > min(hi for _, hi in bounds) + 1e-9:
            out.append(list(grp["finding_id"]))
    return out


def _ids(text: object) -> list[str]:
    return [] if pd.isna(text) else [t.strip() for t in str(text).split(";") if t.strip()]


def _agreement_problems(f: pd.DataFrame, conflicts: pd.DataFrame, fpath: str) -> list[Problem]:
    """Rows that disagree must be listed together in a conflict (``conflicts.csv``) with a decision."""
    recorded = [set(_ids(c)) for c in conflicts["findings"]] if len(conflicts) else []
    line_of = {fid: line for line, fid in f["finding_id"].items()}
    problems = []
    for ids in disagreements(f):
        if any(set(ids) <= rec for rec in recorded):  # one conflict names every row of the disagreement
            continue
        listing = ", ".join(f"{i} says {f.loc[line_of[i], 'qualifier'].replace('=', '')}{f.loc[line_of[i], 'percent']:g}%"
                            for i in ids)
        for i in ids:
            problems.append(Problem(fpath, int(line_of[i]), "percent",
                                    f"rows reporting the same figure disagree ({listing}) and no conflict in "
                                    "conflicts.csv records them"))
    return problems


def _set_aside(conflicts: pd.DataFrame) -> set[str]:
    return {i for c in conflicts.get("set_aside", pd.Series(dtype=object)) for i in _ids(c)}


def _conflict_problems(f: pd.DataFrame, conflicts: pd.DataFrame, cpath: str) -> list[Problem]:
    """Every finding a conflict names exists; what it sets aside is among what it names."""
    known = set(f["finding_id"])
    problems = []
    for line, row in conflicts.iterrows():
        named = _ids(row["findings"])
        for i in named:
            if i not in known:
                problems.append(Problem(cpath, int(line), "findings", f"'{i}' is not a finding_id in findings.csv"))
        for i in _ids(row["set_aside"]):
            if i not in named:
                problems.append(Problem(cpath, int(line), "set_aside", f"'{i}' is not among this conflict's findings"))
    return problems


def load_dataset(findings_path: str | os.PathLike | None = None,
                 data_dir: str | os.PathLike | None = None) -> Dataset:
    """Load and validate the dataset.

    Parameters
    ----------
    findings_path:
        A findings CSV to use instead of the shipped one. Studies, sources and
        metrics are read from the same folder when present there, else from
        ``data_dir``.
    data_dir:
        Folder of the reference tables; defaults to the shipped ``data/``.

    Raises
    ------
    DataValidationError
        Listing every problem, in every file, with file, line and column.
    """
    data_dir = Path(data_dir) if data_dir else DATA_DIR
    fpath = Path(findings_path) if findings_path else None
    paths = {name: _reference_path(fpath, name, data_dir) for name in FILES}
    if fpath is not None:
        paths["findings"] = fpath
    specs = {"studies": STUDY_FIELDS, "sources": SOURCE_FIELDS, "metrics": METRIC_FIELDS, "findings": FINDING_FIELDS,
             "conflicts": CONFLICT_FIELDS}
    tables, problems = {}, []
    for name, fields in specs.items():
        tables[name], found = check_table(paths[name], fields, what=f"{name} file")
        problems.extend(found)
    if any(t is None for t in tables.values()):
        raise DataValidationError(problems, "dataset")
    ds = Dataset(folder=paths["findings"].parent, **tables)
    problems.extend(_cross_file_problems(ds, paths))
    if problems:
        raise DataValidationError(problems, "dataset")
    ds.findings["set_aside"] = ds.findings["finding_id"].isin(_set_aside(ds.conflicts))
    return ds


def load_findings(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Validated findings (one row per published figure), checked against the reference tables."""
    return load_dataset(path).findings


def load_studies(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Validated studies table (one row per survey wave)."""
    return read_table(Path(path) if path else DATA_DIR / FILES["studies"], STUDY_FIELDS, "studies file")


def load_sources(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Validated sources table (one row per article)."""
    return read_table(Path(path) if path else DATA_DIR / FILES["sources"], SOURCE_FIELDS, "sources file")


def load_metrics(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Validated metrics table (one row per question, with theme and paraphrased wording)."""
    return read_table(Path(path) if path else DATA_DIR / FILES["metrics"], METRIC_FIELDS, "metrics file")


def select_studies(findings: pd.DataFrame, studies: list[str] | tuple[str, ...] | None,
                   known: pd.Series | None = None) -> pd.DataFrame:
    """Keep the findings of the listed studies; an empty or missing list keeps all.

    Raises :class:`ValueError` naming any requested study that is not known.
    """
    if not studies:
        return findings
    pool = set(known if known is not None else findings["study_id"])
    unknown = [s for s in studies if s not in pool]
    if unknown:
        raise ValueError(f"unknown study id(s): {', '.join(map(str, unknown))}; known: {', '.join(sorted(pool))}")
    return findings[findings["study_id"].isin(studies)]


def distinct_figures(findings: pd.DataFrame) -> pd.DataFrame:
    """One row per (study, metric, group, segment, year): published rows win over derived ones.

    Where two articles report the same figure the first row in file order is kept;
    rows a recorded conflict set aside (``set_aside``) are left out.
    """
    if findings.empty:
        return findings
    if "set_aside" in findings:
        findings = findings[~findings["set_aside"].astype(bool)]
    keys = ["study_id", "metric", "group", "segment", "year"] if "segment" in findings else \
        ["study_id", "metric", "group", "year"]
    order = findings["derived_from"].notna().to_numpy().argsort(kind="stable")
    return findings.iloc[order].drop_duplicates(keys).sort_index()


def source_table(ds: Dataset) -> pd.DataFrame:
    """One row per article: outlet, headline, author, publication date (YYYY-MM-DD), the studies it reports
    (their labels), how many figures it gave and its web address (empty where unknown).
    The sources page and the workbook's sources sheet."""
    labels = dict(zip(ds.studies["study_id"], ds.studies["label"]))
    src = ds.sources
    f = ds.findings
    return pd.DataFrame({
        "outlet": src["outlet"].astype(str).to_list(),
        "headline": src["headline"].astype(str).to_list(),
        "author": src["author"].fillna("").astype(str).to_list(),
        "published": src["published"].astype(str).to_list(),
        "studies": [", ".join(labels.get(x, x) for x in dict.fromkeys(f.loc[f["source_id"] == sid, "study_id"])) or "—"
                    for sid in src["source_id"]],
        "figures": [int((f["source_id"] == sid).sum()) for sid in src["source_id"]],
        "address": [a if isinstance(a, str) and a.startswith(("http://", "https://")) else ""
                    for a in src["address"]],
    }, index=src["source_id"].to_list())


def summary(ds: Dataset) -> pd.DataFrame:
    """Figures per study and theme (one row per study): a compact overview of what the dataset holds."""
    return pd.crosstab(ds.findings["study_id"], ds.findings["theme"], margins=True, margins_name="total")
