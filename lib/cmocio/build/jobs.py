"""One notebook run, self-contained so that it can run on another machine: the job, its result, and
:func:`run_job`, which executes the notebook with papermill in a private work folder and renders its page.

A job carries the notebook's text and the files its parameters name; the result
carries every file the run made. Nothing is written outside the work folder (the
build process writes the files, :func:`cmocio.build.run.store`), so the same job runs
in a local worker process or on a Dask worker.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..site import Page, PageContext, notebook_summary, render_html, search_entry, thumbnail
from .kernels import KERNEL, discard_kernel, fresh_namespace, worker_kernel
from .provenance import downloads, footer, reproduce

#: Metadata that changes on every run and would make diffs noisy.
VOLATILE_NOTEBOOK_KEYS = ("papermill", "widgets")
VOLATILE_CELL_KEYS = ("papermill", "execution", "ExecuteTime", "collapsed", "scrolled")


@dataclass
class Job:
    """One notebook run, self-contained so that it can run on another machine."""

    name: str
    source: str  # the notebook's path here (for --update, the reproduce command and error messages)
    parameters: dict[str, Any]  # as given; file paths among them are replaced by shipped copies when it runs
    key: str
    build_dir: str
    cwd: str  # for --update: the folder the notebook runs in; otherwise a private work folder is made
    reader: bool
    cell_timeout: int
    update: bool = False
    data_version: str = ""
    source_text: str = ""  # the notebook itself
    inputs: dict[str, tuple[str, bytes]] | None = None  # parameter -> (file name, bytes) of each file it names


@dataclass
class Result:
    name: str
    status: str  # "ok", "failed", "up to date", "interrupted"
    seconds: float = 0.0
    title: str = ""
    summary: str = ""
    thumbnail: str = ""  # data URI of the first chart, shrunk to a thumbnail
    error: str = ""
    search: dict[str, str] | None = None  # what the offline search knows of the page
    files: dict[str, bytes] | None = None  # what the run made, by path relative to the build folder

def strip_volatile(nb: Any) -> Any:
    """Remove run timings, timestamps and random ids (keep execution counts and tags)."""
    for key in VOLATILE_NOTEBOOK_KEYS:
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        if not cell.metadata.get("tags", True):
            cell.metadata.pop("tags")
        if "injected-parameters" in cell.metadata.get("tags", []) and "id" in cell:
            cell["id"] = "injected-parameters"  # papermill draws a random id for the cell it adds
    return nb



def _describe_error(exc: BaseException, cell_timeout: int | None = None) -> str:
    name = type(exc).__name__
    if name == "DeadKernelError":
        return "the kernel died during execution (killed, or out of memory)"
    if name == "CellTimeoutError" or isinstance(exc, TimeoutError):
        return f"a cell ran longer than the per-cell timeout ({cell_timeout} s; see --cell-timeout)"
    cell = getattr(exc, "cell_index", None)
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    count = getattr(exc, "exec_count", None)
    where = f"cell {cell}" if cell is not None else "execution"
    if cell is not None and count is not None:
        where += f" (In [{count}])"
    if ename:
        return f"{where}: {ename}: {evalue}"
    return f"{where}: {type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"



def _ship_inputs(job: Job, workdir: Path) -> dict[str, Any]:
    """The parameters as the notebook gets them: each file they name copied into the work folder."""
    params = dict(job.parameters)
    for name, (file_name, data) in (job.inputs or {}).items():
        folder = workdir / "inputs" / name
        folder.mkdir(parents=True)
        (folder / file_name).write_bytes(data)
        params[name] = f"inputs/{name}/{file_name}"
    return params


def _collect(workdir: Path, output_dir: Any) -> dict[str, bytes]:
    """Every file the notebook wrote under a relative ``output_dir``, by path relative to the build folder."""
    if not isinstance(output_dir, str) or not output_dir or os.path.isabs(output_dir):
        return {}
    base = workdir / output_dir
    if not base.is_dir():
        return {}
    return {(Path(output_dir) / f.relative_to(base)).as_posix(): f.read_bytes()
            for f in sorted(base.rglob("*")) if f.is_file()}


def run_job(job: Job, pages: list[Page], bundle: bytes | None = None, bundle_digest: str = "") -> Result:
    """Execute one notebook with papermill in a private work folder and return what it made. Never raises.

    Runs anywhere: in a local worker process or on a Dask worker on another machine.
    Nothing is written outside the work folder (except the notebook itself for
    ``--update``); the caller writes the returned files.
    """
    import nbformat
    import papermill

    start = time.perf_counter()
    root = Path(job.build_dir) / ".tmp"
    local = root.is_dir()  # on another machine the build folder does not exist: use the temporary folder
    workdir = Path(tempfile.mkdtemp(prefix=f"cmocio-{job.name}.", dir=root if local else None))
    log_dir = Path(job.build_dir) / "logs" if local else Path(tempfile.gettempdir()) / "cmocio-logs"
    redirect = threading.current_thread() is threading.main_thread()
    saved_stderr = os.dup(2) if redirect else -1
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        if redirect:  # the kernel inherits this process's stderr: keep its chatter in the log folder
            with open(log_dir / f"{job.name}.log", "wb") as log:
                os.dup2(log.fileno(), 2)
        if bundle is not None:
            from .executors import unpack_bundle

            bundle_dir = unpack_bundle(bundle, bundle_digest)
        else:
            bundle_dir = None
        km = worker_kernel(log_dir, bundle_dir)
        cwd = job.cwd if job.update else str(workdir)
        source = Path(job.source) if job.update or not job.source_text else workdir / f"{job.name}.source.ipynb"
        if source != Path(job.source):
            source.write_text(job.source_text, encoding="utf-8")
        params = _ship_inputs(job, workdir)
        out_nb = workdir / f"{job.name}.ipynb"
        try:
            fresh_namespace(km, cwd)
            papermill.execute_notebook(
                str(source), str(out_nb), parameters=params or None, kernel_name=KERNEL, cwd=cwd,
                progress_bar=False, log_output=False, execution_timeout=job.cell_timeout,
                request_save_on_cell_execute=False, km=km,
            )
        except BaseException:
            discard_kernel()  # dead, busy past its timeout, or in an unknown state: the next notebook gets a new one
            raise
        nb = strip_volatile(nbformat.read(str(out_nb), as_version=4))
        title, summary, chart = notebook_summary(nb)
        thumb = thumbnail(chart)
        entry = search_entry(nb, title or job.name, f"{job.name}.html")
        text = nbformat.writes(nb)
        if job.update:
            files = {"": (text + "\n").encode("utf-8")}  # the committed notebook itself
        else:
            files = _collect(workdir, job.parameters.get("output_dir"))
            context = PageContext(pages, job.name, job.reader, downloads(job, list(files)),
                                  footer(job, time.perf_counter() - start), reproduce(job))
            files[f"notebooks/{job.name}.ipynb"] = text.encode("utf-8")
            files[f"html/{job.name}.html"] = render_html(nb, context).encode("utf-8")
        return Result(job.name, "ok", time.perf_counter() - start, title, summary, thumb, search=entry, files=files)
    except BaseException as exc:  # noqa: BLE001 - a worker reports, never raises
        if isinstance(exc, KeyboardInterrupt):
            return Result(job.name, "interrupted", time.perf_counter() - start, error="interrupted")
        return Result(job.name, "failed", time.perf_counter() - start, error=_describe_error(exc, job.cell_timeout))
    finally:
        if redirect:
            os.dup2(saved_stderr, 2)
            os.close(saved_stderr)
        shutil.rmtree(workdir, ignore_errors=True)
