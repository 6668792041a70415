"""What makes a build incremental: a digest of everything a notebook run depends on, and the cache of runs.

A notebook is run again only when its source, its parameters (and the files they
name), the data, the ``cmocio`` code or the page mode changed since its last good run.
The cache (``<build>/.cache/<name>.json``) keeps each page's key and what the index
and search need of it, so that an up-to-date page costs nothing.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..files import atomic_write_bytes

#: The ``cmocio`` package: its code and templates are inputs of every notebook.
PACKAGE_DIR = Path(__file__).resolve().parents[1]


def _hash_file(h: "hashlib._Hash", path: Path) -> None:
    h.update(str(path.name).encode())
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)


def _tree_files(folder: Path, patterns: tuple[str, ...]) -> list[Path]:
    return sorted(p for pat in patterns for p in folder.rglob(pat) if p.is_file() and "__pycache__" not in p.parts)


def inputs_digest(data_dir: Path) -> str:
    """Digest of everything shared by all notebooks: the data and the cmocio package."""
    h = hashlib.sha256()
    for p in _tree_files(data_dir, ("*.csv",)) + _tree_files(PACKAGE_DIR, ("*.py", "*.j2", "*.json")):
        _hash_file(h, p)
    return h.hexdigest()


def _portable(value: Any, build_dir: Path | None) -> Any:
    """A parameter as the cache sees it: paths inside the build folder relative to it, so a moved build stays cached."""
    if build_dir is not None and isinstance(value, str) and value:
        try:
            return "<build>/" + Path(value).resolve().relative_to(build_dir).as_posix()
        except ValueError:
            return value
    return value


def job_key(source: Path, parameters: dict[str, Any], shared: str, reader: bool,
            build_dir: Path | None = None) -> str:
    """Cache key of one notebook run: source, parameters (and files they name), shared inputs, mode."""
    h = hashlib.sha256()
    _hash_file(h, source)
    portable = {k: _portable(v, build_dir) for k, v in parameters.items()}
    h.update(json.dumps(portable, sort_keys=True, default=str).encode())
    for value in parameters.values():
        if isinstance(value, str) and value and Path(value).is_file():
            _hash_file(h, Path(value))
    h.update(shared.encode())
    h.update(b"reader" if reader else b"full")
    return h.hexdigest()


def cache_path(build_dir: Path, name: str) -> Path:
    """Where a page's cache entry is kept."""
    return build_dir / ".cache" / f"{name}.json"


def load_entry(build_dir: Path, name: str) -> dict[str, Any]:
    """A page's cache entry (key, title, summary, thumbnail, search), or an empty one."""
    try:
        return json.loads(cache_path(build_dir, name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save_entry(build_dir: Path, name: str, key: str, title: str, summary: str, thumbnail: str,
               search: dict[str, str] | None) -> None:
    """Record a good run of a page (atomic)."""
    atomic_write_bytes(cache_path(build_dir, name), json.dumps(
        {"key": key, "title": title, "summary": summary, "thumbnail": thumbnail, "search": search}
    ).encode())
