"""Reading survey-tool exports as they are: Qualtrics, SurveyMonkey, Google Forms, Microsoft Forms, SPSS.

Each layout is read in two steps. :func:`open_export` reads only the header
rows and says which layout it is (:class:`ExportHeader`); :func:`read_columns`
then reads just the columns a mapping asks for, so metadata columns (IP
address, e-mail, names, location) are never loaded at all.

Values come back as ``pandas.Categorical`` of text, ``""`` for blank, so that a
million rows are mapped by looking at each distinct value once.

Layouts (``kind``):

* ``qualtrics``: CSV with three header rows: short names (``Q5_1``), question
  text, and ``{"ImportId": ...}`` (``{'ImportId': ...}`` in the 2017 layout,
  whose metadata columns are ``ResponseID``, ``ResponseSet``, ...). Both the
  numeric-values and the choice-text export. Columns are named by the short name
  of row 1. The legacy layout (before 2017) has two header rows: ``V1``, ``V2``
  … then short names, and ``ResponseID``, ``ResponseSet`` … then question text;
  its metadata columns are named by row 2 (``ResponseID``, ``IPAddress``), its
  questions by row 1.
* ``surveymonkey``: CSV or XLSX with two header rows; row 1 holds the question
  over all its answer columns (blank after the first), row 2 ``Response`` or the
  option / statement text. Columns are named ``question`` or ``question | option``.
  Recognised by its metadata columns (``Respondent ID``, ``Collector ID``,
  ``Start Date`` …, any of which the owner may have deleted) over blank cells.
* ``google-forms``: CSV, ``Timestamp`` first, question text as header; a grid
  row is ``question [row]``.
* ``microsoft-forms``: XLSX, ``ID``, ``Start time``, ``Completion time``,
  ``Email``, ``Name`` first, then one column per question or statement.
* ``spss``: a ``.sav`` file; columns are variable names, values are codes, and
  value labels are kept so a mapping may name either.
* ``plain``: this project's own response layout (``response_template.csv``), or
  any CSV with one header row when a mapping says ``format: plain``.

A file that matches none of them is refused as "layout not recognised", with
the ``format:`` values there are, rather than read with its header rows as answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import pandas as pd

from ..errors import DataValidationError, Problem
from .layouts import (IDENTIFYING, KINDS, MAX_EXPORT_BYTES, METADATA, NUMBER, ExportHeader, _fail,  # noqa: F401
                      _is_workbook, _xlsx_rows, open_export)


@dataclass
class ExportColumns:
    """The requested columns of an export, each a Categorical of text ('' = blank)."""

    header: ExportHeader
    values: dict[str, pd.Categorical]
    n_rows: int
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # SPSS value labels: code -> label

    def row_number(self, index: np.ndarray | int) -> np.ndarray | int:
        """Row of a response as a spreadsheet shows it (the first response follows the header rows)."""
        return index + self.header.header_rows + 1


def _cell_text(value: object) -> str:
    """An XLSX or SAV cell as the text a person would type: 4.0 -> '4', None / NaN -> ''."""
    if value is None:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def read_columns(header: ExportHeader, columns: Iterable[str]) -> ExportColumns:
    """Read the named columns of an export (metadata and unnamed columns are never read)."""
    wanted = list(dict.fromkeys(columns))
    missing = [c for c in wanted if c not in header.columns]
    if missing:
        raise _fail(header.path, f"has no column {missing[0]!r}", 1)
    if header.kind == "spss":
        return _read_spss(header, wanted)
    if _is_workbook(header.path):
        return _read_xlsx(header, wanted)
    return _read_csv(header, wanted)


def _categorical(values: Iterable[str]) -> pd.Categorical:
    return pd.Categorical(np.asarray(list(values), dtype=object))


def _read_xlsx(header: ExportHeader, wanted: list[str]) -> ExportColumns:
    rows = _xlsx_rows(header.path)[header.header_rows:]
    index = [header.columns.index(c) for c in wanted]
    values = {c: _categorical(_cell_text(r[i]) if i < len(r) else "" for r in rows) for c, i in zip(wanted, index)}
    return ExportColumns(header, values, len(rows))


def _read_spss(header: ExportHeader, wanted: list[str]) -> ExportColumns:
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(header.path), usecols=wanted, apply_value_formats=False)
    values = {}
    for c in wanted:
        col = frame[c]
        if pd.api.types.is_numeric_dtype(col):
            uniq, codes = np.unique(col.to_numpy(dtype=float), return_inverse=True)
            text = np.array([_cell_text(float(u)) for u in uniq], dtype=object)
            values[c] = _categorical(text[codes]) if len(col) else _categorical([])
        else:
            values[c] = _categorical(col.fillna("").astype(str))
    labels = {c: {_cell_text(float(k)) if isinstance(k, (int, float)) else str(k): str(v) for k, v in lab.items()}
              for c, lab in meta.variable_value_labels.items() if c in wanted}
    return ExportColumns(header, values, len(frame), labels)


def _read_csv(header: ExportHeader, wanted: list[str]) -> ExportColumns:
    import pyarrow as pa
    import pyarrow.csv as pv

    names = [f"c{i}" for i in range(len(header.columns))]
    by_name = dict(zip(header.columns, names))
    include = [by_name[c] for c in wanted]
    bad: list[tuple[int | None, int, int]] = []

    def on_bad(row) -> str:
        bad.append((row.number, row.expected_columns, row.actual_columns))
        return "skip"

    def read(threads: bool):
        return pv.read_csv(
            str(header.path),
            read_options=pv.ReadOptions(column_names=names, skip_rows=1, skip_rows_after_names=header.header_rows - 1,
                                        encoding=header.encoding.replace("-sig", ""), use_threads=threads,
                                        block_size=16 << 20),
            parse_options=pv.ParseOptions(delimiter=header.delimiter, newlines_in_values=True,
                                          invalid_row_handler=on_bad),
            convert_options=pv.ConvertOptions(column_types={n: pa.string() for n in include}, include_columns=include,
                                              strings_can_be_null=False, quoted_strings_can_be_null=False))

    try:
        table = read(True)
        if bad:
            bad.clear()
            table = read(False)  # single-threaded reading numbers the bad rows
    except pa.ArrowInvalid as exc:
        raise _fail(header.path, _arrow_message(header, str(exc))) from None
    if bad:
        problems = []
        for number, expected, actual in bad[:50]:
            what = "is cut short" if actual < expected else "has more fields than the header"
            problems.append(Problem(str(header.path), number, None,
                                    f"{what}: {actual} fields where the header has {expected}"
                                    + (" (a trailing delimiter on the data rows but not on the header?)"
                                       if actual == expected + 1 else ""), "row"))
        if len(bad) > 50:
            problems.append(Problem(str(header.path), None, None, f"... and {len(bad) - 50} more such rows", "row"))
        raise DataValidationError(problems, "survey export")
    values = {}
    for c, n in zip(wanted, include):
        col = table.column(n).combine_chunks().dictionary_encode()
        dictionary = np.asarray(col.dictionary.to_pylist(), dtype=object)
        codes = col.indices.to_numpy(zero_copy_only=False)
        values[c] = pd.Categorical.from_codes(codes, categories=pd.Index(dictionary, dtype=object))
    if header.kind == "qualtrics":  # metadata of every Qualtrics layout is left out: ids are text in both exports
        answers = [v for c, v in values.items() if c not in METADATA["qualtrics"]]
        numeric = all(NUMBER.fullmatch(str(x)) or x == "" for v in answers for x in v.categories)
        header.variant = "numeric values" if numeric else "choice text"
    return ExportColumns(header, values, table.num_rows)


def _arrow_message(header: ExportHeader, message: str) -> str:
    if "invalid UTF8" in message or "UTF8" in message:
        return "is not UTF-8 text; export it as UTF-8 CSV, or give the mapping an 'encoding' such as cp1252"
    first = message.strip().splitlines()[0] if message.strip() else "unreadable"
    first = re.sub(r"'[^']*'", "'…'", first)  # never echo a field's content
    return f"cannot be parsed as CSV ({first})"
