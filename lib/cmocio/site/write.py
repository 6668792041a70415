"""Writing the pages around the notebook pages: the index, the execution report, the sources page and the
search index, for a build and for a portfolio run alike, each file atomically."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..files import atomic_write_bytes
from .index import render_glossary, render_report, render_sources
from .pages import Page
from .search import write_search_index


def built_at() -> str:
    """The time every page states it was built, in one format: ``2024-05-01 09:30 UTC``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def sources_rows(data_dir: Path) -> list[dict[str, Any]]:
    """Every article for the sources page, or none when the dataset cannot be read (its notebooks say why)."""
    from ..data import load_dataset, source_table

    try:
        return source_table(load_dataset(data_dir=data_dir)).to_dict("records")
    except Exception:  # noqa: BLE001 - a broken dataset fails its notebooks, with their own messages
        return []


def write_site(build_dir: Path, index: str, results: list[Any], facts: dict[str, str], *, data_dir: Path,
               data_version: str, pages: list[Page] | None = None,
               parameters: dict[str, dict[str, Any]] | None = None,
               search: list[dict[str, str]] | None = None) -> None:
    """Write ``html/index.html`` (``index``, already rendered), ``report.html``, ``sources.html``,
    ``glossary.html`` and ``search-index.js`` into ``build_dir``.

    ``results`` and ``facts`` make the execution report (``facts`` should state
    :func:`built_at`), ``parameters`` the parameters it lists per page. The sources
    page is rendered again only when the data (``data_version``) or the pages'
    titles changed. ``search`` is what the offline search knows; none for a site
    whose pages must not be found from one another.
    """
    pages = pages or []
    html_dir = build_dir / "html"
    atomic_write_bytes(html_dir / "index.html", index.encode("utf-8"))
    atomic_write_bytes(html_dir / "report.html", render_report(results, parameters or {}, facts, pages).encode("utf-8"))
    stamp = build_dir / ".cache" / "sources.json"
    key = json.dumps({"data": data_version, "pages": [p.title for p in pages]})
    if not (html_dir / "sources.html").is_file() or not stamp.is_file() or stamp.read_text(encoding="utf-8") != key:
        atomic_write_bytes(html_dir / "sources.html", render_sources(sources_rows(data_dir), pages).encode("utf-8"))
        atomic_write_bytes(stamp, key.encode("utf-8"))
    atomic_write_bytes(html_dir / "glossary.html", render_glossary(pages).encode("utf-8"))
    write_search_index(search or [], html_dir / "search-index.js")
