"""Your-organisation survey: instrument, validation, aggregation, privacy, benchmarks."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import papermill
import pytest

from cmocio import DataValidationError, load_metrics, stats, survey

Q = survey.load_questions()


def write(tmp_path: Path, rows: list[str], header: str | None = None) -> Path:
    header = header or ",".join(survey.respondent_columns(Q))
    path = tmp_path / "responses.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def row(rid: str, function: str, weight: str = "1", answers: dict[str, str] | None = None) -> str:
    answers = answers or {}
    return ",".join([rid, function, weight] + [answers.get(q, "1") for q in Q["question_id"]])


def test_instrument_maps_to_known_metrics_and_template_matches():
    assert set(Q["metric"]) <= set(load_metrics()["metric"])
    header = (survey.SURVEY_DIR / "response_template.csv").read_text(encoding="utf-8").strip().split(",")
    assert header == list(survey.respondent_columns(Q))


def test_shipped_example_is_the_documented_generator_output():
    shipped = pd.read_csv(survey.EXAMPLE_PATH, dtype=str, keep_default_na=False)
    made = survey.synthetic_responses(Q).to_csv(index=False)
    assert shipped["respondent_id"].str.startswith("SYN-").all()
    assert survey.EXAMPLE_PATH.read_text(encoding="utf-8") == made
    assert 200 <= len(shipped) <= 1000 and set(shipped["function"]) == {"marketing", "it"}
    assert (shipped[list(Q["question_id"])] == "").to_numpy().any()  # some missing answers


def test_aggregate_by_hand(tmp_path):
    q1 = Q["question_id"].iloc[0]
    rows = [row("a", "marketing", "1", {q1: "1"}), row("b", "marketing", "1", {q1: "0"}),
            row("c", "marketing", "2", {q1: "1"}), row("d", "marketing", "1", {q1: ""}),
            row("e", "it", "1", {q1: "0"})]
    r = survey.load_responses(write(tmp_path, rows), Q)
    agg = survey.aggregate(r, Q).set_index(["question_id", "group"])
    m = agg.loc[(q1, "marketing")]
    assert m["n_answered"] == 3 and m["n_missing"] == 1 and m["n_respondents"] == 4
    assert m["percent"] == pytest.approx(75.0)  # (1 + 2) / (1 + 1 + 2)
    assert m["n_eff"] == pytest.approx(16 / 6)  # Kish: (sum w)^2 / sum w^2
    low, high = stats.wilson_interval(0.75, 16 / 6)
    assert (m["ci_low"], m["ci_high"]) == pytest.approx((100 * low, 100 * high))
    a = agg.loc[(q1, "all")]
    assert a["percent"] == pytest.approx(60.0) and a["n_answered"] == 4
    unweighted = survey.aggregate(r, Q, weight_column=None).set_index(["question_id", "group"])
    assert unweighted.loc[(q1, "marketing"), "percent"] == pytest.approx(200 / 3)
    assert unweighted.loc[(q1, "marketing"), "n_eff"] == pytest.approx(3)


def test_aggregate_matches_a_plain_groupby():
    r = survey.synthetic_responses(Q, n=500, seed=7)
    agg = survey.aggregate(r, Q).set_index(["question_id", "group"])
    for q in Q["question_id"]:
        for fn, grp in r.groupby("function"):
            ok = grp[q].notna()
            expect = 100 * (grp.loc[ok, q].astype(float) * grp.loc[ok, "weight"]).sum() / grp.loc[ok, "weight"].sum()
            assert agg.loc[(q, fn), "percent"] == pytest.approx(expect)


def test_empty_responses_give_an_empty_table_of_the_same_shape():
    full = survey.aggregate(survey.synthetic_responses(Q, n=20), Q)
    empty = survey.aggregate(survey.synthetic_responses(Q, n=20).iloc[:0], Q)
    assert empty.empty and list(empty.columns) == list(full.columns)


def test_suppression_hides_small_groups_and_the_total_that_would_reveal_them():
    r = survey.synthetic_responses(Q, n=60, seed=3)
    keep_it = r.index[r["function"] == "it"][:3]
    r = r[(r["function"] == "marketing") | r.index.isin(keep_it)]
    out = survey.suppress(survey.aggregate(r, Q), 5)
    it = out[out["group"] == "it"]
    assert it["suppressed"].all() and it["percent"].isna().all() and it["n_answered"].isna().all()
    assert out.loc[out["group"] == "all", "suppressed"].all()
    mk = out[out["group"] == "marketing"]
    assert (~mk["suppressed"]).all() and mk["percent"].notna().all()
    with pytest.raises(ValueError, match="at least 1"):
        survey.suppress(out, 0)


@pytest.mark.parametrize("bad_row, column, message", [
    (row("x", "finance"), "function", "'finance' is not a known function"),
    (row("x", "it", answers={"q03": "2"}), "q03", "'2' is not an answer"),
    (row("x", "it", answers={"q03": "yes"}), "q03", "'yes' is not an answer"),
    (row("x", "it", "-1"), "weight", "-1 is negative"),
    (row("x", "it", "heavy"), "weight", "'heavy' is not a number"),
    (row("a", "it"), "respondent_id", "'a' appears more than once"),
    (row("", "it"), "respondent_id", "is blank"),
])
def test_bad_responses_name_line_and_column(tmp_path, bad_row, column, message):
    path = write(tmp_path, [row("a", "marketing"), bad_row])
    with pytest.raises(DataValidationError) as info:
        survey.load_responses(path, Q)
    texts = [str(p) for p in info.value.problems]
    assert any(t.startswith(f"responses.csv, line 3, column '{column}'") and message in t for t in texts), texts


def test_unknown_question_and_missing_columns(tmp_path):
    header = ",".join(survey.respondent_columns(Q)) + ",q99"
    path = write(tmp_path, [row("a", "marketing") + ",1"], header=header)
    with pytest.raises(DataValidationError, match=r"line 1, column 'q99': is not a question of questions.csv"):
        survey.load_responses(path, Q)
    path = write(tmp_path, ["a,marketing,1"], header="respondent_id,function,weight")
    with pytest.raises(DataValidationError, match="has no question columns"):
        survey.load_responses(path, Q)
    path = write(tmp_path, [row("a", "marketing")])
    with pytest.raises(DataValidationError, match="column 'wt': required column is missing"):
        survey.load_responses(path, Q, weight_column="wt")


def test_benchmark_difference_and_interval():
    yours = pd.DataFrame([{"question_id": "q04", "metric": "shared_incentives", "group": "it", "percent": 80.0,
                           "n_eff": 50.0, "suppressed": False}])
    published = pd.DataFrame([{"metric": "shared_incentives", "group": "it", "study_id": "leapfrog-2016", "year": 2016,
                               "percent": 61.0, "base_n": 69, "qualifier": "="},
                              {"metric": "shared_incentives", "group": "it", "study_id": "leapfrog-2015", "year": 2015,
                               "percent": 37.0, "base_n": pd.NA, "qualifier": "="}])
    out = survey.benchmark(yours, published).set_index("study_id")
    low, high = stats.newcombe_interval(0.8, 50, 0.61, 69)
    assert out.loc["leapfrog-2016", "diff"] == pytest.approx(19)
    assert (out.loc["leapfrog-2016", "diff_low"], out.loc["leapfrog-2016", "diff_high"]) == pytest.approx((100 * low, 100 * high))
    assert math.isnan(out.loc["leapfrog-2015", "diff_low"]) and "unknown" in out.loc["leapfrog-2015", "caveat"]


class TestNotebookPrivacy:
    def test_notebook_suppresses_a_small_group_everywhere(self, tmp_path):
        r = survey.synthetic_responses(Q, n=80, seed=11)
        small_it = r.index[r["function"] == "it"][:3]
        r = r[(r["function"] == "marketing") | r.index.isin(small_it)]
        path = tmp_path / "small.csv"
        r.to_csv(path, index=False)
        nb = Path(__file__).resolve().parents[1] / "notebooks" / "05_benchmark_your_org.ipynb"
        out = tmp_path / "out.ipynb"
        papermill.execute_notebook(str(nb), str(out), parameters={"responses_path": str(path), "min_group_size": 5,
                                                                   "output_dir": str(tmp_path / "results")},
                                   kernel_name="python3", cwd=str(nb.parent), progress_bar=False)
        folder = tmp_path / "results" / "05_benchmark_your_org"
        answers = pd.read_csv(folder / "your_answers.csv")
        hidden = answers[answers["group"].isin(["it", "all"])]
        assert hidden["suppressed"].all() and hidden[["percent", "ci_low", "n_answered", "n_eff"]].isna().all().all()
        assert "it" not in set(pd.read_csv(folder / "benchmark.csv")["group"])
        assert "Your organisation" not in set(pd.read_csv(folder / "perception_gaps.csv")["source"])
        texts = [p.read_text(encoding="utf-8", errors="replace") for p in folder.glob("*.csv")] + [out.read_text()]
        ids = set(r["respondent_id"])
        assert not any(i in t for t in texts for i in ids), "a respondent id reached an output"
        assert "fewer than 5" in out.read_text()
