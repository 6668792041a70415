"""The anonymity promise against a curious analyst: bounds, rounding, repeated releases, leavers and weights.

Each test publishes tables the way the benchmark page does, hands their CSV
text to the analyst of :mod:`tests.attacker` (integer programs over what is
shown), and asserts that nothing hidden can be pinned; each has a control in
which the protection is off and the same analyst does find something.
"""

from __future__ import annotations

import itertools
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmocio import survey
from cmocio.survey import aggregation, privacy

from . import attacker

Q2 = survey.load_questions().head(2)
QIDS = list(Q2["question_id"])
UNITS = ("Board office", "Consumer", "Online")


def people(groups: list[tuple[str, str, int, float]], seed: int, blank: float = 0.1, wave: str | None = None
           ) -> pd.DataFrame:
    """Respondents from (function, unit, size, chance of yes) groups; some answers blank."""
    rng = np.random.default_rng(seed)
    rows = []
    for fn, unit, size, p in groups:
        for _ in range(size):
            answers = {q: (pd.NA if rng.random() < blank else int(rng.random() < p)) for q in QIDS}
            rows.append({"function": fn, "weight": 1.0, "segment_business_unit": unit, **answers})
    out = pd.DataFrame(rows)
    out.insert(0, "respondent_id", [f"t{i}" for i in range(len(out))])
    if wave:
        out.insert(3, "wave", wave)
    for q in QIDS:
        out[q] = pd.array(out[q], dtype="Int8")
    return out


def publish(responses: pd.DataFrame, k: int = 5, ledger=None, audit: bool = True) -> str:
    """Every figure a page may show (all waves, breakdowns and groups), as the CSV text the page writes."""
    if audit:
        table = survey.analyse(responses, Q2, k, ledger=ledger).table
    else:
        table = privacy.suppress(aggregation.shares(aggregation.cells(responses, Q2)), k, audit_=False)
    return survey.publishable(table).to_csv(index=False)


@st.composite
def nearly_unanimous(draw) -> tuple[pd.DataFrame, int]:
    """A big marketing group, and small groups of 0 to 7 people who nearly all answer alike."""
    k = draw(st.sampled_from([3, 5]))
    groups = [("marketing", "Consumer", draw(st.integers(12, 40)), draw(st.sampled_from([0.3, 0.6])))]
    for fn in ("marketing", "it"):
        for unit in UNITS:
            if (fn, unit) != ("marketing", "Consumer"):
                groups.append((fn, unit, draw(st.integers(0, 7)), draw(st.sampled_from([0.0, 0.05, 0.95, 1.0]))))
    return people(groups, draw(st.integers(0, 10**6)), blank=draw(st.sampled_from([0.0, 0.15]))), k


#: Generated datasets per property run: 20 in the suite; `make audit` runs 300.
EXAMPLES = int(os.environ.get("CMOCIO_ATTACK_EXAMPLES", "20"))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(nearly_unanimous())
def test_the_analyst_pins_nothing_from_one_release(case):
    responses, k = case
    text = publish(responses, k)
    assert attacker.attack([text], attacker.truth_of(responses, QIDS)) == []
    table = attacker.read_release(text)
    sizes = table[table["question_id"] == attacker.SIZES].set_index(["wave", "dimension", "segment", "group"])
    shown = table[(table["question_id"] != attacker.SIZES) & ~table["suppressed"]]
    assert not sizes.loc[list(zip(shown["wave"], shown["dimension"], shown["segment"], shown["group"])),
                         "suppressed"].any(), "a shown figure never gives the size of a group the sizes table hides"
    assert set(table.loc[table["suppressed"], "reason"]) <= {privacy.HIDDEN}


def small_groups(seed: int, unanimous: bool = True) -> pd.DataFrame:
    """One big marketing group and small ones of 0 to 7 people (all alike when ``unanimous``)."""
    rng = np.random.default_rng(seed)
    groups = [("marketing", "Consumer", int(rng.integers(12, 40)), 0.5)]
    groups += [(fn, u, int(rng.integers(0, 8)), float(rng.choice([0.0, 1.0])) if unanimous else 0.5)
               for fn in ("marketing", "it") for u in UNITS if (fn, u) != ("marketing", "Consumer")]
    return people(groups, seed, blank=0.0)


def test_a_program_the_warm_solver_leaves_undecided_is_solved_afresh():
    """A case found on the 300-dataset run: HiGHS, warm-started, ended one program with status 'Unknown'."""
    r = people([("marketing", "Consumer", 12, .3), ("marketing", "Board office", 1, 1.0), ("marketing", "Online", 4, 0.0),
                ("it", "Online", 1, 0.0)], 1, blank=0.0)
    r["q01"] = pd.array([1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0], dtype="Int8")
    r["q02"] = pd.array([1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0], dtype="Int8")
    assert attacker.attack([publish(r, 5)], attacker.truth_of(r, QIDS)) == []


def test_control_without_the_audit_the_bounds_give_groups_away():
    leaks = 0
    for seed in range(40):
        r = small_groups(seed)
        if attacker.attack([publish(r, 5, audit=False)], attacker.truth_of(r, QIDS)):
            leaks += 1
            if leaks == 5:
                return
    raise AssertionError(f"the control found only {leaks} leaking datasets in 40")


def board_office_case() -> pd.DataFrame:
    """Marketing overall and two units shown; the two hidden units, one of them a 3-person board office, all said no."""
    return people([("marketing", "Consumer", 20, 0.3), ("marketing", "Online", 26, 0.3),
                   ("marketing", "Board office", 3, 0.0), ("marketing", "Retail", 6, 0.0),
                   ("it", "Consumer", 12, 0.5), ("it", "Online", 9, 0.5), ("it", "Retail", 7, 0.5)], seed=7, blank=0.0)


def test_a_unanimous_small_group_stays_unproven():
    r = board_office_case()
    truth = attacker.truth_of(r, QIDS)
    assert attacker.attack([publish(r, 5, audit=False)], truth), "control: without the audit the bounds tell"
    assert attacker.attack([publish(r, 5)], truth) == []


# ---- two releases: thresholds, leavers, weights ---------------------------------------------------------------------

def test_a_stricter_rerun_of_the_same_data_adds_nothing(tmp_path):
    checked = 0
    five = people([("marketing", "Consumer", 20, 0.5), ("marketing", "Online", 5, 0.5), ("it", "Consumer", 8, 0.5),
                   ("it", "Online", 6, 0.5)], 3, blank=0.0)  # a group of 5, shown at k = 5
    for seed, r in [*((s, small_groups(s, unanimous=False)) for s in range(6)), (6, five)]:
        ledger = privacy.Ledger(tmp_path / f"ledger{seed}.jsonl", "org")
        at5, at6 = publish(r, 5, ledger), publish(r, 6, ledger)
        truth = attacker.truth_of(r, QIDS)
        assert attacker.attack([at5, at6], truth) == []
        hidden5, hidden6 = (set(attacker.hidden_cells(attacker.read_release(t))) for t in (at5, at6))
        assert hidden5 <= hidden6, "the stricter release hides at least what the first one hid"
        checked += hidden6 != hidden5
    assert checked, "no dataset in which the stricter threshold hid more: the test could not fail"


def test_control_two_thresholds_without_the_ledger_give_a_hidden_group_away():
    for seed in range(60):
        r = small_groups(seed, unanimous=False)
        truth = attacker.truth_of(r, QIDS)
        if attacker.attack([publish(r, 5), publish(r, 6)], truth):
            return
    raise AssertionError("no dataset leaked across two thresholds without the ledger")


def test_a_lower_threshold_after_the_first_release_is_refused(tmp_path):
    r = board_office_case()
    ledger = privacy.Ledger(tmp_path / "ledger.jsonl", "org")
    publish(r, 6, ledger)
    with pytest.raises(privacy.ReleaseRefused, match="fixed then.*min_group_size 6 or more"):
        publish(r, 5, ledger)
    assert publish(r, 6, ledger) == publish(r, 6, privacy.Ledger(tmp_path / "other.jsonl", "org"))


def test_a_leaver_cannot_be_read_from_two_releases(tmp_path):
    r = board_office_case()
    gone = r.drop(index=len(r) - 1).reset_index(drop=True)
    before, after = publish(r), publish(gone)
    assert attacker.attack_leaver(before, after), "control: without the ledger the leaver's answers show"
    ledger = privacy.Ledger(tmp_path / "ledger.jsonl", "org")
    publish(r, 5, ledger)
    with pytest.raises(privacy.ReleaseRefused, match="fewer than 5 respondents have joined, left, changed an answer"):
        publish(gone, 5, ledger)
    with pytest.raises(privacy.ReleaseRefused):
        publish(r.assign(weight=np.where(r.index == 0, 2.0, 1.0)), 5, ledger)


def test_a_leaver_hidden_among_joiners_cannot_be_read_from_two_releases(tmp_path):
    r = board_office_case()
    leaver = r.index[r["segment_business_unit"] == "Board office"][0]
    joiners = people([("marketing", "Consumer", 12, 0.5)], 11, 0.0)
    after = pd.concat([r.drop(index=leaver), joiners], ignore_index=True)
    after["respondent_id"] = [f"t{i}" for i in range(len(after))]
    assert attacker.attack_leaver(publish(r), publish(after)), "control: without the ledger the leaver shows"
    ledger = privacy.Ledger(tmp_path / "ledger.jsonl", "org")
    before = publish(r, 5, ledger)
    assert attacker.attack_leaver(before, publish(after, 5, ledger)) == []


def test_a_change_is_small_where_it_gives_away_how_a_few_leavers_or_joiners_answered():
    """change_size against every way up to 3 leavers and 3 joiners explain a change of (yes, no, blank) counts:
    the analyst knows how many left and joined, and learns a count of theirs where every way with those numbers
    agrees on it."""
    ways: dict[tuple, dict[tuple, list]] = {}
    for left in itertools.product(range(4), repeat=3):
        for joined in itertools.product(range(4), repeat=3):
            if sum(left) <= 3 and sum(joined) <= 3:
                delta = tuple(np.subtract(joined, left))
                ways.setdefault(delta, {}).setdefault((sum(left), sum(joined)), []).append((left, joined))
    for delta, by_numbers in ways.items():
        pinned = [n for (n_left, n_joined), found in by_numbers.items() for side, n in ((0, n_left), (1, n_joined))
                  if n and any(len({way[side][c] for way in found}) == 1 for c in range(3))]
        assert privacy.change_size(np.array(delta)) == min(pinned, default=0), delta
    assert privacy.change_size(np.array([-1, 6, 0])) == 1, "one leaver who said yes among six joiners who said no"
    assert privacy.change_size(np.array([3, 3, 0])) == 6, "six joined, nobody left: as many as a group shown"


def test_the_same_responses_under_another_wave_name_hide_what_they_hid(tmp_path):
    r = board_office_case().assign(wave="2025")
    ledger = privacy.Ledger(tmp_path / "ledger.jsonl", "org")
    first = attacker.read_release(publish(r, 5, ledger))
    again = attacker.read_release(publish(r.assign(wave="2025-b"), 5, ledger))
    assert {c[3:] for c in attacker.hidden_cells(first)} <= {c[3:] for c in attacker.hidden_cells(again)}


def test_a_new_wave_and_a_rerun_are_released(tmp_path):
    ledger = privacy.Ledger(tmp_path / "ledger.jsonl", "org")
    units = [("marketing", "Consumer", 12, 0.5), ("it", "Consumer", 12, 0.5), ("marketing", "Online", 12, 0.5),
             ("it", "Online", 12, 0.5)]
    early, late = people(units, 1, wave="2024"), people(units, 2, wave="2025")
    late["respondent_id"] = [f"u{i}" for i in range(len(late))]
    publish(early, 5, ledger)
    both = pd.concat([early, late], ignore_index=True)
    assert publish(both, 5, ledger) == publish(both, 5, ledger), "a new wave, then the same release again"


def test_a_ledger_that_cannot_be_written_refuses_the_release_with_what_to_do(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the ledger's folder should be")
    with pytest.raises(privacy.ReleaseRefused, match="cannot be written here.*give ledger_path a folder"):
        publish(board_office_case(), 5, privacy.Ledger(blocker / "ledger.jsonl", "org"))


def test_after_enough_new_responses_what_was_hidden_stays_hidden(tmp_path):
    r = board_office_case()
    ledger = privacy.Ledger(tmp_path / "ledger.jsonl", "org")
    first = attacker.read_release(publish(r, 5, ledger))
    more = pd.concat([r, people([("marketing", "Board office", 4, 0.5), ("it", "Consumer", 2, 0.5)], 9, 0.0)],
                     ignore_index=True)
    more["respondent_id"] = [f"t{i}" for i in range(len(more))]
    second = attacker.read_release(publish(more, 5, ledger))
    assert set(attacker.hidden_cells(first)) <= set(attacker.hidden_cells(second))
    fresh = attacker.read_release(publish(more, 5))
    assert set(attacker.hidden_cells(fresh)) < set(attacker.hidden_cells(second)), \
        "control: a first release of the larger data would show figures the ledger keeps hidden"
    lines = (tmp_path / "ledger.jsonl").read_text(encoding="utf-8")
    assert lines.count("\n") == 2 and "t1" not in lines.replace('"t', "")


# ---- weights ---------------------------------------------------------------------------------------------------------

def test_a_dominant_respondent_is_hidden_and_huge_weights_do_not_overflow():
    r = board_office_case()
    it_online = r.index[(r["function"] == "it") & (r["segment_business_unit"] == "Online")]
    heavy = r.copy()
    heavy.loc[it_online[0], "weight"] = 0.42 / 0.58 * (len(it_online) - 1)  # 42% of the group's weight
    table = survey.analyse(heavy, Q2).table
    cell = table[(table["dimension"] == "business_unit") & (table["segment"] == "Online") & (table["group"] == "it")]
    assert cell["suppressed"].all()
    assert not survey.analyse(r, Q2).table.loc[cell.index, "suppressed"].any(), "control: unweighted it is shown"
    huge = r.assign(weight=1e200)
    assert survey.publishable(survey.analyse(huge, Q2).table).equals(survey.publishable(survey.analyse(r, Q2).table))
    one_huge = r.copy()
    one_huge.loc[0, "weight"] = 1e200
    cells = aggregation.shares(aggregation.cells(one_huge, Q2))
    assert np.isfinite(cells["n_eff"]).all()
    assert not privacy.passes(cells["n_respondents"], cells["weight_sum"], np.nan, cells["max_share"], 5).any()


# ---- blanks of hidden people ------------------------------------------------------------------------------------------

def test_a_hidden_persons_blank_changes_nothing_shown():
    r = board_office_case()
    q = QIDS[0]
    table = survey.analyse(r, Q2).table
    sizes = table[(table["question_id"] == survey.RESPONDENTS) & (table["dimension"] == "business_unit")]
    hidden = set(zip(sizes.loc[sizes["suppressed"], "segment"], sizes.loc[sizes["suppressed"], "group"]))
    assert {("Board office", "marketing"), ("Retail", "marketing")} <= hidden
    mkt = r["function"] == "marketing"
    a = r.index[mkt & (r["segment_business_unit"] == "Board office")][0]
    b = r.index[mkt & (r["segment_business_unit"] == "Retail")][0]
    base = r.copy()
    base.loc[b, q] = pd.NA  # b skipped the question
    moved = base.copy()
    moved.loc[a, q], moved.loc[b, q] = pd.NA, r.at[a, q]  # now a skips it and b answers as a did
    assert not moved.equals(base)
    assert publish(moved) == publish(base)
    visible = base.copy()
    visible.loc[r.index[mkt & (r["segment_business_unit"] == "Consumer")][0], q] = pd.NA
    assert publish(visible) != publish(base), "control: a shown person's blank shows"


# ---- breakdowns that nest: units within divisions ----------------------------------------------------------------------

def test_a_unit_cannot_be_read_off_its_division():
    chart = {"Brand": "Sales", "Board office": "Sales", "Retail": "Ops", "Logistics": "Ops"}
    sizes = {("marketing", "Brand"): 14, ("marketing", "Board office"): 3, ("marketing", "Retail"): 12,
             ("marketing", "Logistics"): 9, ("it", "Brand"): 8, ("it", "Board office"): 2, ("it", "Retail"): 10,
             ("it", "Logistics"): 7}
    r = people([(fn, unit, n, 0.0 if unit == "Board office" else 0.5) for (fn, unit), n in sizes.items()], 3, 0.0)
    r = r.rename(columns={"segment_business_unit": "segment_unit"})
    r.insert(3, "segment_division", r["segment_unit"].map(chart))
    truth = attacker.truth_of(r, QIDS)
    knows = {"unit": ("division", chart)}
    cells = aggregation.shares(aggregation.cells(r, Q2))
    blind = survey.publishable(privacy.suppress(cells, 5)).to_csv(index=False)
    assert attacker.attack([blind], truth, knows), "control: without the nesting, a unit is its division minus the rest"
    assert privacy.nesting_of(r)["all"] == [("unit", "division", chart)]
    assert attacker.attack([publish(r)], truth, knows) == []


def test_weights_by_function_give_no_hidden_split_away():
    r = people([("marketing", "Consumer", 20, 0.3), ("marketing", "Online", 26, 0.3), ("marketing", "Board office", 3, 0.0),
                ("marketing", "Retail", 6, 0.5), ("it", "Consumer", 12, 0.5), ("it", "Online", 9, 0.5),
                ("it", "Board office", 4, 1.0), ("it", "Retail", 7, 0.5)], seed=5, blank=0.0)
    r["weight"] = np.where(r["function"] == "it", 3.0, 1.0)  # the weighting scheme an insider may know
    truth = attacker.truth_of(r, QIDS)
    scheme = {"marketing": 1.0, "it": 3.0}
    cells = aggregation.shares(aggregation.cells(r, Q2))
    blind = survey.publishable(privacy.suppress(cells, 5)).to_csv(index=False)
    assert attacker.attack([blind], truth, weights=scheme), \
        "control: audited as unweighted counts, effective sizes and weighted shares give the split away"
    assert attacker.attack([publish(r)], truth, weights=scheme) == []


def test_the_page_states_how_many_figures_it_hides_in_words():
    from cmocio.survey.privacy.rule import statement

    assert "No figure on this page is hidden." in statement(5, 0, ledger=False)
    assert "One figure on this page is hidden." in statement(5, 1, ledger=False)
    assert "12 figures on this page are hidden." in statement(5, 12, ledger=True)
    assert "disclosure ledger" in statement(5, 12, ledger=True) and "made-up data" in statement(5, 0, ledger=False)
