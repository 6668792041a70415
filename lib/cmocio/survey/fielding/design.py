"""What every survey-tool file of the pulse survey holds: the questions, their wording, choices and codes.

A :class:`Design` is the survey as fielded: the function question, the
breakdown questions the user names (business unit, region, level …, each with
its values), and the agreement statements of ``data/survey/questions.csv`` as
one five-point matrix with "Don't know". Every tool's file and its mapping are
written from the same design, so their wording, order and codes agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ..identifying import identifying_name
from ..instrument import load_questions
from ..synthetic import AGREE, FUNCTION_CHOICES, FUNCTION_Q, MATRIX_Q

#: The function choices are FUNCTION_CHOICES (codes 1, 2, 3: Marketing, IT / Technology, Another function).
#: The matrix scale (codes 1 to 5 from Strongly disagree, 6 for Don't know).
SCALE = AGREE
DONT_KNOW = AGREE[5]
#: Wordings of the usual breakdowns; any other name is asked as "Which of these describes your NAME?".
BREAKDOWN_WORDING = {"business_unit": "Which business unit are you part of?",
                     "region": "Which region are you based in?",
                     "level": "Which level is your role?",
                     "division": "Which division are you part of?",
                     "country": "Which country are you based in?"}
_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_BREAKDOWN_VALUES = 50
MAX_LABEL_CHARS = 60


class DesignError(ValueError):
    """A breakdown or option that cannot be fielded; the message says which and why."""


@dataclass(frozen=True)
class Breakdown:
    """A breakdown question: its snake_case name (the segment), its wording and its values (codes 1, 2 …)."""

    name: str
    values: tuple[str, ...]

    @property
    def text(self) -> str:
        """The question as respondents read it."""
        return BREAKDOWN_WORDING.get(self.name, f"Which of these describes your {self.name.replace('_', ' ')}?")


@dataclass(frozen=True)
class Design:
    """The pulse survey as fielded: title, wave, breakdowns and statements (question id, statement)."""

    title: str = "Marketing and IT pulse survey"
    wave: str = "2025"
    breakdowns: tuple[Breakdown, ...] = ()
    statements: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    function_text: str = FUNCTION_Q
    matrix_text: str = MATRIX_Q
    functions: tuple[str, ...] = FUNCTION_CHOICES


def parse_breakdown(text: str) -> Breakdown:
    """``business_unit=Consumer,Enterprise,Online`` -> a :class:`Breakdown`; a clear error otherwise."""
    name, sep, values = text.partition("=")
    name = name.strip()
    if not sep or not _NAME.fullmatch(name):
        raise DesignError(f"breakdown {text[:40]!r}: write NAME=VALUE,VALUE,... with a snake_case name such as "
                          "business_unit=Consumer,Enterprise,Online")
    why = identifying_name(name) or identifying_name(name.replace("_", " "))
    if why or name in ("function", "wave", "weight"):
        raise DesignError(f"breakdown {name!r} cannot be a breakdown ({why or 'a reserved column'}): a breakdown is "
                          "a category such as business_unit, region or level")
    labels = tuple(v.strip() for v in values.split(",") if v.strip())
    if len(labels) < 2:
        raise DesignError(f"breakdown {name!r} needs at least two values, e.g. {name}=A,B")
    if len(labels) > MAX_BREAKDOWN_VALUES or any(len(v) > MAX_LABEL_CHARS for v in labels):
        raise DesignError(f"breakdown {name!r}: at most {MAX_BREAKDOWN_VALUES} values of at most {MAX_LABEL_CHARS} "
                          "characters each")
    if len({v.casefold() for v in labels}) != len(labels):
        raise DesignError(f"breakdown {name!r} lists a value twice")
    return Breakdown(name, labels)


def make_design(breakdowns: list[str] | tuple[str, ...] = (), wave: str = "2025", title: str | None = None,
                questions: pd.DataFrame | None = None) -> Design:
    """The design from ``--breakdown`` texts, a wave and the instrument (``questions.csv`` when None)."""
    parsed = tuple(parse_breakdown(b) for b in breakdowns)
    names = [b.name for b in parsed]
    if len(set(names)) != len(names):
        raise DesignError("a breakdown is named twice")
    if not re.fullmatch(r"[0-9]{4}(-(Q[1-4]|[0-9]{2}))?|[A-Za-z0-9][A-Za-z0-9 _.-]{0,19}", wave):
        raise DesignError(f"wave {wave[:30]!r}: use a year, quarter or month such as 2025, 2025-Q1 or 2025-03")
    q = load_questions() if questions is None else questions
    statements = tuple(zip(q["question_id"], q["statement"]))
    return Design(title=title or Design.title, wave=wave, breakdowns=parsed, statements=statements)
