"""The Excel workbook: every finding's table, with number formats, then sources and caveats."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from ..display import COLUMNS
from ..files import atomic_write_bytes
from ..display import side_names
from .content import Finding, caveats

_FORMATS = {"pct": '0"%"', "pts": '+0" pts";-0" pts";0" pts"', "p": "0.000", "n": "#,##0", "share": "0%", "h": "0.00"}


def _kind(column: str) -> str:
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


def write_workbook(findings: list[Finding], sources: pd.DataFrame, path: Path) -> Path:
    """Write the workbook atomically: one sheet per finding's table, a sources sheet and a caveats sheet."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "nan_inf_to_errors": True})
    book.set_properties({"title": "CMO–CIO Alignment Notebooks: tables", "author": "CMO–CIO Alignment Notebooks",
                         "created": pd.Timestamp("2000-01-01").to_pydatetime()})
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    formats = {k: book.add_format({"num_format": v, "valign": "top"}) for k, v in _FORMATS.items()}
    used: set[str] = set()
    for finding in findings:
        # write_string stores text as text: a value starting with "=" is never a formula here.
        table = finding.table.reset_index(drop=True)
        names = side_names(table)
        sheet = book.add_worksheet(_sheet_name(finding.name or finding.section, used))
        sheet.write(0, 0, finding.headline, book.add_format({"bold": True}))
        sheet.write(1, 0, finding.footnote, wrap)
        for c, col in enumerate(table.columns):
            spec = COLUMNS.get(col)
            sheet.write(3, c, spec.header.format(**names) if spec else col, head)
            kind = _kind(col)
            sheet.set_column(c, c, 40 if kind == "text" and col in ("question", "caveat", "method") else 14,
                             formats.get(kind, wrap if kind == "text" else None))
            for r, value in enumerate(table[col]):
                if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
                    continue
                if isinstance(value, (bool,)) or str(type(value)).endswith("bool_'>"):
                    sheet.write(4 + r, c, "yes" if bool(value) else "no")
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    sheet.write_number(4 + r, c, float(value), formats.get(kind))
                else:
                    sheet.write_string(4 + r, c, str(value))
        sheet.freeze_panes(4, 0)
    src = book.add_worksheet(_sheet_name("Sources", used))
    for c, col in enumerate(sources.columns):
        src.write(0, c, col, head)
        src.set_column(c, c, 36)
        for r, value in enumerate(sources[col]):
            src.write_string(1 + r, c, "" if pd.isna(value) else str(value))
    cav = book.add_worksheet(_sheet_name("Caveats", used))
    cav.set_column(0, 0, 110, wrap)
    for r, text in enumerate(caveats()):
        cav.write_string(r, 0, text)
    book.close()
    atomic_write_bytes(path, buffer.getvalue())
    return path
