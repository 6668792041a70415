"""Every notebook executed headlessly with papermill under non-default parameters."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest

from cmocio.build import declared_parameters, discover
from cmocio.data import DATA_DIR, FILES

from .conftest import execute_notebook
from .browserkit import CHROMIUM, EVIL, FLAGS, FORMULA, open_page, render_site, require_chromium

NOTEBOOKS = discover()
NAMES = [p.stem for p in NOTEBOOKS]


def _execute(nb: Path, out_dir: Path, **params) -> nbformat.NotebookNode:
    out = out_dir / f"{nb.stem}.ipynb"
    execute_notebook(nb, out, {"output_dir": str(out_dir / "results"), **params}, nb.parent)
    return nbformat.read(str(out), as_version=4)


def _stderr(nb: nbformat.NotebookNode) -> list[str]:
    return [o.text for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if o.output_type == "stream" and o.name == "stderr"]


def test_every_notebook_declares_the_common_parameters():
    assert NAMES[:5] == ["00_overview", "01_alignment", "02_shared_incentives", "03_customer_experience",
                         "04_martech_planning"]
    for nb in NOTEBOOKS:
        params = declared_parameters(nb)
        for name, kind in [("confidence", "float"), ("studies", "list"), ("findings_path", "str"),
                           ("output_dir", "str")]:
            assert params[name]["inferred_type_name"] == kind, (nb.name, name)
            assert params[name]["help"], f"{nb.name}: parameter {name} has no comment"
        cells = nbformat.read(str(nb), as_version=4).cells
        first_code = next(c for c in cells if c.cell_type == "code")
        assert "parameters" in first_code.metadata.get("tags", []), nb.name


def test_committed_notebooks_have_no_volatile_metadata():
    for nb_path in NOTEBOOKS:
        nb = nbformat.read(str(nb_path), as_version=4)
        assert "papermill" not in nb.metadata
        for c in nb.cells:
            assert "execution" not in c.metadata and "papermill" not in c.metadata
            if c.cell_type == "code":
                assert c.execution_count is not None, f"{nb_path.name} is not executed"
        assert not _stderr(nb), f"{nb_path.name} printed on stderr"


@pytest.fixture(scope="class")
def extra_study(tmp_path_factory) -> Path:
    """The shipped data plus a made-up wave 'acme-2025' of both functions, with known bases.

    One wording carries markup and a javascript: link, and one study label a spreadsheet
    formula, as hostile data files might: every page and CSV must show them as text.
    """
    folder = tmp_path_factory.mktemp("data")
    for name in FILES.values():
        shutil.copy(DATA_DIR / name, folder / name)
    metrics = pd.read_csv(folder / "metrics.csv", dtype=str, keep_default_na=False)
    metrics.loc[metrics["metric"] == "relationship_collaborative", "wording"] = EVIL
    metrics.to_csv(folder / "metrics.csv", index=False)
    studies = pd.read_csv(folder / "studies.csv", dtype=str, keep_default_na=False)
    studies.loc[studies["study_id"] == "leapfrog-2016", "label"] = FORMULA
    studies.to_csv(folder / "studies.csv", index=False)
    with open(folder / "studies.csv", "a", encoding="utf-8") as fh:
        fh.write("acme-2025,Acme 2025,Acme Research,Made-up test wave,,,2025,400,=,Test respondents,UK,50,50,"
                 "Made up for tests.,\n")
    with open(folder / "sources.csv", "a", encoding="utf-8") as fh:
        fh.write("acme-article,,,unknown,Test Gazette,A made-up article,,2025-01-01,,secondary,acme-2025\n")
    rows = [("acme-01", "alignment", "relationship_collaborative", "marketing", 70),
            ("acme-02", "alignment", "relationship_collaborative", "it", 40),
            ("acme-03", "incentives", "shared_incentives", "marketing", 65),
            ("acme-04", "martech_planning", "multiyear_martech_strategy_plan", "very_effective", 80),
            ("acme-05", "martech_planning", "multiyear_martech_strategy_plan", "effective", 20)]
    with open(folder / "findings.csv", "a", encoding="utf-8") as fh:
        for fid, theme, metric, group, pct in rows:
            fh.write(f"{fid},acme-2025,acme-article,{theme},{metric},{group},,2025,{pct},=,{pct}%,200,reported,,,,acme-article\n")
    return folder / "findings.csv"


def _run_one(tmp_path_factory, extra_study: Path, name: str) -> tuple[Path, nbformat.NotebookNode]:
    """One notebook at confidence=0.9 on the shipped data plus the made-up study."""
    out = tmp_path_factory.mktemp(name)
    nb = _execute(next(p for p in NOTEBOOKS if p.stem == name), out, confidence=0.9,
                  findings_path=str(extra_study), assumed_base_n=0)
    assert not _stderr(nb), f"{name} printed on stderr"
    return out / "results" / name, nb


class TestOverviewNonDefault:
    """Each notebook runs in its own class so that xdist spreads the runs over workers."""

    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, tmp_path_factory, extra_study):
        return _run_one(tmp_path_factory, extra_study, "00_overview")

    def test_new_study_appears_in_overview(self, run):
        studies = pd.read_csv(run[0] / "studies.csv")
        assert studies.set_index("study_id").loc["acme-2025", "figures"] == 5

    def test_chart_written(self, run):
        png = run[0] / "coverage.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 1000


class TestAlignmentNonDefault:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, tmp_path_factory, extra_study):
        return _run_one(tmp_path_factory, extra_study, "01_alignment")

    def test_new_study_gap_with_90_percent_interval(self, run):
        from cmocio.stats import newcombe_interval, newcombe_pvalue

        gaps = pd.read_csv(run[0] / "perception_gaps.csv")
        acme = gaps[gaps["study_id"] == "acme-2025"].iloc[0]
        # 70% against 40%, each rounded: the interval spans 69.5-70.5 against 39.5-40.5, the test is at 69.5 against 40.5
        low = newcombe_interval(0.695, 200, 0.405, 200, confidence=0.9)[0]
        high = newcombe_interval(0.705, 200, 0.395, 200, confidence=0.9)[1]
        assert acme["diff"] == pytest.approx(30)
        assert (acme["diff_low"], acme["diff_high"]) == pytest.approx((100 * low, 100 * high), abs=1e-6)
        assert acme["rosier"] == "marketing"
        # Only rows with known bases are tested and adjusted together.
        tested = gaps[gaps["p_value"].notna()]
        assert {"acme-2025", "leapfrog-2016", "accenture-2013"} <= set(tested["study_id"])
        assert tested["n_a"].notna().all() and tested["n_b"].notna().all(), "a test needs both bases"
        assert acme["p_value"] == pytest.approx(newcombe_pvalue(0.695, 200, 0.405, 200), rel=1e-6)
        assert acme["base_a"] == acme["base_b"] == "reported" and acme["conclusion"] == "holds whatever the unknown bases"

    def test_chart_written(self, run):
        assert (run[0] / "perception_gap.png").stat().st_size > 1000
        svg = (run[0] / "perception_gap.svg").read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "<dc:date>" not in svg

    def test_markup_in_data_is_shown_as_text_and_never_runs(self, run, tmp_path):
        sync_api = require_chromium()
        page_path = render_site(tmp_path, {"01_alignment": run[1]}).parent / "01_alignment.html"
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page, log = open_page(browser, page_path.as_uri())
            assert page.evaluate("window.__pwned === undefined")
            assert not log["dialogs"]
            assert not [u for u in log["requests"] if u.endswith("/x")], "an injected <img> was requested"
            assert "<script>window.__pwned = 1</script>" in page.inner_text("body")
            assert page.evaluate("Array.from(document.querySelectorAll('a[href^=\"javascript:\"]')).length") == 0
            browser.close()

    def test_written_csv_cells_are_guarded_against_formulas(self, run):
        gaps = pd.read_csv(run[0] / "perception_gaps.csv", dtype=str)
        labels = set(gaps["study"])
        assert "'" + FORMULA in labels
        assert not any(str(v).startswith(("=", "+", "@")) for v in labels)


class TestIncentivesNonDefault:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, tmp_path_factory, extra_study):
        return _run_one(tmp_path_factory, extra_study, "02_shared_incentives")

    def test_new_wave_extends_the_series(self, run):
        figures = pd.read_csv(run[0] / "incentive_figures.csv")
        assert "acme-2025" in set(figures["study_id"])


class TestCustomerExperienceNonDefault:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, tmp_path_factory, extra_study):
        return _run_one(tmp_path_factory, extra_study, "03_customer_experience")

    def test_intervals_at_90_percent(self, run):
        from cmocio.stats import wilson_interval

        own = pd.read_csv(run[0] / "cx_ownership.csv").set_index("finding_id")
        low, high = wilson_interval(0.56, 1100, 0.9)
        assert (own.loc["ac14-15", "ci_low"], own.loc["ac14-15", "ci_high"]) == pytest.approx((100 * low, 100 * high), abs=1e-6)


class TestMartechNonDefault:
    @pytest.fixture(scope="class")
    @classmethod
    def run(cls, tmp_path_factory, extra_study):
        return _run_one(tmp_path_factory, extra_study, "04_martech_planning")

    def test_intervals_use_the_requested_confidence(self, run):
        from cmocio.stats import wilson_interval

        seg = pd.read_csv(run[0] / "segment_figures.csv")
        row = seg[seg["finding_id"] == "cc21-41"].iloc[0]  # the release's exact 60%, not "6 in 10"
        low, high = wilson_interval(row["percent"] / 100, row["n_used"], 0.9)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((100 * low, 100 * high), abs=1e-6)

    def test_new_wave_joins_the_martech_segment_gaps(self, run):
        seg = pd.read_csv(run[0] / "segment_gaps.csv")
        assert "acme-2025" in set(seg["study_id"])


@pytest.fixture(scope="class")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("subset")
    for p in NOTEBOOKS:
        if p.stem == "01_alignment":
            _execute(p, out, studies=["leapfrog-2015", "leapfrog-2016"], assumed_base_n=100)
        if p.stem == "00_overview":  # as `papermill -p studies '["leapfrog-2015", "leapfrog-2016"]'` passes it: text
            _execute(p, out, studies='["leapfrog-2015", "leapfrog-2016"]')
    return out / "results"


class TestStudySubset:
    """studies=[two Leapfrog waves]: nothing from other studies reaches the tables."""

    def test_the_overview_reads_studies_given_as_text(self, results):
        studies = pd.read_csv(results / "00_overview" / "studies.csv")
        assert list(studies["study_id"]) == ["leapfrog-2015", "leapfrog-2016"]
        headlines = pd.read_csv(results / "00_overview" / "headlines.csv")
        assert len(headlines) >= 3 and not headlines["headline"].str.contains("Forrester|Oracle|Accenture").any()

    def test_only_selected_studies(self, results):
        figures = pd.read_csv(results / "01_alignment" / "other_alignment.csv")
        gaps = pd.read_csv(results / "01_alignment" / "perception_gaps.csv")
        assert set(figures["study_id"]) | set(gaps["study_id"]) <= {"leapfrog-2015", "leapfrog-2016"}
        assert len(gaps) > 0

    def test_assumed_base_is_used_and_labelled(self, results):
        changes = pd.read_csv(results / "01_alignment" / "relationship_changes.csv")
        tested = changes[changes["role"] == "headline"]  # a question's other categories are shown, not tested
        assert len(tested) >= 2 and tested["diff_low"].notna().all()
        assert changes.loc[changes["role"] != "headline", "diff_low"].isna().all()
        assert changes["caveat"].str.contains("assumed n=100").all()
        assert (changes["n_early"] == 100).all()


class TestBadParameters:
    def test_a_bad_parameter_stops_the_notebook_with_a_clear_message(self, tmp_path):
        nb = next(p for p in NOTEBOOKS if p.stem == "00_overview")
        with pytest.raises(papermill.PapermillExecutionError) as info:
            _execute(nb, tmp_path, confidence=95)
        assert info.value.ename == "ParameterError"
        assert "confidence must be a fraction between 0 and 1" in info.value.evalue

    @pytest.mark.parametrize("params, message", [
        ({"confidence": -1}, "confidence must be a fraction between 0 and 1"),
        ({"confidence": True}, "confidence must be a fraction between 0 and 1"),
        ({"studies": ["no-such-study"]}, "unknown study id(s) 'no-such-study'"),
        ({"studies": "leapfrog-2016"}, "studies must be a list"),
        ({"studies": "[leapfrog-2016, 3]"}, "studies must be a list of study ids (text)"),
        ({"findings_path": "/nonexistent/findings.csv"}, "findings file not found"),
        ({"assumed_base_n": -5}, "assumed_base_n must be a whole number"),
        ({"output_dir": ""}, "output_dir must be a folder path"),
    ])
    def test_start_refuses_bad_parameters(self, tmp_path, params, message):
        from cmocio import DataValidationError, ParameterError, report

        args = {"output_dir": str(tmp_path), **params}
        with pytest.raises((ParameterError, DataValidationError)) as info:
            report.start("00_overview", **args)
        assert message in str(info.value)
