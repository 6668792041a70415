"""A folder of exports, one per organisation: which file is whose, and which mapping reads it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataValidationError, Problem

#: File endings read as survey exports; anything else in the folder is left alone.
EXPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".sav")
MAPPING_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Organisation:
    """One organisation of the portfolio: its id (for file names), its name as given, its export and mapping."""

    id: str
    name: str
    export: Path
    mapping: Path | None


def organisation_id(name: str) -> str:
    """A file-safe id from an export's name: lower case, letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "organisation"


def discover(exports_dir: str | Path, mapping: str | Path | None = None) -> list[Organisation]:
    """One organisation per export file in ``exports_dir``, sorted by id.

    A mapping beside an export with the same name (``acme.csv`` and ``acme.yaml``)
    is that organisation's own; otherwise ``mapping`` (the ``--mapping`` file) is
    used; with neither, the export must be in the canonical layout.
    """
    folder = Path(exports_dir)
    if not folder.is_dir():
        raise DataValidationError([Problem(str(folder), None, None, "is not a folder of exports")], "portfolio")
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
    mappings = {p.stem: p for p in files if p.suffix.lower() in MAPPING_SUFFIXES}
    default = Path(mapping) if mapping else None
    if default is not None and not default.is_file():
        raise DataValidationError([Problem(str(default), None, None, "mapping file not found")], "portfolio")
    orgs: dict[str, Organisation] = {}
    problems = []
    for p in files:
        if p.suffix.lower() not in EXPORT_SUFFIXES:
            continue
        oid = organisation_id(p.stem)
        if oid in orgs:
            problems.append(Problem(str(p), None, None, f"has the same organisation id ({oid!r}) as "
                                                       f"{orgs[oid].export.name}; rename one of them"))
            continue
        orgs[oid] = Organisation(oid, p.stem, p, mappings.get(p.stem, default))
    if problems:
        raise DataValidationError(problems, "portfolio")
    if not orgs:
        raise DataValidationError([Problem(str(folder), None, None,
                                           f"holds no exports (files ending {', '.join(EXPORT_SUFFIXES)})")],
                                  "portfolio")
    return [orgs[k] for k in sorted(orgs)]
