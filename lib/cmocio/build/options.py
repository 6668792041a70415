"""How notebooks run: the execution settings a build and a portfolio run share, carried once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Seconds a cell may run before its notebook is stopped (``--cell-timeout``).
DEFAULT_CELL_TIMEOUT = 300


class BuildError(Exception):
    """A problem found before anything runs (unknown notebook or parameter, bad value or option)."""


@dataclass(frozen=True)
class Options:
    """Execution settings, the same for every notebook of a run.

    ``jobs`` is the number of local worker processes (the number of CPUs when
    ``None``); ``scheduler`` a Dask scheduler address (``tcp://host:8786``) or a
    ``distributed.Client``, which sends the jobs to that cluster instead. ``reader``
    renders pages without code cells; ``force`` runs notebooks that are up to date;
    ``update`` refreshes the committed notebooks in place instead of building pages.
    """

    reader: bool = False
    jobs: int | None = None
    scheduler: Any = None
    cell_timeout: int = DEFAULT_CELL_TIMEOUT
    force: bool = False
    update: bool = False

    def check(self) -> Options:
        """These options, or a :class:`BuildError` naming the one that cannot work."""
        if self.cell_timeout <= 0:
            raise BuildError("--cell-timeout must be a positive number of seconds")
        return self
