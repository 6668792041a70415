"""The chart types the notebooks need. Each takes a tidy frame, draws on ``ax`` (or a new figure) and returns
the Axes; an empty frame gives an Axes that says there is no data."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from .theme import GROUP_COLOURS, GROUP_LABELS, colours_for, hue_order

def _axes(ax: plt.Axes | None, height: float | None = None) -> plt.Axes:
    if ax is not None:
        return ax
    size = (8, height) if height else None
    _, ax = plt.subplots(figsize=size)
    return ax


def _rows_height(labels: list[str], per_line: float = 0.26, base: float = 1.4) -> float:
    """Figure height that leaves room for every (wrapped) label."""
    lines = sum(max(wrap(v).count("\n") + 1, 1) for v in labels) if labels else 1
    return base + per_line * lines + 0.12 * len(labels)


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
    """Two figures per row joined by a line: e.g. marketing's and IT's answer to one question.

    A missing figure is left out, and its row shows the other point alone. At most :data:`MAX_CATEGORIES` rows.
    """
    frame, total = _cut(frame)
    ax = _axes(ax, _rows_height(list(frame[label])) if not frame.empty else 2)
    if frame.empty:
        return _empty(ax, title)
    ys = np.arange(len(frame))[::-1]
    va = frame[a].to_numpy(dtype=float)
    vb = frame[b].to_numpy(dtype=float)
    for y, x1, x2 in zip(ys, va, vb):
        if not (np.isnan(x1) or np.isnan(x2)):
            ax.plot([x1, x2], [y, y], color="#bbbbbb", lw=2, zorder=1)
    ax.scatter(va[~np.isnan(va)], ys[~np.isnan(va)], color=GROUP_COLOURS["marketing"], s=60, label=a_name, zorder=2)
    ax.scatter(vb[~np.isnan(vb)], ys[~np.isnan(vb)], color=GROUP_COLOURS["it"], s=60, label=b_name, zorder=2)
    ax.set_yticks(ys, [wrap(v) for v in frame[label]])
    ax.set_xlim(0, 100)
    _categories(ax, len(frame))
    _xlabel(ax, "% of respondents", len(frame), total)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    ax.set_title(title, pad=28)
    return ax


def slope(frame: pd.DataFrame, x: str, y: str, hue: str, *, title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Change between waves: one line per ``hue`` value across the ``x`` values (years)."""
    ax = _axes(ax)
    if frame.empty:
        return _empty(ax, title)
    styles = ["-", "--", ":", "-."]
    for i, (key, grp) in enumerate(frame.sort_values(x).groupby(hue, sort=True)):
        group = str(grp["group"].iloc[0]) if "group" in grp else ""
        ax.plot(grp[x].astype(int), grp[y], marker="o", lw=2, color=GROUP_COLOURS.get(group),
                ls=styles[i // max(len(GROUP_COLOURS), 1) % 4] if group else styles[i % 4], label=wrap(key, 50))
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


#: Line style and marker per respondent group where colour is taken by something else.
GROUP_STYLES = {"marketing": ("-", "o"), "it": ("--", "s"), "all": (":", "^")}


def spread_labels(values: np.ndarray, gap: float, low: float = 0.0, high: float = 100.0) -> np.ndarray:
    """Label positions at least ``gap`` apart, each as near its value as the others allow, within ``low``-``high``."""
    values = np.asarray(values, dtype=float)
    order = np.argsort(values, kind="stable")
    pos = values[order].copy()
    for i in range(1, len(pos)):  # push up
        pos[i] = max(pos[i], pos[i - 1] + gap)
    if len(pos) and pos[-1] > high:  # then back down from the top
        pos[-1] = high
        for i in range(len(pos) - 2, -1, -1):
            pos[i] = min(pos[i], pos[i + 1] - gap)
    pos = np.maximum(pos, low) if len(pos) and pos[0] < low else pos
    out = np.empty_like(pos)
    out[order] = pos
    return out


def series_panels(frame: pd.DataFrame, x: str, y: str, panel: str, line: str, *, colour: str | None = None,
                  title: str = "", width: int = 46) -> plt.Axes:
    """Small multiples of change between waves: one panel per ``panel`` value, one line per ``line`` value in it.

    Within a panel, colour tells the ``colour`` values (the questions; default ``line``)
    apart and line style and marker the respondent group (``group`` column: marketing
    solid, IT dashed, all dotted), so one question asked of two groups is one colour. Each
    value is written at its point, nudged so that labels never overlap; each panel has
    its own legend. Returns the first panel's Axes (its figure holds all panels).
    """
    if frame.empty:
        return _empty(_axes(None), title)
    colour = colour or line
    frame = frame.sort_values(x)
    panels = list(dict.fromkeys(frame[panel]))
    entries, hues = {}, {}
    for p in panels:
        sub = frame[frame[panel] == p]
        hues[p] = list(dict.fromkeys(sub[colour]))
        first = sub.drop_duplicates(line)
        entries[p] = list(first.assign(_h=first[colour].map(hues[p].index)).sort_values("_h", kind="stable")[line])
        entries[p] = entries[p][:MAX_CATEGORIES]  # at most 12 lines a panel; every one is in the table below
    heights = [max(2.3, 0.45 + 0.2 * sum(wrap(e, width).count("\n") + 1 for e in entries[p]) + 0.08 * len(entries[p]))
               for p in panels]
    fig, axes = plt.subplots(len(panels), 1, figsize=(5.2, sum(heights) + 0.5 * len(panels)),
                             gridspec_kw={"height_ratios": heights, "hspace": 0.55}, squeeze=False)
    palette = sns.color_palette("Dark2", 8)
    for ax, p, h in zip(axes[:, 0], panels, heights):
        sub = frame[(frame[panel] == p) & frame[line].isin(entries[p])]
        years = sorted(sub[x].astype(int).unique())
        for key in entries[p]:
            grp = sub[sub[line] == key]
            ls, marker = GROUP_STYLES.get(str(grp["group"].iloc[0]) if "group" in grp else "", ("-.", "D"))
            ax.plot(grp[x].astype(int), grp[y], ls=ls, marker=marker, lw=1.8,
                    color=palette[hues[p].index(grp[colour].iloc[0]) % len(palette)], label=wrap(key, width))
        gap = 100 * (9.5 / 72) / max(h - 0.5, 1.0)  # about one line of 8-point text, in data units
        for year in years:
            at = sub[sub[x].astype(int) == year]
            colours = [palette[hues[p].index(k) % len(palette)] for k in at[colour]]
            side = -1 if year == years[0] and len(years) > 1 else 1
            for value, ypos, tint in zip(at[y], spread_labels(at[y].to_numpy(float), gap), colours):
                ax.annotate(f"{value:.0f}%", (year, ypos), xytext=(7 * side, 0), textcoords="offset points",
                            ha="right" if side < 0 else "left", va="center", fontsize=8, color=tint)
        ax.set_xticks(years, [str(v) for v in years])
        ax.set_xlim(years[0] - 0.35 * max(1, years[-1] - years[0]), years[-1] + 0.35 * max(1, years[-1] - years[0]))
        ax.set_ylim(0, 100)
        ax.set_ylabel("%")
        ax.set_title(str(p), loc="left", fontsize=10)
        _categories(ax, len(entries[p]))
        ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8.5)
    height = fig.get_figheight()
    fig.subplots_adjust(top=1 - 0.6 / height, bottom=0.35 / height)
    if title:
        fig.suptitle(title, fontweight="bold", x=0.1, ha="left", y=1 - 0.05 / height)
    return axes[0, 0]


#: At most this many categories (rows) in one chart panel; every row is in the table under the chart.
MAX_CATEGORIES = 12


def _cut(frame: pd.DataFrame, by: str | None = None, limit: int = MAX_CATEGORIES) -> tuple[pd.DataFrame, int]:
    """The rows a panel draws (at most ``limit``; with ``by``, the largest in absolute value, in their own order)
    and how many there were."""
    total = len(frame)
    if total <= limit:
        return frame, total
    if by is None:
        return frame.iloc[:limit], total
    keep = np.sort(np.argsort(-np.abs(frame[by].to_numpy(dtype=float)), kind="stable")[:limit])
    return frame.iloc[keep], total


def _xlabel(ax: plt.Axes, text: str, shown: int, total: int, what: str = "rows") -> None:
    more = f"\n{shown} of {total} {what} drawn; every one is in the table below" if total > shown else ""
    ax.set_xlabel(text + more)


def _categories(ax: plt.Axes, n: int) -> None:
    """Record how many categories a panel draws (read by the tests through the notebook's output metadata)."""
    ax.figure.cmocio_categories = [*getattr(ax.figure, "cmocio_categories", []), int(n)]


def categories_of(ax: plt.Axes) -> list[int]:
    """Categories per panel of the figure holding ``ax``, as its chart functions recorded them."""
    return list(getattr(ax.figure, "cmocio_categories", []))


def as_sentence(ax: plt.Axes, sentence: str) -> plt.Axes:
    """Mark a chart with too little to draw: :meth:`cmocio.report.Context.save_figure` shows ``sentence`` instead."""
    ax.figure.cmocio_sentence = sentence
    return ax


def sentence_of(ax: plt.Axes) -> str:
    """The sentence a chart stands for (see :func:`as_sentence`); empty for a chart worth drawing."""
    return getattr(ax.figure, "cmocio_sentence", "")


def forest(frame: pd.DataFrame, label: str, est: str, low: str, high: str, *, title: str = "",
           xlabel: str = "Difference, percentage points", ax: plt.Axes | None = None) -> plt.Axes:
    """Point estimates with intervals around a zero line; rows without an interval show the point only.

    At most :data:`MAX_CATEGORIES` rows, the largest in absolute value; one row becomes a sentence.
    """
    frame, total = _cut(frame, est)
    ax = _axes(ax, _rows_height(list(frame[label])) if not frame.empty else 2)
    if frame.empty:
        return _empty(ax, title)
    if len(frame) == 1:
        r = frame.iloc[0]
        interval = (f" (interval {float(r[low]):+.0f} to {float(r[high]):+.0f})" if pd.notna(r[low]) else "")
        return as_sentence(ax, f"One comparison only: {r[label]}: {float(r[est]):+.0f} points{interval}.")
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
    ax.set_yticks(ys, [wrap(v) for v in frame[label]])
    _categories(ax, len(frame))
    _xlabel(ax, xlabel, len(frame), total, "rows (the largest)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    ax.set_title(title, pad=28)
    return ax


def _bar_keys(frame: pd.DataFrame, label: str, hue: str) -> list[str]:
    """What each bar stands for: its ``hue`` value, or its segment (e.g. "top-performing companies") where one
    label has several rows of the same hue that only their ``segment`` tells apart."""
    keys = frame[hue].astype(str)
    if "segment" in frame and hue != "segment":
        seg = frame["segment"].astype(object)
        named = seg.map(lambda v: isinstance(v, str) and bool(v.strip()))
        clash = frame.assign(_k=keys).duplicated([label, "_k"], keep=False)
        keys = keys.where(~(clash & named), seg.astype(str))
    return list(keys)


def grouped_bars(frame: pd.DataFrame, label: str, value: str, hue: str, *, low: str | None = None,
                 high: str | None = None, base: str | None = "n_answered", legend_title: str = "", title: str = "",
                 ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars per label, one per ``hue`` value present, with optional interval whiskers.

    Each value has its one colour (:func:`colours_for`) and its fixed place within a label (:func:`hue_order`).
    Rows of one label and group told apart by their ``segment`` are bars of those segments, named so. A
    published bound (``qualifier`` ">" or "<") is an open, hatched bar labelled with its sign. ``base`` names a
    column of each bar's base (by default ``n_answered``, where the frame has it), written at its end: each
    segment with its own base. Bars of segments (``hue`` "segment") carry their breakdown (``dimension``) as
    the legend's title. At most :data:`MAX_CATEGORIES` labels; a single bar becomes a sentence.
    """
    base = base if base and base in frame.columns else None
    if not legend_title and hue == "segment" and "dimension" in frame and frame["dimension"].nunique() == 1:
        legend_title = f"Segment: {str(frame['dimension'].iloc[0]).replace('_', ' ')}"
    labels_all = list(dict.fromkeys(frame[label])) if not frame.empty else []
    labels = labels_all[:MAX_CATEGORIES]
    frame = frame[frame[label].isin(labels)]
    ax = _axes(ax, _rows_height(labels, base=1.6) if labels else 2)
    if frame.empty:
        return _empty(ax, title)
    frame = frame.assign(_key=_bar_keys(frame, label, hue)).drop_duplicates([label, "_key"])
    if len(frame) == 1:
        r = frame.iloc[0]
        mark = str(r.get("qualifier", "=")) if str(r.get("qualifier", "=")) in "<>~" else ""
        return as_sentence(ax, f"One figure only: {r[label]} ({GROUP_LABELS.get(r['_key'], r['_key'])}): "
                               f"{mark}{float(r[value]):.0f}%.")
    order = hue_order(frame["_key"])
    palette = colours_for(order)
    bounded = False
    centres = np.arange(len(labels))[::-1].astype(float)
    for centre, lab in zip(centres, labels):
        sub = frame[frame[label] == lab]
        sub = sub.iloc[np.argsort([order.index(k) for k in sub["_key"]], kind="stable")]
        k = len(sub)
        height = 0.8 / max(k, 1)
        for i, (_, r) in enumerate(sub.iterrows()):
            y = centre + (k / 2 - i - 0.5) * height
            key, v = r["_key"], float(r[value])
            colour = palette[key]
            mark = str(r["qualifier"]) if "qualifier" in r and str(r["qualifier"]) in ("<", ">", "~") else ""
            if mark in ("<", ">"):  # a bound: open and hatched, never a solid bar
                ax.barh(y, v, height=height * 0.92, facecolor="white", edgecolor=colour, hatch="///", lw=1.2)
                bounded = True
            else:
                ax.barh(y, v, height=height * 0.92, color=colour)
            text = f"{mark}{v:.0f}%" + (f" (n {float(r[base]):,.0f})" if base and pd.notna(r.get(base)) else "")
            end = v
            if low and high and pd.notna(r[low]) and not mark:
                ax.errorbar([v], [y], xerr=[[v - float(r[low])], [float(r[high]) - v]], fmt="none",
                            ecolor="#333333", capsize=2)
                end = max(v, float(r[high]))
            ax.annotate(text, (end, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=7.5,
                        color="#333333")
    ax.set_yticks(centres, [wrap(v) for v in labels])
    _categories(ax, len(labels))
    ax.set_xlim(0, 100)
    _xlabel(ax, "% of respondents", len(labels), len(labels_all), "categories")
    from matplotlib.patches import Patch

    handles = [Patch(color=palette[k], label=GROUP_LABELS.get(k, k)) for k in order]
    if bounded:
        handles.append(Patch(facecolor="white", edgecolor="#555555", hatch="///", label="a bound (>, <), as published"))
    ncol = len(handles) if len(handles) <= 3 else 2
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=ncol,
              title=legend_title or None)
    rows = -(-len(handles) // ncol) + (1 if legend_title else 0)
    ax.set_title(title, pad=12 + 16 * rows)  # room for every legend row
    return ax


def break_even(frame: pd.DataFrame, label: str, n: str, size: str, note: str, *, splits: str | None = None,
               title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """What each comparison would take: its break-even base per side beside the study's reported size.

    ``n``: break-even base per side (a dot; missing for rows without one);
    ``size``: the study's respondents in all (a bar tick); ``note``: a few words
    drawn for rows without a break-even base (split sweeps, bounds, no difference).
    Log scale, as bases run from tens to tens of thousands. Where no row has a
    break-even base but rows have ``splits`` (the share of possible functional
    splits under which a difference is significant), those shares are drawn instead.
    """
    total = len(frame)
    frame = frame.iloc[:MAX_CATEGORIES]
    ax = _axes(ax, _rows_height(list(frame[label])) if not frame.empty else 2)
    if frame.empty:
        return _empty(ax, title)
    drawn = int(frame[n].notna().sum())
    if splits and drawn == 0 and int(frame[splits].notna().sum()) >= 2:
        return _split_shares(frame, label, splits, note, title, ax)
    if drawn < 2:
        named = frame[frame[n].notna()]
        if named.empty:
            return as_sentence(ax, f"None of these {total} comparisons has a base at which it would become "
                                   "significant to draw; the table below says what each would take.")
        r = named.iloc[0]
        return as_sentence(ax, f"Only one of these {total} comparisons has a break-even base to draw: {r[label]} "
                               f"would be significant with {float(r[n]):,.0f} respondents per side. The table "
                               "below says what each of the others would take.")
    ys = np.arange(len(frame))[::-1]
    nn = frame[n].to_numpy(dtype=float)
    ss = frame[size].to_numpy(dtype=float)
    has_n, has_s = ~np.isnan(nn), ~np.isnan(ss)
    finite = np.concatenate([nn[has_n], ss[has_s], [10.0]])
    lo, hi = max(1.0, finite.min() / 3), finite.max() * 3
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    if has_s.any():
        ax.scatter(ss[has_s], ys[has_s], marker="|", s=260, linewidths=2.5, color=GROUP_COLOURS["all"],
                   label="study's respondents in all, as reported", zorder=2)
    if has_n.any():
        ax.scatter(nn[has_n], ys[has_n], color="#333333", s=45, label="break-even base per side", zorder=3)
    for y, text, show in zip(ys, frame[note].astype(str), ~has_n):
        if show and text:
            ax.annotate(wrap(text, 60), (lo, y), xytext=(4, 0), textcoords="offset points", va="center",
                        fontsize=8, color="#444444", zorder=4,
                        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
    ax.set_yticks(ys, [wrap(v) for v in frame[label]])
    _categories(ax, len(frame))
    _xlabel(ax, "Respondents per side (log scale)", len(frame), total)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    ax.set_title(title, pad=28)
    return ax


def _split_shares(frame: pd.DataFrame, label: str, splits: str, note: str, title: str, ax: plt.Axes) -> plt.Axes:
    """Share of possible marketing / IT splits under which each difference is significant (bars, 0-100%)."""
    ys = np.arange(len(frame))[::-1]
    share = 100 * frame[splits].to_numpy(dtype=float)
    has = ~np.isnan(share)
    ax.barh(ys[has], share[has], height=0.55, color=GROUP_COLOURS["all"], label="share of splits: significant")
    ax.barh(ys[has], 100 - share[has], left=share[has], height=0.55, color="#dddddd", label="not significant")
    for y, v in zip(ys[has], share[has]):
        ax.annotate(f"{v:.0f}%", (v, y), xytext=(4 if v < 90 else -30, 0), textcoords="offset points", va="center",
                    fontsize=9)
    for y, text in zip(ys[~has], frame[note].astype(str).to_numpy()[~has]):
        ax.annotate(wrap(text, 60), (0, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8,
                    color="#444444")
    ax.set_xlim(0, 100)
    ax.set_yticks(ys, [wrap(v) for v in frame[label]])
    _categories(ax, len(frame))
    ax.set_xlabel("Possible splits of the known total (10% to 90% marketing) under which it is significant, %")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    ax.set_title(title, pad=28)
    return ax





