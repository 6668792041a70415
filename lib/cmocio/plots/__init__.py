"""One look for every chart, and the few chart types the notebooks need.

Call :func:`setup` first in every notebook: it fixes seeds, pandas display
options and the plot theme so that runs are reproducible and diffs stay small.
Each chart function takes a tidy frame, draws on ``ax`` (or a new figure) and
returns the Axes. An empty frame gives an Axes that says there is no data.

One module a job: ``theme`` (group colours, names and nouns; :func:`setup`), ``charts`` (the chart types) and
``heatmap`` (questions by segments on one diverging scale).
"""

from .charts import (GROUP_STYLES, break_even, coverage, dumbbell, forest, gap_timeline, grouped_bars, meta_forest,
                     series_panels, slope, spread_labels, timeline, wrap)
from .heatmap import heatmap
from .theme import GROUP_COLOURS, GROUP_LABELS, GROUP_NOUNS, setup

__all__ = ["GROUP_COLOURS", "GROUP_LABELS", "GROUP_NOUNS", "GROUP_STYLES", "break_even", "coverage", "dumbbell",
           "forest", "gap_timeline", "grouped_bars", "heatmap", "meta_forest", "series_panels", "setup", "slope",
           "spread_labels", "timeline", "wrap"]
