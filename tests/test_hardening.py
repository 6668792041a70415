"""Hostile input and faults mid-build: clear messages, no lost or half-written output, full recovery."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cmocio import DataValidationError, load_dataset, survey
from cmocio.errors import ParameterError
from cmocio.report import csv_safe, md_escape, start

from .conftest import edit_csv
from .conftest import make_notebook, run_build


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
        from cmocio.report import check_survey_parameters

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


class TestKernelKilled:
    def test_dead_kernel(self, built):
        nb_dir, build = built
        before = _pages(build)
        make_notebook(nb_dir, "01_b", body="import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
        make_notebook(nb_dir, "00_a", body="print(x + 100)")
        res = run_build(nb_dir, build)
        assert res.returncode == 1
        assert "01_b: the kernel died during execution" in res.stderr
        assert _pages(build)["01_b.html"] == before["01_b.html"]
        assert _pages(build)["00_a.html"] != before["00_a.html"]  # the other notebook was built
        _no_partial_files(build)
        make_notebook(nb_dir, "01_b")
        assert run_build(nb_dir, build).returncode == 0


class TestCellTimeout:
    def test_hanging_cell(self, built):
        nb_dir, build = built
        before = _pages(build)
        make_notebook(nb_dir, "01_b", body="import time\ntime.sleep(120)")
        res = run_build(nb_dir, build, "--cell-timeout", "2")
        assert res.returncode == 1
        assert "01_b: a cell ran longer than the per-cell timeout (2 s; see --cell-timeout)" in res.stderr
        assert _pages(build) == before
        _no_partial_files(build)
        assert "01_b" in (build / "html" / "index.html").read_text(encoding="utf-8")
        make_notebook(nb_dir, "01_b")
        assert run_build(nb_dir, build).returncode == 0
        assert run_build(nb_dir, build, "--cell-timeout", "0").returncode == 2


class TestUnwritableOutput:
    def test_one_page_cannot_be_written(self, built):
        nb_dir, build = built
        before = _pages(build)
        (build / "html" / "01_b.html").unlink()
        (build / "html" / "01_b.html").mkdir()  # a folder where the page should go: the write fails, even as root
        make_notebook(nb_dir, "01_b", body="print(x + 7)")
        make_notebook(nb_dir, "00_a", body="print(x + 8)")
        res = run_build(nb_dir, build)
        assert res.returncode == 1
        assert "01_b: executed, but its output could not be written" in res.stderr
        assert _pages(build)["00_a.html"] != before["00_a.html"]
        _no_partial_files(build)
        (build / "html" / "01_b.html").rmdir()
        assert run_build(nb_dir, build).returncode == 0

    def test_build_folder_cannot_be_created(self, tmp_path):
        nb_dir = tmp_path / "nb"
        nb_dir.mkdir()
        make_notebook(nb_dir, "00_a")
        blocker = tmp_path / "build"
        blocker.write_text("a file where the build folder should be")
        res = run_build(nb_dir, blocker)
        assert res.returncode == 1 and "error: cannot write the build output" in res.stderr
        assert "Traceback" not in res.stderr
        assert blocker.read_text() == "a file where the build folder should be"

    @pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not stop root; covered by the two tests above")
    def test_read_only_folder(self, built):
        nb_dir, build = built
        before = _pages(build)
        os.chmod(build / "html", 0o555)
        try:
            make_notebook(nb_dir, "01_b", body="print(x + 9)")
            res = run_build(nb_dir, build)
            assert res.returncode == 1 and _pages(build) == before
        finally:
            os.chmod(build / "html", 0o755)


def test_validate_command_never_shows_a_traceback(tmp_path):
    bad = tmp_path / "findings.csv"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    res = subprocess.run([sys.executable, "-m", "cmocio", "validate", str(bad)], capture_output=True, text=True)
    assert res.returncode == 1 and "Traceback" not in res.stderr and "findings.csv" in res.stderr
