"""The heatmap chart: questions down, segments across, each cell's difference in points on one diverging scale."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .charts import _empty, wrap

#: Points at which the diverging scale saturates (a difference beyond it has the end colour).
SCALE_PTS = 30


def heatmap(cells: pd.DataFrame, label: str, column: str, value: str = "diff", marked: str = "marked", *,
            title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """One row per ``label``, one column per ``column``; hidden or untested cells blank, marked cells outlined.

    The colour runs from red (below the organisation) through white to blue (above), the same scale in every
    heatmap (±``SCALE_PTS`` points); each shown cell carries its value.
    """
    rows = list(dict.fromkeys(cells[label])) if not cells.empty else []
    cols = list(dict.fromkeys(cells[column])) if not cells.empty else []
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.5, 2.6 + 0.75 * len(cols)), 1.2 + 0.42 * max(len(rows), 1)))
    if cells.empty:
        return _empty(ax, title)
    grid = cells.pivot_table(index=label, columns=column, values=value, aggfunc="first", dropna=False, sort=False)
    grid = grid.reindex(index=rows, columns=cols)
    mark = cells.pivot_table(index=label, columns=column, values=marked, aggfunc="first", dropna=False, sort=False)
    mark = mark.reindex(index=rows, columns=cols).fillna(False).astype(bool)
    data = grid.to_numpy(dtype=float)
    image = ax.imshow(np.ma.masked_invalid(data), cmap="RdBu", vmin=-SCALE_PTS, vmax=SCALE_PTS, aspect="auto")
    for (i, j), v in np.ndenumerate(data):
        if np.isnan(v):
            continue
        ax.text(j, i, f"{round(v):+d}" if round(v) else "0", ha="center", va="center", fontsize=8,
                color="white" if abs(v) > 0.6 * SCALE_PTS else "black",
                fontweight="bold" if mark.iat[i, j] else "normal")
        if mark.iat[i, j]:
            ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, lw=2, ec="black"))
    ax.set_xticks(range(len(cols)), [wrap(c, 26) for c in cols], fontsize=8, rotation=35, ha="right",
                  rotation_mode="anchor")
    ax.set_yticks(range(len(rows)), [wrap(r, 48) for r in rows], fontsize=8)
    ax.tick_params(length=0)
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, shrink=0.6, label="points from the organisation")
    ax.set_title(title)
    return ax
