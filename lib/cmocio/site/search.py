"""The offline search index that every page loads, and the index's thumbnails."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path
from typing import Any

from ..files import atomic_write_bytes

#: Thumbnails on the index are this many pixels wide.
THUMBNAIL_WIDTH = 320
_MARKUP = re.compile(r"[*_`#>|\[\]\\]|\(\S+\.(?:ipynb|html)[^)]*\)")


def _plain(markdown: str) -> str:
    return re.sub(r"\s+", " ", _MARKUP.sub(" ", markdown)).strip()


def search_entry(nb: Any, title: str, href: str) -> dict[str, str]:
    """What search knows of a page: its title, address, and the words of its prose and generated findings."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        for out in cell.get("outputs", []):
            md = out.get("data", {}).get("text/markdown")
            if md:
                parts.append(md if isinstance(md, str) else "".join(md))
    return {"title": title, "href": href, "text": _plain("\n".join(parts))}


def write_search_index(entries: list[dict[str, str]], path: Path) -> None:
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
