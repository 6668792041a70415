"""The mapping file an analyst writes once: which export column answers which question, and how.

A mapping is a small YAML file (JSON works too); ``data/survey/mappings/`` has a
ready template per export kind, and ``data/survey/README.md`` documents every
key. :func:`convert` applies it to an export and returns the canonical response
frame (one row per respondent: a pseudonymous id, function, weight, wave,
segments and 1 / 0 / missing per question) and a :class:`ConversionReport`.

Every value of every mapped column must be placed: a value the mapping does not
list as yes, no or not answered is an error naming file, row, column and value.
Nothing is silently counted as no.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataValidationError, Problem
from .instrument import FUNCTIONS, SEGMENT_PREFIX, WAVE_COLUMN
from .conversion_report import ConversionReport
from .identifying import breakdown_problem, email_ids, identifying_name, repeated_ids, safe_value
from .mapping_text import read_mapping_text
from .read import KINDS, ExportColumns, ExportHeader, open_export, read_columns
from .scales import (DEFAULT_NOT_ANSWERED, DEFAULT_SCALE, FUNCTION_ANSWERS, QUESTION_ANSWERS, SCALES,  # noqa: F401
                     UNPLACED, Placed, ValueTables, norm, place, seven_point_signs, shown_value)
from .weights import parse_weights, weight_problems

#: A segment with more distinct values than this is refused: it looks like free text or an id.
MAX_SEGMENT_VALUES = 50
MAX_SEGMENT_CHARS = 60
_KEYS = {"format", "encoding", "respondent_id", "function", "weight", "segments", "wave", "scale", "yes", "no",
         "not_answered", "questions"}




@dataclass(frozen=True)
class QuestionRule:
    """How one question is read from the export."""

    question_id: str
    column: str
    yes: frozenset[str]
    no: frozenset[str]
    not_answered: frozenset[str]
    explicit: frozenset[str] = frozenset()  # the values the mapping text lists (a scale's defaults are not)
    scale: str | None = None  # the scale read, when the mapping lists no yes or no values of its own


@dataclass
class Mapping:
    """A validated mapping file."""

    path: Path
    function_column: str
    marketing: frozenset[str]
    it: frozenset[str]
    other: frozenset[str]
    questions: list[QuestionRule]
    format: str | None = None
    encoding: str | None = None
    respondent_id: str | None = None
    weight: str | None = None
    segments: dict[str, str] = field(default_factory=dict)  # segment name -> export column
    segment_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # segment name -> code -> label
    wave_column: str | None = None
    wave_value: str | None = None

    def columns(self) -> list[str]:
        """Every export column the mapping reads."""
        cols = [self.function_column, *(q.column for q in self.questions), *self.segments.values()]
        cols += [c for c in (self.respondent_id, self.weight, self.wave_column) if c]
        return list(dict.fromkeys(cols))


def _values(raw: Any, where: str, problems: list[Problem], path: Path) -> frozenset[str]:
    if raw is None:
        return frozenset()
    if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
        raw = [raw]
    if not isinstance(raw, list) or any(isinstance(v, (dict, list)) for v in raw):
        problems.append(Problem(str(path), None, where, "must be a value or a list of values"))
        return frozenset()
    return frozenset(norm(v) for v in raw)


def load_mapping(path: str | os.PathLike, questions: pd.DataFrame) -> Mapping:
    """Read and check a mapping file; raise one error naming every problem by key."""
    import yaml

    p = Path(path)
    if not p.is_file():
        raise DataValidationError([Problem(str(p), None, None, "mapping file not found")], "mapping file")
    try:
        doc = read_mapping_text(p.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise DataValidationError([Problem(str(p), line, None, f"is not valid YAML ({getattr(exc, 'problem', exc)})")],
                                  "mapping file") from None
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(str(p), None, key, message))

    if not isinstance(doc, dict):
        raise DataValidationError([Problem(str(p), None, None, "must be a YAML mapping of keys such as function, "
                                                               "questions")], "mapping file")
    for key in doc:
        if key not in _KEYS:
            close = difflib.get_close_matches(str(key), sorted(_KEYS), 1)
            bad(str(key), "is not a mapping key" + (f" (did you mean {close[0]!r}?)" if close else ""))
    fmt = doc.get("format")
    if fmt is not None and fmt not in KINDS:
        bad("format", f"{fmt!r} is not a known export format; use one of {', '.join(KINDS)}")
    fn = doc.get("function")
    marketing = it = other = frozenset()
    fn_col = ""
    if not isinstance(fn, dict) or not fn.get("column"):
        bad("function", "must give the column holding each respondent's function, and the values meaning "
                        "marketing and it")
    else:
        fn_col = str(fn["column"])
        marketing = _values(fn.get("marketing"), "function.marketing", problems, p)
        it = _values(fn.get("it"), "function.it", problems, p)
        other = _values(fn.get("other"), "function.other", problems, p)
        if not marketing or not it:
            bad("function", "must list the values meaning marketing and the values meaning it")
        overlap = (marketing & it) | (marketing & other) | (it & other)
        if overlap:
            bad("function", f"the value(s) {', '.join(sorted(overlap))} are listed for two functions")
    scale_name = doc.get("scale", DEFAULT_SCALE)
    if scale_name not in SCALES:
        bad("scale", f"{scale_name!r} is not a known scale; use one of {', '.join(SCALES)}")
        scale_name = DEFAULT_SCALE
    default_yes = _values(doc["yes"], "yes", problems, p) if "yes" in doc else frozenset(map(norm, SCALES[scale_name]["yes"]))
    default_no = _values(doc["no"], "no", problems, p) if "no" in doc else frozenset(map(norm, SCALES[scale_name]["no"]))
    default_na = (_values(doc["not_answered"], "not_answered", problems, p) if "not_answered" in doc
                  else frozenset(map(norm, DEFAULT_NOT_ANSWERED)))
    rules = []
    qs = doc.get("questions")
    known = list(questions["question_id"])
    if not isinstance(qs, dict) or not qs:
        bad("questions", f"must map question ids ({', '.join(known)}) to export columns")
        qs = {}
    for qid, spec in qs.items():
        qid = str(qid)
        if qid not in known:
            bad(f"questions.{qid}", f"is not a question of questions.csv (known: {', '.join(known)})")
            continue
        if isinstance(spec, (str, int)) and not isinstance(spec, bool):
            spec = {"column": str(spec)}
        if not isinstance(spec, dict) or not spec.get("column"):
            bad(f"questions.{qid}", "must be a column name, or a mapping with 'column' and optionally yes, no, "
                                    "not_answered")
            continue
        for key in spec:
            if key not in ("column", "yes", "no", "not_answered"):
                bad(f"questions.{qid}.{key}", "is not a question key (use column, yes, no, not_answered)")
        local_scale = spec.get("scale")
        yes = _values(spec["yes"], f"questions.{qid}.yes", problems, p) if "yes" in spec else default_yes
        no = _values(spec["no"], f"questions.{qid}.no", problems, p) if "no" in spec else default_no
        na = (_values(spec["not_answered"], f"questions.{qid}.not_answered", problems, p)
              if "not_answered" in spec else default_na) | {""}
        explicit = frozenset().union(*(
            values for key, values in (("yes", yes), ("no", no), ("not_answered", na))
            if key in spec or key in doc))
        own_scale = None if any(k in spec or k in doc for k in ("yes", "no")) else scale_name
        if local_scale:
            bad(f"questions.{qid}.scale", "scale is set once for the whole mapping; list yes and no here instead")
        clash = (yes & no) | (yes & na) | (no & na)
        if clash:
            bad(f"questions.{qid}", f"the value(s) {', '.join(sorted(clash))} are placed twice (yes, no, not answered)")
        rules.append(QuestionRule(qid, str(spec["column"]), yes, no, na, explicit, own_scale))
    segments = doc.get("segments") or {}
    if not isinstance(segments, dict):
        bad("segments", "must map segment names (such as business_unit) to export columns")
        segments = {}
    seg, seg_labels = {}, {}
    for name, col in segments.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(name)):
            bad(f"segments.{name}", "a segment name must be snake_case, such as business_unit")
        elif isinstance(col, dict):
            seg[str(name)] = str(col.get("column", ""))
            labels = col.get("values") or {}
            if not isinstance(labels, dict):
                bad(f"segments.{name}.values", "must map codes to labels, such as {1: Retail, 2: Wholesale}")
            else:
                seg_labels[str(name)] = {norm(k): str(v) for k, v in labels.items()}
        else:
            seg[str(name)] = str(col)
    wave = doc.get("wave")
    wave_column = wave_value = None
    if isinstance(wave, dict):
        wave_column = str(wave.get("column", "")) or None
        wave_value = None if wave.get("value") is None else str(wave["value"])
        if bool(wave_column) == bool(wave_value):
            bad("wave", "give either a column or a value")
    elif wave is not None:
        wave_value = str(wave)
    weight = doc.get("weight")
    if isinstance(weight, dict):
        weight = weight.get("column")
    rid = doc.get("respondent_id")
    if isinstance(rid, dict):
        rid = rid.get("column")
    used = [(f"questions.{r.question_id}", r.column) for r in rules] + [(f"segments.{k}", v) for k, v in seg.items()]
    used += [("weight", weight), ("wave", wave_column), ("function", fn_col or None)]
    used += [(f"segments.{k}", k) for k in seg]  # the name becomes the canonical column segment_<name>
    for key, col in used:
        why = col and identifying_name(str(col), question=key.startswith("questions."))
        if why:
            bad(key, f"{col!r} identifies a person or a place ({why}) and cannot be a question, segment, weight, "
                     "wave or function")
    if problems:
        raise DataValidationError(problems, "mapping file")
    return Mapping(p, fn_col, marketing, it, other, rules, fmt, doc.get("encoding"), str(rid) if rid else None,
                   str(weight) if weight else None, seg, seg_labels, wave_column, wave_value)


def _column_check(mapping: Mapping, header: ExportHeader) -> list[Problem]:
    problems = []
    for col in mapping.columns():
        if col not in header.columns:
            close = difflib.get_close_matches(col, header.columns, 1, 0.6)
            problems.append(Problem(str(header.path), 1, col, "is named by the mapping but is not a column of this "
                                    f"{header.description}" + (f" (did you mean {close[0]!r}?)" if close else ""),
                                    "row"))
    return problems


def _named(value: object, labels: dict[str, str] | None, known: frozenset[str]) -> str:
    """A value for a message, with its label where the file labels it; free text is named by its length.

    A file's value labels are the instrument's answer options, not what a respondent typed, so they may be quoted.
    """
    known = known | {norm(v) for v in (labels or {}).values()}
    return shown_value(value, labels, lambda v: safe_value(v, known)).replace("(label value ", "(label ")


def _unplaced(cols: ExportColumns, column: str, placed: np.ndarray, what: str, problems: list[Problem],
              known: frozenset[str]) -> None:
    """Name each row whose value the mapping does not place; a value is quoted only if a code or a known label."""
    rows = np.flatnonzero(placed == -2)
    cat = cols.values[column]
    for i in rows[:20]:
        problems.append(Problem(str(cols.header.path), int(cols.row_number(i)), column,
                                f"{_named(cat[i], cols.labels.get(column), known)} is not placed by the mapping "
                                f"({what})", "row"))
    if len(rows) > 20:
        problems.append(Problem(str(cols.header.path), None, column,
                                f"... and {len(rows) - 20} more rows with values the mapping does not place", "row"))


def _clashes(cols: ExportColumns, column: str, placed: Placed, names: dict[int, str],
             problems: list[Problem]) -> None:
    """A code the mapping lists for one answer whose value label it lists for another: refused, by first row."""
    for value, label, by_code, by_label, first, n in placed.clashes:
        problems.append(Problem(str(cols.header.path), int(cols.row_number(first)), column,
                                f"code {safe_value(value).removeprefix('value ')} is listed for {names[by_code]} but "
                                f"its value label {safe_value(label, {norm(label)}).removeprefix('value ')} "
                                f"is listed for {names[by_label]} ({n} row{'s' if n != 1 else ''} "
                                "with this code); the file's labels are read first: take the code out of the "
                                "mapping, or correct the labels", "row"))


def convert(export: str | os.PathLike, mapping: Mapping, questions: pd.DataFrame,
            kind: str | None = None) -> tuple[pd.DataFrame, ConversionReport]:
    """Apply ``mapping`` to an export: the canonical responses and a report of what was read."""
    header = open_export(export, kind or mapping.format, mapping.encoding)
    problems = _column_check(mapping, header)
    if problems:
        raise DataValidationError(problems, "survey export")
    cols = read_columns(header, mapping.columns())
    path = str(header.path)
    n = cols.n_rows
    warnings: list[str] = []
    # function
    lookup = {**{v: 0 for v in mapping.marketing}, **{v: 1 for v in mapping.it}, **{v: 2 for v in mapping.other}}
    scales = [v for scale in SCALES.values() for vs in scale.values() for v in vs] + list(DEFAULT_NOT_ANSWERED)
    known = frozenset({*lookup, *map(norm, scales), *(v for r in mapping.questions for v in (*r.yes, *r.no,
                                                                                          *r.not_answered))})
    fn_labels = cols.labels.get(mapping.function_column)
    fn_placed = place(cols.values[mapping.function_column], lookup, fn_labels)
    fn = fn_placed.rows
    _clashes(cols, mapping.function_column, fn_placed, FUNCTION_ANSWERS, problems)
    _unplaced(cols, mapping.function_column, fn, "function: marketing, it or other", problems, known)
    if any(value == "" and code == UNPLACED for value, _, code in fn_placed.values):
        problems.append(Problem(path, None, mapping.function_column,
                                "blank values are not placed; to leave out respondents who did not say their "
                                "function, list the blank under other, e.g. other: [Another function, \"\"]", "row"))
    value_tables = ValueTables()
    value_tables.add("function", "function", fn_placed, FUNCTION_ANSWERS)
    keep = fn != 2
    # respondent id: duplicates and e-mail addresses, never written
    if mapping.respondent_id:
        ids = cols.values[mapping.respondent_id]
        codes = np.asarray(ids.codes)
        blank = np.asarray(ids.categories == "")[codes] if len(ids.categories) else np.zeros(n, bool)
        for i in np.flatnonzero(blank)[:20]:
            problems.append(Problem(path, int(cols.row_number(i)), mapping.respondent_id, "is blank", "row"))
        for i, j in repeated_ids(codes, blank, 20):
            problems.append(Problem(path, int(cols.row_number(i)), mapping.respondent_id,
                                    f"repeats the id of row {int(cols.row_number(j))}", "row"))
        if email_ids(ids.categories):
            warnings.append(f"column {mapping.respondent_id!r} holds e-mail addresses; use a pseudonymous id "
                            "(the ids are used only to find duplicates and are never written)")
    # weight
    weight = parse_weights(cols.values[mapping.weight]) if mapping.weight else np.ones(n)
    if mapping.weight:
        for mask, message in weight_problems(weight, keep):
            for i in np.flatnonzero(mask)[:20]:
                problems.append(Problem(path, int(cols.row_number(i)), mapping.weight, message, "row"))
    # segments and wave
    extra: dict[str, np.ndarray] = {}
    for name, col in mapping.segments.items():
        cat = cols.values[col]
        given, spss = mapping.segment_labels.get(name, {}), cols.labels.get(col, {})
        cats = [given.get(norm(c), spss.get(str(c), str(c))) for c in cat.categories]
        cats = [re.sub(r"\s+", " ", c).strip() or "(not stated)" for c in cats]
        why = breakdown_problem(cats, cat.codes, keep, "segment", MAX_SEGMENT_VALUES, MAX_SEGMENT_CHARS)
        problems += [Problem(path, None, col, why, "row")] if why else []
        extra[SEGMENT_PREFIX + name] = np.asarray(cats, dtype=object)[np.asarray(cat.codes)]
    if mapping.wave_column:
        cat = cols.values[mapping.wave_column]
        cats = [str(c).strip() for c in cat.categories]
        waves = np.asarray(cats, dtype=object)[np.asarray(cat.codes)]
        for i in np.flatnonzero((waves == "") & keep)[:20]:
            problems.append(Problem(path, int(cols.row_number(i)), mapping.wave_column, "is blank", "row"))
        why = breakdown_problem(cats, cat.codes, keep, "wave", MAX_SEGMENT_VALUES, MAX_SEGMENT_CHARS)
        problems += [Problem(path, None, mapping.wave_column, why, "row")] if why else []
        extra[WAVE_COLUMN] = waves
    elif mapping.wave_value:
        extra[WAVE_COLUMN] = np.full(n, mapping.wave_value, dtype=object)
    # questions
    answers: dict[str, pd.arrays.IntegerArray] = {}
    counts = []
    for rule in mapping.questions:
        lookup = {**{v: 1 for v in rule.yes}, **{v: 0 for v in rule.no}, **{v: -1 for v in rule.not_answered}}
        labels = cols.labels.get(rule.column)
        result = place(cols.values[rule.column], lookup, labels, rule.explicit)
        _clashes(cols, rule.column, result, QUESTION_ANSWERS, problems)
        if rule.scale == "agree5" and seven_point_signs(result, labels):
            problems.append(Problem(path, None, rule.column, "holds both 'Agree' and 'Somewhat agree' (or both "
                                    "'Disagree' and 'Somewhat disagree'), as a seven-point scale does, but the "
                                    "mapping reads a five-point one; set scale: agree7, or list yes and no",
                                    "row"))
        value_tables.add(rule.question_id, (frozenset(lookup.items()), rule.explicit, frozenset((labels or {}).items())),
                         result, QUESTION_ANSWERS)
        placed = result.rows
        placed[~keep] = -1
        _unplaced(cols, rule.column, placed, f"yes, no or not answered of {rule.question_id}", problems, known)
        kept = placed[keep]
        counts.append((rule.question_id, rule.column, int((kept == 1).sum()), int((kept == 0).sum()),
                       int((kept == -1).sum())))
        answers[rule.question_id] = pd.arrays.IntegerArray(np.where(kept == 1, 1, 0).astype("int8"), kept < 0)
    if problems:
        raise DataValidationError(problems, "survey export")
    fn_k = fn[keep]
    frame = pd.DataFrame({
        "respondent_id": pd.Series(np.char.add("r", np.char.zfill(np.arange(1, keep.sum() + 1).astype(str), 6)),
                                   dtype=object),
        "function": np.asarray(FUNCTIONS, dtype=object)[fn_k] if len(fn_k) else np.asarray([], dtype=object),
        "weight": weight[keep].astype(float),
    })
    for name in ([WAVE_COLUMN] if WAVE_COLUMN in extra else []) + [c for c in extra if c != WAVE_COLUMN]:
        frame[name] = extra[name][keep]
    ordered = [q for q in questions["question_id"] if q in answers]
    for q in ordered:
        frame[q] = answers[q]
    by_function = {f: int((fn_k == i).sum()) for i, f in enumerate(FUNCTIONS)}
    by_segment = {c[len(SEGMENT_PREFIX):]: frame[c].value_counts(sort=False).sort_index().astype(int).to_dict()
                  for c in frame.columns if c.startswith(SEGMENT_PREFIX)}
    by_wave = (frame[WAVE_COLUMN].value_counts(sort=False).sort_index().astype(int).to_dict()
               if WAVE_COLUMN in frame else {})
    dropped = [c for c in header.metadata if c != mapping.respondent_id]
    report = ConversionReport(header.description, n, int(keep.sum()), int((~keep).sum()), by_function, by_segment,
                              by_wave, pd.DataFrame(counts, columns=["question_id", "column", "yes", "no",
                                                                     "not_answered"]),
                              dropped, warnings, value_tables.tables())
    return frame, report
