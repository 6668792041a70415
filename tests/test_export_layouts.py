"""Exports as they turn up in the wild: older Qualtrics layouts, SurveyMonkey without Collector ID, SPSS files
whose codes run the other way, each tool's default answer scales, and files in no known layout.

Every fixture is written here from made-up respondents, in the layout of the real files (header rows, metadata
columns, quoting, value labels); nothing is copied from anyone's data.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cmocio import DataValidationError, survey
from cmocio.survey import synthetic

Q = survey.load_questions()
QIDS = list(Q["question_id"])
FIXTURES = Path(__file__).parent / "fixtures" / "exports"
MAPS = survey.MAPPINGS_DIR


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    return synthetic.synthetic_people(Q, n=200, seed=7)  # the people of tests/fixtures/exports


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return survey.convert(FIXTURES / "qualtrics_numeric.csv", survey.load_mapping(MAPS / "qualtrics.yaml", Q), Q)[0]


def _mapping(tmp_path: Path, template: str, *edits: tuple[str, str], name: str = "m.yaml") -> survey.Mapping:
    text = (MAPS / template).read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    (tmp_path / name).write_text(text, encoding="utf-8")
    return survey.load_mapping(tmp_path / name, Q)


def _problems(path: Path, mapping: survey.Mapping) -> list[str]:
    with pytest.raises(DataValidationError) as info:
        survey.convert(path, mapping, Q)
    return [str(p) for p in info.value.problems]


# --- layouts ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("writer, numeric, source", [
    (synthetic.write_qualtrics_legacy, True, "Qualtrics CSV (legacy layout, numeric values)"),
    (synthetic.write_qualtrics_2017, True, "Qualtrics CSV (2017 layout, numeric values)"),
    (synthetic.write_qualtrics_2017, False, "Qualtrics CSV (2017 layout, choice text)"),
])
def test_older_qualtrics_layouts_read_as_the_current_one(tmp_path, people, reference, writer, numeric, source):
    path = writer(people, Q, tmp_path / "export.csv", numeric=numeric)
    mapping = _mapping(tmp_path, "qualtrics.yaml", ("respondent_id: ResponseId", "respondent_id: ResponseID"))
    frame, report = survey.convert(path, mapping, Q)
    assert report.source == source
    pd.testing.assert_frame_equal(frame, reference)
    assert {"IPAddress", "EmailAddress" if "legacy" in source else "RecipientEmail"} <= set(report.metadata_dropped)


@pytest.mark.parametrize("column", ["EmailAddress", "ExternalDataReference", "Name"])
def test_the_identifying_columns_of_older_layouts_cannot_be_mapped(tmp_path, column):
    with pytest.raises(DataValidationError, match=f"column '{column}' identifies a person"):
        _mapping(tmp_path, "qualtrics.yaml", ("region: {column: Q3", f"region: {{column: {column}"))


def test_surveymonkey_without_its_collector_id_column(tmp_path, people, reference):
    rows = [r[:1] + r[2:] for r in synthetic._surveymonkey_rows(people, Q)]
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path = tmp_path / "monkey.csv"
    path.write_bytes(buf.getvalue().encode("utf-8"))
    frame, report = survey.convert(path, _mapping(tmp_path, "surveymonkey.yaml", ("format: surveymonkey\n", "")), Q)
    assert report.source == "SurveyMonkey" and "Collector ID" not in report.metadata_dropped
    pd.testing.assert_frame_equal(frame, reference)


def test_a_file_in_no_known_layout_is_refused_by_name_not_read_as_answers(tmp_path):
    lines = ["Submitted,Team,Relationship is collaborative", "2025-03-03,Marketing,Agree",
             "2025-03-04,IT / Technology,Disagree"]
    path = tmp_path / "other_tool.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "m.yaml").write_text("function: {column: Team, marketing: Marketing, it: IT / Technology}\n"
                                     "questions: {q01: Relationship is collaborative}\n", encoding="utf-8")
    texts = _problems(path, survey.load_mapping(tmp_path / "m.yaml", Q))
    assert len(texts) == 1 and texts[0].startswith("other_tool.csv, row 1: layout not recognised")
    for kind in ("qualtrics", "surveymonkey", "google-forms", "microsoft-forms", "spss", "plain"):
        assert f"{kind} (" in texts[0]
    with (tmp_path / "m.yaml").open("a", encoding="utf-8") as fh:  # as the message says, format: plain reads it
        fh.write("format: plain\n")
    frame, _ = survey.convert(path, survey.load_mapping(tmp_path / "m.yaml", Q), Q)
    assert frame["function"].tolist() == ["marketing", "it"] and frame["q01"].tolist() == [1, 0]
