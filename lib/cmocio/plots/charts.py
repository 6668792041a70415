"""The chart types the notebooks need. Each takes a tidy frame, draws on ``ax`` (or a new figure) and returns
the Axes; an empty frame gives an Axes that says there is no data."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from .theme import GROUP_COLOURS, GROUP_LABELS

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

    A missing figure is left out, and its row shows the other point alone.
    """
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
    ax.set_xlabel("% of respondents")
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
    heights = [max(2.3, 0.45 + 0.2 * sum(wrap(e, width).count("\n") + 1 for e in entries[p]) + 0.08 * len(entries[p]))
               for p in panels]
    fig, axes = plt.subplots(len(panels), 1, figsize=(5.2, sum(heights) + 0.5 * len(panels)),
                             gridspec_kw={"height_ratios": heights, "hspace": 0.55}, squeeze=False)
    palette = sns.color_palette("Dark2", 8)
    for ax, p, h in zip(axes[:, 0], panels, heights):
        sub = frame[frame[panel] == p]
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
        ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8.5)
    height = fig.get_figheight()
    fig.subplots_adjust(top=1 - 0.6 / height, bottom=0.35 / height)
    if title:
        fig.suptitle(title, fontweight="bold", x=0.1, ha="left", y=1 - 0.05 / height)
    return axes[0, 0]


def forest(frame: pd.DataFrame, label: str, est: str, low: str, high: str, *, title: str = "",
           xlabel: str = "Difference, percentage points", ax: plt.Axes | None = None) -> plt.Axes:
    """Point estimates with intervals around a zero line; rows without an interval show the point only."""
    ax = _axes(ax, _rows_height(list(frame[label])) if not frame.empty else 2)
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
    ax.set_yticks(ys, [wrap(v) for v in frame[label]])
    ax.set_xlabel(xlabel)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    ax.set_title(title, pad=28)
    return ax


def grouped_bars(frame: pd.DataFrame, label: str, value: str, hue: str, *, low: str | None = None,
                 high: str | None = None, title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars per label, one per ``hue`` value present, with optional interval whiskers."""
    labels = list(dict.fromkeys(frame[label])) if not frame.empty else []
    ax = _axes(ax, _rows_height(labels, base=1.6) if labels else 2)
    if frame.empty:
        return _empty(ax, title)
    hues = list(dict.fromkeys(frame[hue]))
    seen: set[str] = set()
    centres = np.arange(len(labels))[::-1].astype(float)
    for centre, lab in zip(centres, labels):
        sub = frame[frame[label] == lab].drop_duplicates(hue)
        k = len(sub)
        height = 0.8 / k
        for i, (_, r) in enumerate(sub.iterrows()):
            y = centre + (k / 2 - i - 0.5) * height
            h = str(r[hue])
            ax.barh(y, float(r[value]), height=height * 0.92, color=GROUP_COLOURS.get(h),
                    label=None if h in seen else GROUP_LABELS.get(h, h))
            seen.add(h)
            if low and high and pd.notna(r[low]):
                v = float(r[value])
                ax.errorbar([v], [y], xerr=[[v - float(r[low])], [float(r[high]) - v]], fmt="none",
                            ecolor="#333333", capsize=2)
    ax.set_yticks(centres, [wrap(v) for v in labels])
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of respondents")
    handles, names = ax.get_legend_handles_labels()
    order = [names.index(GROUP_LABELS.get(str(h), str(h))) for h in hues if GROUP_LABELS.get(str(h), str(h)) in names]
    ncol = len(order) if len(order) <= 3 else 2
    ax.legend([handles[i] for i in order], [names[i] for i in order], loc="lower center",
              bbox_to_anchor=(0.5, 1.0), ncol=max(ncol, 1))
    ax.set_title(title, pad=12 + 16 * -(-len(order) // max(ncol, 1)))  # room for every legend row
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
    ax = _axes(ax, _rows_height(list(frame[label])) if not frame.empty else 2)
    if frame.empty:
        return _empty(ax, title)
    if splits and frame[n].isna().all() and frame[splits].notna().any():
        return _split_shares(frame, label, splits, note, title, ax)
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
    ax.set_xlabel("Respondents per side (log scale)")
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
    ax.set_xlabel("Possible splits of the known total (10% to 90% marketing) under which it is significant, %")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    ax.set_title(title, pad=28)
    return ax


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
