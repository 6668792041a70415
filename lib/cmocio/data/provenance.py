"""Rules on where figures come from: who published each article, which studies it reports, where a base is
printed, and which waves form a series."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import Problem
from .fields import FILES

if TYPE_CHECKING:
    from .load import Dataset


def _split(text: object) -> list[str]:
    return [] if pd.isna(text) else [t.strip() for t in str(text).split(";") if t.strip()]


def _names(study: dict) -> set[str]:
    """The sponsor and partners of a study, compared without case."""
    return {n.lower() for n in [str(study["sponsor"]), *_split(study["partners"])]}


def _source_problems(ds: Dataset, spath: str) -> list[Problem]:
    """A source lists known studies; a sponsor's publication reports studies that share a sponsor or partner."""
    studies = ds.studies.drop_duplicates("study_id").set_index("study_id")  # a repeated id is reported elsewhere
    names = {sid: _names(row) for sid, row in zip(studies.index, studies[["sponsor", "partners"]].to_dict("records"))}
    problems = []
    for line, row in zip(ds.sources.index, ds.sources[["studies", "publisher"]].to_dict("records")):
        listed = _split(row["studies"])
        for sid in listed:
            if sid not in studies.index:
                problems.append(Problem(spath, int(line), "studies", f"'{sid}' is not listed in {FILES['studies']}"))
        known = [s for s in listed if s in studies.index]
        if row["publisher"] != "sponsor" or not known:
            continue
        shared = set.intersection(*(names[s] for s in known))
        if not shared:
            problems.append(Problem(spath, int(line), "publisher",
                                    f"is 'sponsor', but its studies ({', '.join(known)}) have no sponsor or partner "
                                    "in common: one publisher cannot be the sponsor of all of them; use 'secondary'"))
    return problems


def _finding_problems(ds: Dataset, fpath: str) -> list[Problem]:
    """A finding's study is among its article's studies; a base names the article that prints it."""
    reports = {sid: set(_split(s)) for sid, s in zip(ds.sources["source_id"], ds.sources["studies"])}
    known_studies = set(ds.studies["study_id"])
    problems = []
    f = ds.findings
    columns = ["study_id", "source_id", "base_source", "base_n", "base_n_kind", "group"]
    for line, row in zip(f.index, f[columns].to_dict("records")):
        study, source, base_source = row["study_id"], row["source_id"], row["base_source"]
        if source in reports and study in known_studies and study not in reports[source]:
            problems.append(Problem(fpath, int(line), "source_id",
                                    f"article '{source}' does not list study '{study}' in the 'studies' column "
                                    f"of {FILES['sources']}"))
        has_base, has_source = not pd.isna(row["base_n"]), not pd.isna(base_source)
        if has_base and not has_source and row["group"] != "unspecified":  # that base is an error of its own
            problems.append(Problem(fpath, int(line), "base_source",
                                    "is blank, but base_n has a value: name the article that prints the base "
                                    "(its own source_id when it prints it)"))
        elif has_source and not has_base and row["base_n_kind"] == "unknown":
            problems.append(Problem(fpath, int(line), "base_source",
                                    f"is '{base_source}', but base_n is blank: leave base_source blank"))
        elif has_source and base_source not in reports:
            problems.append(Problem(fpath, int(line), "base_source",
                                    f"'{base_source}' is not listed in {FILES['sources']}"))
        elif has_source and study in known_studies and study not in reports[base_source]:
            problems.append(Problem(fpath, int(line), "base_source",
                                    f"'{base_source}' does not report study '{study}' (its 'studies' in "
                                    f"{FILES['sources']}): a base is taken from an article about the same wave"))
    return problems


def _series_problems(ds: Dataset, spath: str) -> list[Problem]:
    """A series joins waves of one survey programme: one sponsor, one named programme, one wave a year."""
    problems = []
    first: dict[str, dict] = {}  # the first wave of each series, in file order
    years: dict[str, set] = {}
    st = ds.studies
    for line, row in zip(st.index, st[["series", "sponsor", "programme", "year"]].to_dict("records")):
        series = row["series"]
        if pd.isna(series):
            continue
        if pd.isna(row["programme"]):
            problems.append(Problem(spath, int(line), "programme",
                                    f"is blank, but the study is in series '{series}': name the survey "
                                    "programme its waves belong to"))
        lead = first.setdefault(series, row)
        for column in ("sponsor", "programme"):
            if lead is not row and not pd.isna(row[column]) and not pd.isna(lead[column]) and row[column] != lead[column]:
                problems.append(Problem(spath, int(line), column,
                                        f"'{row[column]}' differs from '{lead[column]}' of another wave of series "
                                        f"'{series}': a series joins waves of one survey programme only"))
        if not pd.isna(row["year"]):
            if int(row["year"]) in years.setdefault(series, set()):
                problems.append(Problem(spath, int(line), "year",
                                        f"{int(row['year'])} is the year of another wave of series '{series}': "
                                        "a series has one wave a year"))
            years[series].add(int(row["year"]))
    return problems


def provenance_problems(ds: Dataset, paths: dict[str, Path]) -> list[Problem]:
    """Publisher, studies reported, base sources and series, each problem with file, line and column."""
    return (_source_problems(ds, str(paths["sources"])) + _finding_problems(ds, str(paths["findings"]))
            + _series_problems(ds, str(paths["studies"])))
