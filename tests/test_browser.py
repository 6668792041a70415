"""The rendered pages in a real browser: headless Chromium driven by Playwright.

Needs Debian's chromium (installed by .ci/run). Outside CI the tests skip, with
the reason, where it is absent; in CI its absence is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pandas as pd
import papermill
import pytest

from cmocio.build import Result, discover, write_site
from cmocio.data import DATA_DIR, FILES
from cmocio.site import Page, PageContext, notebook_summary, render_html, search_entry, thumbnail

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
EVIL = ('<script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> '
        '[click me](javascript:window.__pwned=3)')

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("chromium is required in CI (.ci/run installs Debian's chromium package)")
    pytest.skip("headless Chromium not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


def _render_site(folder: Path, notebooks: dict[str, nbformat.NotebookNode], reader: bool = False) -> Path:
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
    write_site(folder, results, reader, pages, {}, "test", DATA_DIR)
    return html_dir / "index.html"


@pytest.fixture(scope="class")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    nbs = {p.stem: nbformat.read(str(p), as_version=4) for p in discover()}
    return _render_site(folder, nbs)


@pytest.fixture(scope="class")
def evil_site(tmp_path_factory) -> tuple[Path, Path]:
    """01_alignment executed on data whose labels and wordings carry markup and formulas."""
    data = tmp_path_factory.mktemp("evil_data")
    for name in FILES.values():
        shutil.copy(DATA_DIR / name, data / name)
    metrics = pd.read_csv(data / "metrics.csv", dtype=str, keep_default_na=False)
    metrics.loc[metrics["metric"] == "relationship_collaborative", "wording"] = EVIL
    metrics.to_csv(data / "metrics.csv", index=False)
    studies = pd.read_csv(data / "studies.csv", dtype=str, keep_default_na=False)
    studies.loc[studies["study_id"] == "leapfrog-2016", "label"] = '=HYPERLINK("http://example.invalid")'
    studies.to_csv(data / "studies.csv", index=False)
    out = tmp_path_factory.mktemp("evil_run")
    nb_path = ROOT / "notebooks" / "01_alignment.ipynb"
    papermill.execute_notebook(str(nb_path), str(out / "01_alignment.ipynb"),
                               parameters={"findings_path": str(data / "findings.csv"), "output_dir": str(out / "results")},
                               kernel_name="python3", cwd=str(nb_path.parent), progress_bar=False)
    nb = nbformat.read(str(out / "01_alignment.ipynb"), as_version=4)
    site = out / "site"
    site.mkdir()
    _render_site(site, {"01_alignment": nb})
    return site / "html" / "01_alignment.html", out / "results" / "01_alignment"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1200, "height": 1400})
    log = {"requests": [], "errors": [], "dialogs": []}
    page.on("request", lambda r: log["requests"].append(r.url))
    page.on("console", lambda m: log["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))
    page.goto(url)
    page.wait_for_load_state("load")
    return page, log


class TestRenderedPages:
    def test_every_page_loads_cleanly_offline_and_every_link_resolves(self, site, browser):
        pages = sorted(site.parent.glob("*.html"))
        assert len(pages) == len(discover()) + 3  # the notebooks, the index, the build report and the sources
        search_js = (site.parent / "search-index.js").as_uri()
        for html_file in pages:
            page, log = _open(browser, html_file.as_uri())
            assert not log["errors"], (html_file.name, log["errors"])
            foreign = [u for u in log["requests"] if not u.startswith("data:") and u not in (html_file.as_uri(), search_js)]
            assert not foreign, (html_file.name, foreign)
            sizes = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
            if html_file.name not in ("report.html", "sources.html"):
                assert sizes, f"{html_file.name} shows no chart"
            assert all(ok and w > 0 and h > 0 for ok, w, h in sizes), (html_file.name, sizes)
            hrefs = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
            for href in hrefs:
                url = urlparse(href)
                if url.scheme == "file":
                    assert Path(unquote(url.path)).is_file(), (html_file.name, href)
                else:
                    assert url.scheme in ("http", "https", ""), (html_file.name, href)
            page.close()

    def test_index_lists_each_notebook_and_is_saved_as_a_screenshot(self, site, browser):
        page, _ = _open(browser, site.as_uri())
        titles = page.locator("li.card h2").all_inner_texts()
        assert len(titles) == len(discover()) and all(titles)
        shot = ROOT / "build" / "screenshots" / "index.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        page.close()


    def test_search_finds_a_known_term_offline(self, site, browser):
        page, log = _open(browser, (site.parent / "02_shared_incentives.html").as_uri())
        page.fill("#cmocio-q", "break-even")
        hits = page.locator("#cmocio-hits li a").all_inner_texts()
        assert hits and any("Alignment" in h for h in hits), hits
        page.fill("#cmocio-q", "zzqx-no-such-word")
        assert page.locator("#cmocio-hits li").all_inner_texts() == ["No page mentions that."]
        assert not log["errors"]
        page.close()

    def test_pages_read_like_briefs_code_folded_contents_and_pager(self, site, browser):
        page, _ = _open(browser, (site.parent / "01_alignment.html").as_uri())
        assert page.locator("details.cmocio-code").count() > 5
        assert page.evaluate("Array.from(document.querySelectorAll('details.cmocio-code')).every(d => !d.open)")
        contents = page.locator("nav.cmocio-toc a").all_inner_texts()
        assert "The perception gap: marketing minus IT" in contents
        for href in page.evaluate("Array.from(document.querySelectorAll('nav.cmocio-toc a')).map(a => a.getAttribute('href'))"):
            assert page.locator(f"[id='{href[1:]}']").count() == 1, href  # every contents entry lands on its heading
        assert page.locator("a[rel=prev]").inner_text().startswith("←")
        assert page.locator("a[rel=next]").inner_text().endswith("→")
        nav = page.locator("nav.cmocio-nav a").all_inner_texts()
        assert "Alignment: do marketing and IT see the same relationship?" in nav and "Sources" in nav
        assert "/work/" not in page.content() and str(ROOT) not in page.content()
        page.close()

    def test_reader_mode_shows_no_code_and_is_saved_as_a_screenshot(self, site, browser, tmp_path):
        nb = nbformat.read(str(site.parent.parent / "notebooks" / "01_alignment.ipynb"), as_version=4)
        pages = [Page("01_alignment", notebook_summary(nb)[0], "01_alignment.html")]
        shutil.copy(site.parent / "search-index.js", tmp_path / "search-index.js")
        reader = tmp_path / "01_alignment.html"
        reader.write_text(render_html(nb, PageContext(pages, "01_alignment", reader=True)), encoding="utf-8")
        page, log = _open(browser, reader.as_uri())
        assert page.locator("details.cmocio-code").count() == 0 and page.locator(".jp-InputArea-editor").count() == 0
        assert page.locator("table.cmocio-table").count() >= 5 and not log["errors"]
        shot = ROOT / "build" / "screenshots" / "reader.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=False)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        page.close()

    def test_the_index_is_light_and_its_thumbnails_small(self, site):
        assert site.stat().st_size < 150_000


class TestUntrustedText:
    def test_markup_in_data_is_shown_as_text_and_never_runs(self, evil_site, browser):
        page_path, _ = evil_site
        page, log = _open(browser, page_path.as_uri())
        assert page.evaluate("window.__pwned === undefined")
        assert not log["dialogs"]
        assert not [u for u in log["requests"] if u.endswith("/x")], "an injected <img> was requested"
        text = page.inner_text("body")
        assert "<script>window.__pwned = 1</script>" in text
        assert page.evaluate("Array.from(document.querySelectorAll('a[href^=\"javascript:\"]')).length") == 0
        page.close()

    def test_written_csv_cells_are_guarded_against_formulas(self, evil_site):
        _, results = evil_site
        gaps = pd.read_csv(results / "perception_gaps.csv", dtype=str)
        labels = set(gaps["study"])
        assert "'=HYPERLINK(\"http://example.invalid\")" in labels
        assert not any(str(v).startswith(("=", "+", "@")) for v in labels)
