"""Real survey-tool exports: every layout converts to the same responses; mapping and messy-file errors."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cmocio import DataValidationError, survey
from cmocio.survey import synthetic

Q = survey.load_questions()
FIXTURES = Path(__file__).parent / "fixtures" / "exports"
MAPS = survey.MAPPINGS_DIR
KINDS = {"qualtrics_numeric.csv": ("qualtrics", "Qualtrics CSV (numeric values)"),
         "qualtrics_choice_text.csv": ("qualtrics", "Qualtrics CSV (choice text)"),
         "surveymonkey.csv": ("surveymonkey", "SurveyMonkey"),
         "surveymonkey.xlsx": ("surveymonkey", "SurveyMonkey (workbook)"),
         "google_forms.csv": ("google_forms", "Google Forms CSV"),
         "microsoft_forms.xlsx": ("microsoft_forms", "Microsoft Forms workbook"),
         "spss.sav": ("spss", "SPSS .sav file")}


def convert(name: str, folder: Path = FIXTURES):
    return survey.convert(folder / name, survey.load_mapping(MAPS / f"{KINDS[name][0]}.yaml", Q), Q)


@pytest.fixture(scope="module")
def converted():
    return {name: convert(name) for name in KINDS}


def test_fixtures_are_the_documented_generator_output(tmp_path):
    made = synthetic.write_exports(tmp_path)
    for path in made:
        if path.suffix == ".csv":  # workbooks and .sav files carry creation times; their content is compared below
            assert path.read_bytes() == (FIXTURES / path.name).read_bytes(), path.name


def test_fixtures_keep_the_real_layouts():
    qualtrics = (FIXTURES / "qualtrics_numeric.csv").read_bytes()
    assert qualtrics.startswith(b"\xef\xbb\xbfStartDate,EndDate,Status,IPAddress")
    lines = qualtrics.decode("utf-8-sig").split("\r\n")
    assert lines[1].startswith('"Start Date","End Date","Response Type"')
    assert lines[2].startswith('"{""ImportId"":""startDate""')
    monkey = (FIXTURES / "surveymonkey.csv").read_bytes().decode("utf-8").split("\r\n")
    assert monkey[0].startswith("Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address")
    assert monkey[1].startswith(",,,,,,,,,Response,")
    assert (FIXTURES / "google_forms.csv").read_text(encoding="utf-8").startswith('"Timestamp","Email address",')


def test_every_layout_gives_the_same_responses_and_tables(converted):
    ref, _ = converted["qualtrics_numeric.csv"]
    assert len(ref) == 184 and set(ref["function"]) == {"marketing", "it"}
    tables = {}
    for name, (frame, report) in converted.items():
        assert report.source == KINDS[name][1]
        pd.testing.assert_frame_equal(frame, ref, obj=name)
        a = survey.analyse(frame, Q, 5)
        tables[name] = survey.publishable(a.table).to_csv(index=False)
    assert len(set(tables.values())) == 1


def test_metadata_is_never_read_and_report_counts(converted):
    frame, report = converted["qualtrics_choice_text.csv"]
    assert "IPAddress" in report.metadata_dropped and "RecipientEmail" in report.metadata_dropped
    people = synthetic.synthetic_people(Q, n=200, seed=7)
    text = frame.to_csv(index=False)
    for secret in [*people["email"][:20], *people["ip"][:20], "single view", "R_0001"]:
        assert secret not in text
    assert report.other_function == int((people["function"] == "Another function").sum())
    assert report.by_function == {"marketing": int((people["function"] == "Marketing").sum()),
                                  "it": int((people["function"] == "IT / Technology").sum())}
    q01 = report.answers.set_index("question_id").loc["q01"]
    kept = people[people["function"] != "Another function"]["q01"]
    assert q01["yes"] == kept.isin(["Agree", "Strongly agree"]).sum()
    assert q01["not_answered"] == kept.isin(["", "Don't know"]).sum()


def test_cli_convert_writes_the_canonical_file(tmp_path, capsys):
    from cmocio.__main__ import main

    out = tmp_path / "responses.csv"
    code = main(["survey", "convert", str(FIXTURES / "google_forms.csv"), "--mapping",
                 str(MAPS / "google_forms.yaml"), "-o", str(out)])
    printed = capsys.readouterr().out
    assert code == 0 and "Respondents by function: marketing 109, it 75" in printed
    back = survey.load_responses(out, Q)
    ref, _ = convert("google_forms.csv")
    pd.testing.assert_frame_equal(back.drop(columns=["weight"]), ref.drop(columns=["weight"]), check_dtype=False)
    assert "@" not in out.read_text()


def _qualtrics_with(tmp_path: Path, edit) -> Path:
    """A copy of the choice-text Qualtrics fixture with its lines changed by ``edit`` (a list of lines)."""
    lines = (FIXTURES / "qualtrics_choice_text.csv").read_bytes().decode("utf-8-sig").split("\r\n")
    lines = edit(lines)
    path = tmp_path / "export.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8"))
    return path


def _problems(path: Path, map_name: str = "qualtrics") -> list[str]:
    with pytest.raises(DataValidationError) as info:
        survey.convert(path, survey.load_mapping(MAPS / f"{map_name}.yaml", Q), Q)
    return [str(p) for p in info.value.problems]


def test_an_unplaced_value_names_file_row_column_and_value(tmp_path):
    path = _qualtrics_with(tmp_path, lambda ls: ls[:5] + [ls[5].replace("Strongly agree", "7", 1)] + ls[6:])
    texts = _problems(path)
    assert len(texts) == 1 and texts[0].startswith("export.csv, row 6, column 'Q4_")
    assert "value '7' is not placed by the mapping" in texts[0]


def test_messy_rows_are_refused_by_row(tmp_path):
    cut = _qualtrics_with(tmp_path, lambda ls: ls[:6] + [ls[6].rsplit(",", 3)[0]] + ls[7:])
    assert any(t.startswith("export.csv, row 7: is cut short") for t in _problems(cut))
    dup = _qualtrics_with(tmp_path, lambda ls: ls[:8] + [ls[8].replace(ls[8].split(",")[8], ls[9].split(",")[8])] + ls[9:])
    texts = _problems(dup)
    assert any("row 10, column 'ResponseId': repeats the id of row 9" in t for t in texts), texts
    assert not any("R_0" in t for t in texts), "an id reached an error message"


def test_an_email_in_an_unplaced_value_is_not_echoed(tmp_path):
    def edit(lines):
        fields = next(csv.reader([lines[3]]))
        fields[17] = "someone@example.org"  # Q1, the function question
        return lines[:3] + [",".join(fields)] + lines[4:]

    path = _qualtrics_with(tmp_path, edit)
    texts = _problems(path)
    assert any("an e-mail address (not shown)" in t for t in texts) and not any("someone@" in t for t in texts)


def test_identifying_columns_cannot_be_mapped(tmp_path):
    text = (MAPS / "qualtrics.yaml").read_text(encoding="utf-8").replace("region: {column: Q3",
                                                                         "region: {column: IPAddress")
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError, match="identifies a person or a place"):
        survey.load_mapping(tmp_path / "m.yaml", Q)


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("questions:", "questons:"), "did you mean 'questions'"),
    (lambda t: t.replace("  q01: Q4_1\n", "  q99: Q4_1\n"), "questions.q99"),
    (lambda t: t.replace("scale: agree5", "scale: agree9"), "'agree9' is not a known scale"),
    (lambda t: t.replace("not_answered: [Don't know, 6, Prefer not to say]", "not_answered: [Agree]"),
     "placed twice"),
    (lambda t: t + "weight: [1, 2\n", "is not valid YAML"),
])
def test_bad_mappings_are_named(tmp_path, edit, message):
    path = tmp_path / "m.yaml"
    path.write_text(edit((MAPS / "qualtrics.yaml").read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(DataValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        survey.load_mapping(path, Q)


def test_a_mapped_column_missing_from_the_export_suggests_a_close_one(tmp_path):
    text = (MAPS / "qualtrics.yaml").read_text(encoding="utf-8").replace("q01: Q4_1", "q01: Q4-1")
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"column 'Q4-1': is named by the mapping.*did you mean 'Q4_1'"):
        survey.convert(FIXTURES / "qualtrics_numeric.csv", survey.load_mapping(tmp_path / "m.yaml", Q), Q)


def test_a_weight_column_of_any_name_is_honoured_and_bad_weights_refused(tmp_path):
    frame = survey.synthetic_responses(Q, n=60, seed=5).rename(columns={"weight": "wt_final"})
    frame.to_csv(tmp_path / "r.csv", index=False)
    read = survey.read_responses(tmp_path / "r.csv", Q, weight_column="wt_final")
    r = read.frame
    assert r["weight"].tolist() == frame["wt_final"].tolist() and read.weighted
    weighted = survey.analyse(r, Q).overall()
    unweighted = survey.analyse(r, Q, weighted=False).overall()
    assert not np.allclose(weighted["percent"], unweighted["percent"])
    for bad, message in (("inf", "is infinite"), ("nan", "is not a number"), ("-2", "is negative")):
        f = frame.astype({"wt_final": str})
        f.loc[3, "wt_final"] = bad
        f.to_csv(tmp_path / "bad.csv", index=False)
        with pytest.raises(DataValidationError, match=f"line 5, column 'wt_final': {message}"):
            survey.load_responses(tmp_path / "bad.csv", Q, weight_column="wt_final")


def test_european_excel_semicolons_bom_trailing_delimiters_and_word_answers(tmp_path):
    frame = survey.synthetic_responses(Q, n=30, seed=9)
    plain = survey.load_responses(_write(tmp_path / "a.csv", frame.to_csv(index=False)), Q)
    text = frame.assign(weight=frame["weight"].map(lambda w: f"{w:.3f}".replace(".", ","))).to_csv(index=False, sep=";")
    text = text.replace(";1;", ";yes;").replace(";0;", ";FALSE;")
    text = "\n".join(line + ";" for line in text.strip().split("\n")) + "\n"
    messy = survey.load_responses(_write(tmp_path / "b.csv", "\ufeff" + text), Q)
    pd.testing.assert_frame_equal(messy.drop(columns="weight"), plain.drop(columns="weight"))
    assert np.allclose(messy["weight"], plain["weight"])
    floats = frame.copy()
    for q in Q["question_id"]:
        floats[q] = floats[q].astype("Float64")
    as_float = survey.load_responses(_write(tmp_path / "c.csv", floats.to_csv(index=False)), Q)  # 1.0 / 0.0
    pd.testing.assert_frame_equal(as_float, plain)


def test_ragged_rows_in_a_plain_file_are_refused_by_row(tmp_path):
    frame = survey.synthetic_responses(Q, n=10, seed=9)
    lines = frame.to_csv(index=False).strip().split("\n")
    lines[4] = lines[4].rsplit(",", 2)[0]
    with pytest.raises(DataValidationError, match=r"row 5: is cut short"):
        survey.load_responses(_write(tmp_path / "r.csv", "\n".join(lines) + "\n"), Q)


def test_an_export_without_a_mapping_says_what_to_do():
    with pytest.raises(DataValidationError, match="is a Qualtrics CSV.*give a mapping file"):
        survey.load_responses(FIXTURES / "qualtrics_numeric.csv", Q)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_repeated_id_in_a_plain_file_names_both_lines_not_the_id(tmp_path):
    frame = survey.synthetic_responses(Q, n=15, seed=9)  # three business units: at most n / 5
    frame.loc[6, "respondent_id"] = frame.loc[2, "respondent_id"]
    with pytest.raises(DataValidationError) as info:
        survey.load_responses(_write(tmp_path / "r.csv", frame.to_csv(index=False)), Q)
    texts = [str(p) for p in info.value.problems]
    assert texts == ["r.csv, line 8, column 'respondent_id': repeats the id of line 4"]


def test_a_named_weight_the_mapping_lacks_is_refused_not_ignored():
    with pytest.raises(DataValidationError, match="the mapping names no weight column but weight_column is 'wt'"):
        survey.load_responses(FIXTURES / "qualtrics_numeric.csv", Q, weight_column="wt",
                              mapping_path=MAPS / "qualtrics.yaml")
    default = survey.read_responses(FIXTURES / "qualtrics_numeric.csv", Q, mapping_path=MAPS / "qualtrics.yaml")
    assert not default.weighted and (default.frame["weight"] == 1).all()
