"""One look for every chart: the colours, names and nouns of the respondent groups, and :func:`setup`."""

from __future__ import annotations

import os
import random

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns

#: Colours for the respondent groups, used consistently across notebooks.
GROUP_COLOURS = {
    "marketing": "#d95f02",
    "it": "#1b9e77",
    "all": "#7570b3",
    "very_effective": "#1f78b4",
    "effective": "#a6cee3",
    "moderately_effective": "#cab2d6",
    "martech": "#e7298a",
    "unspecified": "#999999",
}
#: Colours of the series that are not respondent groups, the same on the site and in the deck.
SERIES_COLOURS = {
    "earlier_wave": "#bcbddc",
    "later_wave": "#54278f",
    "yours": "#e6ab02",
    "published": "#666666",
}
GROUP_LABELS = {
    "marketing": "Marketing",
    "it": "IT / technology",
    "all": "All respondents",
    "very_effective": "Very effective CMO-CIO relationship",
    "effective": "Effective CMO-CIO relationship",
    "moderately_effective": "Moderately effective CMO-CIO relationship",
    "martech": "Marketing technology staff",
    "unspecified": "Respondent group not named",
}

#: The same groups as nouns inside a sentence.
GROUP_NOUNS = {
    "marketing": "marketing",
    "it": "IT / technology",
    "all": "all respondents",
    "very_effective": "very effective CMO-CIO relationships",
    "effective": "effective CMO-CIO relationships",
    "moderately_effective": "moderately effective CMO-CIO relationships",
    "martech": "marketing technology staff",
    "unspecified": "a respondent group the article does not name",
}


def setup(seed: int = 0) -> None:
    """Seed random generators and set display options and the plot theme.

    Deterministic output: fixed seeds, fixed SVG hash salt, no figure metadata
    timestamps, fixed pandas display widths, PNG figures at a fixed resolution.
    """
    random.seed(seed)
    np.random.seed(seed)
    os.environ.setdefault("PYTHONHASHSEED", str(seed))
    pd.set_option("display.width", 120)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.max_colwidth", 70)
    pd.set_option("display.max_rows", 200)
    pd.set_option("display.precision", 1)
    sns.set_theme(style="whitegrid", context="notebook", font_scale=0.95)
    matplotlib.rcParams.update({
        "figure.figsize": (8, 4.5),
        "figure.dpi": 80,
        "savefig.dpi": 100,
        "savefig.bbox": "tight",
        "svg.hashsalt": "cmocio",
        "svg.fonttype": "none",
        "axes.titleweight": "bold",
        "axes.titlesize": 12,
        "legend.frameon": False,
    })
    try:  # inside IPython: PNG inline figures with no timestamp
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        if get_ipython() is not None:
            set_matplotlib_formats("png", metadata={"Software": None})
    except ImportError:  # pragma: no cover - only outside Jupyter
        pass


#: Colours for values that are not respondent groups (segments such as business units or regions): each value
#: keeps its colour in every chart, on the site and in the deck.
SEGMENT_PALETTE = ("#4e79a7", "#59a14f", "#b07aa1", "#9c755f", "#edc948", "#76b7b2", "#ff9da7", "#bab0ac",
                   "#e15759", "#86bcb6", "#8cd17d", "#d4a6c8")


def colour_for(value: object) -> str:
    """The one colour of a group, series or segment value, wherever it is drawn."""
    import zlib

    key = str(value)
    if key in GROUP_COLOURS:
        return GROUP_COLOURS[key]
    if key in SERIES_COLOURS:
        return SERIES_COLOURS[key]
    return SEGMENT_PALETTE[zlib.crc32(key.strip().lower().encode("utf-8")) % len(SEGMENT_PALETTE)]


def colours_for(values) -> dict:
    """One colour per value, as :func:`colour_for` gives it, except that two values of one set never share a colour:
    a value whose colour is taken (in alphabetical order) takes the palette's next free one. The same set of values
    gets the same colours in every chart."""
    out: dict = {}
    taken: set[str] = set()
    for v in sorted(dict.fromkeys(values), key=lambda x: (str(x) not in GROUP_COLOURS, str(x).lower())):
        colour = colour_for(v)
        if colour in taken and str(v) not in GROUP_COLOURS and str(v) not in SERIES_COLOURS:
            start = SEGMENT_PALETTE.index(colour)
            free = [SEGMENT_PALETTE[(start + i) % len(SEGMENT_PALETTE)] for i in range(1, len(SEGMENT_PALETTE))]
            colour = next((c for c in free if c not in taken), colour)
        out[v] = colour
        taken.add(colour)
    return out


def hue_order(values) -> list:
    """A fixed order of bars within a category: the respondent groups in their usual order, then other values
    alphabetically, so the same value sits in the same place in every category and chart."""
    known = list(GROUP_COLOURS)
    distinct = list(dict.fromkeys(values))
    return sorted(distinct, key=lambda v: (0, known.index(v), "") if v in known else (1, 0, str(v).lower()))
