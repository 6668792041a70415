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


@pytest.mark.parametrize("column", ["EmailAddress", "ExternalDataReference"])
def test_the_identifying_columns_of_older_layouts_cannot_be_mapped(tmp_path, column):
    with pytest.raises(DataValidationError, match=f"'{column}' identifies a person"):
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


# --- SPSS: value labels before codes ---------------------------------------------------------------------------

AGREE_FROM_TOP = {1.0: "Strongly agree", 2.0: "Agree", 3.0: "Neither agree nor disagree", 4.0: "Disagree",
                  5.0: "Strongly disagree", 6.0: "Don't know", 99.0: "No answer"}
FUNCTIONS = {1.0: "Marketing", 2.0: "IT / Technology", 3.0: "Another function"}


def _sav(path: Path, function_labels: dict, agree_labels: dict, codes: np.ndarray, functions: list[float]) -> Path:
    """A .sav as Qualtrics writes one: ResponseId, Q1 (function), Q4_1 … (agreement) with value labels; 99 is
    declared user-missing."""
    import pyreadstat

    n = len(functions)
    frame = pd.DataFrame({"ResponseId": [f"R_{i:04d}made" for i in range(n)], "Q1": functions,
                          "Q2": [float(1 + i % 3) for i in range(n)], "Q3": [float(1 + i % 2) for i in range(n)]})
    for j in range(len(QIDS)):
        frame[f"Q4_{j + 1}"] = codes[:, j]
    labels = {"Q1": function_labels, "Q2": dict(enumerate(synthetic.UNITS, 1)),
              "Q3": dict(enumerate(synthetic.REGIONS, 1)), **{f"Q4_{j + 1}": agree_labels for j in range(len(QIDS))}}
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels,
                         missing_ranges={f"Q4_{j + 1}": [99.0] for j in range(len(QIDS))})
    return path


@pytest.fixture(scope="module")
def spss_answers() -> tuple[np.ndarray, list[float]]:
    rng = np.random.default_rng(3)
    codes = rng.choice([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 99.0], size=(12, len(QIDS)))
    return codes, [1.0, 2.0] * 6


def test_spss_value_labels_decide_not_codes(tmp_path, spss_answers):
    codes, functions = spss_answers
    path = _sav(tmp_path / "top_first.sav", FUNCTIONS, AGREE_FROM_TOP, codes, functions)
    frame, report = survey.convert(path, _mapping(tmp_path, "spss.yaml"), Q)
    answered = ~np.isin(codes, [6.0, 99.0])
    expected = pd.DataFrame(np.where(np.isin(codes, [1.0, 2.0]), 1, 0), columns=QIDS).where(answered)
    pd.testing.assert_frame_equal(frame[QIDS].astype("float"), expected.astype("float"))
    assert frame["function"].tolist() == ["marketing", "it"] * 6
    summary = report.summary()
    assert "function: 1 = Marketing -> marketing, 2 = IT / Technology -> it" in summary
    assert "1 = Strongly agree -> yes, 2 = Agree -> yes, 3 = Neither agree nor disagree -> no" in summary


def test_a_code_listed_for_one_function_whose_label_is_another_is_refused(tmp_path, spss_answers):
    codes, functions = spss_answers
    swapped = {1.0: "IT / Technology", 2.0: "Marketing", 3.0: "Another function"}
    path = _sav(tmp_path / "swapped.sav", swapped, AGREE_FROM_TOP, codes, functions)
    texts = _problems(path, _mapping(tmp_path, "spss.yaml"))
    assert texts[0] == ("swapped.sav, row 1, column 'Q1': code '1' is listed for marketing but its value label "
                        "'IT / Technology' is listed for it (6 rows with this code); the file's labels are read "
                        "first: take the code out of the mapping, or correct the labels")
    assert len(texts) == 2 and "code '2' is listed for it but its value label 'Marketing'" in texts[1]
    labels_only = _mapping(tmp_path, "spss.yaml", ("[Marketing, 1]", "[Marketing]"), ("[IT / Technology, 2]", "IT / Technology"))
    frame, _ = survey.convert(path, labels_only, Q)
    assert frame["function"].tolist() == ["it", "marketing"] * 6


def test_an_unplaced_spss_value_is_named_by_code_and_label(tmp_path, spss_answers):
    codes, functions = spss_answers
    codes = codes.copy()
    codes[4, 2] = 7.0
    path = _sav(tmp_path / "odd.sav", FUNCTIONS, {**AGREE_FROM_TOP, 7.0: "Agree a little"}, codes, functions)
    texts = _problems(path, _mapping(tmp_path, "spss.yaml"))
    assert texts == ["odd.sav, row 5, column 'Q4_3': value '7' (label 'Agree a little') is not placed by the "
                     "mapping (yes, no or not answered of q03)"]


# --- each tool's default scales ---------------------------------------------------------------------------------

def _relabelled(people: pd.DataFrame, words: dict[str, str]) -> pd.DataFrame:
    out = people.copy()
    out[QIDS] = out[QIDS].replace(words)
    return out


def test_microsoft_forms_likert_with_neutral(tmp_path, people):
    some = people.head(30)
    expected, _ = survey.convert(synthetic.write_qualtrics(some, Q, tmp_path / "export.csv"),
                                 survey.load_mapping(MAPS / "qualtrics.yaml", Q), Q)
    path = synthetic.write_microsoft_forms(_relabelled(some, {"Neither agree nor disagree": "Neutral"}), Q,
                                           tmp_path / "forms.xlsx")
    frame, report = survey.convert(path, survey.load_mapping(MAPS / "microsoft_forms.yaml", Q), Q)
    assert (some[QIDS] == "Neither agree nor disagree").to_numpy().any()
    pd.testing.assert_frame_equal(frame, expected)
    assert "Neutral -> no" in report.summary()


def test_qualtrics_default_agreement_scale_with_somewhat(tmp_path, people, reference):
    words = {"Agree": "Somewhat agree", "Disagree": "Somewhat disagree"}
    path = synthetic.write_qualtrics(_relabelled(people, words), Q, tmp_path / "export.csv")
    frame, _ = survey.convert(path, survey.load_mapping(MAPS / "qualtrics.yaml", Q), Q)
    pd.testing.assert_frame_equal(frame, reference)


SEVEN = ("Strongly disagree", "Disagree", "Somewhat disagree", "Neither agree nor disagree", "Somewhat agree",
         "Agree", "Strongly agree")


def _google(tmp_path: Path, people: pd.DataFrame, answers: np.ndarray, name: str) -> Path:
    out = people.head(len(answers)).copy()
    out[QIDS] = answers
    return synthetic.write_google_forms(out, Q, tmp_path / name)


def test_a_seven_point_scale_reads_under_agree7_and_is_refused_as_five_points(tmp_path, people):
    points = np.tile(np.arange(1, 8), (len(QIDS), 3)).T  # every point of the scale for every question
    labels = np.asarray(SEVEN, dtype=object)[points - 1]
    kept = (people.head(len(points))["function"] != "Another function").to_numpy()
    seven = _mapping(tmp_path, "google_forms.yaml", ("scale: agree5", "scale: agree7"))
    for answers in (labels, points.astype(str)):
        frame, _ = survey.convert(_google(tmp_path, people, answers, "seven.csv"), seven, Q)
        assert (frame[QIDS].to_numpy(dtype=float) == (points[kept] >= 6)).all()
    texts = _problems(_google(tmp_path, people, labels, "seven.csv"), survey.load_mapping(MAPS / "google_forms.yaml", Q))
    assert len(texts) == len(QIDS) and all("as a seven-point scale does" in t and "set scale: agree7" in t
                                           for t in texts)


def test_a_zero_to_ten_scale_counts_the_top_two_boxes(tmp_path, people):
    points = np.tile(np.arange(0, 11), (len(QIDS), 2)).T
    path = _google(tmp_path, people, points.astype(str), "nps.csv")
    mapping = _mapping(tmp_path, "google_forms.yaml", ("scale: agree5", "scale: zero_to_ten"))
    frame, _ = survey.convert(path, mapping, Q)
    kept = (people.head(len(points))["function"] != "Another function").to_numpy()
    assert (frame[QIDS].to_numpy(dtype=float) == (points[kept] >= 9)).all()
    # Qualtrics' SPSS export codes the eleven points 1 to 11 and labels them 0 to 10: the labels decide
    sav = _sav(tmp_path / "nps.sav", FUNCTIONS, {float(i + 1): str(i) for i in range(11)}, points + 1.0,
               [1.0, 2.0] * (len(points) // 2))
    spss = _mapping(tmp_path, "spss.yaml", ("scale: agree5", "scale: zero_to_ten"),
                    ("not_answered: [Don't know, 6, Prefer not to say]", "not_answered: [Don't know]"))
    frame, _ = survey.convert(sav, spss, Q)
    assert (frame[QIDS].to_numpy(dtype=float) == (points >= 9)).all()


# --- smaller things -------------------------------------------------------------------------------------------

def _qualtrics_rows(tmp_path: Path, people: pd.DataFrame) -> Path:
    return synthetic.write_qualtrics(people, Q, tmp_path / "export.csv")


def test_a_blank_function_suggests_leaving_it_out_and_the_suggestion_works(tmp_path, people):
    some = people.head(30).copy()
    some.loc[[3, 8], "function"] = ""
    path = _qualtrics_rows(tmp_path, some)
    texts = _problems(path, survey.load_mapping(MAPS / "qualtrics.yaml", Q))
    assert texts[:2] == ["export.csv, row 7, column 'Q1': value '' is not placed by the mapping (function: "
                         "marketing, it or other)",
                         "export.csv, row 12, column 'Q1': value '' is not placed by the mapping (function: "
                         "marketing, it or other)"]
    assert 'other: [Another function, ""]' in texts[2]
    mapping = _mapping(tmp_path, "qualtrics.yaml", ("other: [Another function, 3]", 'other: [Another function, 3, ""]'))
    frame, report = survey.convert(path, mapping, Q)
    assert report.other_function == int((some["function"].isin(["", "Another function"])).sum())


def test_row_problems_come_before_the_count_of_the_rest(tmp_path, people):
    some = people.head(40).copy()
    some["q02"] = "Totally"
    texts = str(_problems_error(_qualtrics_rows(tmp_path, some))).splitlines()
    assert texts[1].startswith("  - export.csv, row 4, column 'Q4_2': a text of 7 characters")
    more = int((some["function"] != "Another function").sum()) - 20
    assert texts[-1] == f"  - export.csv, column 'Q4_2': ... and {more} more rows with values the mapping does not place"


def _problems_error(path: Path) -> DataValidationError:
    with pytest.raises(DataValidationError) as info:
        survey.convert(path, survey.load_mapping(MAPS / "qualtrics.yaml", Q), Q)
    return info.value


def test_one_response_is_one_response(tmp_path, people):
    one = people[people["function"] == "Marketing"].head(1)
    _, report = survey.convert(_qualtrics_rows(tmp_path, one), survey.load_mapping(MAPS / "qualtrics.yaml", Q), Q)
    assert report.summary().startswith("Read Qualtrics CSV (choice text): 1 response, 1 kept.")


def test_weights_that_are_all_one_weight_nothing(tmp_path):
    frame = survey.synthetic_responses(Q, n=20, seed=3)
    frame.assign(weight=1.0).to_csv(tmp_path / "ones.csv", index=False)
    frame.to_csv(tmp_path / "varied.csv", index=False)
    assert survey.read_responses(tmp_path / "ones.csv", Q).weighted is False
    assert survey.read_responses(tmp_path / "varied.csv", Q).weighted is True
    mapping = _mapping(tmp_path, "qualtrics.yaml", ("# weight: weight", "weight: weight"))
    converted = survey.read_responses(FIXTURES / "qualtrics_numeric.csv", Q, mapping_path=mapping.path)
    assert (converted.frame["weight"] == 1).all() and converted.weighted is False
