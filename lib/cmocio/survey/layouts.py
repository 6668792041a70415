"""Which export layout a file is in: its header rows, its metadata columns, where responses start.

:func:`open_export` reads only the header rows of an export (never a response)
and returns an :class:`ExportHeader`; :mod:`cmocio.survey.read` then reads the
columns a mapping names. The layouts are described in :mod:`cmocio.survey.read`.
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
                  "Q_RelevantIDFraudScore", "Q_RelevantIDLastStartDate",
                  # the 2017 and legacy layouts
                  "ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "LocationAccuracy"),
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
    "Email address", "Email", "Name", "ExternalDataReference", "EmailAddress",
})
#: What each ``format:`` value reads, for the message on a file in no known layout.
_LAYOUT_HINTS = ("qualtrics (three header rows ending in ImportId, or V1, V2 … over ResponseID in the legacy layout)",
                 "surveymonkey (two header rows, Respondent ID or Collector ID first)", "google-forms (Timestamp first)",
                 "microsoft-forms (a workbook: ID, Start time, Completion time first)", "spss (a .sav file)",
                 "plain (one header row of column names; respondent_id, function and q01 … for a canonical file)")
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
    edition: str = ""  # an older layout of the tool: "legacy layout", "2017 layout"

    @property
    def description(self) -> str:
        """How the notebook names what it read: 'Qualtrics CSV (choice text)'."""
        extra = [x for x in (self.edition, self.variant) if x]
        if self.delimiter == ";":
            extra.append("semicolon-delimited")
        return _LABELS[self.kind] + (f" ({', '.join(extra)})" if extra else "")

    @property
    def metadata(self) -> list[str]:
        """Metadata columns of the layout that are present (never read unless named as the respondent id)."""
        known = set(METADATA[self.kind])
        return [c for c in self.columns if c in known]


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
    if detected is None:
        raise _not_recognised(p)
    if detected == "qualtrics":
        if _qualtrics_legacy(row1, recs):
            row2 = [_clean(c) for c in recs[1]]
            names = _unique(row2[i] if re.fullmatch(r"V[0-9]+", c) and i < len(row2) else c
                            for i, c in enumerate(row1))
            return ExportHeader(p, "qualtrics", names, dict(zip(names, row2)), 2, delim, enc, edition="legacy layout")
        third = _clean(recs[2][0] if len(recs) >= 3 and recs[2] else "")
        if not third.startswith("{"):
            raise _fail(p, "is not a Qualtrics export with its three header rows (short names, question text, "
                           "ImportId) or the two of its legacy layout (V1, V2 …, then ResponseID …); export it "
                           "again from Data & Analysis > Export > CSV", 3)
        names = _unique(row1)
        return ExportHeader(p, "qualtrics", names, dict(zip(names, (_clean(c) for c in recs[1]))), 3, delim, enc,
                            edition="2017 layout" if third.startswith("{'ImportId'") else "")
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


def _detect_csv(row1: list[str], recs: list[list[str]]) -> str | None:
    """The layout of a CSV from its first rows, or ``None`` when it is in no layout known."""
    if len(recs) >= 3 and recs[2] and _clean(recs[2][0]).startswith(('{"ImportId"', "{'ImportId'")):
        return "qualtrics"
    if _qualtrics_legacy(row1, recs):
        return "qualtrics"
    if _surveymonkey(row1, recs[1] if len(recs) > 1 else None):
        return "surveymonkey"
    if row1 and row1[0] == "Timestamp":
        return "google-forms"
    canonical = {"respondent_id", "function", "weight", "wave"}
    if any(c.strip() in canonical or re.fullmatch(r"q[0-9]{2,3}", c.strip()) for c in row1):
        return "plain"  # this project's own layout; its columns are checked when it is read
    return None


def _qualtrics_legacy(row1: list[str], recs: list[list]) -> bool:
    """Qualtrics' legacy export: V1, V2 … in row 1 over ResponseID, ResponseSet … in row 2."""
    return (len(row1) >= 2 and row1[:2] == ["V1", "V2"] and len(recs) >= 2 and bool(recs[1])
            and _clean(recs[1][0]) == "ResponseID")


def _surveymonkey(row1: list[str], row2: list | None) -> bool:
    """SurveyMonkey's two header rows: its metadata columns first (any may be deleted), blank beneath them."""
    if not row1 or row2 is None or row1[0] not in ("Respondent ID", "Collector ID", "Start Date"):
        return False
    lead = [i for i, c in enumerate(row1) if c in METADATA["surveymonkey"]]
    return all(i >= len(row2) or _clean(row2[i]) == "" for i in lead)


def _not_recognised(path: Path, workbook: bool = False) -> DataValidationError:
    return _fail(path, f"layout not recognised: the header rows of this {'workbook' if workbook else 'file'} match "
                       "no export layout known here, so its header text would be read as answers. Say which it is "
                       "with format: in the mapping (or --format), one of: " + "; ".join(_LAYOUT_HINTS), 1)


def _open_xlsx(path: Path, kind: str | None) -> ExportHeader:
    rows = _xlsx_rows(path, limit=2)
    if not rows:
        raise _fail(path, "has no rows in its first sheet")
    row1 = [_clean(c) for c in rows[0]]
    row2 = [_clean(c) for c in rows[1]] if len(rows) > 1 else None
    if kind == "surveymonkey" or (kind is None and _surveymonkey(row1, row2)):
        names, qtext = _surveymonkey_names(row1, [_clean(c) for c in (rows[1] if len(rows) > 1 else [])])
        return ExportHeader(path, "surveymonkey", names, qtext, 2, variant="workbook")
    if kind in (None, "microsoft-forms") and row1[:3] == ["ID", "Start time", "Completion time"]:
        names = _unique(row1)
        return ExportHeader(path, "microsoft-forms", names, {n: n for n in names}, 1)
    if kind in KINDS and kind not in ("spss",):
        names = _unique(row1)
        return ExportHeader(path, kind, names, {n: n for n in names}, 1)
    raise _not_recognised(path, workbook=True)


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
