"""The lint gate: `ruff check` with the rules in pyproject.toml over the library, tests, benchmarks and notebooks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def ruff(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", *args],
                          cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=120)


def test_the_code_and_the_notebooks_pass_the_lint_rules():
    res = ruff()
    assert res.returncode == 0, f"ruff check found problems (fix them, or see [tool.ruff] in pyproject.toml):\n" \
                                f"{res.stdout}{res.stderr}"


PLANTED = "import os\n\n\ndef f(x: int) -> Path:\n    return x + 1\n"


@pytest.mark.parametrize("where", ["lib/cmocio/planted.py", "tests/test_planted.py", "benchmarks/planted.py"])
def test_the_gate_catches_an_unused_import_and_an_undefined_name(where):
    res = ruff("--stdin-filename", where, stdin=PLANTED)
    assert res.returncode == 1 and "F401" in res.stdout and "F821" in res.stdout, res.stdout + res.stderr


def test_the_gate_reads_the_notebooks_code_cells():
    cell = {"cell_type": "code", "execution_count": None, "id": "a1", "metadata": {}, "outputs": [],
            "source": ["import matplotlib.pyplot as plt\n", "print(report.pd.concat)\n"]}
    nb = {"cells": [cell], "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    res = ruff("--stdin-filename", "notebooks/99_planted.ipynb", stdin=json.dumps(nb))
    assert res.returncode == 1 and "F401" in res.stdout and "F821" in res.stdout, res.stdout + res.stderr
