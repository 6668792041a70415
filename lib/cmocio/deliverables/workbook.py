"""The Excel workbook: for each finding a reader's sheet (plain-words columns, numbers with number formats) and a
sheet of every column for machines; then the sources, with their addresses, and the caveats.

One convention throughout: numbers are stored as numbers (rounded to remove floating-point noise) and formatted,
yes/no for flags, an empty cell for a missing value, p-values below 0.001 shown as "<0.001" (never 0), a
published bound shown with its sign (">50%") on a number that stays a number.
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import pandas as pd

from ..display import BASE_WORDS, COLUMNS, QUALIFIED, side_names
from ..plots import GROUP_LABELS
from ..files import atomic_write_bytes
from ..sentences import verdict_words
from .content import Finding, caveats

_FORMATS = {"pct": '0"%"', "pts": '+0" pts";-0" pts";0" pts"', "p": '[<0.001]"<0.001";0.000', "n": "#,##0",
            "share": "0%", "h": "0.00", "int": "0", "num": "#,##0.0"}
#: A bound's number format: the value stays a number, the cell reads as published.
_BOUND_FORMATS = {">": '">"0"%"', "<": '"<"0"%"', "~": '"~"0"%"'}
#: The columns a reader's sheet shows, in this order, with their plain-words headers where the page's differ.
READER = ["study", "survey", "question", "label", "question_id", "group", "segment", "year", "year_early", "year_late",
          "percent", "percent_a", "percent_b", "percent_early", "percent_late", "benchmark_percent", "diff",
          "diff_low", "diff_high", "ci_low", "ci_high", "n_used", "n_answered", "p_adjusted", "conclusion", "verdict"]
_READER_HEADERS = {"ci_low": ("Interval from", "pct"), "ci_high": ("Interval to", "pct"),
                   "diff_low": ("Difference from", "pts"), "diff_high": ("Difference to", "pts"),
                   "conclusion": ("Verdict", "text"), "p_adjusted": ("p (adjusted)", "p")}
#: Round stored numbers to this many places: enough for any figure, none of a float's noise.
PLACES = 6


def _kind(column: str) -> str:
    if column in _READER_HEADERS:
        return _READER_HEADERS[column][1]
    if column in COLUMNS:
        return COLUMNS[column].kind
    if column.endswith(("_low", "_high")):
        return "pts" if column.startswith("diff") else "pct"
    return "text"


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", name)[:28] or "table"
    out, i = base, 2
    while out.lower() in used:
        out, i = f"{base[:25]} {i}", i + 1
    used.add(out.lower())
    return out


def cell_value(value: object, kind: str) -> object:
    """What a cell stores: a rounded number, "yes"/"no", text, or None for a missing value."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool) or type(value).__name__ == "bool_" or kind == "bool":
        return "yes" if bool(value) else "no"
    if kind == "p" and isinstance(value, (int, float)) and float(value) < 0.001:
        return "<0.001"  # as shown: a p-value is never 0
    if kind == "group" and isinstance(value, str):
        return GROUP_LABELS.get(value, value)
    if kind == "base" and isinstance(value, str):
        return BASE_WORDS.get(value, value)
    if isinstance(value, (int, float)) or (hasattr(value, "dtype") and getattr(value, "dtype").kind in "iuf"):
        v = round(float(value), PLACES) + 0.0  # + 0.0: never "-0"
        return int(v) if kind in ("int", "n") and v == int(v) else v
    if kind not in ("text", "group", "base"):  # a number stored as text becomes a number
        try:
            return round(float(str(value).replace(",", "")), PLACES)
        except ValueError:
            pass
    return verdict_words(str(value)) if kind == "verdict" else str(value)


def reader_table(table: pd.DataFrame) -> tuple[list[str], list[str], pd.DataFrame]:
    """The reader's columns of ``table``: headers in plain words, each column's kind, and the columns themselves."""
    names = side_names(table)
    cols = [c for c in READER if c in table.columns]
    headers, kinds = [], []
    for col in cols:
        if col in _READER_HEADERS:
            header, kind = _READER_HEADERS[col]
            kind = "verdict" if col == "conclusion" else kind
        else:
            spec = COLUMNS[col]
            header, kind = spec.header.format(**names), spec.kind
        headers.append(header)
        kinds.append(kind)
    return headers, kinds, table[cols]


def _write_rows(book, sheet, top: int, headers: list[str], kinds: list[str], frame: pd.DataFrame,
                marks: dict[str, pd.Series], formats: dict, head) -> None:
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    bounds = {k: book.add_format({"num_format": v, "valign": "top"}) for k, v in _BOUND_FORMATS.items()}
    for c, (header, kind, col) in enumerate(zip(headers, kinds, frame.columns)):
        sheet.write_string(top, c, header, head)
        text = kind in ("text", "group", "base", "verdict", "bool")
        sheet.set_column(c, c, 44 if col in ("question", "label", "caveat", "conclusion", "verdict") else 16,
                         wrap if text else formats.get(kind))
        for r, value in enumerate(frame[col]):
            stored = cell_value(value, kind)
            if stored is None:
                continue
            if isinstance(stored, (int, float)):
                mark = str(marks[col].iloc[r]) if col in marks else "="
                sheet.write_number(top + 1 + r, c, stored, bounds.get(mark) or formats.get(kind))
            else:  # write_string: a value starting with "=" is text here, never a formula
                sheet.write_string(top + 1 + r, c, stored)
    sheet.freeze_panes(top + 1, 0)


def write_workbook(findings: list[Finding], sources: pd.DataFrame, path: Path, about: str = "") -> Path:
    """Write the workbook atomically: per finding a reader's sheet and a machine sheet, then sources and caveats
    (``about``, what the evidence holds, first)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "nan_inf_to_errors": True})
    book.set_properties({"title": "CMO–CIO Alignment Notebooks: tables", "author": "CMO–CIO Alignment Notebooks",
                         "created": pd.Timestamp("2000-01-01").to_pydatetime()})
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1})
    note = book.add_format({"text_wrap": True, "valign": "top", "font_color": "#555555"})
    formats = {k: book.add_format({"num_format": v, "valign": "top"}) for k, v in _FORMATS.items()}
    used: set[str] = set()
    machine = []
    for finding in findings:
        table = finding.table.reset_index(drop=True)
        marks = {col: table[q].fillna("=") for col, q in QUALIFIED.items() if col in table and q in table}
        sheet = book.add_worksheet(_sheet_name(finding.name or finding.section, used))
        sheet.write_string(0, 0, finding.headline, book.add_format({"bold": True}))
        sheet.write_string(1, 0, finding.note or finding.footnote, note)
        sheet.write_string(2, 0, f"Every column, as the notebooks write it, is on the sheet “{finding.name} data”.", note)
        headers, kinds, frame = reader_table(table)
        _write_rows(book, sheet, 3, headers, kinds, frame, marks, formats, head)
        machine.append((finding, table))
    for finding, table in machine:
        sheet = book.add_worksheet(_sheet_name(f"{finding.name} data", used))
        raw = [{"group": "text", "base": "text", "verdict": "text"}.get(_kind(c), _kind(c)) for c in table.columns]
        _write_rows(book, sheet, 0, list(map(str, table.columns)), raw, table, {}, formats, head)  # values as coded
    src = book.add_worksheet(_sheet_name("Sources", used))
    plain = {"outlet": "Outlet", "headline": "Headline", "author": "Author", "published": "Published",
             "publisher": "Published by", "studies": "Studies it reports", "figures": "Figures", "address": "Address"}
    for c, col in enumerate(sources.columns):
        src.write_string(0, c, plain.get(col, str(col)), head)
        src.set_column(c, c, 60 if col in ("headline", "address") else 24)
        for r, value in enumerate(sources[col]):
            if col == "address" and isinstance(value, str) and value.startswith("http"):
                src.write_url(1 + r, c, value, string=value)
            elif col == "figures":
                src.write_number(1 + r, c, int(value), formats["int"])
            elif not (value is None or (isinstance(value, float) and math.isnan(value))):
                src.write_string(1 + r, c, str(value))
    cav = book.add_worksheet(_sheet_name("Caveats", used))
    cav.set_column(0, 0, 110, book.add_format({"text_wrap": True, "valign": "top"}))
    for r, text in enumerate([about] * bool(about) + caveats()):
        cav.write_string(r, 0, text)
    book.close()
    atomic_write_bytes(path, buffer.getvalue())
    return path
