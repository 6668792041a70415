"""The mapping that matches each tool's file exactly: the export of a survey built from it converts with no edits.

Each function returns the mapping as a dict (the keys of ``data/survey/README.md``);
:func:`mapping_yaml` writes it as the YAML that :func:`cmocio.survey.load_mapping`
reads, every text quoted so that no label is read as a number or a boolean.
"""

from __future__ import annotations

import json
import re

from .design import DONT_KNOW, Design

#: The column names each tool's export gives the breakdown and matrix questions.
QUALTRICS_ID_COLUMN = "ResponseId"
SURVEYMONKEY_ID_COLUMN = "Respondent ID"


def qualtrics_tags(design: Design) -> tuple[str, list[str], str]:
    """Export tags of the .qsf: the function question, each breakdown, and the matrix (``Q1``, ``Q2`` …)."""
    breakdowns = [f"Q{i}" for i in range(2, 2 + len(design.breakdowns))]
    return "Q1", breakdowns, f"Q{2 + len(design.breakdowns)}"


def _labelled(design: Design) -> dict:
    """Function, other and breakdown keys shared by the label-valued tools (SurveyMonkey, Google Forms)."""
    marketing, it, other = design.functions
    return {"function": {"column": design.function_text, "marketing": marketing, "it": it, "other": [other, ""]},
            "segments": {b.name: b.text for b in design.breakdowns}}


def qualtrics_mapping(design: Design) -> dict:
    """Columns by export tag; answers by code or choice text (either export reads)."""
    function, tags, matrix = qualtrics_tags(design)
    marketing, it, other = design.functions
    segments = {b.name: {"column": tag, "values": {i: v for i, v in enumerate(b.values, start=1)}}
                for b, tag in zip(design.breakdowns, tags)}
    return {"format": "qualtrics", "respondent_id": QUALTRICS_ID_COLUMN,
            "function": {"column": function, "marketing": [marketing, 1], "it": [it, 2], "other": [other, 3, ""]},
            "segments": segments, "wave": design.wave, "scale": "agree5", "not_answered": [DONT_KNOW, 6],
            "questions": {qid: f"{matrix}_{i}" for i, (qid, _) in enumerate(design.statements, start=1)}}


def surveymonkey_mapping(design: Design) -> dict:
    """Columns as SurveyMonkey names them: the question heading, ``heading | row`` for a matrix row."""
    return {"format": "surveymonkey", "respondent_id": SURVEYMONKEY_ID_COLUMN, **_labelled(design),
            "wave": design.wave, "scale": "agree5", "not_answered": [DONT_KNOW],
            "questions": {qid: f"{design.matrix_text} | {s}" for qid, s in design.statements}}


def google_mapping(design: Design) -> dict:
    """Columns as Google Forms names them: the item title, ``title [row]`` for a grid row."""
    return {"format": "google-forms", **_labelled(design), "wave": design.wave, "scale": "agree5",
            "not_answered": [DONT_KNOW],
            "questions": {qid: f"{design.matrix_text} [{s}]" for qid, s in design.statements}}


MAPPINGS = {"qualtrics": qualtrics_mapping, "surveymonkey": surveymonkey_mapping, "google": google_mapping}


#: Text written unquoted: words, spaces and a few signs; YAML would read nothing else into it.
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9 _/.?()-]*(?<! )")
_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}


def _scalar(value: object) -> str:
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.casefold() not in _WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    return _scalar(value)


def mapping_yaml(mapping: dict, comment: str) -> str:
    """The mapping as YAML: one key a line, nested keys indented, flow style below that; ``comment`` on top."""
    lines = [f"# {line}" if line else "#" for line in comment.splitlines()]
    for key, value in mapping.items():
        if isinstance(value, dict) and value:
            lines.append(f"{key}:")
            lines += [f"  {_scalar(k)}: {_flow(v)}" for k, v in value.items()]
        elif isinstance(value, dict):
            continue  # no segments
        else:
            lines.append(f"{key}: {_flow(value)}")
    return "\n".join(lines) + "\n"
