"""The pulse survey as a Google Apps Script that creates the Google Form (paste it into the script editor, run it).

No credentials pass through this project: the script runs in the user's own
Google account. It holds the survey as one JSON object (``SURVEY``) and a few
lines of ``FormApp`` calls that add, in order, the function question, one
multiple-choice question per breakdown, and the agreement statements as a
multiple-choice grid. Google's CSV download names a grid row's column
``title [row]``, which is what the matching mapping lists.
"""

from __future__ import annotations

import json

from .design import SCALE, Design

_CODE = """
/**
 * Creates the form in your Google Drive and logs its addresses and its form id
 * (the id is what `python -m cmocio survey pull google --form ID` asks for).
 */
function createPulseForm() {
  const form = FormApp.create(SURVEY.title);
  form.setDescription(SURVEY.description);
  form.setCollectEmail(false);
  form.setAllowResponseEdits(false);
  SURVEY.choiceQuestions.forEach(function (q) {
    form.addMultipleChoiceItem().setTitle(q.title).setChoiceValues(q.choices).setRequired(q.required);
  });
  form.addGridItem().setTitle(SURVEY.grid.title).setRows(SURVEY.grid.rows).setColumns(SURVEY.grid.columns);
  Logger.log('Form id: ' + form.getId());
  Logger.log('Edit: ' + form.getEditUrl());
  Logger.log('Share with respondents: ' + form.getPublishedUrl());
}
"""


def survey_object(design: Design) -> dict:
    """What the script builds: title, description, the choice questions and the grid."""
    choice = [{"title": design.function_text, "choices": list(design.functions), "required": True}]
    choice += [{"title": b.text, "choices": list(b.values), "required": False} for b in design.breakdowns]
    return {"title": design.title,
            "description": "Anonymous: no e-mail address is collected. Answer for your own organisation.",
            "choiceQuestions": choice,
            "grid": {"title": design.matrix_text, "rows": [s for _, s in design.statements],
                     "columns": list(SCALE)}}


def apps_script(design: Design) -> str:
    """The Apps Script file's text."""
    head = ("// The pulse survey as a Google Form. In Google Drive: New > More > Google Apps Script, replace the\n"
            "// code with this file, then Run > createPulseForm (allow it to manage your forms when asked).\n")
    return head + "const SURVEY = " + json.dumps(survey_object(design), indent=2, ensure_ascii=False) + ";\n" + _CODE


def survey_from_script(text: str) -> dict:
    """The ``SURVEY`` object of a script written by :func:`apps_script` (for checking what it creates)."""
    start = text.index("const SURVEY = ") + len("const SURVEY = ")
    return json.loads(text[start:text.index("};\n", start) + 1])
