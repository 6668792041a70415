"""Every command the README shows can be run as written (with your own files stood in by test fixtures).

Commands that would re-run the whole suite or every notebook are dry-run: `make -n`,
argument parsing, parameter planning. Conversions run for real, and each papermill
command is prepared by papermill itself and its parameters passed through the
notebook's own checks, as a fresh kernel would.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cmocio import report, survey
from cmocio.__main__ import parser
from cmocio.build import discover, parse_value, plan_parameters

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "exports"
#: Your files in the README, and what stands in for them here.
STAND_INS = {"my_export.csv": FIXTURES / "qualtrics_numeric.csv",
             "my_mapping.yaml": survey.MAPPINGS_DIR / "qualtrics.yaml"}


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


COMMANDS = readme_commands()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A folder holding the stand-ins under the README's names, and a converted response file."""
    folder = tmp_path_factory.mktemp("readme")
    for name, source in STAND_INS.items():
        shutil.copy(source, folder / name)
    return folder


def test_the_readme_shows_commands():
    kinds = {c.split()[0] for c in COMMANDS}
    assert {"make", ".venv/bin/python", ".venv/bin/papermill"} <= kinds and len(COMMANDS) >= 12


def _cmocio(argv: list[str], workdir: Path) -> None:
    args = parser().parse_args(argv)  # every subcommand and option exists
    if argv[0] == "build":
        given = {name: parse_value(value) for name, value in args.parameter}
        plan_parameters(discover(ROOT / "notebooks", args.only), {**given, "output_dir": "results"})
    elif argv[0] == "survey":
        assert args.func(args) == 0  # runs: the stand-in export converts
    elif argv[0] == "deck":
        assert args.responses in ("", "my_export.csv") and args.mapping in ("", "my_mapping.yaml")
    elif argv[0] == "portfolio":  # planned: the stand-in folder is discovered, the mapping found, -p checked
        from cmocio.portfolio import discover as organisations
        from cmocio.portfolio.run import NOTEBOOK

        exports = workdir / args.exports
        exports.mkdir(exist_ok=True)
        shutil.copy(STAND_INS["my_export.csv"], exports / "acme.csv")
        mapping = next(p for p in (workdir / args.mapping, ROOT / args.mapping) if p.is_file())
        assert [o.id for o in organisations(exports, mapping)] == ["acme"]
        plan_parameters([NOTEBOOK], {name: parse_value(value) for name, value in args.parameter})
        assert args.scheduler is None or re.fullmatch(r"tcp://[\w.-]+:\d+", args.scheduler)


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.startswith(".venv/bin/python -m cmocio")])
def test_cmocio_commands(command, workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    _cmocio(shlex.split(command)[3:], workdir)


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.startswith("make ")])
def test_make_targets(command):
    res = subprocess.run(["make", "-n", *shlex.split(command)[1:]], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.startswith(".venv/bin/python -m pytest")])
def test_pytest_commands(command):
    paths = [a for a in shlex.split(command)[3:] if not a.startswith("-") and not a.isdigit()]
    assert all((ROOT / p).exists() for p in paths), paths


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.startswith(".venv/bin/papermill")])
def test_papermill_commands_prepare_and_pass_the_notebooks_checks(command, workdir):
    argv = shlex.split(command)
    argv[1] = str(ROOT / argv[1])
    if "my_responses.csv" in argv and not (workdir / "my_responses.csv").exists():
        survey.write_responses(survey.load_responses(STAND_INS["my_export.csv"], survey.load_questions(),
                                                     mapping_path=STAND_INS["my_mapping.yaml"]),
                               workdir / "my_responses.csv")
    papermill = Path(sys.executable).parent / "papermill"
    res = subprocess.run([str(papermill), *argv[1:], "--prepare-only"], cwd=workdir, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    nb = nbformat.read(str(workdir / argv[2]), as_version=4)
    values: dict = {}
    for cell in nb.cells:  # the declared defaults, then what papermill injected
        tags = cell.metadata.get("tags", [])
        if "parameters" in tags or "injected-parameters" in tags:
            exec(cell.source, {}, values)  # noqa: S102 - our own notebook's literal assignments
    values["output_dir"] = str(workdir / "results")
    ctx = report.start(Path(argv[1]).stem, confidence=values["confidence"], studies=values["studies"],
                       findings_path=values["findings_path"], output_dir=values["output_dir"],
                       assumed_base_n=values["assumed_base_n"])
    if "responses_path" in values:
        survey.check_survey_parameters(values["min_group_size"], values["weight_column"], values["responses_path"],
                                       values["mapping_path"], values["min_difference_pts"])
        path = workdir / values["responses_path"]
        survey.load_responses(path, survey.load_questions(), values["weight_column"],
                              (workdir / values["mapping_path"]) if values["mapping_path"] else None)
    assert not ctx.findings.empty
