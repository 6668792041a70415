"""What a conversion read and placed, for the analyst: counts, and the value -> answer table it used.

Counts only, and values only where the mapping or the file's value labels name
them: never a respondent-level value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class ConversionReport:
    """What a conversion read and placed, for the analyst (counts, never respondent-level values)."""

    source: str  # the layout read, e.g. "Qualtrics CSV (choice text)"
    rows: int
    kept: int
    other_function: int
    by_function: dict[str, int]
    by_segment: dict[str, dict[str, int]]
    by_wave: dict[str, int]
    answers: pd.DataFrame  # question_id, column, yes, no, not_answered
    metadata_dropped: list[str]
    warnings: list[str]
    #: (names, [(value as read, answer)]) for the function and each group of questions read alike;
    #: '1 = Marketing' where the file labels codes
    value_tables: list[tuple[list[str], list[tuple[str, str]]]] = field(default_factory=list)

    def summary(self, min_group_size: int = 5) -> str:
        """Counts per function, segment and wave (small groups shown as '<k'), answers per question, values read."""
        def n(v: int) -> str:
            return f"<{min_group_size}" if 0 < v < min_group_size else str(v)

        lines = [f"Read {self.source}: {self.rows} response{'' if self.rows == 1 else 's'}, {self.kept} kept"
                 + (f", {self.other_function} from other functions left out" if self.other_function else "") + "."]
        lines.append("Respondents by function: " + ", ".join(f"{k} {n(v)}" for k, v in self.by_function.items()))
        for name, counts in self.by_segment.items():
            lines.append(f"Respondents by {name}: " + ", ".join(f"{k} {n(v)}" for k, v in counts.items()))
        if self.by_wave:
            lines.append("Respondents by wave: " + ", ".join(f"{k} {n(v)}" for k, v in self.by_wave.items()))
        if self.metadata_dropped:
            lines.append(f"Metadata columns left unread: {len(self.metadata_dropped)} "
                         f"({', '.join(self.metadata_dropped)})")
        lines.append("Answers mapped per question (yes / no / not answered); unmapped values: none")
        for r in self.answers.itertuples(index=False):
            lines.append(f"  {r.question_id}: {r.yes} / {r.no} / {r.not_answered}   <- {r.column}")
        if self.value_tables:
            lines.append("Values read as answers (value -> answer; code = label where the file labels its codes):")
            lines += _value_table_lines(self.value_tables)
        lines += [f"Warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _value_table_lines(tables: list[tuple[list[str], list[tuple[str, str]]]]) -> list[str]:
    """One line per group of columns read with the same value -> answer table."""
    return [f"  {', '.join(columns)}: " + ", ".join(f"{value} -> {answer}" for value, answer in table)
            for columns, table in tables]
