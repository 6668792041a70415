"""Field the pulse survey from files the survey tools import, each with the mapping that reads its export.

One module a job:

* ``design``: the survey as fielded (questions, wording, choices, codes, breakdowns);
* ``qualtrics``: the ``.qsf`` file Qualtrics imports;
* ``google``: the Apps Script that creates the Google Form;
* ``surveymonkey``: the JSON body of SurveyMonkey's survey-creation call;
* ``printable``: the same questionnaire as a printable page, for any other tool;
* ``mappings``: the mapping matching each tool's export exactly.

:func:`write_instrument` writes one tool's files into a folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from ...files import atomic_write_text
from .design import Breakdown, Design, DesignError, make_design, parse_breakdown
from .google import apps_script
from .mappings import MAPPINGS, mapping_yaml
from .printable import questionnaire_html
from .qualtrics import qsf_text
from .surveymonkey import survey_body_text

TOOLS = ("qualtrics", "google", "surveymonkey")
#: The file each tool imports, and its mapping's name.
FILES = {"qualtrics": ("pulse_survey.qsf", "qualtrics_mapping.yaml"),
         "google": ("pulse_survey_form.gs", "google_forms_mapping.yaml"),
         "surveymonkey": ("pulse_survey_surveymonkey.json", "surveymonkey_mapping.yaml")}
PRINTABLE = "pulse_survey_questionnaire.html"
_HOW = {
    "qualtrics": "Qualtrics: the survey imported from pulse_survey.qsf (Survey > Tools > Import/Export > Import\n"
                 "Survey), exported as CSV (numeric values or choice text) or pulled with\n"
                 "python -m cmocio survey pull qualtrics.",
    "google": "Google Forms: the form made by pulse_survey_form.gs, downloaded as CSV (Responses > Download\n"
              "responses) or pulled with python -m cmocio survey pull google.",
    "surveymonkey": "SurveyMonkey: the survey created from pulse_survey_surveymonkey.json, exported as All individual\n"
                    "responses (CSV or XLSX) or pulled with python -m cmocio survey pull surveymonkey.",
}


def mapping_text(tool: str, design: Design) -> str:
    """The YAML mapping of ``tool``'s export, with a comment saying which survey and export it reads."""
    comment = (f"Mapping written by python -m cmocio survey instrument --tool {tool}, for the export of\n"
               f"{_HOW[tool]}\nIt matches that survey exactly: use it as it is. Change the wave for a new wave.")
    return mapping_yaml(MAPPINGS[tool](design), comment)


def instrument_files(tool: str, design: Design) -> dict[str, str]:
    """File name -> text of everything written for ``tool``."""
    survey_file, map_file = FILES[tool]
    make = {"qualtrics": qsf_text, "google": apps_script, "surveymonkey": survey_body_text}[tool]
    files = {survey_file: make(design), map_file: mapping_text(tool, design)}
    if tool == "surveymonkey":
        files[PRINTABLE] = questionnaire_html(design)
    return files


def write_instrument(tool: str, folder: str | os.PathLike, design: Design) -> list[Path]:
    """Write ``tool``'s survey file and matching mapping (and, for SurveyMonkey, the printable page)."""
    if tool not in TOOLS:
        raise DesignError(f"tool {tool!r} is not known; use one of {', '.join(TOOLS)}")
    folder = Path(folder)
    paths = []
    for name, text in instrument_files(tool, design).items():
        atomic_write_text(folder / name, text)
        paths.append(folder / name)
    return paths


__all__ = ["Breakdown", "Design", "DesignError", "FILES", "PRINTABLE", "TOOLS", "instrument_files",
           "make_design", "mapping_text", "parse_breakdown", "write_instrument"]
