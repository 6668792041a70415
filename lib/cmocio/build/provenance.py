"""What a notebook page says about its own run: the parameters it shows, its downloads, the command that
reproduces it and the footer's facts (build time, parameters, data version, software, execution time)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..site import built_at

if TYPE_CHECKING:
    from .jobs import Job


def project_root(job: Job) -> Path:
    """The folder a page's reproduce command runs from: the one holding the notebooks' folder."""
    return Path(job.source).resolve().parent.parent


def shown_parameters(job: Job, base: str | None = None) -> dict[str, Any]:
    """Parameters as a page shows them: files inside ``base`` (default the build folder) by their path relative to it."""
    base = base or job.build_dir
    out = {}
    for name, value in job.parameters.items():
        if isinstance(value, str) and value and os.path.isabs(value):
            rel = os.path.relpath(value, base)
            value = value if rel.startswith("..") else Path(rel).as_posix()
        out[name] = value
    return out


def reproduce(job: Job) -> str:
    """The papermill command that reproduces a page, run from the project root as printed (see :func:`project_root`).

    The project's own papermill (``.venv/bin/papermill``) where the root has one, else ``papermill`` on the PATH.
    """
    import shlex

    root = project_root(job)
    args = []
    for name, value in shown_parameters(job, str(root)).items():
        if isinstance(value, str):
            args += ["-p", name, value]
        else:
            args += ["-y", f"{name}: {json.dumps(value)}"]
    source = Path(os.path.relpath(Path(job.source).resolve(), root)).as_posix()
    out = Path(job.build_dir).resolve() / "notebooks" / f"{job.name}.ipynb"
    rel = os.path.relpath(out, root)
    target = Path(rel).as_posix() if not rel.startswith("..") else str(out)
    tool = ".venv/bin/papermill" if (root / ".venv" / "bin" / "papermill").exists() else "papermill"
    return " ".join(shlex.quote(a) for a in [tool, source, target, *args])


def downloads(job: Job, made: list[str]) -> list[tuple[str, str]]:
    """The executed notebook, and each chart and table the notebook wrote, as links relative to the page."""
    links = [("Executed notebook (.ipynb)", f"../notebooks/{job.name}.ipynb")]
    for rel in sorted(made):
        suffix = Path(rel).suffix
        if suffix in (".csv", ".png", ".svg"):
            kind = "table" if suffix == ".csv" else "chart"
            links.append((f"{Path(rel).name} ({kind})", f"../{rel}"))
    return links


def footer(job: Job, seconds: float) -> dict[str, str]:
    import platform
    from importlib.metadata import PackageNotFoundError, version

    def v(pkg: str) -> str:
        try:
            return version(pkg)
        except PackageNotFoundError:
            return "not installed"

    params = ", ".join(f"{k}={json.dumps(val)}" for k, val in shown_parameters(job).items()) or "defaults"
    return {
        "Built": built_at(),
        "Parameters": params,
        "Data version": job.data_version[:12] or "unknown",
        "Software": (f"cmocio {v('cmocio')}, Python {platform.python_version()}, pandas {v('pandas')}, "
                     f"statsmodels {v('statsmodels')}, matplotlib {v('matplotlib')}, papermill {v('papermill')}"),
        "Execution time": f"{seconds:.1f} s",
    }

