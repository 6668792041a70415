"""Text measured against its box: how many lines a text wraps to at a size, and the largest size that fits.

The deck sets its text in Arial; LibreOffice and most machines without Arial use Liberation Sans, which has the
same widths. Widths come from that font's own metrics, so a box that fits here fits when rendered.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

#: The deck's typeface, and the metric-compatible font files that measure it.
FONT = "Arial"
_FONT_FILES = {False: ("LiberationSans-Regular.ttf", "Arial.ttf", "DejaVuSans.ttf"),
               True: ("LiberationSans-Bold.ttf", "Arial_Bold.ttf", "DejaVuSans-Bold.ttf")}
_FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation",
              "/usr/share/fonts/truetype/msttcorefonts", "/usr/share/fonts/truetype/dejavu", "/Library/Fonts",
              "C:/Windows/Fonts")
#: Line height as a multiple of the font size (PowerPoint's and LibreOffice's single spacing for Arial).
LINE_HEIGHT = 1.17
#: python-pptx's default text box insets, inches: left and right, top and bottom.
INSET_X, INSET_Y = 0.1, 0.05


@lru_cache(maxsize=2)
def _font(bold: bool):
    from PIL import ImageFont

    for folder in _FONT_DIRS:
        for name in _FONT_FILES[bold]:
            path = Path(folder) / name
            if path.is_file():
                return ImageFont.truetype(str(path), 100)
    return ImageFont.load_default(100)  # pragma: no cover - a machine with none of the fonts above


def text_width(text: str, size_pt: float, bold: bool = False) -> float:
    """Width of one line of ``text`` at ``size_pt``, in points."""
    return _font(bold).getlength(text) * size_pt / 100


def wrap_lines(text: str, size_pt: float, width_in: float, bold: bool = False) -> list[str]:
    """``text`` wrapped at word boundaries to a box ``width_in`` inches wide (insets taken off)."""
    room = (width_in - 2 * INSET_X) * 72
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            trial = f"{line} {word}" if line else word
            if line and text_width(trial, size_pt, bold) > room:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines


def text_height(text: str, size_pt: float, width_in: float, bold: bool = False) -> float:
    """Height in inches that ``text`` takes in a box ``width_in`` wide, insets included."""
    return len(wrap_lines(text, size_pt, width_in, bold)) * size_pt * LINE_HEIGHT / 72 + 2 * INSET_Y


def fits(text: str, size_pt: float, width_in: float, height_in: float, bold: bool = False) -> bool:
    """Whether ``text`` fits a box of ``width_in`` × ``height_in`` inches at ``size_pt``, with no word wider
    than the box."""
    room = (width_in - 2 * INSET_X) * 72
    widest = max((text_width(w, size_pt, bold) for w in text.split()), default=0.0)
    return widest <= room and text_height(text, size_pt, width_in, bold) <= height_in + 1e-9


def fitting_size(text: str, width_in: float, height_in: float, sizes: tuple[float, ...], bold: bool = False) -> float:
    """The largest of ``sizes`` at which ``text`` fits its box; a :class:`ValueError` if none does."""
    for size in sorted(sizes, reverse=True):
        if fits(text, size, width_in, height_in, bold):
            return size
    raise ValueError(f"text of {len(text)} characters does not fit a {width_in:.2f} × {height_in:.2f} in box "
                     f"at {min(sizes)} pt: {text[:60]}…")


__all__ = ["FONT", "fits", "fitting_size", "text_height", "text_width", "wrap_lines"]
