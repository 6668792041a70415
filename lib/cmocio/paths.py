"""Where the project's folders are: light to import, for commands that need no data library."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository (the folder holding ``data/``, ``notebooks/`` and ``lib/``).
ROOT = Path(__file__).resolve().parents[2]
#: The folder of the shipped dataset; override with the ``CMOCIO_DATA_DIR`` environment variable.
DATA_DIR = Path(os.environ.get("CMOCIO_DATA_DIR", ROOT / "data"))
