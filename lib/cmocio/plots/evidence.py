"""The charts of the evidence map: waves over time, figures per wave and theme, gaps over time, pooled gaps."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from .charts import _axes, _empty, _rows_height, wrap


def timeline(frame: pd.DataFrame, *, x: str = "year", row: str = "sponsor", size: str = "respondents",
             label: str = "label", title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """One row per sponsor, one marker per wave at its year, sized by sample (hollow where not reported).

    Waves without a year sit in a column of their own at the right, marked "no year".
    """
    rows = sorted(dict.fromkeys(frame[row]), key=str) if not frame.empty else []
    ax = _axes(ax, _rows_height(rows, per_line=0.3, base=1.8) if rows else 2)
    if frame.empty:
        return _empty(ax, title)
    ypos = {r: i for i, r in enumerate(reversed(rows))}
    years = frame[x].dropna().astype(int)
    nd = (years.max() if len(years) else 2020) + 2
    xs = frame[x].fillna(nd).astype(float).to_numpy()
    n = frame[size].astype(float).to_numpy()
    area = np.where(np.isnan(n), 40.0, 20 + 180 * np.sqrt(np.nan_to_num(n) / np.nanmax(np.r_[n, 1.0])))
    known = ~np.isnan(n)
    ys = frame[row].map(ypos).to_numpy(dtype=float)
    ax.scatter(xs[known], ys[known], s=area[known], color="#7570b3", alpha=0.8, label="sample size reported (area)")
    ax.scatter(xs[~known], ys[~known], s=area[~known], facecolor="white", edgecolor="#7570b3",
               label="sample size not reported")
    ax.set_yticks(list(ypos.values()), [wrap(r, 30) for r in ypos])
    ticks = sorted(set(years.tolist()))
    ax.set_xticks([*ticks, nd], [*map(str, ticks), "no year"], rotation=90)
    ax.axvline(nd - 1, color="#bbbbbb", lw=1, ls=":")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    ax.set_title(title, pad=28)
    return ax


def meta_forest(effects: pd.DataFrame, pooled: pd.DataFrame, *, by: str = "family", label: str = "label",
                confidence: float = 0.95, title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Each study's gap with its interval, grouped by ``by``, and each group's pooled estimate as a diamond.

    A study's interval is its normal interval at ``confidence`` from ``variance``; the
    pooled interval is the one in ``pooled`` (computed at the same confidence), with its
    prediction interval (``pi_low``/``pi_high``, where given) as a thin line. A group
    that is not pooled (``pooled`` missing) is labelled so, and has no diamond.
    """
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + confidence / 2))
    rows: list[tuple[str, float, float, float, bool]] = []
    predicted: list[tuple[int, float, float]] = []  # (row, low, high) of each prediction interval
    for key, grp in effects.groupby(by, sort=True):
        if key not in set(pooled[by]):
            continue
        for r in grp.itertuples(index=False):
            half = z * np.sqrt(getattr(r, "variance"))
            rows.append((f"  {getattr(r, label)}", getattr(r, "diff"), getattr(r, "diff") - half,
                         getattr(r, "diff") + half, False))
        p = pooled[pooled[by] == key].iloc[0]
        if pd.isna(p["pooled"]):
            rows.append((f"{key.replace('_', ' ')}: {int(p['k'])} studies, not pooled", np.nan, np.nan, np.nan, True))
            continue
        rows.append((f"{key.replace('_', ' ')}: pooled (k={int(p['k'])}, I² {p['i2']:.0f}%)", p["pooled"],
                     p["pooled_low"], p["pooled_high"], True))
        if pd.notna(p.get("pi_low", np.nan)):
            predicted.append((len(rows) - 1, p["pi_low"], p["pi_high"]))
    ax = _axes(ax, _rows_height([r[0] for r in rows]) if rows else 2)
    if not rows:
        return _empty(ax, title)
    ys = np.arange(len(rows))[::-1]
    ax.axvline(0, color="#555555", lw=1)
    for y, (_, est, lo, hi, is_pooled) in zip(ys, rows):
        if is_pooled and np.isnan(est):
            continue
        if is_pooled:
            ax.fill([lo, est, hi, est], [y, y + 0.3, y, y - 0.3], color="#d95f02", zorder=3)
        else:
            ax.errorbar([est], [y], xerr=[[est - lo], [hi - est]], fmt="o", color="#333333", ecolor="#777777",
                        capsize=3)
    left, right = ax.get_xlim()
    for i, lo, hi in predicted:  # drawn within the studies' range; an arrow where it runs beyond
        ax.plot([max(lo, left), min(hi, right)], [ys[i], ys[i]], color="#d95f02", lw=1.2, zorder=2)
        for end, edge, marker in ((lo, left, "<"), (hi, right, ">")):
            if (end < edge) if marker == "<" else (end > edge):
                ax.plot([edge], [ys[i]], marker=marker, color="#d95f02", ms=6, clip_on=False, zorder=2)
    ax.set_xlim(left, right)
    ax.set_yticks(ys, [wrap(r[0], 48) for r in rows])
    ax.set_xlabel("Marketing minus IT, percentage points; thin line: prediction interval for a new study")
    ax.set_title(title)
    return ax



def gap_timeline(frame: pd.DataFrame, *, x: str = "year", y: str = "diff", low: str = "diff_low",
                 high: str = "diff_high", title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Each gap at the year its study measured, with its interval where the bases are known.

    Gaps from studies without a year stand apart at the right, marked "no year";
    points of one year are spread sideways so that they do not hide each other.
    """
    ax = _axes(ax, 4.2)
    if frame.empty:
        return _empty(ax, title)
    years = frame[x].dropna().astype(int)
    nd = (years.max() if len(years) else 2020) + 2
    xs = frame[x].fillna(nd).astype(float).to_numpy()
    order = frame.assign(_x=xs).groupby("_x").cumcount().to_numpy()
    counts = frame.assign(_x=xs).groupby("_x")["_x"].transform("size").to_numpy()
    xs = xs + (order - (counts - 1) / 2) * np.minimum(0.6 / np.maximum(counts, 1), 0.12)
    e = frame[y].to_numpy(float)
    has = frame[low].notna().to_numpy() & frame[high].notna().to_numpy()
    lo, hi = frame[low].to_numpy(float), frame[high].to_numpy(float)
    ax.axhline(0, color="#555555", lw=1)
    if has.any():
        ax.errorbar(xs[has], e[has], yerr=[e[has] - lo[has], hi[has] - e[has]], fmt="o", ms=4, color="#333333",
                    ecolor="#aaaaaa", capsize=2, label="both bases known: interval")
    if (~has).any():
        ax.scatter(xs[~has], e[~has], s=18, marker="D", facecolor="white", edgecolor="#333333",
                   label="a base unknown: no interval", zorder=3)
    ticks = sorted(set(years.tolist()))
    ax.set_xticks([*ticks, nd], [*map(str, ticks), "no year"], rotation=90)
    ax.axvline(nd - 1, color="#bbbbbb", lw=1, ls=":")
    ax.set_ylabel("Marketing minus IT, points")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    ax.set_title(title, pad=28)
    return ax


def coverage(table: pd.DataFrame, *, title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Heat map of a count table (e.g. figures per theme and study); zero cells are left blank."""
    ax = _axes(ax, 1.5 + 0.5 * max(len(table), 1))
    if table.empty:
        return _empty(ax, title)
    counts = table.to_numpy()
    labels = np.where(counts == 0, "", counts.astype(int).astype(str))  # an empty cell reads faster than a zero
    sns.heatmap(table, annot=labels, fmt="", cmap="Blues", cbar=False, linewidths=0.5, ax=ax,
                xticklabels=[wrap(str(c).replace("_", " "), 12) for c in table.columns])
    ax.tick_params(axis="x", labeltop=True)  # the column names stay in view at the top of a long table
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title)
    return ax
