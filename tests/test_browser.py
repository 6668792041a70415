"""The rendered pages in a real browser: headless Chromium driven by Playwright.

Needs Debian's chromium (installed by .ci/run). Outside CI the tests skip, with
the reason, where it is absent; in CI its absence is a failure.
"""

from __future__ import annotations

import html
import re
import shutil
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest

from cmocio.build import discover
from cmocio.site import Page, PageContext, notebook_summary, render_html

from .browserkit import CHROMIUM, FLAGS, open_page as _open, render_site as _render_site, require_chromium

ROOT = Path(__file__).resolve().parents[1]
sync_api = require_chromium()


@lru_cache(maxsize=None)
def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def _ids(path: Path) -> set[str]:
    return {html.unescape(i) for i in re.findall(r'\sid="([^"]*)"', _text(path))}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    nbs = {p.stem: nbformat.read(str(p), as_version=4) for p in discover()}
    return _render_site(folder, nbs)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def _reads_like_a_brief(page, name: str) -> None:
    """The title first, then contents; a brief of at most ten screens at 1280 px before the folded appendix; no
    prompts, no code row without output, at most eight columns in a shown table."""
    page.set_viewport_size({"width": 1280, "height": 900})
    title_top = page.evaluate("document.querySelector('h1').getBoundingClientRect().top")
    assert title_top < page.evaluate("document.querySelector('nav.cmocio-toc').getBoundingClientRect().top"), name
    brief = page.evaluate("(() => { const a = document.querySelector('details.cmocio-appendix');"
                          " return a && !a.open ? a.getBoundingClientRect().top + scrollY : null; })()")
    if name[:2] in ("00", "01", "02", "03", "04"):  # the benchmark page is structured on its own
        assert brief is not None and brief <= 10 * 900, (name, brief)
    text = page.evaluate("document.body.innerText")
    assert "Out[" not in text and "In [" not in text, name
    empty = page.evaluate("Array.from(document.querySelectorAll('details.cmocio-code')).filter(d => "
                          "!d.closest('.jp-Cell').querySelector('.jp-OutputArea-output')).length")
    assert empty == 0, name
    widths = page.evaluate("Array.from(document.querySelectorAll('table.cmocio-table'))"
                           ".filter(t => !t.closest('details.cmocio-full'))"
                           ".map(t => t.querySelectorAll('thead th').length)")
    assert widths and max(widths) <= 8, (name, widths)


class TestRenderedPages:
    def test_every_page_loads_cleanly_offline_and_every_link_resolves(self, site, browser):
        pages = sorted(site.parent.glob("*.html"))
        assert len(pages) == len(discover()) + 4  # the notebooks, the index, the build report, sources, glossary
        search_js = (site.parent / "search-index.js").as_uri()
        for html_file in pages:
            page, log = _open(browser, html_file.as_uri())
            assert not log["errors"], (html_file.name, log["errors"])
            foreign = [u for u in log["requests"] if not u.startswith("data:") and u not in (html_file.as_uri(), search_js)]
            assert not foreign, (html_file.name, foreign)
            sizes = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
            if html_file.name not in ("report.html", "sources.html", "glossary.html"):
                assert sizes, f"{html_file.name} shows no chart"
            assert all(ok and w > 0 and h > 0 for ok, w, h in sizes), (html_file.name, sizes)
            if html_file.stem in {p.stem for p in discover()}:
                _reads_like_a_brief(page, html_file.stem)
            hrefs = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
            for href in hrefs:
                url = urlparse(href)
                if url.scheme == "file":
                    target = Path(unquote(url.path))
                    assert target.is_file(), (html_file.name, href)
                    if url.fragment and target.suffix == ".html":  # an anchor lands on its element
                        assert {url.fragment, unquote(url.fragment)} & _ids(target), (html_file.name, href)
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


    # ---- what a strategist meets on the pages: search, contents, tables, charts, navigation on a phone ----
    # (one class: under --dist loadscope a class is dealt to one worker, so the site is rendered once)

    def test_search_covers_tables_and_lands_on_the_sections_anchor_with_clean_snippets(self, site, browser):
        page, log = _open(browser, (site.parent / "02_shared_incentives.html").as_uri())
        page.fill("#cmocio-q", "Gartner")
        links = page.locator("#cmocio-hits li a")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        assert any(h.startswith("00_overview.html#") for h in hrefs), hrefs  # the overview's table of waves
        snippets = page.locator("#cmocio-hits li span").all_inner_texts()
        assert snippets and not [s for s in snippets if "&amp;" in s or "&lt;" in s]
        for s in snippets:  # cut at spaces: an ellipsis, or the section's own start and end
            assert s.startswith("…") or s[:1].isupper() or not s[:1].isalpha(), s
        first = next(i for i, h in enumerate(hrefs) if h.startswith("00_overview.html#"))
        links.nth(first).click()
        page.wait_for_load_state("load")
        anchor = page.evaluate("location.hash").lstrip("#")
        assert anchor and page.locator(f"[id='{anchor}']").count() == 1
        assert not log["errors"]
        page.close()

    def test_every_chart_panel_draws_at_most_twelve_categories(self):
        counts = {}
        for path in discover():
            nb = nbformat.read(str(path), as_version=4)
            for cell in nb.cells:
                for out in cell.get("outputs", []):
                    counts.setdefault(path.stem, []).extend(out.get("metadata", {}).get("cmocio", {}).get("categories", []))
        assert sum(map(len, counts.values())) >= 15, counts  # the category charts report what they draw
        assert all(0 < n <= 12 for ns in counts.values() for n in ns), counts

    def test_navigation_folds_on_a_phone_and_links_look_like_links(self, site, browser):
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto((site.parent / "02_shared_incentives.html").as_uri())
        assert not page.evaluate("document.getElementById('cmocio-menu').open")
        assert not page.evaluate("document.getElementById('cmocio-contents').open")  # the brief is the first screen
        assert page.evaluate("document.querySelector('nav.cmocio-nav').getBoundingClientRect().height") < 160
        page.set_viewport_size({"width": 1280, "height": 900})
        page.reload()
        assert page.evaluate("document.getElementById('cmocio-menu').open")
        styles = page.evaluate("['nav.cmocio-toc a', 'nav.cmocio-nav a:not([aria-current])', 'a.cmocio-term']"
                               ".map(s => getComputedStyle(document.querySelector(s)).textDecorationLine)")
        assert all("underline" in s for s in styles), styles
        page.close()

    def test_sources_and_source_cells_link_to_the_articles_and_terms_to_the_glossary(self, site):
        sources = _text(site.parent / "sources.html")
        assert sources.count('href="https://') >= 40
        cx = _text(site.parent / "03_customer_experience.html")
        assert 'href="https://' in cx.split('id="table-cx_ownership"')[1].split("</table>")[0]
        align = _text(site.parent / "01_alignment.html")
        for anchor in ("break-even-base", "tau2", "i2"):
            assert f'href="glossary.html#{anchor}"' in align, anchor

    def test_pages_print_without_cut_columns(self, site, browser):
        page = browser.new_page(viewport={"width": 720, "height": 1000})  # an A4 page's printable width
        page.goto((site.parent / "01_alignment.html").as_uri())
        page.emulate_media(media="print")
        cut = page.evaluate("Array.from(document.querySelectorAll('table.cmocio-table'))"
                            ".filter(t => t.offsetParent && t.getBoundingClientRect().right > innerWidth + 1).length")
        assert cut == 0
        assert page.evaluate("getComputedStyle(document.querySelector('nav.cmocio-nav')).display") == "none"
        page.close()
