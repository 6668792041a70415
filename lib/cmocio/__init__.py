"""cmocio: the shared library behind the CMO-CIO alignment notebooks.

Submodules: ``data`` (the validated dataset), ``stats`` (survey statistics),
``plots`` (theme and charts), ``report`` (notebook scaffolding), ``survey``
(your own organisation's responses), ``deliverables`` (deck and workbook),
``build`` (executing the notebooks), ``site`` (the rendered pages around them)
and ``portfolio`` (many organisations at once); the command line is assembled in
``__main__`` from each package's own ``cli`` (conventions in ``cli``). Names
below are imported on first use so that the command line starts quickly.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "Dataset": "data", "load_dataset": "data", "load_findings": "data", "load_metrics": "data",
    "load_sources": "data", "load_studies": "data",
    "DataValidationError": "errors", "ParameterError": "errors", "Problem": "errors",
}
__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'cmocio' has no attribute {name!r}")
