"""python -m cmocio build: parallel runs, incremental skips, failures, bad parameters, interruption."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cmocio.build import declared_parameters, parse_value, strip_volatile
from cmocio.site import Page, PageContext, notebook_summary, render_html

from .conftest import build_here, make_notebook

@pytest.fixture
def trio(tmp_path: Path) -> tuple[Path, Path]:
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    for name in ("00_a", "01_b", "02_c"):
        make_notebook(nb_dir, name)
    return nb_dir, tmp_path / "build"


class TestParallelAndIncremental:
    def test_parallel_build_then_incremental_skip(self, trio):
        nb_dir, build = trio
        first = build_here(nb_dir, build, "-j", "2")  # two spawned workers, each with its own kernel
        assert first.returncode == 0, first.stderr
        assert "on 2 local worker(s)" in first.stdout and "[3/3]" in first.stdout
        for name in ("00_a", "01_b", "02_c"):
            page = (build / "html" / f"{name}.html").read_text(encoding="utf-8")
            assert "Summary of" in page and 'href="00_a.html"' in page
            executed = nbformat.read(str(build / "notebooks" / f"{name}.ipynb"), as_version=4)
            assert executed.cells[-1].outputs[0]["text"] == "2\n"
        index = (build / "html" / "index.html").read_text(encoding="utf-8")
        assert index.count('class="card ok"') == 3 and "01_b.html" in index

        again = build_here(nb_dir, build)
        assert again.returncode == 0 and "Executing 0 notebook(s)" in again.stdout and "3 up to date" in again.stdout

        make_notebook(nb_dir, "01_b", body="print(x * 3)")
        changed = build_here(nb_dir, build)
        assert "Executing 1 notebook(s)" in changed.stdout and "01_b: ok" in changed.stdout

        param = build_here(nb_dir, build, "-p", "x", "5", "--only", "00_a")
        assert "Executing 1 notebook(s)" in param.stdout
        executed = nbformat.read(str(build / "notebooks" / "00_a.ipynb"), as_version=4)
        assert executed.cells[-1].outputs[0]["text"] == "10\n"


class TestMovedBuild:
    def test_a_moved_build_stays_up_to_date(self, built):
        """The cache keys paths inside the build folder relative to it: a copied build needs no re-run."""
        nb_dir, build = built
        res = build_here(nb_dir, build)
        assert res.returncode == 0 and "Executing 0 notebook(s)" in res.stdout and "2 up to date" in res.stdout


def _build_in_process(capsys, nb_dir: Path, build_dir: Path, *args: str) -> tuple[int, str, str]:
    """``python -m cmocio build`` in this process: for argument errors, which stop before any kernel starts."""
    from cmocio.__main__ import main

    code = main(["build", "--notebook-dir", str(nb_dir), "--build-dir", str(build_dir), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


class TestBadArguments:
    def test_unknown_parameter_fails_before_anything_runs(self, trio, capsys):
        nb_dir, build = trio
        code, _, err = _build_in_process(capsys, nb_dir, build, "-p", "confidnce", "0.9")
        assert code == 2
        assert "-p confidnce: no selected notebook declares this parameter" in err
        assert not build.exists()

    def test_wrong_type_unknown_notebook_and_bad_timeout(self, trio, capsys):
        nb_dir, build = trio
        code, _, err = _build_in_process(capsys, nb_dir, build, "-p", "x", "many")
        assert code == 2 and "expects a whole number, got 'many'" in err
        code, _, err = _build_in_process(capsys, nb_dir, build, "--only", "09_nope")
        assert code == 2 and "no notebook named 09_nope" in err
        code, _, err = _build_in_process(capsys, nb_dir, build, "--cell-timeout", "0")
        assert code == 2 and "--cell-timeout must be a positive number of seconds" in err
        assert not build.exists()


class TestSelectionAndModes:
    def test_only_runs_a_subset_and_reader_mode_hides_code(self, trio):
        nb_dir, build = trio
        res = build_here(nb_dir, build, "--reader", "--only", "01_b")
        assert res.returncode == 0 and "Executing 1 notebook(s)" in res.stdout
        assert not (build / "html" / "00_a.html").exists()
        page = (build / "html" / "01_b.html").read_text(encoding="utf-8")
        assert "print(x" not in page and "Summary of" in page


class TestInterrupt:
    def test_sigint_leaves_previous_pages_intact(self, built):
        nb_dir, build = built
        before = {p.name: p.read_bytes() for p in (build / "html").iterdir()}
        # 00_a stays up to date; 01_b says when its cell is running (in its work folder), then sleeps
        make_notebook(nb_dir, "01_b", body="import pathlib, time\npathlib.Path('running').touch()\ntime.sleep(60)")
        proc = subprocess.Popen([sys.executable, "-m", "cmocio", "build", "--notebook-dir", str(nb_dir),
                                 "--build-dir", str(build)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline and not list((build / ".tmp").glob("*/running")):
            time.sleep(0.1)
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, (out, err)
        assert "Interrupted" in out
        after = {p.name: p.read_bytes() for p in (build / "html").iterdir()}
        assert set(after) == set(before)
        status_pages = ("index.html", "report.html")  # these record the interruption; every other page is untouched
        assert {k: v for k, v in after.items() if k not in status_pages} == \
            {k: v for k, v in before.items() if k not in status_pages}
        assert b"interrupted" in after["index.html"] and b"00_a.html" in after["index.html"]
        assert b"interrupted" in after["report.html"]
        # the next build recovers
        make_notebook(nb_dir, "01_b")
        assert build_here(nb_dir, build).returncode == 0


def test_update_strips_volatile_metadata(tmp_path):
    make_notebook(tmp_path, "00_a")
    res = build_here(tmp_path, tmp_path / "build", "--update")
    assert res.returncode == 0, res.stderr
    nb = json.loads((tmp_path / "00_a.ipynb").read_text(encoding="utf-8"))
    assert "papermill" not in nb["metadata"]
    assert all("papermill" not in c["metadata"] and "execution" not in c["metadata"] for c in nb["cells"])
    assert nb["cells"][2]["execution_count"] == 2 and nb["cells"][2]["outputs"][0]["text"] == ["2\n"]
    assert oct((tmp_path / "00_a.ipynb").stat().st_mode & 0o777) != "0o600"


def test_declared_parameters_and_values(tmp_path):
    path = make_notebook(tmp_path, "00_a")
    params = declared_parameters(path)
    assert params["x"]["inferred_type_name"] == "int" and params["x"]["help"] == "a number to print"
    assert parse_value("0.9") == 0.9 and parse_value("['a']") == ["a"] and parse_value("text") == "text"


def test_render_html_has_no_network_scripts_and_escapes_data(tmp_path):
    nb = new_notebook()
    nb.cells = [new_markdown_cell("# T\n\nsee [b](01_b.ipynb)"), new_code_cell("1")]
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "1"}, execution_count=1)]
    page = render_html(strip_volatile(nb), PageContext([Page("00_a", "T", "00_a.html")], "00_a"))
    assert 'href="01_b.html"' in page and "cdnjs" not in page
    # the only script file a page loads is the site's own search index, beside it
    assert re.findall(r'<script src="([^"]+)"', page) == ["search-index.js"]
    assert notebook_summary(nb)[:2] == ("T", "see [b](01_b.ipynb)")


def test_a_reused_kernel_gives_each_notebook_a_fresh_start(tmp_path):
    """One kernel per worker, reset between notebooks: no variable, plot setting, folder or count carries over."""
    nb_dir, build = tmp_path / "nb", tmp_path / "build"
    nb_dir.mkdir()
    make_notebook(nb_dir, "00_a", body="import os, matplotlib\nleak = 41\nmatplotlib.rcParams['lines.linewidth'] = 9\n"
                                        "os.chdir('/')\nprint(x, os.getpid())")
    make_notebook(nb_dir, "01_b", body="import os, matplotlib\nprint('leak' in dir(), "
                                        "matplotlib.rcParams['lines.linewidth'], os.getcwd(), os.getpid())")
    res = build_here(nb_dir, build)  # one worker: both notebooks run in the same kernel (this process's)
    assert res.returncode == 0, res.stderr
    first = nbformat.read(str(build / "notebooks" / "00_a.ipynb"), as_version=4)
    nb = nbformat.read(str(build / "notebooks" / "01_b.ipynb"), as_version=4)
    leaked, width, cwd, pid = nb.cells[-1].outputs[0]["text"].split()
    assert first.cells[-1].outputs[0]["text"].split()[1] == pid, "both notebooks ran in one kernel"
    assert (leaked, width) == ("False", "1.5")
    assert Path(cwd).parent == build.resolve() / ".tmp" and Path(cwd).name.startswith("cmocio-01_b."), \
        "each notebook runs in its own work folder, not where the previous one left the kernel"
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2, 3]
    assert [c.outputs for c in nb.cells if c.cell_type == "code"][:-1] == [[], []], "no history or reset chatter"


def test_local_workers_are_renewed_after_their_share_of_jobs(monkeypatch):
    from cmocio.build import executors

    from ._jobs import worker_pid

    monkeypatch.setattr(executors, "JOBS_PER_WORKER", 2)
    ex = executors.LocalExecutor(1)
    try:
        done = dict(res for _, res in ex.run(worker_pid, list(range(5))))
    finally:
        ex.close()
    assert sorted(done) == [0, 1, 2, 3, 4], "every job ran once"
    pids = [done[j] for j in range(5)]
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4], "a fresh worker every two jobs"


def test_the_reproduce_command_runs_from_the_project_root_as_printed(built):
    import html

    nb_dir, build = built
    page = (build / "html" / "00_a.html").read_text(encoding="utf-8")
    command = html.unescape(re.search(r'<pre class="reproduce">(.*?)</pre>', page, re.S).group(1))
    assert command.startswith("papermill nb/00_a.ipynb build/notebooks/00_a.ipynb"), command
    (build / "notebooks" / "00_a.ipynb").unlink()
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run(command, shell=True, cwd=nb_dir.parent, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    again = nbformat.read(str(build / "notebooks" / "00_a.ipynb"), as_version=4)
    assert again.cells[-1].outputs[0]["text"] == "2\n"
