"""Heatmap, highlights, drivers, evidence and actions: by hand, against hidden changes, and against the analyst."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from cmocio import report, stats, survey
from cmocio.survey import drivers as dr, heatmap as hm, privacy

from . import attacker

Q = survey.load_questions()
QD = Q[Q["question_id"].isin(["q01", "q04"])].reset_index(drop=True)
PRACTICES = ["q04"]


def org(groups: list[tuple[str, str, str, int, int, int]], wave: str | None = None) -> pd.DataFrame:
    """Respondents from (function, unit, level, size, how many agree with q04, how many of them say yes to q01)
    groups; of the rest of a group, a third say yes to q01 (rounded down)."""
    rows = []
    for fn, unit, level, size, agree, agree_yes in groups:
        rest = size - agree
        for i in range(size):
            practice = int(i < agree)
            outcome = int(i < agree_yes) if practice else int(i - agree < rest // 3)
            rows.append({"function": fn, "weight": 1.0, "segment_business_unit": unit, "segment_level": level,
                         "q01": outcome, "q04": practice})
    out = pd.DataFrame(rows)
    out.insert(0, "respondent_id", [f"r{i}" for i in range(len(out))])
    if wave:
        out.insert(3, "wave", wave)
    for q in ("q01", "q04"):
        out[q] = pd.array(out[q], dtype="Int8")
    return out


def drivers_of(r: pd.DataFrame, k: int = 5) -> tuple[pd.DataFrame, pd.DataFrame, survey.Analysis]:
    a = survey.analyse(r, QD, k)
    cells = dr.driver_cells(r, QD, a.table, a.latest, "q01", PRACTICES, k)
    return dr.drivers(cells, QD), cells, a


# ---- drivers by hand ----------------------------------------------------------------------------------------------

def test_a_driver_is_the_outcome_share_of_agreers_minus_the_rest_with_a_newcombe_interval():
    # marketing: 30 agree (24 say yes), 20 rest (6 say yes); IT: 20 agree (16 yes), 30 rest (10 yes)
    r = org([("marketing", "A", "x", 50, 30, 24), ("it", "A", "x", 50, 20, 16)])
    found, _, _ = drivers_of(r)
    row = found[found["group"] == "all"].iloc[0]
    assert (row["n_agree"], row["n_rest"]) == (50, 50)
    assert row["percent_agree"] == pytest.approx(80) and row["percent_rest"] == pytest.approx(32)
    low, high = stats.newcombe_interval(0.8, 50, 0.32, 50)
    assert (row["diff"], row["diff_low"], row["diff_high"]) == pytest.approx((48, 100 * low, 100 * high))
    assert row["p_value"] == pytest.approx(stats.newcombe_pvalue(0.8, 50, 0.32, 50))
    assert row["verdict"] == "higher" and row["caveat"] == dr.CAVEAT
    it = found[found["group"] == "it"].iloc[0]
    assert (it["percent_agree"], it["percent_rest"]) == pytest.approx((80, 100 / 3))


def test_control_no_association_gives_no_driver():
    # a third of agreers and a third of the rest say yes: no association by construction
    r = org([("marketing", "A", "x", 60, 30, 10), ("it", "A", "x", 60, 30, 10)])
    found, _, _ = drivers_of(r)
    row = found[found["group"] == "all"].iloc[0]
    assert row["diff"] == pytest.approx(0) and row["verdict"] == "no clear difference"


def test_a_driver_of_a_group_the_page_hides_is_not_shown():
    r = org([("marketing", "A", "x", 50, 30, 24), ("it", "A", "x", 3, 2, 1)])
    found, cells, a = drivers_of(r)
    assert set(found["group"]) == {"marketing"}, "IT too small, and everyone = marketing + IT would give it away"
    hidden = cells[cells["group"].isin(["it", "all"])]
    assert hidden["suppressed"].all() and hidden["percent"].isna().all()
    assert set(hidden["reason"]) == {privacy.HIDDEN}


# ---- heatmap by hand ------------------------------------------------------------------------------------------------

def test_a_heatmap_cell_is_its_difference_from_the_organisation_tested_against_the_rest():
    r = org([("marketing", "A", "x", 40, 30, 24), ("marketing", "B", "x", 40, 10, 5), ("it", "A", "x", 20, 10, 5),
             ("it", "B", "x", 20, 10, 5)])
    a = survey.analyse(r, QD)
    cells = hm.heatmap(a.table, a.latest, 0.95, 5.0)
    cell = cells[(cells["question_id"] == "q04") & (cells["dimension"] == "business_unit") & (cells["segment"] == "A")
                 & (cells["group"] == "all")].iloc[0]
    p_a, p_all, p_rest = 40 / 60, 60 / 120, 20 / 60
    assert (cell["percent"], cell["overall_percent"]) == pytest.approx((100 * p_a, 100 * p_all))
    assert cell["diff"] == pytest.approx(100 * (p_a - p_all))
    low, high = stats.newcombe_interval(p_a, 60, p_rest, 60)
    assert (cell["diff_low"], cell["diff_high"]) == pytest.approx((50 * low, 50 * high))  # half the weight is A's
    assert cell["p_value"] == pytest.approx(stats.newcombe_pvalue(p_a, 60, p_rest, 60))
    assert cell["marked"], "17 points and significant"
    top = hm.highlights(cells, 1).iloc[0]
    assert top["score"] == pytest.approx(abs(top["diff"]) * (1 - top["p_adjusted"]))
    assert top["score"] == pytest.approx(hm.highlights(cells, 50)["score"].max())


def test_a_crossed_heatmap_hides_small_cells_and_ties_them_to_rows_and_columns():
    r = org([("marketing", u, lv, n, n // 2, n // 3) for u, lv, n in
             (("A", "Staff", 30), ("A", "Senior", 3), ("B", "Staff", 25), ("B", "Senior", 12))]
            + [("it", u, lv, 12, 6, 3) for u in "AB" for lv in ("Staff", "Senior")])
    crossed = hm.with_crossed(r, "business_unit", "level")
    a = survey.analyse(crossed, QD)
    cells = hm.heatmap(a.table, a.latest, dimensions=[hm.crossed_name("business_unit", "level")])
    small = cells[(cells["segment"] == "A × Senior") & (cells["group"] == "marketing")]
    assert small["suppressed"].all() and small["diff"].isna().all() and set(small["reason"]) == {privacy.HIDDEN}
    for (q, g), grp in cells.groupby(["question_id", "group"]):  # never one hidden cell alone in a row or column
        for pos in (0, 1):
            sides = grp.assign(side=grp["segment"].str.split(" × ").str[pos])
            for _, line in sides.groupby("side"):
                assert line["suppressed"].sum() != 1, (q, g, pos)
    with pytest.raises(ValueError, match="no segment 'region'.*business_unit, level"):
        hm.with_crossed(r, "business_unit", "region")


# ---- hidden changes leave every new output byte-identical ------------------------------------------------------------

def outputs(r: pd.DataFrame) -> str:
    crossed = hm.with_crossed(r, "business_unit", "level")
    a = survey.analyse(crossed, QD)
    cells = dr.driver_cells(crossed, QD, a.table, a.latest, "q01", PRACTICES, 5)
    parts = [survey.rounded(hm.heatmap(a.table, a.latest)), survey.rounded(dr.drivers(cells, QD)),
             survey.publishable(cells), survey.publishable(a.table)]
    return "\n".join(p.to_csv(index=False) for p in parts)


def hidden_case() -> pd.DataFrame:
    """IT in unit C has 3 people (hidden everywhere it is a group of its own)."""
    return org([("marketing", "A", "Staff", 30, 15, 12), ("marketing", "B", "Staff", 30, 10, 6),
                ("marketing", "C", "Staff", 12, 6, 3), ("it", "A", "Staff", 20, 10, 7), ("it", "B", "Staff", 20, 8, 4),
                ("it", "C", "Staff", 3, 1, 1)])


def test_swapping_two_hidden_people_changes_no_heatmap_or_driver_figure():
    r = hidden_case()
    a = survey.analyse(r, QD)
    t = a.table[(a.table["dimension"] == "business_unit") & (a.table["group"] == "it")]
    hidden_units = sorted(set(t.loc[t["suppressed"], "segment"]))
    assert "C" in hidden_units and len(hidden_units) >= 2
    it = r["function"] == "it"
    x = r.index[it & (r["segment_business_unit"] == hidden_units[0])]
    y = r.index[it & (r["segment_business_unit"] == hidden_units[1])]
    i, j = next((i, j) for i in x for j in y if (r.at[i, "q01"], r.at[i, "q04"]) != (r.at[j, "q01"], r.at[j, "q04"]))
    swapped = r.copy()
    swapped.loc[[i, j], ["q01", "q04"]] = r.loc[[j, i], ["q01", "q04"]].to_numpy()
    assert outputs(swapped) == outputs(r)
    shown = r.copy()
    k = r.index[(r["function"] == "marketing") & (r["segment_business_unit"] == "A")][0]
    shown.loc[k, "q01"] = 1 - r.at[k, "q01"]
    assert outputs(shown) != outputs(r), "control: a shown person's change shows"


# ---- the analyst, with the drivers and the crossed heatmap beside the page ---------------------------------------

def with_practices(r: pd.DataFrame) -> pd.DataFrame:
    """The responses with each practice's agree / rest split as a segment, for the analyst's truth."""
    return r.assign(**{f"segment_{dr.dimension_of(p)}": np.where(r[p].to_numpy(dtype=float, na_value=0) == 1,
                                                                 dr.AGREE, dr.REST) for p in PRACTICES})


def page_and_drivers(r: pd.DataFrame, protect: bool = True) -> str:
    a = survey.analyse(r, QD)
    cells = dr.driver_cells(r, QD, a.table, a.latest, "q01", PRACTICES, 5)
    if not protect:
        raw = dr.driver_cells(r, QD, a.table.assign(suppressed=False), a.latest, "q01", PRACTICES, 1)
        cells = raw.assign(suppressed=False, reason="")
    return pd.concat([survey.publishable(a.table), survey.publishable(cells)]).to_csv(index=False)


#: Generated organisations for the drivers' property: 2 in the suite, 30 under `make audit`.
SEEDS = max(2, int(os.environ.get("CMOCIO_ATTACK_EXAMPLES", "20")) // 10)


@pytest.mark.parametrize("seed", range(SEEDS))
def test_the_analyst_pins_nothing_from_the_page_and_its_drivers(seed):
    rng = np.random.default_rng(seed)
    groups = [("marketing", "A", "Staff", int(rng.integers(20, 40)), 0, 0)]
    groups += [(fn, u, "Staff", n, int(rng.integers(0, n + 1)), 0) for fn, u in
               (("marketing", "B"), ("it", "A"), ("it", "B")) for n in [int(rng.integers(1, 8))]]
    r = org([(fn, u, lv, n, ag, int(rng.integers(0, ag + 1))) for fn, u, lv, n, ag, _ in groups])
    published = page_and_drivers(r)
    truth = attacker.truth_of(with_practices(r), ["q01", "q04"])
    assert attacker.attack([published], truth) == []


def test_control_unprotected_drivers_give_a_hidden_group_away():
    r = org([("marketing", "A", "Staff", 40, 20, 15), ("marketing", "B", "Staff", 20, 10, 5),
             ("it", "A", "Staff", 3, 2, 1)])  # the page hides IT, and everyone with it
    truth = attacker.truth_of(with_practices(r), ["q01", "q04"])
    assert attacker.attack([page_and_drivers(r)], truth) == []
    assert attacker.attack([page_and_drivers(r, protect=False)], truth), "control: the analyst finds the leak"


def test_the_analyst_pins_nothing_from_a_crossed_heatmap():
    r = org([("marketing", u, lv, n, n // 2, n // 4) for u, lv, n in
             (("A", "Staff", 30), ("A", "Senior", 3), ("B", "Staff", 25), ("B", "Senior", 9))]
            + [("it", u, lv, n, n // 2, 0) for u, lv, n in
               (("A", "Staff", 14), ("A", "Senior", 2), ("B", "Staff", 11), ("B", "Senior", 6))])
    crossed = hm.with_crossed(r, "business_unit", "level")
    name = hm.crossed_name("business_unit", "level")
    chart = {name: [("business_unit", {s: s.split(" × ")[0] for s in crossed[f"segment_{name}"]}),
                    ("level", {s: s.split(" × ")[1] for s in crossed[f"segment_{name}"]})]}
    truth = attacker.truth_of(crossed, ["q01", "q04"])
    blind = survey.publishable(privacy.suppress(survey.shares(survey.cells(crossed, QD)), 5, audit_=False))
    assert attacker.attack([blind.to_csv(index=False)], truth, chart), "control: without the audit a cell leaks"
    shown = survey.publishable(survey.analyse(crossed, QD).table)
    assert attacker.attack([shown.to_csv(index=False)], truth, chart) == []


# ---- evidence and actions -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def example(tmp_path_factory):
    ctx = report.start("05_benchmark_your_org", output_dir=str(tmp_path_factory.mktemp("insights")))
    return survey.SurveyContext.open(ctx, survey.SurveySettings())


def test_the_example_shows_every_section(example):
    assert example.heatmap()["marked"].any() and len(example.highlights()) == 5
    drivers = example.drivers()
    assert (drivers["verdict"] == "higher").any(), "the example's outcome goes with its practices"
    evidence = example.evidence()
    assert set(evidence["metric"]) >= {"multiyear_martech_strategy_plan", "multiyear_martech_funding_plan"}
    actions = example.actions()
    assert 1 <= len(actions) <= 3 and (actions["percent"] < actions["percent_very_effective"]).all()
    assert set(actions["conclusion"]) <= {stats.HOLDS, stats.DEPENDS}


def test_settings_are_checked_in_the_survey_package():
    from cmocio.errors import ParameterError

    with pytest.raises(ParameterError, match="heatmap_pair must be two segment names"):
        survey.SurveySettings(heatmap_pair=("business_unit",))
    with pytest.raises(ParameterError, match="min_group_size must be a whole number"):
        survey.SurveySettings(min_group_size=0)


def test_the_deck_draws_the_heatmap_as_a_coloured_table_and_the_drivers_as_a_chart(example, tmp_path):
    from pptx import Presentation

    from cmocio.deliverables import write_deck
    from cmocio.deliverables.content import MAX_CATEGORIES, MAX_FOOTNOTE
    from cmocio.deliverables.insights import GRID, insight_findings

    found = insight_findings(example)
    assert [f.name for f in found] == ["heatmap", "drivers"] and found[0].unit == GRID
    slides = list(Presentation(str(write_deck(found, tmp_path / "deck.pptx"))).slides)
    grid = next(sh.table for sh in slides[2].shapes if sh.has_table)  # after the title and the section slide
    segments = list(found[0].series)
    assert [grid.cell(0, j).text for j in range(1, len(segments) + 1)] == segments
    assert len(grid.rows) == 1 + min(len(found[0].categories), MAX_CATEGORIES)  # at most 12 questions a slide
    for i, _ in enumerate(found[0].categories[:MAX_CATEGORIES], 1):
        for j, s in enumerate(segments, 1):
            v = found[0].series[s][i - 1]
            assert grid.cell(i, j).text == ("" if v is None else f"{round(v):+d}" if round(v) else "0")
    assert any(sh.has_chart for sh in slides[3].shapes)
    assert "not cause" in found[1].footnote and len(found[1].footnote) <= MAX_FOOTNOTE
    assert "CMO Council 2021" in found[1].note  # the note in full, in the workbook


def test_the_drivers_one_pass_gives_the_aggregations_sums():
    r = survey.synthetic_responses(Q, n=300, seed=4)
    r = r[r["wave"] == "2025"]
    practices = dr.practice_ids(Q, r)
    rest = [r[p].to_numpy(dtype="int8", na_value=0) != 1 for p in practices]
    mine = dr.practice_sums(r["q01"].to_numpy(dtype=float, na_value=np.nan), rest,
                            (r["function"] == "it").to_numpy(), r["weight"].to_numpy(float), "q01",
                            "relationship_collaborative", practices, "all")
    split = {f"segment_{dr.dimension_of(p)}": np.where(s, dr.REST, dr.AGREE) for p, s in zip(practices, rest)}
    mini = r[["respondent_id", "function", "weight"]].assign(**split, q01=r["q01"])
    plain = survey.cells(mini, Q[Q["question_id"] == "q01"])
    keys = ["question_id", "dimension", "segment", "group"]
    both = mine.merge(plain, on=keys, suffixes=("", "_plain"), validate="one_to_one")
    assert len(both) == len(mine) == len(plain)
    for c in ("n_respondents", "n_answered", "n_yes", "weight_sum", "weight_sq_sum", "yes_weight", "max_weight",
              "n_eff"):
        assert np.allclose(both[c], both[f"{c}_plain"]), c


def test_the_drivers_are_a_release_in_the_ledger_and_a_leaver_stays_hidden(tmp_path):
    def release(r: pd.DataFrame, ledger: privacy.Ledger) -> str:
        a = survey.analyse(r, QD, 5, ledger=ledger)
        cells = dr.driver_cells(r, QD, a.table, a.latest, "q01", PRACTICES, 5, ledger=ledger)
        return pd.concat([survey.publishable(a.table), survey.publishable(cells[cells["dimension"] != ""])]
                         ).to_csv(index=False)

    before = org([("marketing", "A", "Staff", 30, 15, 10), ("marketing", "B", "Staff", 20, 10, 6),
                  ("it", "A", "Staff", 12, 6, 4), ("it", "B", "Staff", 10, 5, 2)])
    leaver = before.index[(before["function"] == "it") & (before["q04"] == 1) & (before["q01"] == 1)][0]
    after = pd.concat([before.drop(index=leaver), org([("marketing", "A", "Staff", 6, 3, 2)])], ignore_index=True)
    after["respondent_id"] = [f"x{i}" for i in range(len(after))]
    ledger = privacy.Ledger(tmp_path / "ledger.jsonl", "org")
    first = release(before, ledger)
    assert release(before, ledger) == first, "the same data released again shows the same"
    assert [r["kind"] for r in privacy.Ledger(ledger.path, "org (drivers)").releases()] == ["notebook"]
    second = release(after, ledger)
    it = attacker.read_release(second)
    it = it[(it["group"] == "it") & it["dimension"].str.startswith("practice ")]
    assert len(it) and it["suppressed"].all(), "IT's drivers changed by one person: hidden"
    assert attacker.attack_leaver(first, second) == []


@pytest.mark.parametrize("seed", range(SEEDS))
def test_the_analyst_pins_nothing_from_generated_crossed_heatmaps(seed):
    rng = np.random.default_rng(100 + seed)
    groups = [("marketing", "A", "Staff", int(rng.integers(15, 30)))]
    groups += [(fn, u, lv, int(rng.integers(0, 9))) for fn in ("marketing", "it") for u in "AB"
               for lv in ("Staff", "Senior") if (fn, u, lv) != ("marketing", "A", "Staff")]
    r = org([(fn, u, lv, n, int(rng.choice([0, n])), 0) for fn, u, lv, n in groups if n])
    crossed = hm.with_crossed(r, "business_unit", "level")
    name = hm.crossed_name("business_unit", "level")
    values = set(crossed[f"segment_{name}"])
    chart = {name: [("business_unit", {s: s.split(" × ")[0] for s in values}),
                    ("level", {s: s.split(" × ")[1] for s in values})]}
    shown = survey.publishable(survey.analyse(crossed, QD).table).to_csv(index=False)
    assert attacker.attack([shown], attacker.truth_of(crossed, ["q01", "q04"]), chart) == []
