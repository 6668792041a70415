"""One look for every chart, and the few chart types the notebooks need.

Call :func:`setup` first in every notebook: it fixes seeds, pandas display
options and the plot theme so that runs are reproducible and diffs stay small.
Each chart function takes a tidy frame, draws on ``ax`` (or a new figure) and
returns the Axes. An empty frame gives an Axes that says there is no data.

One module a job: ``theme`` (group colours, names and nouns; :func:`setup`) and ``charts`` (the chart types).
"""

from .charts import (GROUP_STYLES, break_even, coverage, dumbbell, forest, gap_timeline, grouped_bars, meta_forest,
                     series_panels, slope, spread_labels, timeline, wrap)
from .theme import GROUP_COLOURS, GROUP_LABELS, GROUP_NOUNS, SERIES_COLOURS, setup

__all__ = ["GROUP_COLOURS", "GROUP_LABELS", "GROUP_NOUNS", "GROUP_STYLES", "SERIES_COLOURS", "break_even", "coverage", "dumbbell",
           "forest", "gap_timeline", "grouped_bars", "meta_forest", "series_panels", "setup", "slope",
           "spread_labels", "timeline", "wrap"]
