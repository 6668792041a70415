"""Identifying columns are refused by what they are, absurd weights by row, and no message quotes free text."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cmocio import DataValidationError, survey
from cmocio.survey import synthetic
from cmocio.survey.identifying import CONTACT_FIELDS, safe_message, safe_value

Q = survey.load_questions()
MAPS = survey.MAPPINGS_DIR
PEOPLE = synthetic.synthetic_people(Q, n=200, seed=7)


def _mapping(tmp_path: Path, name: str, edit) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(edit((MAPS / f"{name}.yaml").read_text(encoding="utf-8")), encoding="utf-8")
    return path


def _refused(call) -> list[str]:
    with pytest.raises(DataValidationError) as info:
        call()
    return [str(p) for p in info.value.problems]


def test_a_surveymonkey_contact_field_is_refused_as_a_segment(tmp_path):
    export = synthetic.write_surveymonkey_csv(PEOPLE, Q, tmp_path / "monkey.csv", contact=True)
    columns = survey.open_export(export).columns
    for field in CONTACT_FIELDS:
        column = f"Contact information | {field}"
        assert column in columns
        path = _mapping(tmp_path, "surveymonkey", lambda t: t.replace(
            "region: Which region are you based in?", f'region: "{column}"'))
        texts = _refused(lambda: survey.load_mapping(path, Q))
        assert texts == [f"surveymonkey.yaml, column 'segments.region': '{column}' identifies a person or a place "
                         "(a contact-information field) and cannot be a question, segment, weight, wave or function"]


@pytest.mark.parametrize("key, column", [
    ("wave", "ResponseId"), ("region", "RecordedDate"), ("region", "StartDate"), ("wave", "EndDate"),
    ("region", "IPAddress"), ("region", "RecipientEmail"), ("region", "RecipientFirstName"),
    ("region", "ExternalReference"), ("region", "LocationLatitude"), ("region", "DistributionChannel"),
    ("wave", "UserLanguage"), ("region", "Q_RecaptchaScore"),
    ("region", "Respondent ID"), ("region", "Collector ID"), ("wave", "Start Date"), ("region", "IP Address"),
    ("region", "Email Address"), ("region", "First Name"), ("region", "Last Name"), ("region", "Custom Data 2"),
    ("wave", "Timestamp"), ("region", "Email address"), ("region", "Score"),
    ("region", "ID"), ("wave", "Start time"), ("wave", "Completion time"), ("region", "Email"), ("region", "Name"),
    ("wave", "Last modified time"), ("region", "Total points"), ("region", "Quiz feedback"),
    ("region", "recipient  email"), ("region", "Work e-mail"), ("region", "respondent_id"),
])
def test_metadata_and_contact_columns_of_every_tool_are_refused_by_name(tmp_path, key, column):
    def edit(text: str) -> str:
        if key == "wave":
            return text.replace('wave: "2025"', f'wave: {{column: "{column}"}}')
        return text.replace("region: {column: Q3", f'region: {{column: "{column}"')

    texts = _refused(lambda: survey.load_mapping(_mapping(tmp_path, "qualtrics", edit), Q))
    assert len(texts) == 1 and "identifies a person or a place" in texts[0]
    assert f"column '{'wave' if key == 'wave' else 'segments.region'}'" in texts[0]


def test_question_statements_that_mention_e_mail_stay_usable():
    from cmocio.survey.identifying import identifying_name

    assert identifying_name("How far do you agree? | We plan e-mail campaigns together.", question=True) is None
    assert identifying_name("We plan e-mail campaigns together.") == "an e-mail column"
    assert identifying_name("Q4_1") is None and identifying_name("Which region are you based in?") is None


def _qualtrics(tmp_path: Path, people: pd.DataFrame) -> Path:
    return synthetic.write_qualtrics(people, Q, tmp_path / "export.csv")


def _convert(export: Path, mapping: Path):
    return survey.convert(export, survey.load_mapping(mapping, Q), Q)


@pytest.mark.parametrize("values, reason", [
    (lambda p: p["email"], "holds e-mail addresses"),
    (lambda p: p["start"].dt.strftime("%Y-%m-%d %H:%M:%S"), "holds times of day"),
    (lambda p: [f"{d:%Y-%m-%d}" for d in pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(len(p)), "D")],
     "holds dates that most respondents share with no one"),
    (lambda p: [f"Team {i % 40:02d}" for i in range(len(p))], "has 40 distinct values for 184 respondents; a "
                                                               "segment may have at most n / 5 = 36"),
])
def test_a_segment_whose_values_identify_is_refused_without_quoting_them(tmp_path, values, reason):
    people = PEOPLE.assign(region=list(values(PEOPLE)))
    export = _qualtrics(tmp_path, people)
    texts = _refused(lambda: _convert(export, MAPS / "qualtrics.yaml"))
    assert len(texts) == 1 and texts[0].startswith("export.csv, column 'Q3': ") and reason in texts[0], texts
    assert not any(str(v) in texts[0] for v in people["region"])


def test_a_wave_of_timestamps_is_refused_and_years_quarters_and_months_are_not(tmp_path):
    wave = _mapping(tmp_path, "qualtrics", lambda t: t.replace('wave: "2025"', "wave: {column: Q3}").replace(
        "  region: {column: Q3, values: {1: Americas, 2: EMEA, 3: APAC}}\n", ""))
    stamps = PEOPLE.assign(region=PEOPLE["end"].dt.strftime("%Y-%m-%dT%H:%M"))
    texts = _refused(lambda: _convert(_qualtrics(tmp_path, stamps), wave))
    assert len(texts) == 1 and "column 'Q3': holds times of day" in texts[0] and "2025-03" not in texts[0]
    for labels in (["2024", "2025"], ["2025-Q1", "2025-Q2"], ["2025-03", "2025-04"], ["2025-03-01", "2025-09-01"]):
        people = PEOPLE.assign(region=np.resize(labels, len(PEOPLE)))
        frame, report = _convert(_qualtrics(tmp_path, people), wave)
        assert sorted(report.by_wave) == labels


def _plain(tmp_path: Path, frame: pd.DataFrame) -> Path:
    path = tmp_path / "responses.csv"
    frame.to_csv(path, index=False)
    return path


def test_a_canonical_file_is_held_to_the_same_rules(tmp_path):
    base = survey.synthetic_responses(Q, n=60, seed=3)
    emails = base.assign(segment_business_unit=[f"person{i}@example.org" for i in range(60)])
    texts = _refused(lambda: survey.load_responses(_plain(tmp_path, emails), Q))
    assert texts == ["responses.csv, column 'segment_business_unit': holds e-mail addresses; a segment must be a "
                     "category such as a business unit"]
    many = base.assign(segment_business_unit=[f"Unit {i % 13}" for i in range(60)])  # 13 > 60 / 5
    texts = _refused(lambda: survey.load_responses(_plain(tmp_path, many), Q))
    assert len(texts) == 1 and "has 13 distinct values for 60 respondents" in texts[0]
    stamps = base.assign(wave=[f"2025-03-{1 + i % 28:02d} 10:{i % 60:02d}" for i in range(60)])
    texts = _refused(lambda: survey.load_responses(_plain(tmp_path, stamps), Q))
    assert len(texts) == 1 and texts[0].startswith("responses.csv, column 'wave': holds times of day")
    named = base.rename(columns={"segment_business_unit": "segment_recipient_email"})
    texts = _refused(lambda: survey.load_responses(_plain(tmp_path, named), Q))
    assert texts[0].startswith("responses.csv, line 1, column 'segment_recipient_email': identifies a person")
    quarters = base.assign(wave=np.resize(["2025-Q1", "2025-Q2"], 60))
    assert set(survey.load_responses(_plain(tmp_path, quarters), Q)["wave"]) == {"2025-Q1", "2025-Q2"}


@pytest.mark.parametrize("weight, message", [
    (1e200, "is larger than 1e+12, the largest weight accepted"),
    (5e7, "is more than 1e+06 times the median weight of the file"),
])
def test_an_absurd_weight_is_refused_with_row_and_column(tmp_path, weight, message):
    frame = survey.synthetic_responses(Q, n=60, seed=3)
    frame.loc[7, "weight"] = weight
    texts = _refused(lambda: survey.load_responses(_plain(tmp_path, frame), Q))
    assert texts == [f"responses.csv, line 9, column 'weight': {message}"]
    people = PEOPLE.assign(weight=PEOPLE["weight"].where(PEOPLE.index != 7, weight))
    mapping = _mapping(tmp_path, "qualtrics", lambda t: t.replace("# weight: weight", "weight: weight"))
    texts = _refused(lambda: _convert(_qualtrics(tmp_path, people), mapping))
    assert texts == [f"export.csv, row 11, column 'weight': {message}"]


NAMES = ["Jane Doe, CFO", "Head of Marketing", "Jane", "Smith", "VP IT", "CFO", "Kim Placeholder (Chief Digital "
         "Officer)", "R_0001xQzxQz", "114000007919", "Ms J. Doe"]


def test_no_message_quotes_a_name_or_a_job_title(tmp_path):
    people = PEOPLE.copy()
    for i, text in enumerate(NAMES):
        people.loc[10 + i, "function"] = text  # the function question
        people.loc[40 + i, "q03"] = text  # an agreement question
    people.loc[60, "q05"], people.loc[61, "q05"] = "7", "-99"
    people.loc[62, "function"] = "Somewhat agree"  # a label of a known scale, not placed as a function
    texts = _refused(lambda: _convert(_qualtrics(tmp_path, people), MAPS / "qualtrics.yaml"))
    whole = "\n".join(texts)
    for text in NAMES:
        assert text not in whole
    assert "export.csv, row 14, column 'Q1': a text of 13 characters is not placed by the mapping" in whole
    for quoted in ("value '7'", "value '-99'", "value 'Somewhat agree'"):
        assert quoted in whole
    assert len(texts) == 2 * len(NAMES) + 3


def test_safe_value_quotes_codes_and_known_labels_only():
    assert safe_value("4") == "value '4'" and safe_value(" -99 ") == "value '-99'" and safe_value("5.0") == "value '5.0'"
    assert safe_value("N/A", {"n/a"}) == "value 'N/A'" and safe_value("N/A") == "a text of 3 characters"
    assert safe_value("Jane Doe, CFO") == "a text of 13 characters"
    assert safe_value("jane@example.org") == "an e-mail address (not shown)"
    assert safe_value("12345") == "a text of 5 characters" and safe_value("?") == "value '?'"
    assert not re.search(r"Jane|Doe", safe_value("Jane Doe", {"marketing"}))
    assert safe_message("Unable to parse string \"Jane Doe\" at position 3") == "Unable to parse string '…' at position 3"
