"""Hostile input and faults mid-build: clear messages, no lost or half-written output, full recovery."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from cmocio import DataValidationError, load_dataset, survey
from cmocio.errors import ParameterError
from cmocio.report import csv_safe, md_escape, start

from .conftest import edit_csv
from .conftest import build_here, make_notebook


def _problems(path: Path) -> list[str]:
    with pytest.raises(DataValidationError) as info:
        load_dataset(path)
    return [str(p) for p in info.value.problems]


# ---- bad input files ----------------------------------------------------------------------------

class TestBadFiles:
    def test_binary_file(self, data_copy):
        f = data_copy / "findings.csv"
        f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
        assert _problems(f) == ["findings.csv: looks like a binary file, not CSV text"]

    def test_50_mb_file_is_refused_up_front(self, data_copy):
        f = data_copy / "findings.csv"
        with open(f, "ab") as fh:
            fh.truncate(50 * 2**20)
        msgs = _problems(f)
        assert msgs == ["findings.csv: is 50 MiB; the limit for a findings file is 20 MiB"]

    def test_field_of_one_megabyte(self, data_copy):
        f = data_copy / "findings.csv"
        edit_csv(f, "Marketing and technology executives combined.", "x" * 2**20)
        assert _problems(f) == ["findings.csv, line 2, column 'note': field is 1,048,576 characters; the limit is 100,000"]

    def test_quoted_fields_with_commas_and_newlines_are_accepted(self, data_copy):
        f = data_copy / "findings.csv"
        edit_csv(f, "Marketing and technology executives combined.", '"Combined, both functions;\nsee ""About the Data"""')
        ds = load_dataset(f)
        assert ds.findings.iloc[0]["note"] == 'Combined, both functions;\nsee "About the Data"'
        assert ds.findings.index[1] == 4  # line numbers still follow the file after a two-line field

    def test_duplicate_study_and_bad_metric_direction(self, data_copy):
        edit_csv(data_copy / "studies.csv", "oracle-2013,Oracle 2013", "forrester-2013,Oracle 2013")
        edit_csv(data_copy / "metrics.csv", "goal_alignment_improved,alignment,Marketing and technology are more aligned "
                 "on business goals than a year earlier,1", "goal_alignment_improved,alignment,Marketing and technology "
                 "are more aligned on business goals than a year earlier,up")
        msgs = _problems(data_copy / "findings.csv")
        assert "studies.csv, line 3, column 'study_id': 'forrester-2013' appears more than once; ids must be unique" in msgs
        assert "metrics.csv, line 2, column 'direction': 'up' is not a whole number" in msgs

    def test_header_only_file(self, data_copy):
        f = data_copy / "sources.csv"
        f.write_text(f.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
        msgs = _problems(data_copy / "findings.csv")
        assert any("'apmdigest-2013' is not listed in sources.csv" in m for m in msgs)

    def test_bom_response_file_is_accepted(self, tmp_path):
        q = survey.load_questions()
        frame = survey.synthetic_responses(q, n=20)
        path = tmp_path / "r.csv"
        path.write_bytes(b"\xef\xbb\xbf" + frame.to_csv(index=False).replace("\n", "\r\n").encode())
        assert len(survey.load_responses(path, q)) == 20

    def test_empty_and_binary_response_files(self, tmp_path):
        q = survey.load_questions()
        empty = tmp_path / "empty.csv"
        empty.write_text("")
        with pytest.raises(DataValidationError, match="empty.csv: is empty"):
            survey.load_responses(empty, q)
        binary = tmp_path / "bin.csv"
        binary.write_bytes(b"\x00\x01\x02" * 100)
        with pytest.raises(DataValidationError, match="bin.csv: looks like a binary file"):
            survey.load_responses(binary, q)


class TestBadNotebookParameters:
    @pytest.mark.parametrize("kind", ["directory", "empty", "binary"])
    def test_findings_path_that_is_not_a_csv(self, tmp_path, kind):
        target = tmp_path / "findings.csv"
        if kind == "directory":
            target.mkdir()
        elif kind == "empty":
            target.write_text("")
        else:
            target.write_bytes(bytes(range(256)) * 4)
        expected = {"directory": "is a directory", "empty": "is empty", "binary": "looks like a binary file"}[kind]
        with pytest.raises(DataValidationError, match=expected):
            start("00_overview", findings_path=str(target), output_dir=str(tmp_path / "out"))

    def test_unwritable_output_dir(self, tmp_path):
        blocker = tmp_path / "file"
        blocker.write_text("not a folder")
        with pytest.raises(ParameterError, match="output_dir: cannot create"):
            start("00_overview", output_dir=str(blocker / "sub"))

    @pytest.mark.parametrize("value, message", [(0, "at least 1"), (2.5, "whole number"), (True, "whole number")])
    def test_min_group_size(self, value, message):
        from cmocio.survey import check_survey_parameters

        with pytest.raises(ParameterError, match=message):
            check_survey_parameters(value, "weight", "")


class TestUntrustedTextHelpers:
    def test_md_escape_neutralises_markup_and_links(self):
        out = md_escape('<script>x</script> [a](javascript:alert(1)) <img src=x onerror=y>')
        assert "<" not in out and ">" not in out and "](" not in out.replace("\\]\\(", "")
        assert "&lt;script&gt;" in out

    def test_csv_safe_guards_formulas_but_not_numbers(self):
        import pandas as pd

        frame = pd.DataFrame({"label": ["=1+2", "+cmd", "-x", "@SUM(A1)", "plain", "-5"], "n": [1, 2, 3, 4, 5, 6]})
        out = csv_safe(frame)
        assert list(out["label"]) == ["'=1+2", "'+cmd", "'-x", "'@SUM(A1)", "plain", "-5"]
        assert list(out["n"]) == [1, 2, 3, 4, 5, 6]


# ---- faults mid-build ---------------------------------------------------------------------------

def _pages(build: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (build / "html").glob("*.html") if p.is_file() and p.name != "index.html"}


def _no_partial_files(build: Path) -> None:
    leftovers = [p for p in build.rglob("*") if p.name.endswith(".tmp") or p.parent.name == ".tmp"]
    assert not leftovers, leftovers


#: One notebook per fault, all in one build: each must fail alone, with its own message.
FAULTS = {
    "01_killed": ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "01_killed: the kernel died during execution"),
    "02_raises": ("raise ValueError('boom in the data')", "02_raises: cell 3 (In [3]): ValueError: boom in the data"),
    "03_hangs": ("import time\ntime.sleep(120)",
                 "03_hangs: a cell ran longer than the per-cell timeout (2 s; see --cell-timeout)"),
    "04_blocked": ("print(x + 7)", "04_blocked: executed, but its output could not be written"),
}


@pytest.fixture(scope="class")
def faults(tmp_path_factory):
    """A good build, then one build in which every fault strikes a different notebook, then a fixed build."""
    root = tmp_path_factory.mktemp("faults")
    nb_dir, build = root / "nb", root / "build"
    nb_dir.mkdir()
    for name in ("00_ok", *FAULTS):
        make_notebook(nb_dir, name)
    assert build_here(nb_dir, build).returncode == 0
    before = _pages(build)
    make_notebook(nb_dir, "00_ok", body="print(x + 40)")
    for name, (body, _) in FAULTS.items():
        make_notebook(nb_dir, name, body=body)
    blocked = build / "html" / "04_blocked.html"
    blocked.unlink()
    blocked.mkdir()  # a folder where the page should go: the write fails, even as root
    res = build_here(nb_dir, build, "--cell-timeout", "2")  # in this process: its kernel is the one killed
    after = _pages(build)
    leftovers = [p for p in build.rglob("*") if p.name.endswith(".tmp") or p.parent.name == ".tmp"]
    index = (build / "html" / "index.html").read_text(encoding="utf-8")
    blocked.rmdir()
    for name in FAULTS:
        make_notebook(nb_dir, name)
    recovered = build_here(nb_dir, build)
    return SimpleNamespace(before=before, res=res, after=after, leftovers=leftovers, index=index,
                           recovered=recovered, build=build)


class TestFaultsMidBuild:
    def test_each_fault_fails_its_own_notebook_with_its_own_message(self, faults):
        assert faults.res.returncode == 1
        for name, (_, message) in FAULTS.items():
            assert message in faults.res.stderr, name
        assert "Traceback" not in faults.res.stderr

    def test_failed_notebooks_keep_their_last_good_page(self, faults):
        for name in ("01_killed", "02_raises", "03_hangs"):
            assert faults.after[f"{name}.html"] == faults.before[f"{name}.html"], name

    def test_the_healthy_notebook_is_built_regardless(self, faults):
        assert faults.after["00_ok.html"] != faults.before["00_ok.html"]
        assert "41" in (faults.build / "notebooks" / "00_ok.ipynb").read_text(encoding="utf-8")

    def test_no_partial_files_and_the_index_names_the_failures(self, faults):
        assert not faults.leftovers
        assert faults.index.count('class="card failed"') == len(FAULTS) and "boom in the data" in faults.index

    def test_the_next_build_recovers(self, faults):
        assert faults.recovered.returncode == 0, faults.recovered.stderr
        assert "Executing 4 notebook(s)" in faults.recovered.stdout
        assert set(_pages(faults.build)) == {f"{n}.html" for n in ("00_ok", *FAULTS, "report", "sources", "glossary")}


class TestUnwritableOutput:
    def test_build_folder_cannot_be_created(self, tmp_path):
        nb_dir = tmp_path / "nb"
        nb_dir.mkdir()
        make_notebook(nb_dir, "00_a")
        blocker = tmp_path / "build"
        blocker.write_text("a file where the build folder should be")
        res = build_here(nb_dir, blocker)
        assert res.returncode == 1 and "error: cannot write the build output" in res.stderr
        assert "Traceback" not in res.stderr
        assert blocker.read_text() == "a file where the build folder should be"

    @pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not stop root; the blocked page in "
                                                   "TestFaultsMidBuild and the build folder test cover it")
    def test_read_only_folder(self, built):
        nb_dir, build = built
        before = _pages(build)
        os.chmod(build / "html", 0o555)
        try:
            make_notebook(nb_dir, "01_b", body="print(x + 9)")
            res = build_here(nb_dir, build)
            assert res.returncode == 1 and _pages(build) == before
        finally:
            os.chmod(build / "html", 0o755)


def test_validate_command_never_shows_a_traceback(tmp_path):
    bad = tmp_path / "findings.csv"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    res = subprocess.run([sys.executable, "-m", "cmocio", "validate", str(bad)], capture_output=True, text=True)
    assert res.returncode == 1 and "Traceback" not in res.stderr and "findings.csv" in res.stderr
