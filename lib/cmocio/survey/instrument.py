"""The pulse-survey instrument: the questions, the canonical response layout, shared names."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import pandas as pd

from ..data import DATA_DIR
from ..tables import Field, read_table

SURVEY_DIR = DATA_DIR / "survey"
QUESTIONS_PATH = SURVEY_DIR / "questions.csv"
EXAMPLE_PATH = SURVEY_DIR / "synthetic_example_responses.csv"
MAPPINGS_DIR = SURVEY_DIR / "mappings"
FUNCTIONS = ("marketing", "it")
GROUPS = (*FUNCTIONS, "all")
ID_COLUMNS = ("respondent_id", "function")
#: Optional column of the canonical layout naming the survey wave (e.g. ``2025``).
WAVE_COLUMN = "wave"
#: Prefix of the canonical layout's segment columns: ``segment_business_unit`` holds the business unit.
SEGMENT_PREFIX = "segment_"
#: The label of a total: every function, every segment value, or the only wave.
ALL = "all"
#: Joins two segment names, and two values, in a crossed breakdown.
CROSS = " × "

QUESTION_FIELDS = (
    Field("question_id", pattern=r"q[0-9]{2,3}", pattern_words="an id such as q01", unique=True),
    Field("metric", pattern=r"[a-z][a-z0-9_]*", pattern_words="a snake_case metric id"),
    Field("asked_of", allowed=("both", "marketing", "it")),
    Field("wording"),
    Field("statement"),
    Field("coding"),
)


def load_questions(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The survey instrument: question id, metric of findings.csv, who is asked, wording, coding."""
    return read_table(Path(path) if path else QUESTIONS_PATH, QUESTION_FIELDS, "questions file")


def respondent_columns(questions: pd.DataFrame) -> Sequence[str]:
    """Columns of the plain response template, in order."""
    return [*ID_COLUMNS, "weight", *questions["question_id"]]


def segment_columns(frame: pd.DataFrame) -> list[str]:
    """The segment columns of a canonical response frame, in file order."""
    return [c for c in frame.columns if c.startswith(SEGMENT_PREFIX)]


def segment_name(column: str) -> str:
    """``segment_business_unit`` -> ``business unit`` (for headings)."""
    return column[len(SEGMENT_PREFIX):].replace("_", " ")


def crossed_name(a: str, b: str) -> str:
    """The breakdown name of two segment columns at once: ``business_unit × level``."""
    return f"{a}{CROSS}{b}"
