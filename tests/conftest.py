"""Shared fixtures: a writable copy of the shipped dataset to break in tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
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


def run_build(nb_dir: Path, build_dir: Path, *args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    jobs = [] if "-j" in args else ["-j", "1"]  # one worker unless a test asks: the suite already runs in parallel
    cmd = [sys.executable, "-m", "cmocio", "build", "--notebook-dir", str(nb_dir), "--build-dir", str(build_dir),
           *jobs, *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def build_here(nb_dir: Path, build_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """:func:`run_build` in this test process: the same command line and exit code, on the process's warm
    kernel (for the steps of a test that are not about starting the command itself)."""
    import contextlib
    import io

    from cmocio.__main__ import main

    jobs = [] if "-j" in args else ["-j", "1"]
    argv = ["build", "--notebook-dir", str(nb_dir), "--build-dir", str(build_dir), *jobs, *args]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


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
    except BaseException:
        kernels.discard_kernel()  # in an unknown state: the next notebook gets a new one
        raise


def edit_csv(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a CSV, failing loudly if the text is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


# Slowest scopes first, so that pytest-xdist's --dist loadscope can balance two workers
# (longest-processing-time-first). Items of one scope keep their order and stay together.
_HEAVY_FIRST = ("test_build.py", "test_hardening.py::Test", "test_portfolio.py::Test", "test_cluster.py",
                "test_notebooks.py::Test", ".ipynb", "test_browser.py", "test_survey.py::Test", "test_disclosure.py")


def pytest_collection_modifyitems(session, config, items):
    def weight(item) -> int:
        for rank, pattern in enumerate(_HEAVY_FIRST):
            if pattern in item.nodeid:
                return rank
        return len(_HEAVY_FIRST)

    items[:] = [item for _, _, item in sorted((weight(it), i, it) for i, it in enumerate(items))]
