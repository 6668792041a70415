"""Shared fixtures: a writable copy of the shipped dataset to break in tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cmocio.data import DATA_DIR, FILES

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A folder holding a copy of the four shipped tables."""
    for name in FILES.values():
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


def edit_csv(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a CSV, failing loudly if the text is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


# Slowest scopes first, so that pytest-xdist's --dist loadscope can balance two workers
# (longest-processing-time-first). Items of one scope keep their order and stay together.
_HEAVY_FIRST = ("test_build.py", "test_hardening.py::Test", "test_notebooks.py::Test", ".ipynb",
                "test_browser.py", "test_survey.py::Test")


def pytest_collection_modifyitems(session, config, items):
    def weight(item) -> int:
        for rank, pattern in enumerate(_HEAVY_FIRST):
            if pattern in item.nodeid:
                return rank
        return len(_HEAVY_FIRST)

    items[:] = [item for _, _, item in sorted((weight(it), i, it) for i, it in enumerate(items))]
