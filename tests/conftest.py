"""Shared fixtures: a writable copy of the shipped dataset to break in tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cmocio.data import DATA_DIR, FILES

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def shipped():
    """The shipped dataset, loaded once per test session (read it; do not change it)."""
    from cmocio import load_dataset

    return load_dataset()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A folder holding a copy of the shipped tables."""
    for name in FILES.values():
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


PARAMS = 'output_dir: str = "results"  # where to write\nx: int = 1  # a number to print'


def make_notebook(folder: Path, name: str, body: str = "print(x * 2)", title: str | None = None) -> Path:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.cells = [new_markdown_cell(f"# {title or name.title()}\n\nSummary of {name}.\n\nLink to [other](00_a.ipynb)."),
                new_code_cell(PARAMS, metadata={"tags": ["parameters"]}),
                new_code_cell(body)]
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, str(path))
    return path


def command_here(*argv: str) -> subprocess.CompletedProcess:
    """``python -m cmocio ARGV`` in this test process: the same command line, output and exit code, on the
    process's warm kernel (for the steps of a test that are not about starting the command itself)."""
    import contextlib
    import io

    from cmocio.__main__ import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return subprocess.CompletedProcess(list(argv), code, out.getvalue(), err.getvalue())


def build_here(nb_dir: Path, build_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """``python -m cmocio build`` on two folders, in this test process (:func:`command_here`)."""
    jobs = [] if "-j" in args else ["-j", "1"]  # one worker unless a test asks: the suite already runs in parallel
    return command_here("build", "--notebook-dir", str(nb_dir), "--build-dir", str(build_dir), *jobs, *args)


@pytest.fixture(scope="session")
def _built_template(tmp_path_factory) -> tuple[Path, Path]:
    """One finished build of two small notebooks per test worker, copied by :func:`built`."""
    root = tmp_path_factory.mktemp("built")
    nb_dir, build = root / "nb", root / "build"
    nb_dir.mkdir()
    make_notebook(nb_dir, "00_a")
    make_notebook(nb_dir, "01_b")
    res = build_here(nb_dir, build)
    assert res.returncode == 0, res.stderr
    return nb_dir, build


@pytest.fixture
def built(tmp_path: Path, _built_template: tuple[Path, Path]) -> tuple[Path, Path]:
    """A private copy of a finished, up-to-date build: (notebook folder, build folder)."""
    nb_dir, build = tmp_path / "nb", tmp_path / "build"
    shutil.copytree(_built_template[0], nb_dir)
    shutil.copytree(_built_template[1], build)
    return nb_dir, build


def execute_notebook(nb: Path, out: Path, parameters: dict, cwd: Path) -> None:
    """papermill on this test process's kernel, reset before each notebook as the build resets it.

    Starting a kernel and importing the libraries costs seconds; the build's reset gives
    each notebook an empty namespace, the default plot settings and its own folder.
    """
    import tempfile

    import papermill

    from cmocio.build import kernels

    km = kernels.worker_kernel(Path(tempfile.gettempdir()) / "cmocio-test-kernels")
    try:
        kernels.fresh_namespace(km, str(cwd))
        papermill.execute_notebook(str(nb), str(out), parameters=parameters, kernel_name="python3", cwd=str(cwd),
                                   progress_bar=False, km=km)
    except papermill.PapermillExecutionError:
        raise  # a cell raised and the kernel is idle: the next notebook's reset empties it
    except BaseException:
        kernels.discard_kernel()  # in an unknown state: the next notebook gets a new one
        raise


def edit_csv(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a CSV, failing loudly if the text is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


# Scopes (a test class, a module's test functions, a notebook's cells: the units of pytest-xdist's --dist loadscope)
# are dealt to the workers longest first, so that no long scope starts while the other worker runs out of work
# (longest-processing-time-first). A scope's length is the seconds it took in the last run that ran it (kept in
# pytest's cache), else the estimate below (seconds on an idle 2-core machine; the first pattern a node id contains
# wins; anything else counts as small). Items of one scope keep their order and stay together.
_SECONDS = (("test_cluster.py", 14), ("test_survey.py::TestNotebookPrivacy", 10), ("test_hardening.py::TestFaults", 10),
            ("test_portfolio.py::TestPortfolioRun", 9), ("05_benchmark_your_org.ipynb", 9), ("01_alignment.ipynb", 7),
            ("test_browser.py::Test", 7), ("test_notebooks.py::TestAlignment", 5), ("04_martech_planning.ipynb", 5),
            ("test_build.py::TestParallel", 5), ("test_disclosure.py", 4), ("test_stats.py", 3.5),
            ("test_data.py", 3.5), ("03_customer_experience.ipynb", 3.5), ("02_shared_incentives.ipynb", 3.5),
            ("test_build.py::TestInterrupt", 3), ("test_survey.py", 3), ("test_readme.py", 3), ("test_build.py", 3),
            ("test_notebooks.py::Test", 2), ("00_overview.ipynb", 2), ("test_portfolio.py", 2),
            ("test_deliverables.py", 2))
_CACHE_KEY = "cmocio/scope-seconds"
_scope_seconds: dict[str, float] = {}


def _scope(nodeid: str) -> str:
    """The unit pytest-xdist's loadscope hands to one worker (its own rule)."""
    return nodeid.rsplit("::", 1)[0]


def _estimate(scope: str) -> float:
    return next((seconds for pattern, seconds in _SECONDS if pattern in scope), 0.5)


def pytest_collection_modifyitems(session, config, items):
    cache = getattr(config, "cache", None)
    measured = cache.get(_CACHE_KEY, {}) if cache is not None else {}
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        first.setdefault(_scope(item.nodeid), i)
    cost = {scope: measured.get(scope, _estimate(scope)) for scope in first}
    items[:] = [item for _, _, _, item in sorted((-cost[_scope(it.nodeid)], first[_scope(it.nodeid)], i, it)
                                                 for i, it in enumerate(items))]


def pytest_runtest_logreport(report):
    """Add up each scope's seconds (setup, call and teardown; on the controller, every worker's reports)."""
    _scope_seconds[_scope(report.nodeid)] = _scope_seconds.get(_scope(report.nodeid), 0.0) + report.duration


def pytest_sessionfinish(session):
    cache = getattr(session.config, "cache", None)
    opt = session.config.option
    partial = opt.keyword or opt.markexpr or getattr(opt, "lf", False) or any("::" in a for a in opt.file_or_dir or [])
    if cache is None or hasattr(session.config, "workerinput") or not _scope_seconds or partial:
        return  # a worker (the controller records what every worker measured), or only part of some scopes ran
    measured = cache.get(_CACHE_KEY, {})
    measured.update({scope: round(seconds, 2) for scope, seconds in _scope_seconds.items()})
    cache.set(_CACHE_KEY, measured)
