"""One look for every chart, and the few chart types the notebooks need.

Call :func:`setup` first in every notebook: it fixes seeds, pandas display
options and the plot theme so that runs are reproducible and diffs stay small.
Each chart function takes a tidy frame, draws on ``ax`` (or a new figure) and
returns the Axes. An empty frame gives an Axes that says there is no data.
"""

from __future__ import annotations

import os
import random
import textwrap

import matplotlib
import matplotlib.pyplot as plt
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
}
GROUP_LABELS = {
    "marketing": "Marketing",
    "it": "IT / technology",
    "all": "All respondents",
    "very_effective": "Very effective CMO-CIO relationship",
    "effective": "Effective CMO-CIO relationship",
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


def _axes(ax: plt.Axes | None, height: float | None = None) -> plt.Axes:
    if ax is not None:
        return ax
    size = (8, height) if height else None
    _, ax = plt.subplots(figsize=size)
    return ax


def _empty(ax: plt.Axes, title: str) -> plt.Axes:
    ax.text(0.5, 0.5, "No data for this selection", ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    ax.set_title(title)
    return ax


def wrap(label: object, width: int = 38) -> str:
    """Wrap a long label over several lines."""
    return "\n".join(textwrap.wrap(str(label), width)) or str(label)


def dumbbell(frame: pd.DataFrame, label: str, a: str, b: str, *, a_name: str = "Marketing",
             b_name: str = "IT / technology", title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Two figures per row joined by a line: e.g. marketing's and IT's answer to one question."""
    ax = _axes(ax, 1.2 + 0.45 * max(len(frame), 1))
    if frame.empty:
        return _empty(ax, title)
    ys = np.arange(len(frame))[::-1]
    for y, (_, r) in zip(ys, frame.iterrows()):
        ax.plot([r[a], r[b]], [y, y], color="#bbbbbb", lw=2, zorder=1)
    ax.scatter(frame[a], ys, color=GROUP_COLOURS["marketing"], s=60, label=a_name, zorder=2)
    ax.scatter(frame[b], ys, color=GROUP_COLOURS["it"], s=60, label=b_name, zorder=2)
    ax.set_yticks(ys, [wrap(v) for v in frame[label]])
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of respondents")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    ax.set_title(title, pad=28)
    return ax


def slope(frame: pd.DataFrame, x: str, y: str, hue: str, *, title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Change between waves: one line per ``hue`` value across the ``x`` values (years)."""
    ax = _axes(ax)
    if frame.empty:
        return _empty(ax, title)
    for key, grp in frame.sort_values(x).groupby(hue, sort=True):
        colour = GROUP_COLOURS.get(str(key).split(" | ")[-1], None)
        ax.plot(grp[x].astype(int), grp[y], marker="o", lw=2, color=colour, label=wrap(key, 50))
        last = grp.iloc[-1]
        ax.annotate(f"{last[y]:.0f}%", (int(last[x]), last[y]), textcoords="offset points", xytext=(6, 0), va="center")
    years = sorted(frame[x].astype(int).unique())
    ax.set_xticks(years, [str(v) for v in years])
    ax.set_xlim(years[0] - 0.3, years[-1] + 0.5)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of respondents")
    ax.set_xlabel("")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    ax.set_title(title)
    return ax


def forest(frame: pd.DataFrame, label: str, est: str, low: str, high: str, *, title: str = "",
           xlabel: str = "Difference, percentage points", ax: plt.Axes | None = None) -> plt.Axes:
    """Point estimates with intervals around a zero line; rows without an interval show the point only."""
    ax = _axes(ax, 1.2 + 0.42 * max(len(frame), 1))
    if frame.empty:
        return _empty(ax, title)
    ys = np.arange(len(frame))[::-1]
    has = frame[low].notna().to_numpy()
    e = frame[est].to_numpy(dtype=float)
    lo = frame[low].to_numpy(dtype=float)
    hi = frame[high].to_numpy(dtype=float)
    ax.axvline(0, color="#555555", lw=1)
    if has.any():
        ax.errorbar(e[has], ys[has], xerr=[e[has] - lo[has], hi[has] - e[has]], fmt="o", color="#333333",
                    ecolor="#777777", capsize=3, label="with interval")
    if (~has).any():
        ax.scatter(e[~has], ys[~has], marker="D", facecolor="white", edgecolor="#333333",
                   label="no known base: no interval", zorder=3)
    ax.set_yticks(ys, [wrap(v, 45) for v in frame[label]])
    ax.set_xlabel(xlabel)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    ax.set_title(title, pad=28)
    return ax


def grouped_bars(frame: pd.DataFrame, label: str, value: str, hue: str, *, low: str | None = None,
                 high: str | None = None, title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars per label, one per ``hue`` value, with optional interval whiskers."""
    ax = _axes(ax, 1.2 + 0.55 * max(frame[label].nunique() if not frame.empty else 1, 1))
    if frame.empty:
        return _empty(ax, title)
    labels = list(dict.fromkeys(frame[label]))
    hues = list(dict.fromkeys(frame[hue]))
    height = 0.8 / len(hues)
    for i, h in enumerate(hues):
        sub = frame[frame[hue] == h].set_index(label).reindex(labels)
        ys = np.arange(len(labels))[::-1] + (len(hues) / 2 - i - 0.5) * height
        ax.barh(ys, sub[value].to_numpy(dtype=float), height=height * 0.95,
                color=GROUP_COLOURS.get(str(h)), label=GROUP_LABELS.get(str(h), str(h)))
        if low and high:
            v = sub[value].to_numpy(dtype=float)
            lo, hi = sub[low].to_numpy(dtype=float), sub[high].to_numpy(dtype=float)
            ok = ~np.isnan(lo)
            ax.errorbar(v[ok], ys[ok], xerr=[v[ok] - lo[ok], hi[ok] - v[ok]], fmt="none", ecolor="#333333", capsize=2)
    ax.set_yticks(np.arange(len(labels))[::-1], [wrap(v) for v in labels])
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of respondents")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=min(len(hues), 3))
    ax.set_title(title, pad=28)
    return ax


def coverage(table: pd.DataFrame, *, title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Heat map of a count table (e.g. figures per theme and study)."""
    ax = _axes(ax, 1.5 + 0.5 * max(len(table), 1))
    if table.empty:
        return _empty(ax, title)
    sns.heatmap(table, annot=True, fmt="d", cmap="Blues", cbar=False, linewidths=0.5, ax=ax)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title)
    return ax
