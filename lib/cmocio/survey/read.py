"""Reading survey-tool exports as they are: Qualtrics, SurveyMonkey, Google Forms, Microsoft Forms, SPSS.

Each layout is read in two steps. :func:`open_export` reads only the header
rows and says which layout it is (:class:`ExportHeader`); :func:`read_columns`
then reads just the columns a mapping asks for, so metadata columns (IP
address, e-mail, names, location) are never loaded at all.

Values come back as ``pandas.Categorical`` of text, ``""`` for blank, so that a
million rows are mapped by looking at each distinct value once.

Layouts (``kind``):

* ``qualtrics``: CSV with three header rows: short names (``Q5_1``), question
  text, and ``{"ImportId": ...}``. Both the numeric-values and the choice-text
  export. Columns are named by the short name of row 1.
* ``surveymonkey``: CSV or XLSX with two header rows; row 1 holds the question
  over all its answer columns (blank after the first), row 2 ``Response`` or the
  option / statement text. Columns are named ``question`` or ``question | option``.
* ``google-forms``: CSV, ``Timestamp`` first, question text as header; a grid
  row is ``question [row]``.
* ``microsoft-forms``: XLSX, ``ID``, ``Start time``, ``Completion time``,
  ``Email``, ``Name`` first, then one column per question or statement.
* ``spss``: a ``.sav`` file; columns are variable names, values are codes, and
  value labels are kept so a mapping may name either.
* ``plain``: this project's own response layout (``response_template.csv``).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from ..errors import DataValidationError, Problem

KINDS = ("qualtrics", "surveymonkey", "google-forms", "microsoft-forms", "spss", "plain")
#: Largest export accepted (a million respondents by 50 columns is about 300 MiB of CSV).
MAX_EXPORT_BYTES = 4 * 1024**3
_HEAD_BYTES = 1 << 20
#: A number as text: '4', '4.0', '-1.5'.
NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")

#: Metadata columns each tool adds. They are never read, except a respondent id the mapping names.
METADATA = {
    "qualtrics": ("StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
                  "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                  "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel",
                  "UserLanguage", "Q_RecaptchaScore", "Q_RelevantIDDuplicate", "Q_RelevantIDDuplicateScore",
                  "Q_RelevantIDFraudScore", "Q_RelevantIDLastStartDate"),
    "surveymonkey": ("Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
                     "First Name", "Last Name", "Custom Data 1", "Custom Data 2"),
    "google-forms": ("Timestamp", "Email Address", "Email address", "Score"),
    "microsoft-forms": ("ID", "Start time", "Completion time", "Email", "Name", "Last modified time",
                        "Total points", "Quiz feedback"),
    "spss": ("StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration__in_seconds_", "Finished",
             "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
             "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage"),
    "plain": (),
}
#: Metadata that identifies a person or a place: never usable as a question, segment, weight or wave.
IDENTIFYING = frozenset({
    "IPAddress", "RecipientLastName", "RecipientFirstName", "RecipientEmail", "ExternalReference",
    "LocationLatitude", "LocationLongitude", "IP Address", "Email Address", "First Name", "Last Name",
    "Email address", "Email", "Name",
})
_LABELS = {
    "qualtrics": "Qualtrics CSV", "surveymonkey": "SurveyMonkey", "google-forms": "Google Forms CSV",
    "microsoft-forms": "Microsoft Forms workbook", "spss": "SPSS .sav file", "plain": "plain response CSV",
}


@dataclass
class ExportHeader:
    """What the header rows of an export say: its layout, its columns, where responses start."""

    path: Path
    kind: str
    columns: list[str]  # the names a mapping uses, in file order
    text: dict[str, str] = field(default_factory=dict)  # question text of each column, where the layout has it
    header_rows: int = 1  # rows before the first response
    delimiter: str = ","
    encoding: str = "utf-8"
    variant: str = ""  # e.g. "numeric values" or "choice text" for Qualtrics

    @property
    def description(self) -> str:
        """How the notebook names what it read: 'Qualtrics CSV (choice text)'."""
        extra = [self.variant] if self.variant else []
        if self.delimiter == ";":
            extra.append("semicolon-delimited")
        return _LABELS[self.kind] + (f" ({', '.join(extra)})" if extra else "")

    @property
    def metadata(self) -> list[str]:
        """Metadata columns of the layout that are present (never read unless named as the respondent id)."""
        known = set(METADATA[self.kind])
        return [c for c in self.columns if c in known]


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


def _fail(path: Path, message: str, line: int | None = None, column: str | None = None) -> DataValidationError:
    return DataValidationError([Problem(str(path), line, column, message, "row")], "survey export")


def _check_file(path: Path) -> None:
    if not path.exists():
        raise _fail(path, "survey export not found")
    if path.is_dir():
        raise _fail(path, "is a directory, expected a survey export (CSV, XLSX or SAV)")
    size = path.stat().st_size
    if size == 0:
        raise _fail(path, "is empty; expected a header row and responses")
    if size > MAX_EXPORT_BYTES:
        raise _fail(path, f"is {size / 2**30:.1f} GiB; the limit for a survey export is "
                          f"{MAX_EXPORT_BYTES // 2**30} GiB")


def _encoding(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def _decode_head(path: Path, raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 4:  # a character cut at the end of the sample
            return raw[: exc.start].decode(encoding)
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(path, f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                          "export it as UTF-8 CSV, or give the mapping an 'encoding' such as cp1252", line) from None


def _delimiter(first_line: str) -> str:
    best, count = ",", 0
    for d in (",", ";", "\t"):
        n = len(next(csv.reader([first_line], delimiter=d), []))
        if n > count:
            best, count = d, n
    return best


def _records(text: str, delimiter: str, n: int) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = []
    try:
        for rec in reader:
            out.append(rec)
            if len(out) >= n:
                break
    except csv.Error:
        pass
    return out


def _unique(names: Iterable[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        out.append(name)
    return out


def _clean(name: object) -> str:
    return re.sub(r"\s+", " ", "" if name is None else str(name)).strip()


def _surveymonkey_names(row1: list[str], row2: list[str]) -> tuple[list[str], dict[str, str]]:
    names, text, question = [], {}, ""
    for i, top in enumerate(row1):
        top = _clean(top)
        if top:
            question = top
        sub = _clean(row2[i]) if i < len(row2) else ""
        name = question if sub in ("", "Response", "Open-Ended Response") else f"{question} | {sub}"
        names.append(name)
    names = _unique(names)
    for name in names:
        text[name] = name.split(" | ")[0]
    return names, text


def open_export(path: str | os.PathLike, kind: str | None = None, encoding: str | None = None) -> ExportHeader:
    """Read the header rows of an export and detect its layout (or check the ``kind`` given)."""
    p = Path(path)
    _check_file(p)
    if kind is not None and kind not in KINDS:
        raise _fail(p, f"format {kind!r} is not known; use one of {', '.join(KINDS)}")
    with open(p, "rb") as fh:
        raw = fh.read(_HEAD_BYTES)
    if raw.startswith(b"$FL2") or raw.startswith(b"$FL3") or p.suffix.lower() == ".sav" or kind == "spss":
        return _open_spss(p)
    if _is_workbook(p, raw):
        return _open_xlsx(p, kind)
    if b"\x00" in raw[:4096] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _fail(p, "looks like a binary file, not a CSV, XLSX or SAV export")
    enc = encoding or _encoding(raw)
    text = _decode_head(p, raw, enc)
    first = text.splitlines()[0] if text.strip() else ""
    if not first.strip():
        raise _fail(p, "has no header row", 1)
    delim = _delimiter(first)
    recs = _records(text, delim, 4)
    row1 = [_clean(c) for c in recs[0]]
    detected = kind or _detect_csv(row1, recs)
    if detected == "qualtrics":
        if len(recs) < 3 or not _clean(recs[2][0] if recs[2] else "").startswith("{"):
            raise _fail(p, "is not a Qualtrics export with its three header rows (short names, question text, "
                           "ImportId); export it again from Data & Analysis > Export > CSV", 3)
        names = _unique(row1)
        return ExportHeader(p, "qualtrics", names, dict(zip(names, (_clean(c) for c in recs[1]))), 3, delim, enc)
    if detected == "surveymonkey":
        if len(recs) < 2:
            raise _fail(p, "is missing the second header row of a SurveyMonkey export", 2)
        names, qtext = _surveymonkey_names(recs[0], recs[1])
        return ExportHeader(p, "surveymonkey", names, qtext, 2, delim, enc)
    names = _unique(row1)
    return ExportHeader(p, detected, names, {n: n for n in names}, 1, delim, enc)


def _is_workbook(path: Path, head: bytes | None = None) -> bool:
    """An XLSX workbook, by extension or by its zip signature (reads 4 bytes at most)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return True
    if head is None:
        with open(path, "rb") as fh:
            head = fh.read(4)
    return head.startswith(b"PK\x03\x04")


def _detect_csv(row1: list[str], recs: list[list[str]]) -> str:
    if len(recs) >= 3 and recs[2] and _clean(recs[2][0]).startswith('{"ImportId"'):
        return "qualtrics"
    if row1[:2] == ["Respondent ID", "Collector ID"]:
        return "surveymonkey"
    if row1 and row1[0] == "Timestamp":
        return "google-forms"
    return "plain"  # this project's own layout; its columns are checked when it is read


def _open_xlsx(path: Path, kind: str | None) -> ExportHeader:
    rows = _xlsx_rows(path, limit=2)
    if not rows:
        raise _fail(path, "has no rows in its first sheet")
    row1 = [_clean(c) for c in rows[0]]
    if kind == "surveymonkey" or (kind is None and row1[:2] == ["Respondent ID", "Collector ID"]):
        names, qtext = _surveymonkey_names(row1, [_clean(c) for c in (rows[1] if len(rows) > 1 else [])])
        return ExportHeader(path, "surveymonkey", names, qtext, 2, variant="workbook")
    if kind in (None, "microsoft-forms") and row1[:3] == ["ID", "Start time", "Completion time"]:
        names = _unique(row1)
        return ExportHeader(path, "microsoft-forms", names, {n: n for n in names}, 1)
    if kind in KINDS and kind not in ("spss",):
        names = _unique(row1)
        return ExportHeader(path, kind, names, {n: n for n in names}, 1)
    raise _fail(path, "is a workbook in no known layout (a Microsoft Forms workbook starts with ID, Start time, "
                      "Completion time; a SurveyMonkey one with Respondent ID, Collector ID); give format= to say "
                      "which it is")


def _xlsx_rows(path: Path, limit: int | None = None) -> list[tuple]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zip or XML errors: the file is not a workbook
        raise _fail(path, f"cannot be opened as an Excel workbook ({type(exc).__name__})") from None
    try:
        ws = wb.worksheets[0]
        rows = []
        for row in ws.iter_rows(values_only=True):
            rows.append(row)
            if limit and len(rows) >= limit:
                break
        return rows
    finally:
        wb.close()


def _open_spss(path: Path) -> ExportHeader:
    import pyreadstat

    try:
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    except Exception as exc:
        raise _fail(path, f"cannot be read as an SPSS .sav file ({type(exc).__name__})") from None
    names = list(meta.column_names)
    labels = dict(zip(names, (_clean(x) for x in meta.column_labels)))
    return ExportHeader(path, "spss", names, labels, 0)


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
    if header.kind == "qualtrics":
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
