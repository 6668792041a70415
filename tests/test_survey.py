"""Your-organisation survey: instrument, aggregation, the anonymity rule, comparisons, and the notebook."""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmocio import load_metrics, stats, survey
from cmocio.data import distinct_figures, load_dataset
from cmocio.survey import aggregation, compare, privacy, synthetic
from cmocio.survey import drivers as dr

from . import attacker
from .conftest import execute_notebook

Q = survey.load_questions()
QIDS = list(Q["question_id"])
FINDINGS = stats.with_intervals(distinct_figures(load_dataset().findings))
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_benchmark_your_org.ipynb"


def test_instrument_maps_to_known_metrics_and_template_matches():
    assert set(Q["metric"]) <= set(load_metrics()["metric"])
    header = (survey.SURVEY_DIR / "response_template.csv").read_text(encoding="utf-8").strip().split(",")
    assert header == list(survey.respondent_columns(Q))


def test_shipped_example_is_the_documented_generator_output():
    shipped = pd.read_csv(survey.EXAMPLE_PATH, dtype=str, keep_default_na=False)
    assert survey.EXAMPLE_PATH.read_text(encoding="utf-8") == survey.synthetic_responses(Q).to_csv(index=False)
    assert shipped["respondent_id"].str.startswith("SYN-").all()
    assert set(shipped["wave"]) == {"2024", "2025"} and shipped["segment_business_unit"].nunique() == 3
    assert (shipped[QIDS] == "").to_numpy().any()


def frame(rows: list[tuple[str, float, dict]], wave: str | None = None, units: list[str] | None = None) -> pd.DataFrame:
    """Responses from (function, weight, {question: 0/1}) tuples; unlisted answers are 1."""
    data = {"respondent_id": [f"t{i}" for i in range(len(rows))], "function": [r[0] for r in rows],
            "weight": [float(r[1]) for r in rows]}
    if wave:
        data["wave"] = wave
    if units:
        data["segment_business_unit"] = units
    out = pd.DataFrame(data)
    for q in QIDS:
        out[q] = pd.array([r[2].get(q, 1) for r in rows], dtype="Int8")
    return out


def test_shares_by_hand():
    q1 = QIDS[0]
    r = frame([("marketing", 1, {q1: 1}), ("marketing", 1, {q1: 0}), ("marketing", 2, {q1: 1}),
               ("marketing", 1, {q1: pd.NA}), ("it", 1, {q1: 0})])
    t = survey.shares(survey.cells(r, Q)).set_index(["question_id", "dimension", "group"])
    m = t.loc[(q1, "", "marketing")]
    assert (m["n_answered"], m["n_missing"], m["n_respondents"]) == (3, 1, 4)
    assert m["percent"] == pytest.approx(75.0) and m["n_eff"] == pytest.approx(16 / 6)
    assert m["max_share"] == pytest.approx(0.5)
    low, high = stats.wilson_interval(0.75, 16 / 6)
    assert (m["ci_low"], m["ci_high"]) == pytest.approx((100 * low, 100 * high))
    assert t.loc[(q1, "", "all"), "percent"] == pytest.approx(60.0)
    unweighted = survey.shares(survey.cells(r, Q, weighted=False)).set_index(["question_id", "dimension", "group"])
    assert unweighted.loc[(q1, "", "marketing"), "percent"] == pytest.approx(200 / 3)


def test_cells_match_a_plain_groupby_by_wave_and_segment():
    r = survey.synthetic_responses(Q, n=500, seed=7)
    t = survey.shares(survey.cells(r, Q)).set_index(["question_id", "wave", "dimension", "segment", "group"])
    for (wave, unit, fn), grp in r.groupby(["wave", "segment_business_unit", "function"]):
        for q in QIDS[:4]:
            ok = grp[q].notna()
            expect = 100 * (grp.loc[ok, q].astype(float) * grp.loc[ok, "weight"]).sum() / grp.loc[ok, "weight"].sum()
            assert t.loc[(q, wave, "business_unit", unit, fn), "percent"] == pytest.approx(expect)


def test_every_cell_matches_a_plain_groupby_at_sizes_that_used_to_overflow():
    """24 monthly waves x 3 units x 2 regions: indices past 127 once wrapped (int8 category codes)."""
    rng = np.random.default_rng(3)
    r = survey.synthetic_responses(Q, n=3000, seed=3)
    r["wave"] = rng.choice([f"2024-{m:02d}" for m in range(1, 13)] + [f"2025-{m:02d}" for m in range(1, 13)], len(r))
    r["segment_region"] = rng.choice(["EMEA", "APAC"], len(r))
    t = survey.cells(r, Q).set_index(["question_id", "wave", "dimension", "segment", "group"])
    checked = 0
    for dim in ("business_unit", "region"):
        for (wave, seg, fn), grp in r.groupby(["wave", f"segment_{dim}", "function"]):
            for q in QIDS[:3]:
                row = t.loc[(q, wave, dim, seg, fn)]
                ok = grp[q].notna()
                assert (row["n_respondents"], row["n_answered"], row["n_yes"]) == (len(grp), ok.sum(), (grp[q] == 1).sum())
                assert row["yes_weight"] == pytest.approx((grp.loc[ok, q].astype(float) * grp.loc[ok, "weight"]).sum())
                assert row["max_weight"] == pytest.approx(grp.loc[ok, "weight"].max() if ok.any() else 0.0)
                checked += 1
    assert checked > 24 * 3 * 2 * 3, "every wave, unit and function was compared"


def test_empty_responses_give_empty_tables_of_the_same_shape():
    r = survey.synthetic_responses(Q, n=20)
    full, empty = survey.cells(r, Q), survey.cells(r.iloc[:0], Q)
    assert empty.empty and list(empty.columns) == list(full.columns)
    assert list(survey.benchmark(pd.DataFrame(), FINDINGS).columns) == compare.BENCHMARK_COLUMNS


# ---- the anonymity rule: change what must stay hidden, and nothing shown may change -------------------------------

def outputs(r: pd.DataFrame, k: int = 5) -> str:
    """Everything the page writes from responses, as text."""
    a = survey.analyse(r, Q, k)
    parts = [survey.publishable(a.table), survey.rounded(a.trend()), survey.rounded(survey.own_gaps(a.overall())),
             survey.rounded(survey.benchmark(a.overall(), FINDINGS))]
    return "\n".join(p.to_csv(index=False) for p in parts)


def flipped(r: pd.DataFrame, i: int) -> pd.DataFrame:
    out = r.copy()
    for q in QIDS:
        out.loc[i, q] = 1 - out.loc[i, q]
    return out


def base(n_marketing: int = 40, seed: int = 1) -> list[tuple[str, float, dict]]:
    rng = np.random.default_rng(seed)
    return [("marketing", 1.0, {q: int(rng.random() < 0.6) for q in QIDS}) for _ in range(n_marketing)]


@pytest.mark.parametrize("it_weights, k, reason", [
    ([1, 1, 1], 5, "fewer than 5 answered"),
    ([10, 10, 1, 1, 1, 1, 1, 1], 5, "effective sample size under 5"),
    ([10, 1, 1, 1, 1, 1, 1, 1, 1, 1], 3, "carries more than 33% of the group's weight"),
    ([0, 0, 0, 0, 0, 0], 5, "weights of this group sum to zero"),
])
def test_a_hidden_group_reveals_nothing(it_weights, k, reason):
    rng = np.random.default_rng(2)
    rows = base() + [("it", w, {q: int(rng.random() < 0.5) for q in QIDS}) for w in it_weights]
    r = frame(rows)
    table = survey.analyse(r, Q, k).table
    it = table[(table["group"] == "it") & (table["question_id"] != survey.RESPONDENTS)]
    assert it["suppressed"].all() and it["reason"].eq(privacy.HIDDEN).all() and it["percent"].isna().all()
    raw = aggregation.shares(aggregation.cells(r, Q))
    raw_it = raw[(raw["group"] == "it") & (raw["question_id"] == survey.RESPONDENTS)].iloc[0]
    assert reason in privacy.primary_reason(raw_it["n_answered"], raw_it["weight_sum"], raw_it["n_eff"],
                                            raw_it["max_share"], k)
    everyone = table[table["group"] == "all"]
    assert everyone["suppressed"].all(), "the total would give the hidden group away by subtraction"
    first_it = len(base())
    assert outputs(flipped(r, first_it), k) == outputs(r, k)
    assert outputs(flipped(r, 0), k) != outputs(r, k), "control: a visible respondent's change shows"


def test_a_group_just_above_every_threshold_is_shown():
    rows = base() + [("it", w, {}) for w in [5] + [1] * 10]  # share 5/15 = 1/3, the limit at k = 3; n_eff 6.4
    table = survey.analyse(frame(rows), Q, 3).table
    assert not table.loc[table["group"] == "it", "suppressed"].any()
    heavier = base() + [("it", w, {}) for w in [5.1] + [1] * 10]
    table = survey.analyse(frame(heavier), Q, 3).table
    assert table.loc[table["group"] == "it", "suppressed"].all(), "control: just over the limit hides"


def segment_scenario() -> pd.DataFrame:
    """Three business units; IT in Online has 3 people, so Online and one more unit must hide for IT."""
    rng = np.random.default_rng(4)
    units = ["Consumer"] * 40 + ["Enterprise"] * 25 + ["Online"] * 12
    fns = ["marketing"] * 25 + ["it"] * 15 + ["marketing"] * 15 + ["it"] * 10 + ["marketing"] * 9 + ["it"] * 3
    rows = [(f, 1.0, {q: int(rng.random() < 0.5) for q in QIDS}) for f in fns]
    return frame(rows, units=units)


def swap_candidates(r: pd.DataFrame, table: pd.DataFrame, q: str, hidden: bool = True, fn: str = "it"
                    ) -> tuple[int, int]:
    """Two respondents of function ``fn`` in different units who answer q differently, with every figure that holds exactly
    one of them hidden (``hidden=True``) or shown (``hidden=False``)."""
    t = table[(table["question_id"] == q) & (table["dimension"] == "business_unit")].set_index(["segment", "group"])
    members = r.index[r["function"] == fn]
    for a in members:
        for b in members:
            ua, ub = r.at[a, "segment_business_unit"], r.at[b, "segment_business_unit"]
            if ua == ub or r.at[a, q] == r.at[b, q]:
                continue
            cells = [(u, g) for u in (ua, ub) for g in (fn, "all")]
            states = [bool(t.loc[c, "suppressed"]) for c in cells]
            if all(states) if hidden else not any(states):
                return a, b
    raise AssertionError("no such pair in the scenario")


def swapped(r: pd.DataFrame, a: int, b: int, q: str) -> pd.DataFrame:
    out = r.copy()
    out.loc[a, q], out.loc[b, q] = r.at[b, q], r.at[a, q]
    return out


def test_no_hidden_segment_figure_can_be_recovered_by_differencing():
    r = segment_scenario()
    table = survey.analyse(r, Q).table
    seg = table[table["dimension"] == "business_unit"]
    assert seg.loc[(seg["segment"] == "Online") & (seg["group"] == "it"), "reason"].eq(privacy.HIDDEN).all()
    # Independent check of every relation: a shown total never sits beside exactly one hidden part.
    for (q, g), grp in seg.groupby(["question_id", "group"]):
        total = table[(table["question_id"] == q) & (table["dimension"] == "") & (table["group"] == g)]
        if not total["suppressed"].iloc[0]:
            assert grp["suppressed"].sum() != 1, (q, g)
    for (q, s), grp in seg.groupby(["question_id", "segment"]):
        hidden = grp.set_index("group")["suppressed"]
        assert hidden.sum() != 1, (q, s)
    q = QIDS[0]
    a, b = swap_candidates(r, table, q, hidden=True)
    assert outputs(swapped(r, a, b, q)) == outputs(r)
    assert outputs(flipped(r, 0)) != outputs(r), "control: a change to a shown group shows"


def test_waves_are_never_pooled_so_a_small_wave_stays_hidden():
    rng = np.random.default_rng(5)
    early = frame(base(30) + [("it", 1.0, {q: int(rng.random() < .5) for q in QIDS}) for _ in range(3)], wave="2024")
    late = frame(base(30, seed=3) + [("it", 1.0, {q: int(rng.random() < .5) for q in QIDS}) for _ in range(20)],
                 wave="2025")
    r = pd.concat([early, late], ignore_index=True)
    table = survey.analyse(r, Q).table
    assert table.loc[(table["wave"] == "2024") & (table["group"] == "it"), "suppressed"].all()
    assert not table.loc[(table["wave"] == "2025") & (table["group"] == "it"), "suppressed"].any()
    assert outputs(flipped(r, 30)) == outputs(r)
    assert outputs(flipped(r, len(early) + 31)) != outputs(r)


def test_published_figures_are_rounded():
    a = survey.analyse(survey.synthetic_responses(Q, n=200, seed=3), Q)
    pub = survey.publishable(a.table)
    shown = pub["percent"].dropna()
    assert (shown == shown.round(0)).all() and (pub["ci_low"].dropna() == pub["ci_low"].dropna().round(1)).all()
    assert not (a.table["percent"].dropna() == a.table["percent"].dropna().round(0)).all()  # so rounding did work


# ---- comparisons: one method for interval and test; bounds one way; segment references ---------------------------

@settings(max_examples=25, deadline=None)
@given(st.floats(0.02, 0.98), st.floats(0.02, 0.98), st.integers(10, 2000), st.integers(10, 2000),
       st.sampled_from([0.9, 0.95, 0.99]))
def test_the_two_sample_test_agrees_with_its_interval(p1, p2, n1, n2, conf):
    low, high, p = compare.two_sample(p1, n1, p2, n2, conf)
    if abs(p - (1 - conf)) > 1e-6:
        assert (p < 1 - conf) == (low > 0 or high < 0)


@settings(max_examples=25, deadline=None)
@given(st.floats(0.02, 0.98), st.floats(0.05, 0.95), st.integers(10, 2000), st.sampled_from([0.9, 0.95]))
def test_the_fixed_benchmark_test_agrees_with_its_interval(p, p0, n, conf):
    low, high, pv = compare.against_fixed(p, n, p0, conf)
    if abs(pv - (1 - conf)) > 1e-6:
        assert (pv < 1 - conf) == (low > 0 or high < 0)


def pub(metric: str, group: str, pct: float, qualifier: str = "=", base_n=pd.NA, study: str = "s") -> dict:
    return {"metric": metric, "group": group, "study_id": study, "year": 2020, "percent": pct, "base_n": base_n,
            "base_n_kind": "reported" if pd.notna(base_n) else "unknown", "qualifier": qualifier}


def yours(pct: float, group: str = "marketing", n: float = 400.0) -> pd.DataFrame:
    return pd.DataFrame([{"question_id": "q04", "metric": "shared_incentives", "group": group, "percent": pct,
                          "n_eff": n, "suppressed": False}])


def test_a_bound_supports_its_own_direction_only():
    table = pd.DataFrame([pub("shared_incentives", "marketing", 90, ">")])
    higher = survey.benchmark(yours(97), table).iloc[0]
    assert higher["verdict"] == "not testable against a bound" and pd.isna(higher["p_value"])
    lower = survey.benchmark(yours(80), table).iloc[0]
    assert lower["verdict"] == "lower" and lower["p_value"] < 0.05
    under = pd.DataFrame([pub("shared_incentives", "marketing", 30, "<")])
    assert survey.benchmark(yours(20), under).iloc[0]["verdict"] == "not testable against a bound"
    assert survey.benchmark(yours(45), under).iloc[0]["verdict"] == "higher"


def test_known_bases_count_and_unknown_ones_are_fixed():
    table = pd.DataFrame([pub("shared_incentives", "marketing", 61, base_n=69, study="a"),
                          pub("shared_incentives", "marketing", 61, study="b")])
    out = survey.benchmark(yours(75, n=50), table).set_index("study_id")
    low, high = stats.newcombe_interval(0.75, 50, 0.61, 69)
    assert (out.loc["a", "diff_low"], out.loc["a", "diff_high"]) == pytest.approx((100 * low, 100 * high))
    assert out.loc["a", "method"] == compare.TWO_SAMPLE
    assert out.loc["b", "benchmark_base_kind"] == "unknown: treated as fixed" and out.loc["b", "method"] == compare.FIXED
    assert out.loc["b", "diff_high"] - out.loc["b", "diff_low"] < out.loc["a", "diff_high"] - out.loc["a", "diff_low"]


def test_segment_references_are_labelled_and_not_counted():
    table = pd.DataFrame([pub("shared_incentives", "very_effective", 20), pub("shared_incentives", "marketing", 20)])
    out = survey.benchmark(yours(70), table).set_index("benchmark_group")
    assert out.loc["very_effective", "role"] == "segment reference"
    assert out.loc["very_effective", "verdict"] == "segment reference" and pd.isna(out.loc["very_effective", "p_adjusted"])
    assert out.loc["marketing", "p_adjusted"] == pytest.approx(out.loc["marketing", "p_value"])  # one test adjusted


def test_meaningful_difference_sits_beside_significance():
    table = pd.DataFrame([pub("shared_incentives", "marketing", 60, base_n=20000)])
    small = survey.benchmark(yours(63, n=20000), table, min_difference_pts=5).iloc[0]
    assert bool(small["significant"]) and not small["meaningful"] and small["verdict"].startswith("significant but")
    assert survey.benchmark(yours(63, n=20000), table, min_difference_pts=2).iloc[0]["verdict"] == "higher"


# ---- the notebook, run on a Qualtrics export: hidden changes leave every output byte-identical -------------------

def _people() -> pd.DataFrame:
    people = synthetic.synthetic_people(Q, n=80, seed=21)
    people["function"] = ["Marketing"] * 40 + ["IT / Technology"] * 40
    people["unit"] = ["Consumer"] * 25 + ["Enterprise"] * 15 + ["Consumer"] * 22 + ["Enterprise"] * 15 + ["Online"] * 3
    people["region"] = ["EMEA", "APAC"] * 40
    return people


def _pool(tmp_path: Path) -> Path:
    """The rest of a made-up portfolio of six organisations, as `python -m cmocio portfolio` hands it to a page."""
    from cmocio.portfolio import contributions, pooled

    contrib = pd.concat([contributions(f"o{i}", survey.synthetic_responses(Q, n=60, seed=i), Q, 5) for i in range(6)])
    path = tmp_path / "portfolio.csv"
    pooled(contrib, "this", Q).to_csv(path, index=False)
    return path


def _run(tmp_path: Path, name: str, people: pd.DataFrame) -> tuple[dict[str, bytes], list]:
    folder = tmp_path / name
    folder.mkdir()
    export = synthetic.write_qualtrics(people, Q, folder / "export.csv")
    out = folder / "out.ipynb"
    execute_notebook(NOTEBOOK, out, {
        "responses_path": str(export), "mapping_path": str(survey.MAPPINGS_DIR / "qualtrics.yaml"),
        "output_dir": str(tmp_path / "results" / name), "portfolio_path": str(_pool(folder)),
        "organisation": "Example <b>Ltd</b>"}, NOTEBOOK.parent)
    files = {p.name: p.read_bytes() for p in sorted((tmp_path / "results" / name).rglob("*")) if p.is_file()}
    nb = nbformat.read(str(out), as_version=4)
    outs = [c.outputs for c in nb.cells if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])]
    return files, outs, folder


class TestNotebookPrivacy:
    """One class, so that xdist keeps its three kernel runs on one worker."""

    @pytest.fixture(scope="class")
    @classmethod
    def runs(cls, tmp_path_factory):
        tmp = tmp_path_factory.mktemp("privacy")
        people = _people()
        q = QIDS[2]
        online = people.index[(people["unit"] == "Online") & (people["region"] == "EMEA")]
        enterprise_it = people.index[(people["unit"] == "Enterprise") & (people["function"] == "IT / Technology")]
        a = next(i for i in online if people.at[i, q] not in ("", "Don't know"))
        b = next(i for i in enterprise_it if people.at[i, q] not in ("", "Don't know", people.at[a, q])
                 and people.at[i, "region"] == people.at[a, "region"]
                 and (people.at[i, q] in ("Agree", "Strongly agree")) != (people.at[a, q] in ("Agree", "Strongly agree")))
        hidden = people.copy()
        hidden.loc[a, q], hidden.loc[b, q] = people.at[b, q], people.at[a, q]
        return {name: _run(tmp, name, p) for name, p in (("base", people), ("hidden", hidden))}

    def test_the_page_reads_the_export_and_states_the_rule(self, runs):
        files, outs, _ = runs["base"]
        text = str(outs)
        assert "Read: Qualtrics CSV \\\\(choice text\\\\)" in text and "no one carries more than 30%" in text
        assert "Anonymity of the pool" in text and "Example &lt;b&gt;Ltd&lt;/b&gt;" in text
        vs_pool = pd.read_csv(pd.io.common.BytesIO(files["portfolio.csv"]))
        assert len(vs_pool) and vs_pool["portfolio_percent"].notna().all() and vs_pool["n_organisations"].eq(6).all()
        answers = pd.read_csv(pd.io.common.BytesIO(files["segments.csv"]))
        online_it = answers[(answers["segment"] == "Online") & (answers["group"] == "it")]
        assert online_it["suppressed"].all() and online_it["percent"].isna().all()
        people = _people()
        everything = b"".join(files.values()).decode("utf-8", "replace") + text
        for secret in [*people["email"], *people["ip"], "R_0001", "single view"]:
            assert secret not in everything

    def test_the_analyst_pins_nothing_from_the_page_files(self, runs):
        files, _, folder = runs["base"]
        read = lambda name: pd.read_csv(pd.io.common.BytesIO(files[name]), keep_default_na=False,  # noqa: E731
                                        na_values={c: [""] for c in ("n_respondents", "n_answered", "n_missing",
                                                                     "percent")}, dtype={"wave": str})
        sizes, answers, segments = read("respondents.csv"), read("your_answers.csv"), read("segments.csv")
        drivers = read("driver_cells.csv")
        latest = sizes["wave"].iloc[-1]
        parts = [sizes.assign(question_id=survey.RESPONDENTS, n_answered=sizes["n_respondents"], percent=100.0),
                 answers.assign(wave=latest, dimension="", segment="all",
                                n_respondents=answers["n_answered"] + answers["n_missing"]),
                 segments.assign(wave=latest, n_respondents=np.nan), drivers]
        cols = ["question_id", "wave", "dimension", "segment", "group", "n_respondents", "n_answered", "percent",
                "suppressed"]
        table = pd.concat([p[cols] for p in parts], ignore_index=True).to_csv(index=False)
        responses = survey.load_responses(folder / "export.csv", Q, "weight", survey.MAPPINGS_DIR / "qualtrics.yaml")
        assert len(drivers) and not drivers["suppressed"].all(), "the page publishes drivers, so the attack covers them"
        split = {f"segment_{dr.dimension_of(p)}": np.where(responses[p].to_numpy(dtype=float, na_value=0) == 1,
                                                          dr.AGREE, dr.REST) for p in dr.practice_ids(Q, responses)}
        assert attacker.attack([table], attacker.truth_of(responses.assign(**split), QIDS)) == []
        assert (folder / survey.privacy.LEDGER_NAME).is_file(), "the release is recorded beside the export"

    def test_a_hidden_change_leaves_every_output_byte_identical(self, runs):
        assert runs["hidden"][0] == runs["base"][0]
        assert runs["hidden"][1] == runs["base"][1]

    def test_control_the_hidden_change_does_reach_the_data(self, runs):
        from cmocio.survey import aggregation

        base, hidden = (survey.convert(tmp / "export.csv", survey.load_mapping(survey.MAPPINGS_DIR / "qualtrics.yaml", Q),
                                       Q)[0] for tmp in (runs["base"][2], runs["hidden"][2]))
        assert not base.equals(hidden), "the swap changed nothing, so the test could not fail"
        raw_base = aggregation.shares(aggregation.cells(base, Q))
        raw_hidden = aggregation.shares(aggregation.cells(hidden, Q))
        assert not np.allclose(raw_base["percent"].fillna(-1), raw_hidden["percent"].fillna(-1))
