"""The rules that span the dataset's files: references, themes, years, bases, ranks and conflicts.

Each function returns :class:`~cmocio.errors.Problem` items (file, line, column, message); nothing
is raised here. :func:`cross_file_problems` runs them all, with the rules on provenance
(:mod:`.provenance`) and on questions (:mod:`.questions`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import Problem
from .fields import FILES, KNOWN_KINDS
from .figures import disagreements, id_list
from .provenance import provenance_problems
from .questions import question_problems

if TYPE_CHECKING:
    from .load import Dataset


def _base_problems(row: dict, fpath: str, line: int, study: dict | None) -> list[Problem]:
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


def cross_file_problems(ds: Dataset, paths: dict[str, Path]) -> list[Problem]:
    """Every rule that spans the files, each problem with file, line and column."""
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
    studies = {r["study_id"]: r for r in ds.studies.to_dict("records")}
    records = f[["study_id", "metric", "theme", "group", "base_n", "base_n_kind", "note", "derived_from",
                 "year"]].to_dict("records")
    for line, row in zip(f.index, records):
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
    for line, row in zip(f.index, records):
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
    problems.extend(provenance_problems(ds, paths))
    problems.extend(question_problems(ds, paths))
    return problems


def _agreement_problems(f: pd.DataFrame, conflicts: pd.DataFrame, fpath: str) -> list[Problem]:
    """Rows that disagree must be listed together in a conflict (``conflicts.csv``) with a decision."""
    recorded = [set(id_list(c)) for c in conflicts["findings"]] if len(conflicts) else []
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


def _conflict_problems(f: pd.DataFrame, conflicts: pd.DataFrame, cpath: str) -> list[Problem]:
    """Every finding a conflict names exists; what it sets aside is among what it names."""
    known = set(f["finding_id"])
    problems = []
    for line, row in conflicts.iterrows():
        named = id_list(row["findings"])
        for i in named:
            if i not in known:
                problems.append(Problem(cpath, int(line), "findings", f"'{i}' is not a finding_id in findings.csv"))
        for i in id_list(row["set_aside"]):
            if i not in named:
                problems.append(Problem(cpath, int(line), "set_aside", f"'{i}' is not among this conflict's findings"))
    return problems


