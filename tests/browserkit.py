"""Shared by the browser tests: headless Chromium (Debian's package) through Playwright, and the site renderer."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
import pytest

from cmocio.build import Result
from cmocio.data import DATA_DIR
from cmocio.site import (Page, PageContext, notebook_summary, render_html, render_index, search_entry, thumbnail,
                         write_site)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
#: Markup, an event handler and a javascript: link, as a data file might carry them.
EVIL = ('<script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> '
        '[click me](javascript:window.__pwned=3)')
FORMULA = '=HYPERLINK("http://example.invalid")'


def require_chromium():
    """Playwright's sync API, or a skip with the reason outside CI (in CI its absence is a failure)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            raise RuntimeError("chromium is required in CI (.ci/run installs Debian's chromium package)")
        pytest.skip("headless Chromium not installed (apt-get install chromium)", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api")


def render_site(folder: Path, notebooks: dict[str, nbformat.NotebookNode], reader: bool = False) -> Path:
    """Pages, index, report, sources and search as `cmocio build` writes them, from executed notebooks."""
    html_dir, nb_dir = folder / "html", folder / "notebooks"
    html_dir.mkdir()
    nb_dir.mkdir()
    pages = [Page(name, notebook_summary(nb)[0] or name, f"{name}.html") for name, nb in notebooks.items()]
    results = []
    for name, nb in notebooks.items():
        nbformat.write(nb, str(nb_dir / f"{name}.ipynb"))
        context = PageContext(pages, name, reader, downloads=[("Executed notebook (.ipynb)", f"../notebooks/{name}.ipynb")],
                              footer={"Data version": "test"}, reproduce=f"papermill notebooks/{name}.ipynb out.ipynb")
        (html_dir / f"{name}.html").write_text(render_html(nb, context), encoding="utf-8")
        title, summary, chart = notebook_summary(nb)
        results.append(Result(name, "ok", 0.0, title, summary, thumbnail(chart),
                              search=search_entry(nb, title or name, f"{name}.html")))
    write_site(folder, render_index(results, reader, pages), results, {"Built": "test"}, data_dir=DATA_DIR,
               data_version="test", pages=pages, search=[r.search for r in results])
    return html_dir / "index.html"


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1200, "height": 1400})
    log = {"requests": [], "errors": [], "dialogs": []}
    page.on("request", lambda r: log["requests"].append(r.url))
    page.on("console", lambda m: log["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))
    page.goto(url)
    page.wait_for_load_state("load")
    return page, log


