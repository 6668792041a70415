"""One look for every chart, and the few chart types the notebooks need.

Call :func:`setup` first in every notebook: it fixes seeds, pandas display
options and the plot theme so that runs are reproducible and diffs stay small.
Each chart function takes a tidy frame, draws on ``ax`` (or a new figure) and
returns the Axes. An empty frame gives an Axes that says there is no data; a chart
with a single point is marked to be shown as a sentence instead (:func:`sentence_of`).
At most :data:`MAX_CATEGORIES` categories a panel.

One module a job: ``theme`` (group, series and segment colours, names and nouns; :func:`setup`), ``charts``
(comparisons and changes), ``evidence`` (the evidence map: timeline, coverage, gaps over time, pooled gaps) and
``heatmap`` (questions by segments on one diverging scale).
"""

from .charts import (GROUP_STYLES, MAX_CATEGORIES, as_sentence, break_even, categories_of, dumbbell, forest,
                     grouped_bars, sentence_of, series_panels, slope, spread_labels, wrap)
from .evidence import coverage, gap_timeline, meta_forest, timeline
from .heatmap import heatmap
from .theme import (GROUP_COLOURS, GROUP_LABELS, GROUP_NOUNS, SERIES_COLOURS, colour_for, colours_for, hue_order,
                    setup)

__all__ = ["GROUP_COLOURS", "GROUP_LABELS", "GROUP_NOUNS", "GROUP_STYLES", "MAX_CATEGORIES", "SERIES_COLOURS",
           "as_sentence", "break_even", "categories_of", "colour_for", "colours_for", "coverage", "dumbbell", "forest",
           "gap_timeline", "grouped_bars", "heatmap", "hue_order", "meta_forest", "sentence_of", "series_panels",
           "setup", "slope", "spread_labels", "timeline", "wrap"]
