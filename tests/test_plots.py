"""Chart helpers: each returns its Axes, draws what it is given, and copes with an empty frame."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cmocio import plots  # noqa: E402
from cmocio.report import bullet_list, fmt_pct, fmt_pp  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_setup_fixes_seed_theme_and_display():
    plots.setup(seed=3)
    first = np.random.random()
    plots.setup(seed=3)
    assert np.random.random() == first
    assert matplotlib.rcParams["svg.hashsalt"] == "cmocio"
    assert pd.get_option("display.width") == 120


def test_dumbbell_draws_both_groups_and_skips_missing():
    frame = pd.DataFrame({"q": ["a", "b"], "m": [40.0, np.nan], "i": [60.0, 20.0]})
    ax = plots.dumbbell(frame, "q", "m", "i", title="T")
    assert isinstance(ax, plt.Axes) and ax.get_title() == "T"
    offsets = [c.get_offsets() for c in ax.collections]
    assert [len(o) for o in offsets] == [1, 2]  # marketing's missing point is not drawn
    assert len(ax.lines) == 1  # a joining line only where both exist


def test_forest_separates_rows_with_and_without_intervals():
    frame = pd.DataFrame({"l": ["x", "y"], "d": [5.0, -3.0], "lo": [1.0, np.nan], "hi": [9.0, np.nan]})
    ax = plots.forest(frame, "l", "d", "lo", "hi")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(labels) == ["no known base: no interval", "with interval"]


def test_grouped_bars_one_bar_per_present_group():
    frame = pd.DataFrame({"l": ["a", "a", "b"], "v": [10.0, 20.0, 30.0], "g": ["marketing", "it", "all"],
                          "lo": [5.0, 15.0, np.nan], "hi": [15.0, 25.0, np.nan]})
    ax = plots.grouped_bars(frame, "l", "v", "g", low="lo", high="hi")
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == [10.0, 20.0, 30.0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Marketing", "IT / technology", "All respondents"]


def test_slope_marks_last_value():
    frame = pd.DataFrame({"year": [2015, 2016], "percent": [37.0, 61.0], "line": ["IT", "IT"], "group": ["it", "it"]})
    ax = plots.slope(frame, "year", "percent", "line")
    assert [t.get_text() for t in ax.texts] == ["61%"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2015", "2016"]


def test_label_positions_keep_apart_and_stay_near_their_values():
    pos = plots.spread_labels(np.array([30.0, 30.0, 80.0, 29.0]), gap=5.0)
    assert sorted(np.diff(np.sort(pos)))[0] >= 5.0 - 1e-9
    assert pos[2] == 80.0  # a label with room stays on its value
    top = plots.spread_labels(np.array([99.0, 98.0]), gap=5.0)
    assert top.max() <= 100.0 and abs(top[0] - top[1]) >= 5.0 - 1e-9


def test_series_panels_one_panel_per_series_one_colour_per_question():
    frame = pd.DataFrame({
        "year": [2013, 2014, 2013, 2014, 2015, 2016],
        "percent": [56.0, 69.0, 77.0, 83.0, 13.0, 34.0],
        "panel": ["Accenture"] * 4 + ["Leapfrog"] * 2,
        "line": ["Marketing: align", "Marketing: align", "IT: align", "IT: align", "IT: very", "IT: very"],
        "metric": ["align"] * 4 + ["very"] * 2,
        "group": ["marketing", "marketing", "it", "it", "it", "it"]})
    ax = plots.series_panels(frame, "year", "percent", "panel", "line", colour="metric", title="T")
    axes = ax.figure.axes
    assert [a.get_title(loc="left") for a in axes] == ["Accenture", "Leapfrog"]
    first = axes[0].get_lines()
    assert first[0].get_color() == first[1].get_color()  # one question, one colour
    assert {line.get_linestyle() for line in first} == {"-", "--"}  # the groups tell apart by style
    assert [t.get_text() for t in axes[0].get_xticklabels()] == ["2013", "2014"]
    assert sorted(t.get_text() for t in axes[1].texts) == ["13%", "34%"]


def test_coverage_heatmap_annotates_counts():
    table = pd.DataFrame([[1, 0], [2, 3]], index=["a", "b"], columns=["s1", "s2"])
    ax = plots.coverage(table)
    assert sorted(t.get_text() for t in ax.texts if t.get_text()) == ["1", "2", "3"]  # the zero cell is blank


@pytest.mark.parametrize("draw", [
    lambda f: plots.dumbbell(f, "q", "m", "i"),
    lambda f: plots.forest(f, "q", "m", "i", "i"),
    lambda f: plots.grouped_bars(f, "q", "m", "i"),
    lambda f: plots.slope(f, "q", "m", "i"),
    lambda f: plots.series_panels(f, "q", "m", "i", "i"),
])
def test_empty_frames_give_a_no_data_axes(draw):
    ax = draw(pd.DataFrame({"q": [], "m": [], "i": []}))
    assert ax.texts[0].get_text() == "No data for this selection" and not ax.axison


def test_prose_helpers():
    assert fmt_pct(41.6) == "42%" and fmt_pct(np.nan) == "n/a"
    assert fmt_pp(-3.2) == "-3 pts" and fmt_pp(12) == "+12 pts"
    assert bullet_list([]) == "_Nothing to report for this selection._"
    assert bullet_list(["a", "b"]) == "- a\n- b"


def test_break_even_draws_dots_ticks_and_notes_on_a_log_scale():
    frame = pd.DataFrame({"label": ["a", "b", "c"], "n": [92.0, np.nan, 2300.0], "size": [300.0, 131.0, 900.0],
                          "note": ["", "not testable: published as a bound", ""], "splits": [np.nan] * 3})
    ax = plots.break_even(frame, "label", "n", "size", "note", splits="splits")
    assert ax.get_xscale() == "log"
    ticks, dots = (c.get_offsets() for c in ax.collections)
    assert len(ticks) == 3 and sorted(dots[:, 0]) == [92.0, 2300.0]
    assert [t.get_text() for t in ax.texts] == ["not testable: published as a bound"]


def test_break_even_shows_split_shares_when_only_the_total_is_known():
    frame = pd.DataFrame({"label": ["a", "b"], "n": [np.nan, np.nan], "size": [131.0, 131.0], "note": ["", ""],
                          "splits": [0.83, 0.0]})
    ax = plots.break_even(frame, "label", "n", "size", "note", splits="splits")
    assert ax.get_xscale() == "linear" and ax.get_xlim() == (0, 100)
    widths = sorted(round(p.get_width()) for p in ax.patches)
    assert widths == [0, 17, 83, 100]  # significant and not-significant parts of each bar
    assert plots.break_even(frame.iloc[:0], "label", "n", "size", "note").get_title() == ""


def _bars(ax) -> list:
    return [p for p in ax.patches if p.get_width() > 0]


def test_each_segment_keeps_one_colour_and_one_place_in_every_category():
    frame = pd.DataFrame({"l": ["q1", "q1", "q1", "q2", "q2", "q2"], "v": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
                          "g": ["Sales", "Finance", "Ops", "Ops", "Sales", "Finance"]})
    ax = plots.grouped_bars(frame, "l", "v", "g")
    bars = _bars(ax)
    colour = {round(p.get_width()): matplotlib.colors.to_hex(p.get_facecolor()) for p in bars}
    fixed = plots.colours_for(["Sales", "Finance", "Ops"])
    assert colour[10] == colour[50] == fixed["Sales"] and colour[30] == colour[40] == fixed["Ops"]
    assert len(set(fixed.values())) == 3 and fixed == plots.colours_for(["Ops", "Sales", "Finance"])
    # the same value sits in the same place (its offset from the category's centre) in both categories
    by_value = {round(p.get_width()): p.get_y() for p in bars}
    assert round(by_value[10] - by_value[50], 6) == round(by_value[20] - by_value[60], 6) == 1.0
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Finance", "Ops", "Sales"]


def test_a_bound_is_an_open_hatched_bar_with_its_sign_and_a_segment_is_named():
    frame = pd.DataFrame({"l": ["q", "q", "r"], "v": [50.0, 45.0, 30.0], "g": ["all", "all", "all"],
                          "qualifier": [">", "=", "="], "segment": ["top-performing companies", "other companies", None]})
    ax = plots.grouped_bars(frame, "l", "v", "g")
    bars = _bars(ax)
    assert len(bars) == 3, "two segments of one group are two bars"
    bound = next(p for p in bars if p.get_width() == 50.0)
    assert bound.get_hatch() == "///" and matplotlib.colors.to_hex(bound.get_facecolor()) == "#ffffff"
    texts = [t.get_text() for t in ax.texts]
    assert ">50%" in texts and "45%" in texts
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "top-performing companies" in legend and "a bound (>, <), as published" in legend


def test_at_most_twelve_categories_a_panel_and_one_point_becomes_a_sentence():
    many = pd.DataFrame({"l": [f"q{i}" for i in range(30)], "d": np.arange(30.0) - 10, "lo": np.nan, "hi": np.nan})
    ax = plots.forest(many, "l", "d", "lo", "hi")
    assert len(ax.get_yticks()) == plots.MAX_CATEGORIES and "12 of 30" in ax.get_xlabel()
    assert "q29" in [t.get_text() for t in ax.get_yticklabels()], "the largest are kept"
    bars = plots.grouped_bars(many.assign(v=50.0, g="all"), "l", "v", "g")
    assert len(bars.get_yticks()) == plots.MAX_CATEGORIES and not plots.sentence_of(bars)
    one = plots.forest(many.iloc[:1], "l", "d", "lo", "hi")
    assert plots.sentence_of(one) == "One comparison only: q0: -10 points."
    few = pd.DataFrame({"l": list("abc"), "n": [120.0, np.nan, np.nan], "s": 300.0, "note": "", "sp": np.nan})
    assert "Only one of these 3" in plots.sentence_of(plots.break_even(few, "l", "n", "s", "note", splits="sp"))


def test_segments_are_labelled_as_segments_with_their_own_bases():
    frame = pd.DataFrame({"q": ["a", "a"], "percent": [40.0, 60.0], "segment": ["North", "South"],
                          "dimension": ["region", "region"], "n_answered": [40, 12]})
    ax = plots.grouped_bars(frame, "q", "percent", "segment")
    assert ax.get_legend().get_title().get_text() == "Segment: region"
    assert {"40% (n 40)", "60% (n 12)"} <= {t.get_text() for t in ax.texts}


def test_a_segment_column_names_bars_only_where_it_tells_rows_apart():
    frame = pd.DataFrame({"q": ["a", "a"], "percent": [40.0, 60.0], "group": ["marketing", "it"],
                          "segment": ["all", "all"]})
    ax = plots.grouped_bars(frame, "q", "percent", "group")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Marketing", "IT / technology"]
