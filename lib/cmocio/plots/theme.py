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
