"""The canonical response file: read and check it, write it, or get it from an export and a mapping.

One row per respondent: ``respondent_id`` (pseudonymous), ``function``
(``marketing`` or ``it``), a weight column, an optional ``wave``, optional
``segment_<name>`` columns, and one column per question of ``questions.csv``
holding 1 (yes), 0 (no) or blank (no answer). ``1.0`` / ``0.0`` and yes / no /
true / false are read as 1 and 0; a semicolon-delimited file (European Excel)
and a byte-order mark are fine. Every problem is named by file, row and column,
and never by a respondent's id or answer text.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataValidationError, Problem
from ..files import atomic_write_text
from .instrument import FUNCTIONS, ID_COLUMNS, SEGMENT_PREFIX, WAVE_COLUMN, segment_columns
from .identifying import breakdown_problem, email_ids, identifying_name, repeated_ids
from .mapping import MAX_SEGMENT_CHARS, MAX_SEGMENT_VALUES, convert, load_mapping, norm
from .read import open_export, read_columns
from .weights import parse_weights, weight_problems

MAX_LISTED = 50
_ANSWERS = {"1": 1, "0": 0, "yes": 1, "no": 0, "true": 1, "false": 0, "": -1}


@dataclass
class Responses:
    """Responses as read: the canonical frame, the layout it came from, warnings, and whether it is weighted."""

    frame: pd.DataFrame
    source: str
    warnings: list[str] = field(default_factory=list)
    weighted: bool = False


def read_responses(path: str | os.PathLike, questions: pd.DataFrame, weight_column: str = "weight",
                   mapping_path: str | os.PathLike | None = None) -> Responses:
    """Read responses: the canonical layout, or any export with a mapping file.

    The frame holds ``respondent_id``, ``function``, ``weight`` (1.0 when ``weight_column``
    is empty), ``wave`` and ``segment_*`` when present, and one nullable ``Int8``
    column per question. A weight column of any name is honoured; a named one that is
    missing is an error, never silently ignored. Weights that are all 1 are read as unweighted.
    """
    if mapping_path:
        mapping = load_mapping(mapping_path, questions)
        if weight_column not in ("", "weight", mapping.weight):  # a named weight is never silently dropped
            said = f"weights by {mapping.weight!r}" if mapping.weight else "names no weight column"
            raise DataValidationError([Problem(str(mapping_path), None, "weight",
                                               f"the mapping {said} but weight_column is {weight_column!r}; "
                                               f"add 'weight: {weight_column}' to the mapping")], "mapping file")
        frame, report = convert(path, mapping, questions)
        if not weight_column:
            frame["weight"] = 1.0
        return _unit_weights_unweighted(Responses(frame, report.source, list(report.warnings),
                                                  bool(mapping.weight and weight_column)))
    header = open_export(path, None)
    if header.kind != "plain":
        raise DataValidationError([Problem(str(header.path), None, None,
                                           f"is a {header.description}; give a mapping file (mapping_path, see "
                                           "data/survey/mappings/) to say which columns answer which question")],
                                  "responses file")
    frame, warnings = _check_plain(header, questions, weight_column)
    return _unit_weights_unweighted(Responses(frame, header.description, warnings, bool(weight_column)))


def load_responses(path: str | os.PathLike, questions: pd.DataFrame, weight_column: str = "weight",
                   mapping_path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The canonical frame of :func:`read_responses` (its layout, warnings and weighting left out)."""
    return read_responses(path, questions, weight_column, mapping_path).frame


def _unit_weights_unweighted(read: Responses) -> Responses:
    """A weight column whose weights are all 1 weights nothing: the responses are read as unweighted."""
    if read.weighted and len(read.frame) and (read.frame["weight"] == 1).all():
        read.weighted = False
    return read


def _check_plain(header, questions: pd.DataFrame, weight_column: str) -> tuple[pd.DataFrame, list[str]]:
    p = str(header.path)
    columns = [c.strip() for c in header.columns]
    if columns and columns[-1] == "":  # a trailing delimiter on every line: an empty last column
        columns = columns[:-1]
    qids = list(questions["question_id"])
    segments = [c for c in columns if c.startswith(SEGMENT_PREFIX)]
    needed = list(ID_COLUMNS) + ([weight_column] if weight_column else [])
    problems: list[Problem] = []
    for col in needed:
        if col not in columns:
            problems.append(Problem(p, 1, col, "required column is missing from the header"))
    known = set(needed) | set(qids) | set(segments) | {WAVE_COLUMN} | ({"weight"} if not weight_column else set())
    for col in segments:
        why = identifying_name(col[len(SEGMENT_PREFIX):])
        if why:
            problems.append(Problem(p, 1, col, f"identifies a person or a place ({why}); a segment must be a "
                                               "category such as segment_business_unit"))
    for col in columns:
        if col not in known:
            problems.append(Problem(p, 1, col, f"is not a question of questions.csv, a wave or a segment_ column "
                                               f"(known questions: {', '.join(qids)})"))
    present = [q for q in qids if q in columns]
    if not present and not problems:
        problems.append(Problem(p, 1, None, "has no question columns"))
    if problems:
        raise DataValidationError(problems, "responses file")
    wanted = [c for c in header.columns if c.strip() in set(needed) | set(present) | set(segments) | {WAVE_COLUMN}]
    if header.columns and header.columns[-1].strip() == "":
        wanted.append(header.columns[-1])
    cols = read_columns(header, wanted)
    by_name = {c.strip(): v for c, v in cols.values.items()}
    line = lambda i: int(i) + 2  # noqa: E731 - header is line 1

    def report(mask: np.ndarray, column: str, message: str) -> None:
        rows = np.flatnonzero(mask)
        for i in rows[:MAX_LISTED]:
            problems.append(Problem(p, line(i), column, message))
        if len(rows) > MAX_LISTED:
            problems.append(Problem(p, None, column, f"... and {len(rows) - MAX_LISTED} more rows with the same problem"))

    def as_text(col: str) -> np.ndarray:
        cat = by_name[col]
        cats = np.asarray([str(c).strip() for c in cat.categories], dtype=object)
        return cats[np.asarray(cat.codes)] if cols.n_rows else np.asarray([], dtype=object)

    def breakdown(col: str, role: str, blank: str) -> None:
        cat = by_name[col]
        labels = [str(c).strip() or blank for c in cat.categories]
        why = breakdown_problem(labels, cat.codes, None, role, MAX_SEGMENT_VALUES, MAX_SEGMENT_CHARS)
        if why:
            problems.append(Problem(p, None, col, why))

    if header.columns and header.columns[-1].strip() == "":
        trailing = as_text("")
        report(trailing != "", "(unnamed last column)", "has a value under an empty header")
    rid = as_text("respondent_id")
    report(rid == "", "respondent_id", "is blank; every respondent needs an id")
    for i, j in repeated_ids(rid, rid == "", MAX_LISTED):
        problems.append(Problem(p, line(i), "respondent_id", f"repeats the id of line {line(j)}"))
    fn = np.asarray([s.lower() for s in as_text("function")], dtype=object)
    report(~np.isin(fn, FUNCTIONS), "function", "is not a known function (use marketing or it)")
    if weight_column:
        w = parse_weights(by_name[weight_column], decimal_comma=header.delimiter == ";")
        for mask, message in weight_problems(w):
            report(mask, weight_column, message)
    else:
        w = np.ones(cols.n_rows)
    answers = {}
    for q in present:
        cat = by_name[q]
        lookup = np.array([_ANSWERS.get(norm(c), -2) for c in cat.categories], dtype=np.int8)
        coded = lookup[np.asarray(cat.codes)] if cols.n_rows else np.asarray([], dtype=np.int8)
        report(coded == -2, q, "is not an answer (use 1 or yes, 0 or no, blank for none)")
        answers[q] = pd.arrays.IntegerArray(np.where(coded == 1, 1, 0).astype("int8"), coded < 0)
    extra = {}
    if WAVE_COLUMN in by_name:
        waves = as_text(WAVE_COLUMN)
        report(waves == "", WAVE_COLUMN, "is blank; every respondent needs a wave when the column is present")
        breakdown(WAVE_COLUMN, "wave", "")
        extra[WAVE_COLUMN] = waves
    for s in segments:
        vals = as_text(s)
        breakdown(s, "segment", "(not stated)")
        extra[s] = np.where(vals == "", "(not stated)", vals)
    if problems:
        raise DataValidationError(problems, "responses file")
    warnings = []
    if email_ids(pd.unique(rid)):
        warnings.append("respondent_id holds e-mail addresses; use pseudonymous ids (they are never written)")
    frame = pd.DataFrame({"respondent_id": rid, "function": fn, "weight": w.astype(float), **extra, **answers})
    return frame, warnings


def write_responses(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write canonical responses atomically: no metadata, no identifying columns, answers as 1 / 0 / blank."""
    cols = ["respondent_id", "function", "weight"]
    cols += [WAVE_COLUMN] if WAVE_COLUMN in frame else []
    cols += segment_columns(frame)
    cols += [c for c in frame.columns if re.fullmatch(r"q[0-9]{2,3}", c)]
    path = Path(path)
    atomic_write_text(path, frame[cols].to_csv(index=False, float_format="%.10g", lineterminator="\n"))
    return path
