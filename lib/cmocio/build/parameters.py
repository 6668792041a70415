"""Which notebooks a build runs, the parameters each declares, and ``-p`` values checked against them.

Everything here runs before any kernel starts: a build that cannot work stops
with a :class:`~.options.BuildError` naming the problem.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from ..paths import ROOT
from .options import BuildError

#: Where the committed notebooks are.
NOTEBOOK_DIR = ROOT / "notebooks"


def discover(notebook_dir: Path = NOTEBOOK_DIR, only: list[str] | None = None) -> list[Path]:
    """The numbered notebooks, in order; ``only`` selects some by name (with or without .ipynb)."""
    found = sorted(p for p in notebook_dir.glob("[0-9][0-9]_*.ipynb"))
    if not only:
        return found
    by_name = {p.stem: p for p in found}
    wanted = [o.removesuffix(".ipynb") for o in only]
    unknown = [w for w in wanted if w not in by_name]
    if unknown:
        raise BuildError(f"--only: no notebook named {', '.join(unknown)}; available: {', '.join(by_name)}")
    return [by_name[w] for w in dict.fromkeys(wanted)]


def declared_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """Parameters declared in a notebook's ``parameters`` cell: name -> type name, default, help.

    Reads the cell with :mod:`ast` (as ``papermill --help-notebook`` documents it)
    without importing papermill, so that planning a build stays fast.
    """
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BuildError(f"{path.name}: cannot read the notebook ({exc})") from None
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = "".join(cell.get("source", []))
            break
    else:
        return {}
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise BuildError(f"{path.name}: the parameters cell is not valid Python ({exc.msg}, line {exc.lineno})") from None
    lines = source.splitlines()
    params: dict[str, dict[str, Any]] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name, annotation, value = node.target.id, ast.unparse(node.annotation), node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, annotation, value = node.targets[0].id, "", node.value
        else:
            continue
        try:
            default = ast.literal_eval(value) if value is not None else None
        except ValueError:
            default = ast.unparse(value)
        type_name = annotation or type(default).__name__
        comment = lines[node.lineno - 1].partition("#")[2].strip()
        params[name] = {"name": name, "inferred_type_name": type_name, "default": repr(default), "help": comment}
    return params


def parse_value(text: str) -> Any:
    """A ``-p`` value: a Python literal (0.9, 5, ['a'], True) where it parses, else the text itself."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


_TYPE_CHECKS = {
    "float": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), "a number"),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number"),
    "list": (lambda v: isinstance(v, (list, tuple)), "a list such as \"['a', 'b']\""),
    "str": (lambda v: isinstance(v, str), "text"),
    "bool": (lambda v: isinstance(v, bool), "True or False"),
}


def plan_parameters(notebooks: list[Path], given: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Check ``-p`` names and types against every selected notebook, before anything runs.

    A name that no selected notebook declares is an error (papermill itself only
    warns). A name declared by some notebooks only is passed to those.
    """
    declared = {p.stem: declared_parameters(p) for p in notebooks}
    problems = []
    for name, value in given.items():
        owners = [nb for nb, params in declared.items() if name in params]
        if not owners:
            known = sorted({n for params in declared.values() for n in params})
            problems.append(f"-p {name}: no selected notebook declares this parameter; known: {', '.join(known)}")
            continue
        for nb in owners:
            type_name = declared[nb][name].get("inferred_type_name", "None")
            check = _TYPE_CHECKS.get(type_name)
            if check and not check[0](value):
                problems.append(f"-p {name}: {nb} expects {check[1]}, got {value!r}")
                break
    if problems:
        raise BuildError("\n".join(problems))
    planned = {nb: {k: v for k, v in given.items() if k in params} for nb, params in declared.items()}
    for nb, params in planned.items():  # a survey's ledger stays beside its data, not in a worker's copy
        if "ledger_path" in declared[nb] and params.get("responses_path") and not params.get("ledger_path"):
            from ..survey.privacy import default_ledger_path

            params["ledger_path"] = str(default_ledger_path(params["responses_path"]))
    return planned
