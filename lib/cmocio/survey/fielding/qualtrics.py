"""The pulse survey as a Qualtrics Survey Format file (``.qsf``, JSON), for Survey > Tools > Import/Export.

The file has the structure Qualtrics writes when it exports a survey: a
``SurveyEntry`` and ``SurveyElements`` holding the blocks (``BL``), the flow
(``FL``), the options (``SO``) and one ``SQ`` element per question. Question
ids and export tags are fixed: ``QID1`` / ``Q1`` asks the function, ``QID2`` …
/ ``Q2`` … ask the breakdowns in the order given, and the last question is the
agreement matrix (a single-answer Likert matrix whose statements export as
``Qn_1`` … ``Qn_16``). Every choice is recoded to its position (function 1–3,
breakdown 1…, scale 1 = Strongly disagree to 5 = Strongly agree, 6 = Don't
know), so a numeric-values export carries the codes the mapping lists.
"""

from __future__ import annotations

import json

from .design import SCALE, Design
from .mappings import qualtrics_tags

SURVEY_ID = "SV_cmocioPulseSrvy"
BLOCK_ID = "BL_cmocioPulseMain"
TRASH_ID = "BL_cmocioPulseTrsh"
RESPONSE_SET = "RS_cmocioPulseRset"


def _numbered(labels) -> tuple[dict[str, dict[str, str]], list[str], dict[str, str]]:
    ids = [str(i) for i in range(1, len(labels) + 1)]
    return {i: {"Display": label} for i, label in zip(ids, labels)}, ids, {i: i for i in ids}


def _question(qid: str, tag: str, text: str, kind: str, selector: str, sub: str | None,
              required: bool = False) -> dict:
    return {"QuestionText": text, "DefaultChoices": False, "DataExportTag": tag, "QuestionType": kind,
            "Selector": selector, "SubSelector": sub,
            "Configuration": {"QuestionDescriptionOption": "UseText"}, "QuestionDescription": text,
            "Validation": {"Settings": {"ForceResponse": "ON" if required else "OFF", "ForceResponseType": "ON",
                                        "Type": "None"}},
            "GradingData": [], "Language": [], "QuestionID": qid}


def choice_question(qid: str, tag: str, text: str, labels, required: bool = False) -> dict:
    """A single-answer multiple-choice question (vertical list), choices recoded 1, 2, …."""
    payload = _question(qid, tag, text, "MC", "SAVR", "TX", required)
    choices, order, recode = _numbered(labels)
    payload.update({"Choices": choices, "ChoiceOrder": order, "RecodeValues": recode,
                    "NextChoiceId": len(order) + 1, "NextAnswerId": 1})
    return payload


def matrix_question(qid: str, tag: str, text: str, statements, scale=SCALE) -> dict:
    """A single-answer Likert matrix: one row per statement, the scale as columns, recoded 1, 2, …."""
    payload = _question(qid, tag, text, "Matrix", "Likert", "SingleAnswer")
    payload["Configuration"].update({"TextPosition": "inline", "ChoiceColumnWidth": 25, "RepeatHeaders": "none",
                                     "WhiteSpace": "OFF", "MobileFirst": True})
    choices, order, _ = _numbered(statements)
    answers, answer_order, recode = _numbered(scale)
    payload.update({"Choices": choices, "ChoiceOrder": order, "Answers": answers, "AnswerOrder": answer_order,
                    "RecodeValues": recode, "ChoiceDataExportTags": False,
                    "NextChoiceId": len(order) + 1, "NextAnswerId": len(answer_order) + 1})
    return payload


def _element(kind: str, primary: str, payload, secondary: str | None = None, tertiary: str | None = None) -> dict:
    return {"SurveyID": SURVEY_ID, "Element": kind, "PrimaryAttribute": primary, "SecondaryAttribute": secondary,
            "TertiaryAttribute": tertiary, "Payload": payload}


def questions(design: Design) -> list[dict]:
    """The ``SQ`` payloads in survey order: function, breakdowns, the agreement matrix."""
    function, tags, matrix = qualtrics_tags(design)
    out = [choice_question("QID1", function, design.function_text, design.functions, required=True)]
    out += [choice_question(f"QID{i}", tag, b.text, b.values)
            for i, (b, tag) in enumerate(zip(design.breakdowns, tags), start=2)]
    out.append(matrix_question(f"QID{2 + len(design.breakdowns)}", matrix, design.matrix_text,
                               [s for _, s in design.statements]))
    return out


def qsf(design: Design) -> dict:
    """The whole survey file as a JSON-ready dict."""
    qs = questions(design)
    blocks = [{"Type": "Default", "Description": "Pulse survey", "ID": BLOCK_ID,
               "BlockElements": [{"Type": "Question", "QuestionID": q["QuestionID"]} for q in qs]},
              {"Type": "Trash", "Description": "Trash / Unused Questions", "ID": TRASH_ID, "BlockElements": []}]
    flow = {"Flow": [{"ID": BLOCK_ID, "Type": "Block", "FlowID": "FL_2"}], "Properties": {"Count": 2},
            "FlowID": "FL_1", "Type": "Root"}
    options = {"BackButton": "true", "SaveAndContinue": "true", "SurveyProtection": "PublicSurvey",
               "BallotBoxStuffingPrevention": "false", "NoIndex": "Yes", "SecureResponseFiles": "true",
               "SurveyExpiration": "None", "SurveyTermination": "DefaultMessage", "Header": "", "Footer": "",
               "ProgressBarDisplay": "None", "PartialData": "+1 week", "ValidationMessage": "",
               "PreviousButton": " ← ", "NextButton": " → ", "SurveyTitle": design.title,
               "AnonymizeResponse": "Yes"}
    elements = [_element("BL", "Survey Blocks", blocks), _element("FL", "Survey Flow", flow),
                _element("SO", "Survey Options", options),
                _element("SCO", "Scoring", {"ScoringCategories": [], "ScoringCategoryGroups": [],
                                            "ScoringSummaryCategory": None, "ScoringSummaryAfterQuestions": 0,
                                            "ScoringSummaryAfterSurvey": 0, "DefaultScoringCategory": None,
                                            "AutoScoringCategory": None}),
                _element("PROJ", "CORE", {"ProjectCategory": "CORE", "SchemaVersion": "1.1.0"}, None, "1.1.0"),
                _element("STAT", "Survey Statistics", {"MobileCompatible": True, "ID": "Survey Statistics"}),
                _element("QC", "Survey Question Count", None, str(len(qs))),
                _element("RS", RESPONSE_SET, None, "Default Response Set")]
    elements += [_element("SQ", q["QuestionID"], q, q["QuestionText"][:100]) for q in qs]
    entry = {"SurveyID": SURVEY_ID, "SurveyName": design.title, "SurveyDescription": None,
             "SurveyOwnerID": "UR_cmocioPulseOwnr", "SurveyBrandID": "", "DivisionID": None, "SurveyLanguage": "EN",
             "SurveyActiveResponseSet": RESPONSE_SET, "SurveyStatus": "Inactive",
             "SurveyStartDate": "0000-00-00 00:00:00", "SurveyExpirationDate": "0000-00-00 00:00:00",
             "SurveyCreationDate": "0000-00-00 00:00:00", "CreatorID": "UR_cmocioPulseOwnr",
             "LastModified": "0000-00-00 00:00:00", "LastAccessed": "0000-00-00 00:00:00",
             "LastActivated": "0000-00-00 00:00:00", "Deleted": None}
    return {"SurveyEntry": entry, "SurveyElements": elements}


def qsf_text(design: Design) -> str:
    """The .qsf file's text (JSON, UTF-8)."""
    return json.dumps(qsf(design), indent=2, ensure_ascii=False) + "\n"
