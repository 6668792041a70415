"""The dataset as a Frictionless Data Package: current with the schemas, and valid."""

from __future__ import annotations

import json
import shutil

import frictionless
import pytest

from cmocio import datapackage
from cmocio.data import DATA_DIR, FILES

from .conftest import ROOT, edit_csv


def test_the_committed_descriptor_is_current():
    committed = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    assert committed == datapackage.descriptor(), "run: python -m cmocio datapackage"


def test_the_shipped_tables_validate_against_it():
    report = frictionless.validate(str(DATA_DIR / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


@pytest.mark.parametrize("old, new, error", [
    ("relationship_collaborative,it,,2016", "relationship_collaborative,cio,,2016", "constraint-error"),
    ("lf16-01,leapfrog-2016", "lf16-01,leapfrog-2061", "foreign-key"),
])
def test_a_broken_table_fails_frictionless_too(tmp_path, old, new, error):
    for name in FILES.values():
        shutil.copy(DATA_DIR / name, tmp_path / name)
    shutil.copy(DATA_DIR / "datapackage.json", tmp_path / "datapackage.json")
    edit_csv(tmp_path / "findings.csv", old, new)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert error in {e[0] for e in report.flatten(["type"])}


def test_citation_file_names_the_project():
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert text.startswith("cff-version: 1.2.0") and "title:" in text and "license: MIT" in text
