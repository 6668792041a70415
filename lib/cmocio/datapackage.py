"""The dataset as a Frictionless Data Package (``data/datapackage.json``), from the same column specs validate uses.

R, JavaScript and spreadsheet users load the five tables with their own tools
from the descriptor; ``python -m cmocio datapackage`` rewrites it after a schema
change, and the tests check that the committed file is current and valid.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .cli import DONE
from .data import DATA_DIR, FILES, SPECS
from .tables import Field

_TYPES = {"str": "string", "int": "integer", "float": "number", "date": "date"}
_DESCRIPTIONS = {
    "studies": "One row per survey wave: sponsor, title, year measured, respondents as reported and functional split.",
    "sources": "One row per article that printed the figures: archived file, address, outlet, headline, author, "
               "publication date as given, publisher (the sponsor itself or another outlet) and the studies it reports.",
    "metrics": "One row per metric: paraphrased wording, theme, favourable direction, family of comparable questions, "
               "and the survey question it belongs to with its role there (headline, category, sum or complement).",
    "findings": "One row per published figure, with its study, article, group, segment, qualifier, base, base kind "
                "and the article that prints the base.",
    "conflicts": "One row per disagreement between articles: the figures involved, the decision taken and why, and "
                 "the figures set aside from analyses.",
}
_KEYS = {"studies": "study_id", "sources": "source_id", "metrics": "metric", "findings": "finding_id",
         "conflicts": "conflict_id"}
_FOREIGN = {"findings": [("study_id", "studies", "study_id"), ("source_id", "sources", "source_id"),
                         ("metric", "metrics", "metric"), ("derived_from", "findings", "finding_id"),
                         ("base_source", "sources", "source_id")],
            "metrics": [("question", "metrics", "metric")]}


def _field(f: Field) -> dict[str, Any]:
    out: dict[str, Any] = {"name": f.name, "type": _TYPES[f.kind]}
    constraints: dict[str, Any] = {}
    if f.required:
        constraints["required"] = True
    if f.unique:
        constraints["unique"] = True
    if f.allowed:
        constraints["enum"] = list(f.allowed)
    if f.pattern:
        constraints["pattern"] = f.pattern
    if f.min is not None:
        constraints["minimum"] = int(f.min) if f.kind == "int" else f.min
    if f.max is not None:
        constraints["maximum"] = int(f.max) if f.kind == "int" else f.max
    if constraints:
        out["constraints"] = constraints
    if f.pattern_words:
        out["description"] = f"e.g. {f.pattern_words.removeprefix('a ').removeprefix('an ')}"
    return out


def descriptor() -> dict[str, Any]:
    """The Data Package descriptor of the five tables."""
    resources = []
    for name, fields in SPECS.items():
        schema: dict[str, Any] = {"fields": [_field(f) for f in fields], "primaryKey": [_KEYS[name]],
                                  "missingValues": [""]}
        if name in _FOREIGN:
            schema["foreignKeys"] = [{"fields": [col], "reference": {"resource": "" if ref == name else ref,
                                                                     "fields": [key]}}
                                     for col, ref, key in _FOREIGN[name]]
        resources.append({"name": name, "path": FILES[name], "profile": "tabular-data-resource",
                          "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                          "description": _DESCRIPTIONS[name], "schema": schema})
    return {
        "profile": "tabular-data-package",
        "name": "cmo-cio-alignment-survey-figures",
        "title": "Published survey figures on CMO–CIO (marketing–IT) alignment",
        "description": ("Every figure that published articles report from surveys of marketing and IT leaders, "
                        "with its article, study, respondent group, qualifier and base. Wordings are paraphrased; "
                        "see README.md for the data dictionary and the rules validate enforces."),
        "resources": resources,
    }


def write(path: Path | None = None) -> Path:
    """Write the descriptor (default ``data/datapackage.json``); returns its path."""
    path = path or DATA_DIR / "datapackage.json"
    path.write_text(json.dumps(descriptor(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def add_arguments(p: argparse.ArgumentParser) -> None:
    """``python -m cmocio datapackage`` takes no options: it rewrites ``data/datapackage.json``."""


def main(args: argparse.Namespace) -> int:
    """Entry point of ``python -m cmocio datapackage``; returns the exit code (:mod:`cmocio.cli`)."""
    print(f"wrote {write()}")
    return DONE
