"""Loading the curated survey dataset: the five tables, typed and validated together.

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

from ..errors import DataValidationError
from ..paths import DATA_DIR
from ..tables import check_table, read_table
from .fields import FILES, METRIC_FIELDS, SOURCE_FIELDS, SPECS, STUDY_FIELDS
from .figures import set_aside_ids
from .rules import cross_file_problems


@dataclass(frozen=True)
class Dataset:
    """The validated tables of one dataset, each indexed by file line.

    ``findings`` carries computed columns: ``set_aside`` (true for a figure that a recorded
    conflict decided to leave out of analyses), ``publisher`` (of its article, from
    ``sources.csv``), and ``question`` and ``role`` (of its metric, from ``metrics.csv``).
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

def _add_computed_columns(ds: Dataset) -> None:
    """Columns of the findings looked up from the other tables (see :class:`Dataset`)."""
    f = ds.findings
    f["set_aside"] = f["finding_id"].isin(set_aside_ids(ds.conflicts))
    f["publisher"] = f["source_id"].map(dict(zip(ds.sources["source_id"], ds.sources["publisher"])))
    for column in ("question", "role"):
        f[column] = f["metric"].map(dict(zip(ds.metrics["metric"], ds.metrics[column])))


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
    tables, problems = {}, []
    for name, fields in SPECS.items():
        tables[name], found = check_table(paths[name], fields, what=f"{name} file")
        problems.extend(found)
    if any(t is None for t in tables.values()):
        raise DataValidationError(problems, "dataset")
    ds = Dataset(folder=paths["findings"].parent, **tables)
    problems.extend(cross_file_problems(ds, paths))
    if problems:
        raise DataValidationError(problems, "dataset")
    _add_computed_columns(ds)
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


def source_table(ds: Dataset) -> pd.DataFrame:
    """One row per article: outlet, headline, author, publication date (YYYY-MM-DD), who published it (the
    survey's sponsor or another outlet), the studies it reports (their labels), how many figures it gave
    and its web address (empty where unknown). The sources page and the workbook's sources sheet."""
    labels = dict(zip(ds.studies["study_id"], ds.studies["label"]))
    src = ds.sources
    f = ds.findings
    return pd.DataFrame({
        "outlet": src["outlet"].astype(str).to_list(),
        "headline": src["headline"].astype(str).to_list(),
        "author": src["author"].fillna("").astype(str).to_list(),
        "published": src["published"].astype(str).to_list(),
        "publisher": ["the sponsor" if p == "sponsor" else "another outlet" for p in src["publisher"]],
        "studies": [", ".join(labels.get(x, x) for x in dict.fromkeys(f.loc[f["source_id"] == sid, "study_id"])) or "—"
                    for sid in src["source_id"]],
        "figures": [int((f["source_id"] == sid).sum()) for sid in src["source_id"]],
        "address": [a if isinstance(a, str) and a.startswith(("http://", "https://")) else ""
                    for a in src["address"]],
    }, index=src["source_id"].to_list())


def summary(ds: Dataset) -> pd.DataFrame:
    """Figures per study and theme (one row per study): a compact overview of what the dataset holds."""
    return pd.crosstab(ds.findings["study_id"], ds.findings["theme"], margins=True, margins_name="total")
