"""A pulled survey written as the tool's own export, identifying fields dropped first, atomically.

Every pull ends here: the header rows and responses in the tool's export layout
(so the mapping ``survey instrument`` wrote reads it, and ``survey convert``
and the benchmark notebook work on it unchanged), less every column that
identifies a person: the tools' metadata and contact fields as
:func:`cmocio.survey.identifying.identifying_name` knows them (IP address,
location, recipient names and e-mail, external reference, dates), and free
text. Only the tool's response id is kept, which ``convert`` uses to find
duplicates and never writes. The file is written whole or not at all.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from ...files import atomic_write_bytes
from ..identifying import identifying_name


@dataclass
class Pulled:
    """What a pull wrote: the file, how many responses, and the names of the columns left out."""

    path: Path
    responses: int
    dropped: list[str]

    def summary(self, service: str) -> str:
        """One line for the terminal."""
        left = f"; {len(self.dropped)} columns of the tool's file left out" if self.dropped else ""
        return (f"Wrote {self.responses} {service} responses to {self.path} (no IP address, location, names, "
                f"e-mail, dates or free text{left}).")


def kept_columns(names: Sequence[str], free_text: Iterable[int] = (), id_column: str | None = None) -> list[int]:
    """Positions of the columns to write: not free text, and not identifying unless it is the response id."""
    skip = set(free_text)
    return [i for i, name in enumerate(names)
            if i not in skip and (name == id_column or not identifying_name(name, question=True))]


def write_export(path: str | os.PathLike, header: list[list[str]], rows: Iterable[Sequence[str]],
                 names: Sequence[str], free_text: Iterable[int] = (), id_column: str | None = None,
                 bom: bool = False, quote_all: bool = False) -> Pulled:
    """Write ``header`` rows then ``rows`` with only the kept columns; ``names`` are the columns as a mapping names them."""
    keep = kept_columns(names, free_text, id_column)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    for row in header:
        writer.writerow([row[i] if i < len(row) else "" for i in keep])
    n = 0
    for row in rows:
        writer.writerow([row[i] if i < len(row) else "" for i in keep])
        n += 1
    path = Path(path)
    atomic_write_bytes(path, (b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8"))
    kept = set(keep)
    return Pulled(path, n, [name for i, name in enumerate(names) if i not in kept])
