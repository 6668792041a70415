"""The pulse survey as the JSON body of SurveyMonkey's survey-creation call (``POST /v3/surveys``).

One page: the function question and each breakdown as single-choice questions
(``family: single_choice``), the agreement statements as a single-answer matrix
(``family: matrix``, ``subtype: single``) whose rows are the statements and
whose choices are the five-point scale and "Don't know". SurveyMonkey's export
names a matrix row's column ``heading | row``, which the matching mapping lists.
Send it with your own token (the README shows the ``curl`` call).
"""

from __future__ import annotations

import json

from .design import SCALE, Design


def _choices(labels) -> list[dict]:
    return [{"text": label, "position": i} for i, label in enumerate(labels, start=1)]


def _single(position: int, heading: str, labels, required: bool) -> dict:
    question = {"headings": [{"heading": heading}], "position": position, "family": "single_choice",
                "subtype": "vertical", "answers": {"choices": _choices(labels)}}
    if required:
        question["required"] = {"text": "This question requires an answer.", "type": "at_least", "amount": "1"}
    return question


def survey_body(design: Design) -> dict:
    """The request body: title and one page of questions."""
    questions = [_single(1, design.function_text, design.functions, True)]
    questions += [_single(i, b.text, b.values, False) for i, b in enumerate(design.breakdowns, start=2)]
    questions.append({"headings": [{"heading": design.matrix_text}], "position": len(questions) + 1,
                      "family": "matrix", "subtype": "single",
                      "answers": {"rows": [{"text": s, "position": i}
                                           for i, (_, s) in enumerate(design.statements, start=1)],
                                  "choices": _choices(SCALE)}})
    return {"title": design.title, "pages": [{"title": design.title, "questions": questions}]}


def survey_body_text(design: Design) -> str:
    """The body as JSON text."""
    return json.dumps(survey_body(design), indent=2, ensure_ascii=False) + "\n"
