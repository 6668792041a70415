"""Reading CSV tables strictly: every problem is reported with file, line and column.

A table is described by a tuple of :class:`Field`. :func:`read_table` reads the
file as text, converts each column to its declared type, and checks values with
a pandera schema built from the fields. Nothing is raised until the whole file
has been checked, so the caller sees every problem at once.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pandas as pd
import pandera.pandas as pa

from .errors import DataValidationError, Problem

#: Largest dataset table accepted, in bytes (the shipped findings are ~20 KB). Larger files are refused up front.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Largest single field accepted, in characters.
MAX_FIELD_CHARS = 100_000

_KIND_DTYPES = {"str": "string", "int": "Int64", "float": "Float64", "date": "datetime64[ns]"}
_KIND_WORDS = {"int": "a whole number", "float": "a number", "date": "a date (YYYY-MM-DD)"}


@dataclass(frozen=True)
class Field:
    """One column of a table: its type and the rules its values follow."""

    name: str
    kind: str = "str"  # one of "str", "int", "float", "date"
    required: bool = True  # False: the column may be blank on a row
    allowed: tuple[str, ...] | None = None  # vocabulary, for "str" columns
    min: float | None = None
    max: float | None = None
    unique: bool = False
    pattern: str | None = None  # full-match regular expression, for "str" columns
    pattern_words: str = ""  # how to describe the pattern to a person


def _problem(path: Path, line: int | None, column: str | None, message: str) -> Problem:
    return Problem(str(path), line, column, message)


def read_text(path: str | os.PathLike, what: str = "file", max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file (a byte-order mark is accepted), or raise with a clear message."""
    p = Path(path)
    if not p.exists():
        raise DataValidationError([_problem(p, None, None, f"{what} not found")], what)
    if p.is_dir():
        raise DataValidationError([_problem(p, None, None, f"is a directory, expected a CSV {what}")], what)
    size = p.stat().st_size
    if size > max_bytes:
        raise DataValidationError(
            [_problem(p, None, None, f"is {size / 2**20:.0f} MiB; the limit for a {what} is {max_bytes // 2**20} MiB")],
            what)
    raw = p.read_bytes()
    if b"\x00" in raw[:8192]:
        raise DataValidationError([_problem(p, None, None, "looks like a binary file, not CSV text")], what)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataValidationError(
            [_problem(p, line, None, f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                                     "save it as UTF-8 CSV")], what
        ) from None


def _parse_csv(path: Path, text: str, what: str) -> pd.DataFrame:
    """Parse CSV text into a frame of strings; report ragged rows by line."""
    if not text.strip():
        raise DataValidationError([_problem(path, None, None, "is empty; expected a header row and data")], what)
    problems: list[Problem] = []
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))  # long fields get our own message below
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise DataValidationError([_problem(path, reader.line_num, None, f"is not valid CSV ({exc})")], what) from None
    header = [h.strip() for h in rows[0]]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(_problem(path, 1, name, "column name appears twice in the header"))
        seen.add(name)
    # csv.reader counts physical lines; map each record to its first line for messages.
    lines: list[int] = []
    line = 1
    reader = csv.reader(io.StringIO(text, newline=""))
    for _ in reader:
        lines.append(line)
        line = reader.line_num + 1
    data, data_lines = [], []
    for record, ln in zip(rows[1:], lines[1:]):
        if not record or all(not c.strip() for c in record):
            continue  # blank line
        if len(record) != len(header):
            problems.append(_problem(path, ln, None, f"has {len(record)} fields; the header has {len(header)}"))
            continue
        if [c.strip() for c in record] == header:
            problems.append(_problem(path, ln, None, "repeats the header row; remove it"))
            continue
        for name, cell in zip(header, record):
            if len(cell) > MAX_FIELD_CHARS:
                problems.append(_problem(path, ln, name, f"field is {len(cell):,} characters; the limit is {MAX_FIELD_CHARS:,}"))
        data.append([c.strip() for c in record])
        data_lines.append(ln)
    if problems:
        raise DataValidationError(problems, what)
    frame = pd.DataFrame(data, columns=header, dtype="string")
    frame.index = pd.Index(data_lines, name="file_line")
    return frame


def _coerce(frame: pd.DataFrame, fields: Sequence[Field], path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    out = {}
    for f in fields:
        col = frame[f.name].replace("", pd.NA)
        if f.kind in ("int", "float"):
            num = pd.to_numeric(col, errors="coerce")
            bad = col.notna() & num.isna()
            if f.kind == "int":
                frac = num.notna() & (num != num.round())
                bad |= frac
                num = num.where(~frac)
            col = num.astype(_KIND_DTYPES[f.kind])
        elif f.kind == "date":
            parsed = pd.to_datetime(col, format="%Y-%m-%d", errors="coerce")
            bad = col.notna() & parsed.isna()
            col = parsed
        else:
            bad = pd.Series(False, index=col.index)
            col = col.astype("string")
        for line, value in frame.loc[bad, f.name].items():
            problems.append(_problem(path, int(line), f.name, f"'{_short(value)}' is not {_KIND_WORDS[f.kind]}"))
        out[f.name] = col
    extra = {c: frame[c] for c in frame.columns if c not in out}
    typed = pd.DataFrame({**out, **extra}, index=frame.index)
    return typed, problems


def _short(value: object, limit: int = 40) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value)
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _schema(fields: Sequence[Field]) -> pa.DataFrameSchema:
    columns = {}
    for f in fields:
        checks = []
        if f.allowed is not None:
            checks.append(pa.Check.isin(list(f.allowed), error=f"must be one of: {', '.join(f.allowed)}"))
        if f.min is not None and f.max is not None:
            checks.append(pa.Check.in_range(f.min, f.max, error=f"must be between {f.min:g} and {f.max:g}"))
        elif f.min is not None:
            checks.append(pa.Check.ge(f.min, error=f"must be at least {f.min:g}"))
        if f.pattern is not None:
            checks.append(pa.Check.str_matches(f"^(?:{f.pattern})$", error=f"must be {f.pattern_words or f.pattern}"))
        columns[f.name] = pa.Column(_KIND_DTYPES[f.kind], checks=checks, nullable=not f.required, unique=f.unique)
    return pa.DataFrameSchema(columns, strict=False)


def _schema_problems(exc: pa.errors.SchemaErrors, typed: pd.DataFrame, path: Path) -> list[Problem]:
    problems = []
    for row in exc.failure_cases.itertuples(index=False):
        if row.index is None or pd.isna(row.index):
            continue
        check = str(row.check)
        value = row.failure_case
        if check == "not_nullable":
            message = "is blank but a value is required"
        elif check == "field_uniqueness":
            message = f"'{_short(value)}' appears more than once; ids must be unique"
        else:
            message = f"'{_short(value)}' {check}"
        problems.append(_problem(path, int(row.index), row.column, message))
    return problems


def check_table(path: str | os.PathLike, fields: Sequence[Field],
                what: str = "file") -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read one CSV table and list its problems without raising for bad values.

    Returns ``(frame, problems)``. ``frame`` is ``None`` when the file could not be
    read as a table at all (missing, not UTF-8, ragged rows, missing columns);
    otherwise it holds the declared columns typed, with unusable values blank.
    """
    p = Path(path)
    try:
        frame = _parse_csv(p, read_text(p, what), what)
    except DataValidationError as exc:
        return None, exc.problems
    missing = [f.name for f in fields if f.name not in frame.columns]
    if missing:
        return None, [_problem(p, 1, name, "required column is missing from the header") for name in missing]
    typed, problems = _coerce(frame, fields, p)
    try:
        _schema(fields).validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        already = {(q.line, q.column) for q in problems}
        problems.extend(q for q in _schema_problems(exc, typed, p) if (q.line, q.column) not in already)
    return typed, problems


def read_table(path: str | os.PathLike, fields: Sequence[Field], what: str = "file") -> pd.DataFrame:
    """Read and validate one CSV table.

    Returns a frame with the declared columns typed (nullable pandas dtypes) and
    any extra columns kept as text, indexed by file line number. Raises
    :class:`DataValidationError` listing every problem found.
    """
    typed, problems = check_table(path, fields, what)
    if problems or typed is None:
        raise DataValidationError(problems, what)
    return typed
