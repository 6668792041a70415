"""One executed notebook as a page of the site."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates"
_NB_LINK = re.compile(r'href="(\d\d_[A-Za-z0-9_]+)\.ipynb(#[^"]*)?"')


@dataclass(frozen=True)
class Page:
    """A page of the site: file stem, title (the notebook's first heading) and address."""

    name: str
    title: str
    href: str


@dataclass
class PageContext:
    """What a notebook page shows around the notebook: where it sits, how it was made, what to download."""

    pages: list[Page]
    current: str
    reader: bool = False
    downloads: list[tuple[str, str]] = field(default_factory=list)  # (label, relative href)
    footer: dict[str, str] = field(default_factory=dict)  # label -> value
    reproduce: str = ""

    @property
    def standalone(self) -> bool:
        """A page with no site around it (a portfolio's organisation page): no links to the index, report or search."""
        return not self.pages

    def neighbours(self) -> tuple[Page | None, Page | None]:
        names = [p.name for p in self.pages]
        i = names.index(self.current) if self.current in names else -1
        prev = self.pages[i - 1] if i > 0 else None
        nxt = self.pages[i + 1] if 0 <= i < len(self.pages) - 1 else None
        return prev, nxt


def notebook_summary(nb: Any) -> tuple[str, str, str]:
    """Title (first heading), one-line summary (next paragraph) and first chart (base64 PNG, or empty)."""
    title, summary, chart = "", "", ""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not title:
            lines = [ln.strip() for ln in cell.source.splitlines()]
            heads = [ln for ln in lines if ln.startswith("# ")]
            if heads:
                title = heads[0][2:].strip()
                rest = [ln for ln in lines if ln and not ln.startswith("#")]
                summary = rest[0] if rest else ""
        if cell.cell_type == "code" and not chart:
            for out in cell.get("outputs", []):
                png = out.get("data", {}).get("image/png")
                if png:
                    chart = "".join(png.split())
                    break
        if title and chart:
            break
    return title, summary, chart


def _first_heading(path: Path) -> str:
    """The first ``# `` heading of a notebook's Markdown cells, read without validating the whole file."""
    import json

    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):  # an unreadable notebook still gets a page (its failure)
        return ""
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            for line in ("".join(source) if isinstance(source, list) else source).splitlines():
                if line.strip().startswith("# "):
                    return line.strip()[2:].strip()
    return ""


def site_pages(notebooks: list[Path]) -> list[Page]:
    """The site's pages in order, titled from each notebook's first heading (its file name if none)."""
    return [Page(path.stem, _first_heading(path) or path.stem, f"{path.stem}.html") for path in notebooks]


def _anchor(text: str) -> str:
    """The id nbconvert gives a Markdown heading with this text."""
    import html

    from nbconvert.filters.strings import add_anchor

    node = ElementTree.fromstring(add_anchor(f"<h2>{html.escape(text)}</h2>"))
    return node.get("id", "")


def table_of_contents(nb: Any) -> list[tuple[int, str, str]]:
    """(level, text, anchor) of every second- and third-level heading, in order."""
    toc = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            m = re.match(r"^(##|###)\s+(.+?)\s*#*\s*$", line)
            if m:
                text = m.group(2).replace("*", "").replace("`", "")
                toc.append((len(m.group(1)), text, _anchor(text)))
    return toc


#: The tag of the cell that starts a page's appendix (folded under one "Appendix" until opened).
APPENDIX_TAG = "appendix"


def appendix_start(nb: Any) -> int | None:
    """The index of the cell tagged :data:`APPENDIX_TAG`, or None for a page without an appendix."""
    for i, cell in enumerate(nb.cells):
        if APPENDIX_TAG in cell.get("metadata", {}).get("tags", []):
            return i
    return None


@lru_cache(maxsize=2)
def _exporter(reader: bool) -> Any:
    """One exporter per mode and process: its templates are compiled once, not once per page."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="cmocio", extra_template_basedirs=[str(TEMPLATE_DIR)])
    # Not nbconvert's sanitize_html: it escapes the whole rendered Markdown. Text from data
    # files reaches the page only through cmocio.display tables (escaped) and through
    # Markdown built with cmocio.report.md_escape.
    exporter.exclude_input = reader
    exporter.exclude_input_prompt = True  # no "In [7]:" / "Out[7]:" prompts in either mode
    exporter.exclude_output_prompt = True
    return exporter


def render_html(nb: Any, context: PageContext) -> str:
    """The page of an executed notebook: nothing loaded from the network, text from data escaped."""
    exporter = _exporter(context.reader)
    prev, nxt = context.neighbours()
    appendix = appendix_start(nb)
    sections = sum(1 for cell in nb.cells[appendix:] if cell.cell_type == "markdown"
                   for line in cell.source.splitlines() if line.startswith("## ")) if appendix is not None else 0
    resources = {"cmocio": {"pages": context.pages, "current": context.current, "prev": prev, "next": nxt,
                            "appendix": appendix, "appendix_sections": max(sections - 1, 1),
                            "toc": table_of_contents(nb), "reader": context.reader, "downloads": context.downloads,
                            "footer": context.footer, "reproduce": context.reproduce,
                            "standalone": context.standalone}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    if not context.standalone:
        from .glossary import link_terms

        body = link_terms(body)
    # Links between notebooks point at their pages (the rendered Markdown keeps the .ipynb address).
    return _NB_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', body)
