"""Leaks found by the analyst over published outputs: each test states what it proves and fails while the leak is open.

Each is marked ``xfail(strict=True)``: the suite records the leak as a known failure, and the day the library
closes it the test passes unexpectedly and the suite fails, so the mark is removed and the test guards the fix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cmocio import survey
from cmocio.survey import aggregation, drivers as dr, heatmap as hm, privacy

from . import attacker
from .test_insights import QD, org

PAIR = ("business_unit", "level")


def _chart(crossed: pd.DataFrame) -> dict:
    """The organisation chart the analyst knows: each crossed cell lies in one unit and one level."""
    name = hm.crossed_name(*PAIR)
    values = set(crossed[f"segment_{name}"])
    return {name: [("business_unit", {s: s.split(hm.CROSS)[0] for s in values}),
                   ("level", {s: s.split(hm.CROSS)[1] for s in values})]}


def _pair_case() -> pd.DataFrame:
    """A generated organisation of 40 (seed 27): one IT senior in unit A, two in unit B, small marketing cells in B."""
    rng = np.random.default_rng(27)
    groups = [("marketing", "A", "Staff", int(rng.integers(15, 30)))]
    groups += [(fn, u, lv, int(rng.integers(0, 9))) for fn in ("marketing", "it") for u in "AB"
               for lv in ("Staff", "Senior") if (fn, u, lv) != ("marketing", "A", "Staff")]
    return org([(fn, u, lv, n, int(rng.integers(0, n + 1)), int(rng.integers(0, n + 1))) for fn, u, lv, n in groups
                if n])


def test_a_run_with_heatmap_pair_after_one_without_gives_nothing_away(tmp_path):
    r = _pair_case()
    crossed = hm.with_crossed(r, *PAIR)
    ledger = privacy.Ledger(tmp_path / "ledger.jsonl", "org")
    plain = survey.publishable(survey.analyse(r, QD, 5, ledger=ledger).table).to_csv(index=False)
    paired = survey.publishable(survey.analyse(crossed, QD, 5, ledger=ledger).table).to_csv(index=False)
    truth, chart = attacker.truth_of(crossed, ["q01", "q04"]), _chart(crossed)
    first, second = attacker.read_release(plain), attacker.read_release(paired)
    lone = ("q04", "", "all", hm.crossed_name(*PAIR), "A × Senior", "it")  # one person
    assert truth[("m", *lone[1:])] == 1 and lone in attacker.hidden_cells(second)
    alone = attacker.Model()
    attacker.add_release(alone, second, chart=chart)
    assert attacker.pinned(alone, [lone], truth) == [], "control: the crossed run alone gives nothing away"
    model = attacker.Model()
    attacker.add_release(model, first)
    attacker.add_release(model, second, chart=chart)
    assert attacker.pinned(model, [lone], truth) == []
    fresh = attacker.read_release(survey.publishable(survey.analyse(crossed, QD, 5).table).to_csv(index=False))
    control = attacker.Model()
    attacker.add_release(control, first)
    attacker.add_release(control, fresh, chart=chart)
    assert attacker.pinned(control, [lone], truth), "control: without the ledger the two runs pin the IT senior"


def _partly_nested_case() -> pd.DataFrame:
    """Unit B has seniors only and unit C staff only; IT has 3 staff in unit A. Every unit, level and function
    has at least 5 people, so the page hides nothing."""
    return org([("marketing", "A", "Staff", 20, 10, 6), ("marketing", "A", "Senior", 20, 10, 5),
                ("marketing", "B", "Senior", 10, 5, 3), ("marketing", "C", "Staff", 10, 5, 2),
                ("it", "A", "Staff", 3, 2, 1), ("it", "A", "Senior", 7, 3, 2), ("it", "B", "Senior", 6, 3, 1),
                ("it", "C", "Staff", 6, 3, 2)])


def _crossed_pins(page_table: pd.DataFrame, r: pd.DataFrame) -> list:
    """What the analyst who knows the organisation chart pins of IT staff in unit A (3 people) from ``page_table``."""
    page = attacker.read_release(survey.publishable(page_table).to_csv(index=False))
    crossed = hm.with_crossed(r, *PAIR)
    # the analyst's unknowns: the crossed cells, none of them published (IT staff of unit A are 3 people)
    latent = survey.publishable(survey.analyse(crossed, QD, 5).table)
    latent = attacker.read_release(latent[latent["dimension"].str.contains(hm.CROSS)].assign(suppressed=True)
                                   .to_csv(index=False))
    model = attacker.Model()
    attacker.add_release(model, page, chart=_chart(crossed))
    attacker.add_release(model, latent, chart=_chart(crossed))
    small = [("q01", "", "all", hm.crossed_name(*PAIR), "A × Staff", "it"),
             ("m", "", "all", hm.crossed_name(*PAIR), "A × Staff", "it")]
    return attacker.pinned(model, small, attacker.truth_of(crossed, ["q01", "q04"]))


def test_two_breakdowns_on_a_plain_page_do_not_give_a_small_crossed_group_away():
    r = _partly_nested_case()
    assert _crossed_pins(survey.analyse(r, QD, 5).table, r) == []
    unaudited = privacy.suppress(aggregation.shares(aggregation.cells(r, QD)), 5, nesting=privacy.nesting_of(r))
    assert _crossed_pins(unaudited, r), "control: auditing each breakdown alone lets the analyst subtract"


def _latent(table: pd.DataFrame, name: str, values: set[str]) -> pd.DataFrame:
    """Hidden rows for the cells of a breakdown nobody publishes (the analyst's unknowns), in ``table``'s columns."""
    wave = table["wave"].iloc[0]
    rows = [{"question_id": q, "wave": wave, "dimension": name, "segment": v, "group": g, "suppressed": True}
            for v in sorted(values) for g in (*attacker.FUNCTIONS, attacker.ALL) for q in ("q01", "q04", "respondents")]
    return pd.DataFrame(rows).reindex(columns=table.columns)


def _agreer_pins(r: pd.DataFrame, a: survey.Analysis, cells: pd.DataFrame) -> list:
    """What the analyst pins of unit A's one IT agreer from the page and the driver ``cells`` published beside it."""
    page = attacker.read_release(pd.concat([survey.publishable(a.table), survey.publishable(cells)]).to_csv(index=False))
    side = dr.dimension_of("q04")
    sides = r.assign(segment_side=np.where(r["q04"].to_numpy(dtype=float, na_value=0) == 1, dr.AGREE, dr.REST))
    crossed = hm.with_crossed(sides, "business_unit", "side").rename(columns={"segment_side": f"segment_{side}"})
    name = hm.crossed_name("business_unit", "side")
    values = set(crossed[f"segment_{name}"])
    chart = {name: [("business_unit", {v: v.split(hm.CROSS)[0] for v in values}),
                    (side, {v: v.split(hm.CROSS)[1] for v in values})]}
    model = attacker.Model()
    attacker.add_release(model, page, chart=chart)
    attacker.tie_practices(model, page)
    attacker.add_release(model, _latent(page, name, values), chart=chart)
    wave = page["wave"].iloc[0]
    for v in values:  # a unit's agreers are its yes count on q04, which the page shows
        unit, s = v.split(hm.CROSS)
        if s == dr.AGREE:
            for g in (*attacker.FUNCTIONS, attacker.ALL):
                model.add({model.var(("m", "", wave, name, v, g)): 1,
                           model.var(("y", "q04", "", wave, "business_unit", unit, g)): -1}, 0, 0)
    shown = page[(page["group"] == "it") & (page["dimension"] == side) & ~page["suppressed"]]
    assert len(shown), "IT's driver is shown"
    one = ("q01", "", wave, name, f"A{hm.CROSS}{dr.AGREE}", "it")  # the one IT agreer of unit A
    return attacker.pinned(model, [one], attacker.truth_of(crossed, ["q01", "q04"]))


def test_a_driver_beside_a_segment_does_not_give_one_agreer_away():
    # IT: in unit A, one of 6 agrees with q04 (and says yes to q01); in unit C all 6 agree
    r = org([("marketing", "A", "Staff", 30, 15, 10), ("marketing", "C", "Staff", 20, 10, 5),
             ("it", "A", "Staff", 6, 1, 1), ("it", "C", "Staff", 6, 6, 3)])
    a = survey.analyse(r, QD, 5)
    assert _agreer_pins(r, a, dr.driver_cells(r, QD, a.table, a.latest, "q01", ["q04"], 5)) == []
    rest = r["q04"].to_numpy(dtype="int8", na_value=0) != 1
    alone = dr.practice_sums(r["q01"].to_numpy(dtype=float, na_value=np.nan), [rest],
                             (r["function"] == "it").to_numpy(), np.ones(len(r)), "q01", "m", ["q04"], a.latest)
    assert _agreer_pins(r, a, dr.suppress_drivers(alone, a.table, 5, ["q04"])), \
        "control: audited against the overall figures alone, the driver lets the analyst subtract unit C"


def test_one_leaver_among_six_joiners_keeps_their_answers(tmp_path):
    before = org([("marketing", "A", "Staff", 20, 10, 6), ("it", "A", "Staff", 10, 5, 2)])
    leaver = before.index[(before["function"] == "marketing") & (before["q01"] == 1) & (before["q04"] == 1)][0]
    joiners = org([("marketing", "A", "Staff", 6, 0, 0)]).assign(q01=pd.array([0] * 6, dtype="Int8"))
    after = pd.concat([before.drop(index=leaver), joiners], ignore_index=True)
    after["respondent_id"] = [f"x{i}" for i in range(len(after))]
    ledger = privacy.Ledger(tmp_path / "ledger.jsonl", "org")
    first = survey.publishable(survey.analyse(before, QD, 5, ledger=ledger).table).to_csv(index=False)
    second = survey.publishable(survey.analyse(after, QD, 5, ledger=ledger).table).to_csv(index=False)
    assert attacker.attack_leaver(first, second) == []
    fresh = survey.publishable(survey.analyse(after, QD, 5).table).to_csv(index=False)
    assert attacker.attack_leaver(first, fresh), "control: without the ledger the leaver's yes shows"


def test_two_leavers_outside_a_shown_unit_keep_their_answers(tmp_path):
    """Six joined IT of unit B (its counts rose by six in all, each answer's by fewer than five); everyone outside
    it changed by two leavers who said no to q04 and four joiners who said yes, which no one sum shows: so a change
    is also small when its largest part is."""
    before = org([("marketing", "A", "Staff", 4, 4, 4), ("marketing", "B", "Staff", 8, 2, 2),
                  ("it", "A", "Staff", 17, 0, 0), ("it", "B", "Staff", 10, 5, 0)])
    leavers = before.index[(before["function"] == "it") & (before["segment_business_unit"] == "A")][:2]
    after = pd.concat([before.drop(index=leavers), org([("marketing", "B", "Staff", 4, 4, 0),
                                                        ("it", "B", "Staff", 6, 0, 0)])], ignore_index=True)
    after["respondent_id"] = [f"x{i}" for i in range(len(after))]
    ledger = privacy.Ledger(tmp_path / "ledger.jsonl", "org")
    first = survey.publishable(survey.analyse(before, QD, 5, ledger=ledger).table).to_csv(index=False)
    second = survey.publishable(survey.analyse(after, QD, 5, ledger=ledger).table).to_csv(index=False)
    assert attacker.attack_leaver(first, second, 2) == []
    fresh = survey.publishable(survey.analyse(after, QD, 5).table).to_csv(index=False)
    assert attacker.attack_leaver(first, fresh, 2), "control: without the ledger the leavers' no shows"
