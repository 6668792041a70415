"""The landing page, the execution report and the sources page, from Jinja templates."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .pages import TEMPLATE_DIR, Page


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    loader = jinja2.FileSystemLoader([str(TEMPLATE_DIR / "site"), str(TEMPLATE_DIR / "cmocio")])
    return jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)


def _render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)


def render_index(results: list[Any], reader: bool, pages: list[Page]) -> str:
    """The landing page: one card per notebook with title, summary, thumbnail and status."""
    return _render("index.html.j2", results=results, reader=reader, site={"pages": pages, "current": "index"})


def render_report(results: list[Any], parameters: dict[str, dict[str, Any]], facts: dict[str, str],
                  pages: list[Page]) -> str:
    """The execution report: every notebook with its status, time and parameters, and the build's facts."""
    return _render("report.html.j2", results=results, parameters=parameters, facts=facts,
                   site={"pages": pages, "current": "report"})


def render_sources(sources: list[dict[str, Any]], pages: list[Page]) -> str:
    """Every article behind the figures: outlet, headline, date, the studies it reports and its figure count."""
    return _render("sources.html.j2", sources=sources, site={"pages": pages, "current": "sources"})


def render_glossary(pages: list[Page]) -> str:
    """The plain-words glossary: every term a page links to on its first appearance."""
    from .glossary import TERMS

    return _render("glossary.html.j2", terms=TERMS, site={"pages": pages, "current": "glossary"})


def render_portfolio(rows: list[dict[str, Any]], facts: dict[str, str], drivers: list[dict[str, Any]] = (),
                     drivers_note: str = "") -> str:
    """The portfolio's index: every organisation with its export, mapping, contribution and page status, and the
    practices that go with better relationships across organisations (for the consultant only)."""
    return _render("portfolio.html.j2", rows=rows, facts=facts, drivers=list(drivers), drivers_note=drivers_note,
                   site={"pages": [], "current": "index"})
