"""Statistics checked against published worked examples and by properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cmocio import stats


def test_wilson_matches_newcombe_1998_example():
    # Newcombe (1998), Statistics in Medicine 17:857, Table I: 81/263 -> 0.2553 to 0.3662.
    low, high = stats.wilson_interval(81 / 263, 263)
    assert low == pytest.approx(0.2553, abs=5e-5)
    assert high == pytest.approx(0.3662, abs=5e-5)


def test_wilson_by_hand():
    # p=0.3, n=100, z=1.96: centre 0.30740, half-width 0.08845 (worked by hand).
    low, high = stats.wilson_interval(0.3, 100)
    assert (low, high) == pytest.approx((0.21895, 0.39585), abs=1e-4)


def test_wilson_wider_at_higher_confidence():
    l95, h95 = stats.wilson_interval(0.4, 50, 0.95)
    l99, h99 = stats.wilson_interval(0.4, 50, 0.99)
    assert l99 < l95 and h99 > h95


def test_newcombe_difference_matches_newcombe_1998_example():
    # Newcombe (1998), Statistics in Medicine 17:873, method 10: 56/70 - 48/80 -> 0.0524 to 0.3339.
    low, high = stats.newcombe_interval(56 / 70, 70, 48 / 80, 80)
    assert low == pytest.approx(0.0524, abs=5e-5)
    assert high == pytest.approx(0.3339, abs=5e-5)


def test_cohens_h_known_value():
    assert stats.cohens_h(0.5, 0.25) == pytest.approx(math.pi / 6)
    assert stats.cohens_h(0.3, 0.3) == 0


def test_bh_by_hand_and_missing_values_kept():
    adj = stats.bh_adjust([0.01, 0.04, np.nan, 0.03, 0.005])
    assert np.isnan(adj[2])
    np.testing.assert_allclose(adj[[0, 1, 3, 4]], [0.02, 0.04, 0.04, 0.02])


def test_kish_effective_n():
    assert stats.kish_effective_n([1, 1, 2, 2]) == pytest.approx(3.6)
    assert stats.kish_effective_n([5] * 10) == pytest.approx(10)
    assert stats.kish_effective_n([]) == 0


@pytest.mark.parametrize("bad", [95, 0, 1, -0.5, True])
def test_confidence_must_be_a_fraction(bad):
    with pytest.raises(ValueError, match="confidence must be a fraction"):
        stats.wilson_interval(0.5, 10, bad)


def test_bad_shares_and_bases_are_refused():
    with pytest.raises(ValueError, match="between 0 and 1"):
        stats.wilson_interval(1.3, 10)
    with pytest.raises(ValueError, match="n must be positive"):
        stats.wilson_interval(0.3, 0)


@settings(max_examples=200, deadline=None)
@given(p=st.floats(0, 1), n=st.integers(1, 100_000), conf=st.floats(0.5, 0.999))
def test_wilson_properties(p, n, conf):
    low, high = stats.wilson_interval(p, n, conf)
    assert 0 <= low <= p + 1e-9 and p - 1e-9 <= high <= 1


@settings(max_examples=200, deadline=None)
@given(p1=st.floats(0, 1), p2=st.floats(0, 1), n1=st.integers(1, 5000), n2=st.integers(1, 5000))
def test_newcombe_contains_observed_difference(p1, p2, n1, n2):
    low, high = stats.newcombe_interval(p1, n1, p2, n2)
    assert -1 - 1e-9 <= low <= (p1 - p2) + 1e-9 <= high + 2e-9 <= 1 + 3e-9


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=40))
def test_bh_properties(ps):
    adj = stats.bh_adjust(ps)
    assert np.all(adj >= np.asarray(ps) - 1e-12) and np.all(adj <= 1 + 1e-12)
    order = np.argsort(ps, kind="stable")
    assert np.all(np.diff(adj[order]) >= -1e-12)


def _frame(rows):
    cols = ["finding_id", "study_id", "metric", "group", "year", "percent", "qualifier", "base_n",
            "base_n_kind", "derived_from"]
    return pd.DataFrame(rows, columns=cols)


def test_with_intervals_no_base_no_interval_unless_assumed():
    f = _frame([["a", "s", "m", "it", 2020, 40.0, "=", None, "unknown", None],
                ["b", "s", "m", "marketing", 2020, 60.0, ">", 100, "reported", None]])
    out = stats.with_intervals(f)
    assert math.isnan(out.loc[0, "ci_low"]) and "no interval" in out.loc[0, "caveat"]
    assert out.loc[1, "ci_low"] == pytest.approx(100 * stats.wilson_interval(0.6, 100)[0])
    assert "lower bound" in out.loc[1, "caveat"]
    assumed = stats.with_intervals(f, assumed_n=50)
    assert assumed.loc[0, "n_source"] == "assumed" and "assumed n=50" in assumed.loc[0, "caveat"]
    assert assumed.loc[0, "ci_low"] == pytest.approx(100 * stats.wilson_interval(0.4, 50)[0])


def test_empty_inputs_give_empty_frames_of_the_same_shape():
    empty = _frame([])
    full = _frame([["a", "s", "m", "it", 2020, 40.0, "=", 80, "reported", None],
                   ["b", "s", "m", "marketing", 2020, 60.0, "=", 90, "reported", None]])
    assert list(stats.with_intervals(empty).columns) == list(stats.with_intervals(full).columns)
    keys = ["study_id", "metric", "year"]
    e = stats.compare_pairs(empty, "group", "marketing", "it", keys)
    c = stats.compare_pairs(full, "group", "marketing", "it", keys)
    assert e.empty and list(e.columns) == list(c.columns)


def test_compare_pairs_gap_interval_test_and_adjustment():
    f = _frame([["a", "s", "m1", "it", 2020, 40.0, "=", 80, "reported", None],
                ["b", "s", "m1", "marketing", 2020, 60.0, "=", 90, "reported", None],
                ["c", "s", "m2", "it", 2020, 50.0, "=", None, "unknown", None],
                ["d", "s", "m2", "marketing", 2020, 52.0, "=", None, "unknown", None]])
    out = stats.compare_pairs(f, "group", "marketing", "it", ["study_id", "metric", "year"]).set_index("metric")
    assert out.loc["m1", "diff"] == pytest.approx(20)
    # The interval spans every value the rounding allows (59.5-60.5 against 39.5-40.5); the test is at the
    # least favourable pair, 59.5 against 40.5.
    low = stats.newcombe_interval(0.595, 90, 0.405, 80)[0]
    high = stats.newcombe_interval(0.605, 90, 0.395, 80)[1]
    assert (out.loc["m1", "diff_low"], out.loc["m1", "diff_high"]) == pytest.approx((100 * low, 100 * high))
    p = stats.newcombe_pvalue(0.595, 90, 0.405, 80)
    assert out.loc["m1", "p_value"] == pytest.approx(p)
    assert out.loc["m1", "method"] == stats.NEWCOMBE_METHOD and out.loc["m1", "base_a"] == "reported"
    assert out.loc["m1", "p_adjusted"] == pytest.approx(p)  # only one row was testable
    assert bool(out.loc["m1", "significant"]) is (p < 0.05)
    assert math.isnan(out.loc["m2", "diff_low"]) and pd.isna(out.loc["m2", "significant"])
    assert "unknown" in out.loc["m2", "caveat"]


def test_compare_pairs_prefers_published_over_derived_rows():
    f = _frame([["x", "s", "m", "it", 2020, 37.0, "=", None, "unknown", "y"],
                ["z", "s", "m", "it", 2020, 38.0, "=", None, "unknown", None],
                ["w", "s", "m", "marketing", 2020, 50.0, "=", None, "unknown", None]])
    out = stats.compare_pairs(f, "group", "marketing", "it", ["study_id", "metric", "year"])
    assert out.loc[0, "percent_b"] == 38.0


# ---- interval and test from one method ------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(p1=st.floats(0, 1), p2=st.floats(0, 1), n1=st.integers(1, 5000), n2=st.integers(1, 5000),
       conf=st.floats(0.8, 0.995))
def test_vectorised_pvalue_agrees_with_the_statsmodels_interval(p1, p2, n1, n2, conf):
    """p < alpha exactly when statsmodels' Newcombe interval at 1 - alpha excludes zero."""
    pv = stats.newcombe_pvalues(np.array([p1]), np.array([n1]), np.array([p2]), np.array([n2]))[0]
    low, high = stats.newcombe_interval(p1, n1, p2, n2, conf)
    excludes = low > 1e-9 or high < -1e-9
    holds = low < -1e-9 and high > 1e-9
    if excludes:
        assert pv < 1 - conf + 1e-9
    if holds:
        assert pv > 1 - conf - 1e-9


# ---- bounds cut one way ---------------------------------------------------------------------------

QUALIFIERS = st.sampled_from(["=", ">", "<", "~"])


@settings(max_examples=100, deadline=None)
@given(a=st.integers(1, 99), b=st.integers(1, 99), qa=QUALIFIERS, qb=QUALIFIERS)
def test_a_bound_supports_only_the_direction_it_allows(a, b, qa, qb):
    """A conclusion is allowed exactly when every true value the bounds permit gives it the same sign."""
    a_low, a_high = (a, 100) if qa == ">" else (0, a) if qa == "<" else (a, a)
    b_low, b_high = (b, 100) if qb == ">" else (0, b) if qb == "<" else (b, b)
    true_low, true_high = a_low - b_high, a_high - b_low  # range of the true difference
    diff = a - b
    if diff > 0:
        expected = true_low > 0
    elif diff < 0:
        expected = true_high < 0
    else:  # "no difference" needs the bounds to leave some direction open to test
        expected = not (qa == qb == ">" or qa == qb == "<")
    assert stats.bound_allows(diff, qa, qb) is expected


def test_a_pair_is_tested_exactly_when_its_bounds_allow_and_its_open_limits_stay_open():
    """Every pair of qualifiers, with a above, below and level with b, as rows of one table."""
    cases = [(qa, qb, a, b) for qa in "=><~" for qb in "=><~" for a, b in ((70, 30), (30, 70), (50, 50))]
    rows = []
    for i, (qa, qb, a, b) in enumerate(cases):
        rows += [["x", "s", f"m{i}", "marketing", 2020, float(a), qa, 100, "reported", None],
                 ["y", "s", f"m{i}", "it", 2020, float(b), qb, 100, "reported", None]]
    out = stats.compare_pairs(_frame(rows), "group", "marketing", "it", ["study_id", "metric", "year"])
    out = out.set_index("metric")
    assert len(out) == len(cases) == 48
    for i, (qa, qb, a, b) in enumerate(cases):
        row = out.loc[f"m{i}"]
        if not stats.bound_allows(a - b, qa, qb):
            assert math.isnan(row["p_value"]) and row["conclusion"] == stats.NOT_TESTABLE, (qa, qb, a, b)
            assert pd.isna(row["significant"])
        else:
            assert not math.isnan(row["p_value"]), (qa, qb, a, b)
            low_open, high_open = stats.open_side(qa, qb)
            assert math.isnan(row["diff_low"]) is low_open and math.isnan(row["diff_high"]) is high_open, (qa, qb)


def test_rosier_is_not_assigned_against_a_bound(tmp_path):
    from cmocio import report

    ctx = report.start("t", output_dir=str(tmp_path))
    f = stats.with_intervals(_frame([["x", "s", "collaborate_frequently", "marketing", 2020, 50.0, ">", None, "unknown", None],
                                     ["y", "s", "collaborate_frequently", "it", 2020, 70.0, "=", None, "unknown", None],
                                     ["v", "s", "collaboration_improved", "marketing", 2020, 80.0, ">", None, "unknown", None],
                                     ["w", "s", "collaboration_improved", "it", 2020, 70.0, "=", None, "unknown", None]]))
    gaps = ctx.perception_gaps(f).set_index("metric")
    assert gaps.loc["collaborate_frequently", "rosier"] == stats.NOT_TESTABLE  # IT higher cannot be shown
    assert gaps.loc["collaboration_improved", "rosier"] == "marketing"  # marketing is at least 80


# ---- assumed bases stay within what the study says ------------------------------------------------

def _sized(rows, n, qualifier):
    return _frame(rows).assign(study_n=float(n), study_n_qualifier=qualifier)


def test_an_assumed_base_never_exceeds_the_study_total():
    f = _sized([["x", "s", "m", "marketing", 2015, 30.0, "=", None, "unknown", None],
                ["y", "s", "m", "it", 2015, 13.0, "=", None, "unknown", None]], 131, "=")
    fig = stats.with_intervals(f, assumed_n=500)
    assert list(fig["n_used"]) == [131, 131] and "capped at the study's total" in fig.loc[0, "caveat"]
    gap = stats.compare_pairs(f, "group", "marketing", "it", ["study_id", "metric", "year"], assumed_n=500).iloc[0]
    assert (gap["n_a"], gap["n_b"]) == (65.5, 65.5)  # two shares of 131 cannot both exceed half
    assert gap["base_a"] == "assumed"
    small = stats.compare_pairs(f, "group", "marketing", "it", ["study_id", "metric", "year"], assumed_n=40).iloc[0]
    assert (small["n_a"], small["n_b"]) == (40, 40)
    minimum = _sized([["x", "s", "m", "marketing", 2015, 30.0, "=", None, "unknown", None]], 300, ">")
    assert stats.with_intervals(minimum, assumed_n=500).loc[0, "n_used"] == 500  # "more than 300" caps nothing


# ---- what the unknown bases would take --------------------------------------------------------------

def _one_gap(p1, p2, conf=0.95, total=None):
    rows = [["x", "s", "m", "marketing", 2020, 100 * p1, "=", None, "unknown", None],
            ["y", "s", "m", "it", 2020, 100 * p2, "=", None, "unknown", None]]
    f = _sized(rows, total, "=") if total else _frame(rows)
    return stats.compare_pairs(f, "group", "marketing", "it", ["study_id", "metric", "year"], conf).iloc[0]


@settings(max_examples=20, deadline=None)
@given(p2=st.integers(5, 60), gap=st.integers(2, 30), more=st.integers(1, 10), conf=st.sampled_from([0.9, 0.95, 0.99]))
def test_break_even_base_is_monotone_in_the_gap_and_consistent_with_the_test(p2, gap, more, conf):
    small, large = _one_gap((p2 + gap) / 100, p2 / 100, conf), _one_gap((p2 + gap + more) / 100, p2 / 100, conf)
    n_small, n_large = small["break_even_n"], large["break_even_n"]
    assert n_large <= n_small
    alpha = 1 - conf
    n = int(n_small)
    worst_a, worst_b = (small["percent_a"] - 0.5) / 100, (small["percent_b"] + 0.5) / 100  # what rounding allows
    assert stats.newcombe_pvalue(worst_a, n, worst_b, n) < alpha
    if n > 1:
        assert stats.newcombe_pvalue(worst_a, n - 1, worst_b, n - 1) >= alpha
    assert small["conclusion"] == stats.DEPENDS


def test_break_even_follows_the_table_adjustment():
    """With a second, weaker gap in the table, BH asks more of each: the break-even base cannot fall."""
    alone = _one_gap(0.49, 0.68)["break_even_n"]
    rows = [["a", "s", "m1", "marketing", 2020, 49.0, "=", None, "unknown", None],
            ["b", "s", "m1", "it", 2020, 68.0, "=", None, "unknown", None],
            ["c", "s", "m2", "marketing", 2020, 41.0, "=", None, "unknown", None],
            ["d", "s", "m2", "it", 2020, 38.0, "=", None, "unknown", None]]
    table = stats.compare_pairs(_frame(rows), "group", "marketing", "it", ["study_id", "metric", "year"]).set_index("metric")
    assert table.loc["m1", "break_even_n"] > alone
    assert table.loc["m2", "break_even_n"] > table.loc["m1", "break_even_n"]


def test_each_break_even_base_is_the_smallest_at_which_its_row_is_significant_in_the_table():
    """Several unknown-base gaps in one table: at each row's break-even n (every unknown base at n) that row is
    significant after the table's adjustment, and at n - 1 it is not."""
    pairs = [(49.0, 68.0), (41.0, 38.0), (70.0, 52.0), (22.0, 35.0), (63.0, 60.5)]
    rows = []
    for i, (pa, pb) in enumerate(pairs):
        rows += [[f"a{i}", "s", f"m{i}", "marketing", 2020, pa, "=", None, "unknown", None],
                 [f"b{i}", "s", f"m{i}", "it", 2020, pb, "=", None, "unknown", None]]
    table = stats.compare_pairs(_frame(rows), "group", "marketing", "it", ["study_id", "metric", "year"])
    p1, p2 = table["worst_a"].to_numpy() / 100, table["worst_b"].to_numpy() / 100
    assert (np.abs(p1 - table["percent_a"] / 100) <= 0.005 + 1e-12).all()

    def significant(n: float) -> np.ndarray:
        return stats.bh_adjust(stats.newcombe_pvalues(p1, np.full(len(p1), n), p2, np.full(len(p2), n))) < 0.05

    assert table["break_even_n"].notna().sum() >= 4
    for i, n in enumerate(table["break_even_n"]):
        if not math.isnan(n):
            assert significant(n)[i] and not significant(n - 1)[i], table.iloc[i]["metric"]


def test_no_difference_has_no_break_even_base():
    row = _one_gap(0.4, 0.4)
    assert math.isnan(row["break_even_n"]) and row["conclusion"] == stats.NOT_SIGNIFICANT


def test_split_sweep_over_a_known_total():
    row = _one_gap(0.30, 0.13, total=131)
    expected = np.mean([stats.newcombe_pvalue(0.295, s * 131, 0.135, (1 - s) * 131) < 0.05 for s in stats.SPLIT_SHARES])
    assert 0 < expected < 1 and row["splits_significant"] == pytest.approx(expected)
    assert row["conclusion"] == stats.DEPENDS and math.isnan(row["break_even_n"])
    assert _one_gap(0.90, 0.10, total=131)["conclusion"] == stats.HOLDS
    assert _one_gap(0.83, 0.80, total=131)["conclusion"] == stats.NOT_SIGNIFICANT


def test_minimum_bases_say_so():
    f = _frame([["x", "s", "m", "very_effective", 2021, 60.0, "=", 46, "derived_minimum", None],
                ["y", "s", "m", "effective", 2021, 52.0, "=", 78, "derived_minimum", None],
                ["v", "s", "m2", "very_effective", 2021, 83.0, "=", 46, "derived_minimum", None],
                ["w", "s", "m2", "effective", 2021, 51.0, "=", 78, "derived_minimum", None]])
    out = stats.compare_pairs(f, "group", "very_effective", "effective", ["study_id", "metric", "year"]).set_index("metric")
    assert out.loc["m", "conclusion"] == stats.NOT_SIGNIFICANT_AT_MINIMUM
    assert out.loc["m2", "conclusion"] == stats.HOLDS
    assert "base is a minimum (at least 46)" in out.loc["m", "caveat"]


def test_a_known_total_is_used_before_an_assumption():
    from cmocio.data import load_studies

    f = _frame([["x", "leapfrog-2015", "m", "all", 2015, 40.0, "=", None, "unknown", None],
                ["y", "cmocouncil-2010", "m", "all", 2010, 40.0, "=", None, "unknown", None],
                ["z", "forrester-2013", "m", "it", 2013, 40.0, "=", None, "unknown", None]]).assign(note=None)
    sized = stats.with_intervals(stats.with_study_sizes(f, load_studies()), assumed_n=50)
    assert list(sized["n_used"]) == [131, 600, 50]
    assert list(sized["n_source"]) == ["derived", "derived_minimum", "assumed"]
    assert "the study's total respondents" in sized.loc[0, "note"]


def test_every_row_says_which_method_produced_it():
    rows = [["a", "s", "m1", "marketing", 2020, 60.0, "=", 90, "reported", None],
            ["b", "s", "m1", "it", 2020, 40.0, "=", 80, "reported", None],
            ["c", "s", "m2", "marketing", 2020, 60.0, "=", None, "unknown", None],
            ["d", "s", "m2", "it", 2020, 40.0, "=", None, "unknown", None],
            ["e", "s", "m3", "marketing", 2020, 50.0, ">", None, "unknown", None],
            ["f", "s", "m3", "it", 2020, 70.0, "=", None, "unknown", None]]
    out = stats.compare_pairs(_frame(rows), "group", "marketing", "it", ["study_id", "metric", "year"]).set_index("metric")
    assert out.loc["m1", "method"] == stats.NEWCOMBE_METHOD
    assert out.loc["m2", "method"] == stats.BREAK_EVEN_METHOD
    assert out.loc["m3", "method"] == "untested: published as a bound"


@pytest.mark.parametrize("text, expected", [
    ('["leapfrog-2015", "leapfrog-2016"]', ["leapfrog-2015", "leapfrog-2016"]),
    ("[leapfrog-2015, leapfrog-2016]", ["leapfrog-2015", "leapfrog-2016"]),
    ("", []), (["a"], ["a"]), (("a",), ["a"]),
])
def test_list_parameters_as_people_type_them(text, expected):
    from cmocio.report import as_list

    assert as_list(text, "studies") == expected


@pytest.mark.parametrize("bad", ["leapfrog-2016", '{"a": 1}', "[unclosed", 3])
def test_anything_else_is_a_clear_error(bad):
    from cmocio.errors import ParameterError
    from cmocio.report import as_list

    with pytest.raises(ParameterError, match=r"studies must be a list such as"):
        as_list(bad, "studies")


def test_plain_words_say_when_a_result_rests_on_minimum_bases():
    from cmocio.report import what_it_takes

    row = {"conclusion": stats.HOLDS, "break_even_n": math.nan, "splits_significant": math.nan, "diff": 20.0,
           "p_value": 0.01, "base_a": "derived_minimum", "base_b": "derived_minimum"}
    assert what_it_takes(row, "").endswith("(minimums, so larger true bases only strengthen it)")
    assert what_it_takes({**row, "base_a": "reported", "base_b": "reported"}, "") == \
        "significant with the bases as published"
    assert what_it_takes({**row, "conclusion": stats.DEPENDS, "break_even_n": 84.0},
                         "the study had more than 300 respondents in all") == \
        "significant if each side had at least 84 respondents; the study had more than 300 respondents in all"


# ---- random-effects meta-analysis of perception gaps ---------------------------------------------------------------

def _effects(diffs, variances, family="f"):
    return pd.DataFrame({"family": family, "study_id": [f"s{i}" for i in range(len(diffs))],
                         "diff": diffs, "variance": variances})


# ---- random-effects meta-analysis for few studies --------------------------------------------------------------------

def _effects(diffs, variances, family="f"):
    return pd.DataFrame({"family": family, "study_id": [f"s{i}" for i in range(len(diffs))],
                         "diff": diffs, "variance": variances})


# BCG vaccine trials (Colditz et al. 1994; metafor's dat.bcg): vaccinated TB+, TB-, unvaccinated TB+, TB-.
BCG = [(4, 119, 11, 128), (6, 300, 29, 274), (3, 228, 11, 209), (62, 13536, 248, 12619), (33, 5036, 47, 5761),
       (180, 1361, 372, 1079), (8, 2537, 10, 619), (505, 87886, 499, 87892), (29, 7470, 45, 7232),
       (17, 1699, 65, 1600), (186, 50448, 141, 27197), (5, 2493, 3, 2338), (27, 16886, 29, 17825)]


def _bcg() -> tuple[np.ndarray, np.ndarray]:
    t = np.array(BCG, dtype=float)
    y = np.log(t[:, 0] / (t[:, 0] + t[:, 1])) - np.log(t[:, 2] / (t[:, 2] + t[:, 3]))
    v = 1 / t[:, 0] - 1 / (t[:, 0] + t[:, 1]) + 1 / t[:, 2] - 1 / (t[:, 2] + t[:, 3])
    return y, v


def _reml_by_likelihood(y, v):
    """REML τ² by maximising the restricted log-likelihood itself on a dense grid, then within the best cell."""
    from scipy.optimize import minimize_scalar

    def minus_loglik(tau2):
        w = 1 / (v + tau2)
        mu = (w * y).sum() / w.sum()
        return 0.5 * (np.log(v + tau2).sum() + np.log(w.sum()) + (w * (y - mu) ** 2).sum())

    grid = np.linspace(0, 10 * (np.var(y) + v.max()), 4001)
    i = int(np.argmin([minus_loglik(t) for t in grid]))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    best = minimize_scalar(minus_loglik, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10}).x
    return 0.0 if minus_loglik(0.0) <= minus_loglik(best) else best


def _hksj_by_hand(y, v, tau2, conf=0.95):
    from scipy import stats as sps

    k, w = len(y), 1 / (v + tau2)
    mu = (w * y).sum() / w.sum()
    se = math.sqrt(max(1.0, (w * (y - mu) ** 2).sum() / (k - 1)) / w.sum())
    t = sps.t.ppf(0.5 + conf / 2, k - 1)
    half_pi = sps.t.ppf(0.5 + conf / 2, k - 2) * math.sqrt(tau2 + se**2) if k >= 3 else math.nan
    return mu, mu - t * se, mu + t * se, mu - half_pi, mu + half_pi


def test_reml_matches_the_likelihood_and_the_published_bcg_analysis():
    y, v = _bcg()
    out = stats.meta_analysis(_effects(y, v)).iloc[0]
    assert out["tau2"] == pytest.approx(_reml_by_likelihood(y, v), abs=1e-6)
    assert (out["tau2"], out["pooled"]) == pytest.approx((0.3132, -0.7145), abs=5e-4)  # metafor, method="REML"
    mu, low, high, pi_low, pi_high = _hksj_by_hand(y, v, out["tau2"])
    assert (out["pooled"], out["pooled_low"], out["pooled_high"]) == pytest.approx((mu, low, high))
    assert (out["pi_low"], out["pi_high"]) == pytest.approx((pi_low, pi_high))
    assert out["k"] == 13 and out["i2"] > 90


@settings(max_examples=10, deadline=None)
@given(st.lists(st.tuples(st.floats(-40, 40), st.floats(2, 60)), min_size=3, max_size=6))
def test_few_studies_get_reml_hartung_knapp_and_a_prediction_interval(studies):
    """Against an independent computation: REML from the likelihood, the HKSJ interval and the prediction
    interval by their formulas (the DerSimonian–Laird normal interval is narrower, and fails this)."""
    y, v = np.array([s[0] for s in studies]), np.array([s[1] for s in studies])
    out = stats.meta_analysis(_effects(y, v)).iloc[0]
    tau2 = _reml_by_likelihood(y, v)
    assert out["tau2"] == pytest.approx(tau2, abs=1e-4 * (1 + tau2))
    mu, low, high, pi_low, pi_high = _hksj_by_hand(y, v, out["tau2"])
    assert (out["pooled_low"], out["pooled_high"]) == pytest.approx((low, high), abs=1e-6)
    assert (out["pi_low"], out["pi_high"]) == pytest.approx((pi_low, pi_high), abs=1e-6)
    assert out["pi_low"] <= out["pooled_low"] + 1e-9 and out["pi_high"] >= out["pooled_high"] - 1e-9


def test_two_studies_are_shown_side_by_side_not_pooled():
    # The alignment_important family as the data stood: Accenture 2013 (-21 points) and CMO Council 2013 (0).
    out = stats.meta_analysis(_effects([-21.0, 0.0], [13.112, 11.451])).iloc[0]
    assert out["k"] == 2 and math.isnan(out["pooled"]) and math.isnan(out["pooled_low"])
    assert out["method"] == stats.NOT_POOLED and out["i2"] > 90
    # What pooling them would claim under the guidance for few studies: about -144 to +123 points.
    pooled = stats.pool(np.array([-21.0, 0.0]), np.array([13.112, 11.451]))
    assert (pooled["pooled_low"], pooled["pooled_high"]) == pytest.approx((-143.9, 123.0), abs=0.1)


def test_agreeing_studies_never_get_a_zero_width_interval():
    out = stats.meta_analysis(_effects([5.0, 5.0, 5.0], [20.0, 20.0, 20.0])).iloc[0]
    assert out["tau2"] == 0 and out["i2"] == 0 and out["pooled"] == pytest.approx(5)
    half = (out["pooled_high"] - out["pooled_low"]) / 2
    assert half == pytest.approx(4.302653 * math.sqrt(20 / 3), rel=1e-5), "t(2) with the model's own variance"


def test_meta_analysis_counts_a_study_once_and_needs_two():
    one_study = _effects([5.0, 30.0], [20.0, 20.0]).assign(study_id="s0")
    assert stats.meta_analysis(one_study).empty, "two wordings from one sample are not two studies"
    empty = stats.meta_analysis(_effects([], []))
    assert empty.empty and list(empty.columns) == stats.META_COLUMNS


# ---- what rounding allows ---------------------------------------------------------------------------------------------

def _range_by_hand(p: float, q: str) -> tuple[float, float]:
    half = 5.0 if q == "~" else 0.5
    return max(0.0, p - half), min(100.0, p + half)


def test_the_ranges_a_printed_figure_allows():
    low, high = stats.figure_range([42, 37.5, 33.3, 60, 30, 0, 100], ["=", "=", "~", ">", "<", "=", "~"])
    np.testing.assert_allclose(low, [41.5, 37.45, 28.3, 60, 0, 0, 95])
    np.testing.assert_allclose(high, [42.5, 37.55, 38.3, 100, 30, 0.5, 100])


def test_creative_group_zero_against_two_percent_does_not_hold():
    """0% of 400 marketers against 2% of 2,400 CIOs: significant as printed, not at 0.5% against 1.5%."""
    f = _frame([["x", "cg", "m", "marketing", 2014, 0.0, "=", 400, "reported", None],
                ["y", "cg", "m", "it", 2014, 2.0, "=", 2400, "reported", None]])
    out = stats.compare_pairs(f, "group", "marketing", "it", ["study_id", "metric", "year"]).iloc[0]
    assert stats.newcombe_pvalue(0.0, 400, 0.02, 2400) < 0.01
    assert (out["worst_a"], out["worst_b"]) == (0.5, 1.5)
    assert out["p_value"] == pytest.approx(stats.newcombe_pvalue(0.0049, 400, 0.015, 2400), abs=0.01)
    assert out["p_value"] > 0.1 and out["conclusion"] == stats.NOT_SIGNIFICANT


@settings(max_examples=15, deadline=None)
@example(pa=0, pb=2, na=400, nb=2400, qa="=", qb="=")  # Creative Group, "holds" before the rule
@example(pa=40, pb=51, na=250, nb=250, qa="~", qb="=")
@given(pa=st.integers(0, 100), pb=st.integers(0, 100), na=st.integers(30, 3000), nb=st.integers(30, 3000),
       qa=st.sampled_from(["=", "~"]), qb=st.sampled_from(["=", "~"]))
def test_a_significant_difference_is_significant_at_every_value_the_printing_allows(pa, pb, na, nb, qa, qb):
    f = _frame([["x", "s", "m", "marketing", 2020, float(pa), qa, na, "reported", None],
                ["y", "s", "m", "it", 2020, float(pb), qb, nb, "reported", None]])
    out = stats.compare_pairs(f, "group", "marketing", "it", ["study_id", "metric", "year"]).iloc[0]
    if out["conclusion"] != stats.HOLDS:
        return
    assert bool(out["significant"])
    for a in _range_by_hand(pa, qa) + (pa,):
        for b in _range_by_hand(pb, qb) + (pb,):
            assert np.sign(a - b) == np.sign(pa - pb), "the printing allows no difference, or the other one"
            assert stats.newcombe_pvalue(a / 100, na, b / 100, nb) < 0.05, (a, b)
            low, high = stats.newcombe_interval(a / 100, na, b / 100, nb)
            assert out["diff_low"] <= 100 * low + 1e-9 and 100 * high <= out["diff_high"] + 1e-9


# ---- one question, one test; the row used; one family ----------------------------------------------------------------

def test_only_a_questions_headline_is_tested_and_the_row_used_is_named():
    f = _frame([["h1", "s", "more", "marketing", 2014, 55.0, "=", 400, "reported", None],
                ["h2", "s", "more", "it", 2014, 33.0, "=", 2400, "reported", None],
                ["c1", "s", "much_more", "marketing", 2014, 30.0, "=", 400, "reported", None],
                ["c2", "s", "much_more", "it", 2014, 12.0, "=", 2400, "reported", None]])
    f = f.assign(question_ref="closer", role=["headline", "headline", "category", "category"],
                 chosen_because=["exact figure; 1 other report", "exact figure", "exact figure", "exact figure"],
                 other_rows=["h9", "", "", ""])
    out = stats.compare_pairs(f, "group", "marketing", "it", ["study_id", "metric", "year"]).set_index("metric")
    assert out.loc["much_more", "conclusion"] == stats.NOT_TESTED and math.isnan(out.loc["much_more", "p_value"])
    assert out.loc["more", "p_adjusted"] == pytest.approx(out.loc["more", "p_value"]), "a family of one test"
    assert (out.loc["more", "finding_a"], out.loc["more", "others_a"], out.loc["more", "others_b"]) == ("h1", "h9", "")
    assert out.loc["more", "figures_used"] == "h1 (exact figure; 1 other report) vs h2 (exact figure)"
    assert set(out["question_ref"]) == {"closer"}
    assert out.loc["much_more", "method"] == "untested: another category of a question tested once"
    unknown = f.assign(base_n=None, base_n_kind="unknown", study_n=2800.0, study_n_qualifier="=")  # split not given
    swept = stats.compare_pairs(unknown, "group", "marketing", "it", ["study_id", "metric", "year"]).set_index("metric")
    assert swept.loc["more", "splits_significant"] > 0 and math.isnan(swept.loc["much_more", "splits_significant"])


def test_one_comparison_has_one_adjusted_result_whatever_the_page():
    rows = []
    for i, (pm, pi, theme) in enumerate([(87, 83, "alignment"), (92, 74, "alignment"), (50, 37, "incentives"),
                                         (61, 37, "incentives"), (44, 30, "alignment")]):
        rows += [[f"l{i}", "w2", f"m{i}", "it", 2016, float(pm), "=", 120, "reported", None],
                 [f"e{i}", "w1", f"m{i}", "it", 2015, float(pi), "=", None, "unknown", None]]
    f = _frame(rows).assign(theme=["alignment"] * 4 + ["incentives"] * 4 + ["alignment"] * 2,
                            study_n=[198.0, 131.0] * 5, study_n_qualifier="=")
    series = pd.Series({"w1": "lf", "w2": "lf"})
    evidence = stats.evidence_comparisons(f, series)
    assert stats.evidence_comparisons(f.copy(), series) is evidence, "computed once per process for the same data"
    one = stats.select(evidence, "wave", f.loc[f["theme"] == "alignment", "finding_id"])
    two = stats.select(evidence, "wave", f.loc[f["metric"].isin(["m1", "m3"]), "finding_id"])
    assert list(one["metric"]) == ["m0", "m1", "m4"] and list(two["metric"]) == ["m1", "m3"]
    cols = ["p_adjusted", "splits_significant", "break_even_n", "conclusion"]
    pd.testing.assert_series_equal(one.set_index("metric").loc["m1", cols], two.set_index("metric").loc["m1", cols])
    assert set(evidence["kind"]) == {"wave"} and "percent_late" in one


def test_gap_effects_keep_only_exact_figures_with_known_bases():
    gaps = pd.DataFrame({"percent_a": [60, 60, 60, 60], "percent_b": [50, 50, 50, 50], "n_a": [100, None, 100, 100],
                         "n_b": [100] * 4, "qualifier_a": ["=", "=", ">", "~"], "qualifier_b": ["=", "=", "=", "="],
                         "base_a": ["reported", "none", "reported", "reported"], "base_b": ["reported"] * 4})
    eff = stats.gap_effects(gaps)
    assert len(eff) == 1 and eff["diff"].iloc[0] == pytest.approx(10)
    assert eff["variance"].iloc[0] == pytest.approx(1e4 * (0.24 / 100 + 0.25 / 100))


def test_a_pooled_gap_names_a_side_only_where_rounding_cannot_close_it():
    from cmocio.sentences.questions import meta_brief

    row = {"family": "f", "k": 3, "pooled": 5.0, "pooled_low": 0.6, "pooled_high": 9.4, "pi_low": -20.0,
           "pi_high": 30.0, "i2": 10.0, "q_p_value": 0.5}
    near = meta_brief(pd.DataFrame([row]), pd.DataFrame(), 0.95)
    clear = meta_brief(pd.DataFrame([{**row, "pooled_low": 1.6}]), pd.DataFrame(), 0.95)
    assert "no clear gap" in near and "marketing is ahead" in clear  # 0.6 points: rounding could close it


def test_the_most_precise_row_of_a_figure_is_compared():
    """Harvey Nash 2013 as two articles printed it: "less than 30%" first in the file, the exact 27% second."""
    f = _frame([["hn13-a", "hn13", "very_strong", "it", 2013, 30.0, "<", 2400, "reported", None],
                ["hn13-b", "hn13", "very_strong", "it", 2013, 27.0, "=", 2400, "reported", None],
                ["hn14-a", "hn14", "very_strong", "it", 2014, 30.0, "=", 3200, "reported", None]]).assign(segment=None)
    out = stats.compare_pairs(f, "year", 2014, 2013, ["metric", "group"]).iloc[0]
    assert (out["finding_b"], out["others_b"], out["percent_b"]) == ("hn13-b", "hn13-a", 27.0)
    assert out["testable"] and "hn13-b (exact figure" in out["figures_used"]
