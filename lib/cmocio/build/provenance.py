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


def shown_parameters(job: Job) -> dict[str, Any]:
    """Parameters as a page shows them: files inside the build folder by their path relative to it."""
    out = {}
    for name, value in job.parameters.items():
        if isinstance(value, str) and value and os.path.isabs(value):
            rel = os.path.relpath(value, job.build_dir)
            value = value if rel.startswith("..") else Path(rel).as_posix()
        out[name] = value
    return out


def reproduce(job: Job) -> str:
    """The papermill command that reproduces a page, run from the build folder."""
    import shlex

    args = []
    for name, value in shown_parameters(job).items():
        if isinstance(value, str):
            args += ["-p", name, value]
        else:
            args += ["-y", f"{name}: {json.dumps(value)}"]
    source = os.path.relpath(job.source, job.build_dir)
    return " ".join(shlex.quote(a) for a in ["papermill", source, f"notebooks/{job.name}.ipynb", *args])


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

