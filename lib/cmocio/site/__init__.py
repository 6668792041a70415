"""The rendered site: notebook pages, the index, the execution report, the sources page and search.

One module a job:

* ``pages``: one executed notebook as a page (nbconvert with the ``cmocio`` template:
  navigation by title, contents, collapsed code, previous / next, downloads, footer);
* ``index``: the landing page, the execution report, the sources page and a portfolio's index (Jinja templates);
* ``glossary``: the plain-words glossary and the links from a term's first appearance to it;
* ``search``: the offline search index every page loads, and index thumbnails;
* ``write``: the pages around the notebook pages (index, report, sources, search), written for a build and a
  portfolio run alike, and the one format of their build time.
"""

from .glossary import TERMS, link_terms
from .index import render_glossary, render_index, render_portfolio, render_report, render_sources
from .pages import Page, PageContext, notebook_summary, render_html, site_pages, table_of_contents
from .search import search_entry, thumbnail, write_search_index
from .write import built_at, sources_rows, write_site

__all__ = ["TERMS", "Page", "PageContext", "built_at", "link_terms", "notebook_summary", "render_glossary",
           "render_html", "render_index", "render_portfolio", "render_report", "render_sources", "search_entry",
           "site_pages", "sources_rows", "table_of_contents", "thumbnail", "write_search_index", "write_site"]
