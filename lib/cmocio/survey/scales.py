"""Answer scales, and how each distinct value of an export column is placed as an answer.

A value is placed by its **label first**. Where the file labels its codes (SPSS
value labels), the label decides; the code counts only where the mapping itself
lists that code, and a code the mapping lists for one answer whose label it
lists for another is refused, never resolved silently. Where a value has no
label (a CSV or workbook cell, or an unlabelled SPSS code), the value itself is
looked up, with the scale's codes.

Codes of a scale assume it is coded from its negative end up (1 = Strongly
disagree); the conversion summary prints the value -> answer table it used, so
a scale coded the other way shows at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .layouts import NUMBER

#: Answer scales a mapping can name with ``scale:``: the labels and codes read as yes and as no.
SCALES: dict[str, dict[str, tuple[str, ...]]] = {
    # Five points, top two boxes yes. Qualtrics words its default agreement scale "Somewhat agree" /
    # "Somewhat disagree", Microsoft Forms its Likert midpoint "Neutral".
    "agree5": {"yes": ("Strongly agree", "Agree", "Somewhat agree", "5", "4"),
               "no": ("Neither agree nor disagree", "Neither agree or disagree", "Neutral", "Somewhat disagree",
                      "Disagree", "Strongly disagree", "3", "2", "1")},
    # Seven points, top two boxes (Strongly agree, Agree) yes; "Somewhat agree" is the third box here.
    "agree7": {"yes": ("Strongly agree", "Agree", "7", "6"),
               "no": ("Somewhat agree", "Neither agree nor disagree", "Neither agree or disagree", "Neutral",
                      "Somewhat disagree", "Disagree", "Strongly disagree", "5", "4", "3", "2", "1")},
    # An 11-point 0-10 rating: the top two boxes, 9 and 10 (the "promoters" of a Net Promoter question), yes.
    "zero_to_ten": {"yes": ("10", "9"), "no": tuple(str(i) for i in range(8, -1, -1))},
    "yes_no": {"yes": ("Yes", "True", "1"), "no": ("No", "False", "0")},
}
DEFAULT_SCALE = "agree5"
#: Answers that count as not answered unless a mapping says otherwise. A blank always does.
DEFAULT_NOT_ANSWERED = ("Don't know", "Prefer not to say", "Not applicable", "N/A")
#: Placement codes: an answer's own code is 0 or more (or -1, not answered); these two are problems.
UNPLACED, CLASH = -2, -3
#: Names of placement codes, for the summary and for messages.
FUNCTION_ANSWERS = {0: "marketing", 1: "it", 2: "other"}
QUESTION_ANSWERS = {1: "yes", 0: "no", -1: "not answered"}


def norm(value: object) -> str:
    """How answers are compared: trimmed, case-folded, straight quotes, and '4.0' read as '4'."""
    s = re.sub(r"\s+", " ", str(value)).strip().replace("\u2019", "'").replace("\u2018", "'").casefold()
    if NUMBER.fullmatch(s):
        f = float(s)
        if f.is_integer():
            return str(int(f))
    return s


def shown_value(value: object, labels: dict[str, str] | None, safe) -> str:
    """A value for a message: its code and its label where the file labels it ('7' (label 'Somewhat agree'))."""
    label = labels.get(str(value)) if labels else None
    return safe(value) if label is None else f"{safe(value)} (label {safe(label)})"


@dataclass
class Placed:
    """Each row's answer code, and each distinct value's placement (for the summary and the messages)."""

    rows: np.ndarray  # int8 per row: an answer code, UNPLACED or CLASH
    values: list[tuple[str, str | None, int]] = field(default_factory=list)  # value, label, code
    #: value, label, answer by code, answer by label, first row, rows
    clashes: list[tuple[str, str, int, int, int, int]] = field(default_factory=list)


def place(cat: pd.Categorical, lookup: dict[str, int], labels: dict[str, str] | None = None,
          explicit: frozenset[str] | None = None) -> Placed:
    """Place each row of ``cat`` by ``lookup`` (normalised value -> answer code), looking at each distinct value once.

    ``labels`` are the file's value labels (code -> label); ``explicit`` the
    normalised values the mapping text itself lists (``None``: all of
    ``lookup``). A labelled value is placed by its label; its code counts only
    if listed in ``explicit``, and a code and label placed differently is a
    ``CLASH``.
    """
    labels = labels or {}
    per_value, described, clashes = [], [], []
    for v in cat.categories:
        s = str(v)
        label = labels.get(s)
        if label is None:
            code = lookup.get(norm(s), UNPLACED)
        else:
            by_label = lookup.get(norm(label), UNPLACED)
            key = norm(s)
            by_code = lookup.get(key, UNPLACED) if explicit is None or key in explicit else UNPLACED
            if by_label == UNPLACED:  # the label is not listed: the code, if the mapping lists it
                code = by_code
            elif by_code in (UNPLACED, by_label):
                code = by_label
            else:  # listed as a code of one answer and as the label of another
                code = CLASH
                clashes.append((s, label, by_code, by_label))
        per_value.append(code)
        described.append((s, label, code))
    codes = np.asarray(per_value, dtype=np.int8)
    cat_codes = np.asarray(cat.codes)
    out = np.append(codes, np.int8(UNPLACED))[cat_codes]  # a missing value (code -1) takes the last: UNPLACED
    firsts = []
    for s, label, by_code, by_label in clashes:
        where = np.flatnonzero(cat_codes == cat.categories.get_loc(s))
        firsts.append((s, label, by_code, by_label, int(where[0]), len(where)))
    valid = cat_codes if not len(cat_codes) or cat_codes.min() >= 0 else cat_codes[cat_codes >= 0]
    present = np.bincount(valid, minlength=len(codes)) > 0
    return Placed(out, [d for d, p in zip(described, present) if p], firsts)


class ValueTables:
    """The value -> answer table of a conversion, one per group of columns read by the same rule and labels."""

    def __init__(self) -> None:
        self._groups: dict[object, tuple[list[str], dict[tuple[str, str | None], tuple]]] = {}

    def add(self, name: str, rule: object, placed: Placed, names: dict[int, str]) -> None:
        """Add the values placed for ``name`` (function, q01, …) under ``rule`` (a hashable of lookup and labels)."""
        columns, rows = self._groups.setdefault(rule, ([], {}))
        columns.append(name)
        for value, label, code in placed.values:
            if code not in names:
                continue
            shown = "(blank)" if value == "" else value if label is None else f"{value} = {label}"
            numeric = NUMBER.fullmatch(value) is not None
            order = (value == "", 0 if numeric else 1, float(value) if numeric else -code, value)
            rows[(value, label)] = (order, shown, names[code])

    def tables(self) -> list[tuple[list[str], list[tuple[str, str]]]]:
        """(columns, [(value as read, answer)]) per group: '1 = Marketing' -> 'marketing' where the file labels codes."""
        return [(columns, [(shown, answer) for _, shown, answer in sorted(rows.values())])
                for columns, rows in self._groups.values()]


def seven_point_signs(placed: Placed, labels: dict[str, str] | None) -> bool:
    """True when a column holds both 'Agree' and 'Somewhat agree' (or both disagrees): a seven-point scale."""
    seen = {norm(label if label is not None else value) for value, label, _ in placed.values}
    seen |= {norm(v) for v in (labels or {}).values()}
    return {"agree", "somewhat agree"} <= seen or {"disagree", "somewhat disagree"} <= seen
