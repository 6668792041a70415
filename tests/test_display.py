"""Tables for reading: headers from one dictionary, formatted values, escaped text, CSV untouched."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cmocio import display


def test_values_read_as_percentages_points_p_values_and_bases():
    assert display.fmt_value(87.4, "pct") == "87%"
    assert display.fmt_value(-4.2, "pts") == "−4 pts" and display.fmt_value(4.0, "pts") == "+4 pts"
    assert display.fmt_value(-0.013, "pts") == "+0 pts" and display.fmt_interval(-0.4, 3.2, "pts") == "+0 to +3 pts"
    assert display.fmt_value(0.0004, "p") == "<0.001" and display.fmt_value(0.04567, "p") == "0.046"
    assert display.fmt_value(1100.0, "n") == "1,100" and display.fmt_value(65.5, "n") == "65.5"
    assert display.fmt_value(0.83, "share") == "83%"
    assert display.fmt_value(208.2185, "num") == "208.2" and display.fmt_value(1234.56, "num") == "1,234.6"
    assert display.fmt_value(np.nan, "pct") == display.MISSING and display.fmt_value(None, "text") == display.MISSING
    assert display.fmt_value(pd.NA, "bool") == display.MISSING and display.fmt_value(True, "bool") == "yes"
    assert display.fmt_value("derived_minimum", "base") == "derived minimum"
    assert display.fmt_value("it", "group") == "IT / technology"


def test_intervals_in_one_cell_with_open_ends_for_bounds():
    assert display.fmt_interval(79.2, 92.4, "pct") == "79–92%"
    assert display.fmt_interval(-13.2, 5.0, "pts") == "−13 to +5 pts"
    assert display.fmt_interval(2.0, math.nan, "pts") == "+2 to … pts"
    assert display.fmt_interval(math.nan, math.nan, "pts") == display.MISSING


def test_readable_headers_sides_hidden_columns_and_no_index():
    frame = pd.DataFrame({"study_id": ["s"], "study": ["Study S"], "metric": ["m"], "a": ["marketing"], "b": ["it"],
                          "percent_a": [60.0], "percent_b": [40.0], "diff": [20.0], "diff_low": [5.0],
                          "diff_high": [33.0], "p_adjusted": [0.012], "testable": [True]}, index=[7])
    table = display.readable(frame, "gaps")
    assert list(table.frame.columns) == ["Study", "Marketing", "IT / technology", "Difference", "Interval",
                                         "p (adjusted)"]
    assert table.frame.iloc[0].tolist() == ["Study S", "60%", "40%", "+20 pts", "+5 to +33 pts", "0.012"]
    assert "7" not in repr(table).split("\n")[1].split()[:1]  # no row index


def test_a_published_bound_or_approximation_is_marked_on_its_figure():
    frame = pd.DataFrame({"a": ["marketing"] * 3, "b": ["it"] * 3, "percent_a": [50.0, 33.3, 36.0],
                          "qualifier_a": [">", "~", "="], "percent_b": [np.nan, 10.0, 26.0],
                          "qualifier_b": [">", "<", "="]})
    cells = display.readable(frame).frame
    assert cells["Marketing"].tolist() == [">50%", "~33%", "36%"]
    assert cells["IT / technology"].tolist() == [display.MISSING, "<10%", "26%"]  # a missing figure stays "—"
    assert "qualifier_a" not in cells and "As published" not in cells


def test_a_meta_analysis_reads_as_gaps_intervals_and_heterogeneity():
    pooled = pd.DataFrame({"family": ["alignment important"], "k": [2], "studies": ["A 2013; B 2013"],
                           "pooled": [-10.46], "pooled_low": [-31.04], "pooled_high": [10.12], "p_value": [0.319],
                           "tau2": [208.2185], "i2": [94.43], "q": [17.95], "q_p_value": [2.3e-5],
                           "fixed": [-9.79], "fixed_low": [-14.6], "fixed_high": [-4.9]})
    row = display.readable(pooled).frame.iloc[0].to_dict()
    assert row["Pooled gap"] == "−10 pts" and row["Interval"] == "−31 to +10 pts"
    assert row["I²"] == "94%" and row["τ² (points²)"] == "208.2" and row["p (heterogeneity)"] == "<0.001"
    assert row["Fixed-effect interval"] == "−15 to −5 pts" and row["Studies (k)"] == "2"


def test_text_from_data_is_escaped_in_html():
    table = display.readable(pd.DataFrame({"question": ['<script>alert(1)</script> & "x"']}), "t")
    page = table._repr_html_()
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page
    assert page == display.readable(pd.DataFrame({"question": ['<script>alert(1)</script> & "x"']}), "t")._repr_html_()


def test_empty_frame_gives_an_empty_table_with_the_same_headers():
    full = pd.DataFrame({"question": ["q"], "percent": [50.0], "ci_low": [40.0], "ci_high": [60.0]})
    empty = display.readable(full.iloc[:0], "t")
    assert list(empty.frame.columns) == list(display.readable(full, "t").frame.columns) == ["Question", "Share", "Interval"]
    assert repr(empty) == "(no rows)"


def test_the_csv_keeps_full_precision(tmp_path):
    from cmocio import report

    ctx = report.start("t", output_dir=str(tmp_path))
    shown = ctx.table(pd.DataFrame({"percent": [33.333333333], "p_value": [0.0123456789]}), "precise")
    assert shown.frame.iloc[0].tolist() == ["33%", "0.012"]
    assert (tmp_path / "t" / "precise.csv").read_text().splitlines()[1] == "33.33333333,0.0123456789"  # 10 significant digits


def test_every_column_in_the_dictionary_has_a_known_kind():
    kinds = {"text", "pct", "pts", "p", "n", "share", "int", "num", "h", "bool", "group", "base", "verdict"}
    assert {name: c.kind for name, c in display.COLUMNS.items() if c.kind not in kinds} == {}



def test_a_conclusion_reads_in_plain_words_and_the_csv_keeps_the_statistics_own():
    from cmocio import stats

    frame = pd.DataFrame({"conclusion": [stats.HOLDS, stats.NOT_SIGNIFICANT]})
    shown = display.readable(frame).frame["Conclusion"].tolist()
    assert shown == ["a real difference at any sample size the articles allow", "could be chance"]


def test_an_id_is_shown_only_where_no_column_spells_it_out():
    from cmocio.display import readable_frame

    named = readable_frame(pd.DataFrame({"series": ["leapfrog-benchmark"], "survey": ["Leapfrog CMO Digital Benchmark"]}))
    bare = readable_frame(pd.DataFrame({"series": ["leapfrog-benchmark"]}))
    assert list(named.columns) == ["Survey"] and list(bare.columns) == ["Series"]
