"""How a figure, a difference, a share of figures and a verdict read inside a sentence."""

from __future__ import annotations

import html
import math
import re

from .. import stats

#: A published qualifier as words before a figure: ">50%" reads "more than 50%", never "50%".
QUALIFIER_WORDS = {">": "more than ", "<": "less than ", "~": "about ", "=": ""}

#: What a difference that holds whatever the unknown bases are does, in the words every count uses.
HOLDS_PHRASE = "hold at any sample size the articles allow"

#: A comparison's verdict in plain words, for a table cell or the end of a sentence.
VERDICTS = {
    stats.HOLDS: "a real difference at any sample size the articles allow",
    stats.DEPENDS: "depends on sample sizes the articles do not give",
    stats.NOT_SIGNIFICANT_AT_MINIMUM: "could be chance at the smallest samples the articles allow",
    stats.NOT_SIGNIFICANT: "could be chance",
    stats.NOT_TESTABLE: "cannot be tested: a figure is published as a bound",
    stats.NOT_TESTED: "not tested: another answer of a question tested once, by its headline",
}


def md_escape(text: object) -> str:
    """Escape text from data files for safe use in Markdown output (no markup, no links)."""
    s = html.escape(str(text), quote=False)
    return re.sub(r"([\\`*_\[\]{}()#+!|])", r"\\\1", s)


def figure_words(percent: float, qualifier: object = "=") -> str:
    """A published share as a reader should take it: "56%", "more than 50%", "about 67%"."""
    if percent is None or (isinstance(percent, float) and math.isnan(percent)):
        return "not reported"
    q = qualifier if isinstance(qualifier, str) else "="
    return f"{QUALIFIER_WORDS.get(q, '')}{percent:.0f}%"


def in_sentence(text: str) -> str:
    """A wording placed mid-sentence: its first letter lower-cased unless it starts an acronym or a name
    ("Marketing and IT share…" → "marketing and IT share…"; "IT has…" and "CMOs…" stay)."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper() and text[1] not in " '’-":
        return text[0].lower() + text[1:]
    return text


def distance_words(diff: float, qualifier: object = "=") -> str:
    """How far a figure is from a published one, in points, as far as a bound allows.

    ``diff`` is the figure minus the published one; ``qualifier`` the published one's (">": more than). Against
    ">50%" a figure of 90% is "up to 40 points" above it; against "<50%" it is "more than 40 points" above.
    """
    size = f"{abs(diff):.0f} points"
    q = qualifier if isinstance(qualifier, str) else "="
    if q == ">":
        return f"up to {size}" if diff > 0 else f"more than {size}"
    if q == "<":
        return f"more than {size}" if diff > 0 else f"up to {size}"
    return f"about {size}" if q == "~" else size


def quantity_words(k: int, n: int) -> str:
    """``k`` of ``n`` as a sentence starts it: "All 10", "7 of 10", "None of the 4"."""
    if n and k == n:
        return f"All {n}" if n > 2 else ("Both" if n == 2 else "The one")
    if k == 0:
        return f"None of the {n}"
    return f"{k} of {n}"


def verdict_words(conclusion: str) -> str:
    """A comparison's conclusion in plain words."""
    return VERDICTS.get(conclusion, conclusion)


__all__ = ["HOLDS_PHRASE", "QUALIFIER_WORDS", "VERDICTS", "distance_words", "figure_words", "in_sentence", "md_escape",
           "quantity_words", "verdict_words"]
