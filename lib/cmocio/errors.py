"""Error types that carry every problem found, each located by file, line and column."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file.

    ``line`` is the 1-based line of the file as a spreadsheet or editor shows it
    (the header is line 1, the first data row line 2), or the row when ``unit`` is
    ``"row"`` (a record of an export, counted as a spreadsheet counts it); ``None`` when the problem
    concerns the whole file. ``column`` is ``None`` when it concerns a whole row.
    """

    file: str
    line: int | None
    column: str | None
    message: str
    unit: str = "line"  # "row" for survey exports, where a record can span several lines

    def __str__(self) -> str:
        where = Path(self.file).name
        if self.line is not None:
            where += f", {self.unit} {self.line}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class DataValidationError(ValueError):
    """Raised when input data break the schema; lists every problem found."""

    def __init__(self, problems: list[Problem], what: str = "data"):
        # by file, then row; what concerns no one row ("... and N more rows", a hint) after the rows
        self.problems = sorted(problems, key=lambda p: (p.file, p.line is None, p.line or 0, p.column or "",
                                                        p.message))
        self.what = what
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the {what}:"
        lines = [f"  - {p}" for p in self.problems[:200]]
        if n > 200:
            lines.append(f"  ... and {n - 200} more")
        super().__init__("\n".join([head, *lines]))


class ParameterError(ValueError):
    """Raised when a notebook or command parameter has an unusable value."""
