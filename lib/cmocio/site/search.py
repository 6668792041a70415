"""The offline search index that every page loads, and the index's thumbnails."""

from __future__ import annotations

import base64
import html
import io
import json
import re
from pathlib import Path
from typing import Any

from ..files import atomic_write_bytes

#: Thumbnails on the index are this many pixels wide.
THUMBNAIL_WIDTH = 320
_MARKUP = re.compile(r"[*_`#>|\[\]\\]|\(\S+\.(?:ipynb|html)[^)]*\)|\(https?://[^)]*\)")
_TAGS = re.compile(r"<style.*?</style>|<script.*?</script>|<details class=\"cmocio-full\">.*?</details>|<[^>]+>",
                   re.DOTALL)
_HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*#*\s*$")
#: A section's searchable text is cut at this many characters (a long table's tail adds little).
SECTION_CHARS = 4000


def _plain(markdown: str) -> str:
    """Markdown or HTML as plain words: no markup, entities decoded ("&amp;" reads "&"), single spaces."""
    text = html.unescape(_TAGS.sub(" ", markdown))
    return re.sub(r"\s+", " ", _MARKUP.sub(" ", text)).strip()


def search_entry(nb: Any, title: str, href: str) -> dict[str, Any]:
    """What search knows of a page: its title and address, and per section (a heading and what follows it up to
    the next) the section's anchor and the words of its prose, generated findings and tables."""
    from .pages import _anchor

    sections: list[dict[str, str]] = []
    current = {"heading": title, "anchor": "", "parts": []}

    def close() -> None:
        text = _plain("\n".join(current["parts"]))[:SECTION_CHARS]
        if text or current["anchor"]:
            sections.append({"heading": current["heading"], "anchor": current["anchor"], "text": text})

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                m = _HEADING.match(line)
                if m and len(m.group(1)) > 1:
                    close()
                    heading = m.group(2).replace("*", "").replace("`", "")
                    current = {"heading": heading, "anchor": _anchor(heading), "parts": []}
                else:
                    current["parts"].append(line)
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            for kind in ("text/markdown", "text/html"):
                body = data.get(kind)
                if body:
                    current["parts"].append(body if isinstance(body, str) else "".join(body))
                    break
    close()
    return {"title": title, "href": href, "sections": sections}


def write_search_index(entries: list[dict[str, Any]], path: Path) -> None:
    """Write ``search-index.js`` (a script, so it loads from the file system without a server)."""
    payload = json.dumps(entries, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    atomic_write_bytes(path, f"window.CMOCIO_SEARCH = {payload};\n".encode("utf-8"))


def thumbnail(png_base64: str, width: int = THUMBNAIL_WIDTH) -> str:
    """A chart shrunk to a thumbnail, as a ``data:`` URI; empty for no chart."""
    if not png_base64:
        return ""
    from PIL import Image

    image = Image.open(io.BytesIO(base64.b64decode(png_base64)))
    if image.width > width:
        image = image.resize((width, max(1, round(image.height * width / image.width))), Image.LANCZOS)
    buffer = io.BytesIO()
    # Charts use few colours: a 64-colour palette keeps thumbnails small (the index stays under 150 KB).
    image.convert("RGB").quantize(colors=64).save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
