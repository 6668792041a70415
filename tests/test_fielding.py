"""The survey-tool files of the pulse survey, and the mapping written with each.

For each tool, a made-up export is built from the tool's file itself (the .qsf's export tags, choice ids
and recodes; the Apps Script's titles and grid; SurveyMonkey's headings, rows and choices), in the layout
that tool exports, and must convert with the generated mapping to exactly the answers the made-up people gave.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from cmocio.__main__ import main as cli
from cmocio.survey import convert, load_mapping, load_questions, synthetic
from cmocio.survey.fielding import FILES, PRINTABLE, DesignError, make_design, write_instrument
from cmocio.survey.fielding.google import survey_from_script

BREAKDOWNS = ["business_unit=Consumer,Enterprise,Online", "region=Americas,EMEA,APAC"]
#: The made-up people's column holding each breakdown's answer.
PEOPLE_COLUMN = {"business_unit": "unit", "region": "region"}
YES, NO = ("Agree", "Strongly agree"), ("Strongly disagree", "Disagree", "Neither agree nor disagree")


QUESTIONS = load_questions()


@pytest.fixture(scope="module")
def questions():
    return QUESTIONS


@pytest.fixture(scope="module")
def people(questions):
    return synthetic.synthetic_people(questions, n=40, seed=3)


def instrument(tool: str, folder: Path, breakdowns=BREAKDOWNS) -> tuple[str, Path]:
    write_instrument(tool, folder, make_design(breakdowns, "2025-Q1", questions=QUESTIONS))
    survey_file, mapping_file = FILES[tool]
    return (folder / survey_file).read_text(encoding="utf-8"), folder / mapping_file


def write_csv(path: Path, rows: list[list[str]], bom: bool = False) -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8"))
    return path


def columns_by_text(questions: pd.DataFrame, breakdowns) -> dict[str, str]:
    """Which column of the made-up people answers each question or statement, by its wording."""
    out = {synthetic.FUNCTION_Q: "function", **dict(zip(questions["statement"], questions["question_id"]))}
    out.update({b.text: PEOPLE_COLUMN[b.name] for b in make_design(breakdowns, questions=questions).breakdowns})
    return out


def check_converts(export: Path, mapping: Path, people: pd.DataFrame, questions: pd.DataFrame,
                   breakdowns=BREAKDOWNS) -> None:
    """The export converts with the mapping to exactly the people's functions, breakdowns and answers."""
    frame, report = convert(export, load_mapping(mapping, questions), questions)
    kept = people[people["function"] != "Another function"].reset_index(drop=True)
    assert list(frame["function"]) == ["marketing" if f == "Marketing" else "it" for f in kept["function"]]
    assert set(frame["wave"]) == {"2025-Q1"}
    for b in breakdowns:
        name = b.partition("=")[0]
        assert list(frame[f"segment_{name}"]) == list(kept[PEOPLE_COLUMN[name]])
    for qid in questions["question_id"]:
        want = [1 if a in YES else 0 if a in NO else None for a in kept[qid]]
        got = [None if pd.isna(v) else int(v) for v in frame[qid]]
        assert got == want, qid


# --- Qualtrics ---------------------------------------------------------------------------------------------


def qsf_questions(qsf: dict) -> list[dict]:
    """The survey's questions in block order, as Qualtrics reads the file."""
    payloads = {e["Payload"]["QuestionID"]: e["Payload"] for e in qsf["SurveyElements"] if e["Element"] == "SQ"}
    blocks = next(e["Payload"] for e in qsf["SurveyElements"] if e["Element"] == "BL")
    flow = next(e["Payload"] for e in qsf["SurveyElements"] if e["Element"] == "FL")
    shown = [b for b in blocks if b["ID"] in {f["ID"] for f in flow["Flow"]}]
    return [payloads[el["QuestionID"]] for b in shown for el in b["BlockElements"]]


def qualtrics_export(qsf: dict, people, questions, path: Path, numeric: bool, breakdowns) -> Path:
    """A Qualtrics CSV export of the survey in ``qsf``: metadata, then columns named by export tag (matrix
    statements ``TAG_choiceid``), ImportIds in the third row, codes by the file's recode values."""
    names = ["StartDate", "IPAddress", "ResponseId", "RecipientEmail"]
    texts = ["Start Date", "IP Address", "Response ID", "Recipient Email"]
    ids = ["startDate", "ipAddress", "_recordId", "recipientEmail"]
    cells = []  # per column: (question, statement choice id or None)
    for q in qsf_questions(qsf):
        if q["QuestionType"] == "Matrix":
            for cid in q["ChoiceOrder"]:
                names.append(f"{q['DataExportTag']}_{cid}")
                texts.append(f"{q['QuestionText']} - {q['Choices'][cid]['Display']}")
                ids.append(f"{q['QuestionID']}_{cid}")
                cells.append((q, cid))
        else:
            names.append(q["DataExportTag"])
            texts.append(q["QuestionText"])
            ids.append(q["QuestionID"])
            cells.append((q, None))
    rows = [names, texts, [json.dumps({"ImportId": i}) for i in ids]]
    column = columns_by_text(questions, breakdowns)
    for n, person in enumerate(people.to_dict("records")):
        row = ["2025-03-03 09:00:00", person["ip"], f"R_{n:015d}", person["email"]]
        for q, cid in cells:
            options = q["Answers"] if cid else q["Choices"]
            label = person[column[q["Choices"][cid]["Display"] if cid else q["QuestionText"]]]
            code = next((k for k, v in options.items() if v["Display"] == label), None)
            row.append("" if code is None else q["RecodeValues"][code] if numeric else label)
        rows.append(row)
    return write_csv(path, rows, bom=True)


def test_the_qsf_has_the_structure_of_a_qualtrics_survey_file(tmp_path):
    qsf = json.loads(instrument("qualtrics", tmp_path)[0])
    assert set(qsf) == {"SurveyEntry", "SurveyElements"}
    assert qsf["SurveyEntry"]["SurveyID"].startswith("SV_")
    kinds = [e["Element"] for e in qsf["SurveyElements"]]
    assert {"BL", "FL", "SO", "SQ"} <= set(kinds) and kinds.count("SQ") == 4
    for e in qsf["SurveyElements"]:
        assert e["SurveyID"] == qsf["SurveyEntry"]["SurveyID"] and "PrimaryAttribute" in e
    qs = qsf_questions(qsf)
    assert [q["QuestionID"] for q in qs] == ["QID1", "QID2", "QID3", "QID4"]
    assert [q["DataExportTag"] for q in qs] == ["Q1", "Q2", "Q3", "Q4"]
    function, matrix = qs[0], qs[-1]
    assert (function["QuestionType"], function["Selector"]) == ("MC", "SAVR")
    assert function["Validation"]["Settings"]["ForceResponse"] == "ON"
    assert [function["Choices"][c]["Display"] for c in function["ChoiceOrder"]] == list(synthetic.FUNCTION_CHOICES)
    assert (matrix["QuestionType"], matrix["Selector"], matrix["SubSelector"]) == ("Matrix", "Likert", "SingleAnswer")
    assert [matrix["Answers"][a]["Display"] for a in matrix["AnswerOrder"]] == list(synthetic.AGREE)
    assert matrix["RecodeValues"] == {str(i): str(i) for i in range(1, 7)}
    assert matrix["ChoiceDataExportTags"] is False and len(matrix["ChoiceOrder"]) == 16
    options = next(e["Payload"] for e in qsf["SurveyElements"] if e["Element"] == "SO")
    assert options["AnonymizeResponse"] == "Yes"


@pytest.mark.parametrize("numeric", [True, False], ids=["numeric values", "choice text"])
def test_an_export_of_the_survey_the_qsf_builds_converts_with_its_mapping(numeric, tmp_path, people, questions):
    text, mapping = instrument("qualtrics", tmp_path)
    export = qualtrics_export(json.loads(text), people, questions, tmp_path / "export.csv", numeric, BREAKDOWNS)
    check_converts(export, mapping, people, questions)


def test_one_breakdown_moves_the_matrix_tag_and_the_mapping_follows(tmp_path, people, questions):
    text, mapping = instrument("qualtrics", tmp_path, ["region=Americas,EMEA,APAC"])
    assert json.loads(text)["SurveyElements"][-1]["Payload"]["DataExportTag"] == "Q3"
    export = qualtrics_export(json.loads(text), people, questions, tmp_path / "export.csv", True,
                              ["region=Americas,EMEA,APAC"])
    check_converts(export, mapping, people, questions, ["region=Americas,EMEA,APAC"])


def test_the_shipped_qualtrics_fixture_is_in_the_layout_of_the_generated_survey(tmp_path, questions):
    _, mapping = instrument("qualtrics", tmp_path)
    fixture = Path(__file__).resolve().parent / "fixtures" / "exports" / "qualtrics_numeric.csv"
    frame, _ = convert(fixture, load_mapping(mapping, questions), questions)
    assert len(frame) == 184 and frame[list(questions["question_id"])].notna().to_numpy().mean() > 0.9


# --- Google Forms and SurveyMonkey -------------------------------------------------------------------------


def test_a_download_of_the_form_the_script_creates_converts_with_its_mapping(tmp_path, people, questions):
    text, mapping = instrument("google", tmp_path)
    assert "function createPulseForm()" in text and "setCollectEmail(false)" in text
    survey = survey_from_script(text)
    grid = survey["grid"]
    assert grid["columns"] == list(synthetic.AGREE) and len(grid["rows"]) == 16
    header = ["Timestamp", "Email address", *(q["title"] for q in survey["choiceQuestions"])]
    header += [f"{grid['title']} [{row}]" for row in grid["rows"]]
    rows = [header]
    column = columns_by_text(questions, BREAKDOWNS)
    for person in people.to_dict("records"):
        rows.append(["2025/03/03 9:00:00 AM GMT", person["email"],
                     *(person[column[q["title"]]] for q in survey["choiceQuestions"]),
                     *(person[column[row]] for row in grid["rows"])])
    check_converts(write_csv(tmp_path / "form.csv", rows), mapping, people, questions)


def test_an_export_of_the_survey_the_api_body_creates_converts_with_its_mapping(tmp_path, people, questions):
    text, mapping = instrument("surveymonkey", tmp_path)
    body = json.loads(text)
    assert set(body) == {"title", "pages"} and len(body["pages"]) == 1
    qs = body["pages"][0]["questions"]
    assert [q["family"] for q in qs] == ["single_choice"] * 3 + ["matrix"]
    assert qs[-1]["subtype"] == "single" and [c["text"] for c in qs[-1]["answers"]["choices"]] == list(synthetic.AGREE)
    row1, row2, readers = ["Respondent ID", "IP Address"], ["", ""], []
    for q in qs:
        heading = q["headings"][0]["heading"]
        subs = [r["text"] for r in q["answers"]["rows"]] if q["family"] == "matrix" else ["Response"]
        for j, sub in enumerate(subs):
            row1.append(heading if j == 0 else "")
            row2.append(sub)
            readers.append(heading if sub == "Response" else sub)
    column = columns_by_text(questions, BREAKDOWNS)
    rows = [row1, row2] + [[str(1000 + n), person["ip"], *(person[column[r]] for r in readers)]
                           for n, person in enumerate(people.to_dict("records"))]
    check_converts(write_csv(tmp_path / "sm.csv", rows), mapping, people, questions)
    page = (tmp_path / PRINTABLE).read_text(encoding="utf-8")
    assert page.count("&#9744;") == 3 + 3 + 3 + 16 * 6 and "function&#x27;s strategic priorities" in page


# --- the design and the command ----------------------------------------------------------------------------


@pytest.mark.parametrize("breakdown, words", [
    ("email=a,b", "cannot be a breakdown"), ("employee_id=1,2", "cannot be a breakdown"),
    ("region=EMEA", "at least two values"), ("region=EMEA,emea", "twice"), ("Region Name=a,b", "snake_case"),
    ("unit=" + ",".join(str(i) for i in range(60)), "at most 50 values")])
def test_a_breakdown_that_would_identify_or_cannot_be_read_is_refused(breakdown, words):
    with pytest.raises(DesignError, match=words):
        make_design([breakdown])


def test_the_instrument_command_writes_each_tools_files(tmp_path, capsys):
    for tool in FILES:
        assert cli(["survey", "instrument", "--tool", tool, "-o", str(tmp_path / tool), "-b", BREAKDOWNS[0],
                    "--wave", "2026"]) == 0
        assert sorted(p.name for p in (tmp_path / tool).iterdir()) == sorted(
            [*FILES[tool], *([PRINTABLE] if tool == "surveymonkey" else [])])
        assert 'wave: "2026"' in (tmp_path / tool / FILES[tool][1]).read_text(encoding="utf-8")
    assert cli(["survey", "instrument", "--tool", "qualtrics", "-o", str(tmp_path / "x"), "-b", "ip_address=a,b"]) == 2
    assert "cannot be a breakdown" in capsys.readouterr().err and not (tmp_path / "x").exists()
