"""``python -m cmocio build``: execute every notebook with papermill and render it for reading.

* Executed notebooks go to ``build/notebooks/``, HTML pages to ``build/html/`` with an
  ``index.html`` listing each notebook's title, summary and first chart; chart and
  table files to ``build/results/``.
* Notebooks run in parallel: worker processes on this machine by default, or the
  workers of a Dask cluster (``--scheduler tcp://HOST:8786``, see :mod:`.executors`).
  Each job runs in a private work folder with its input files shipped in, renders
  its page there, and returns every file it made; only this process writes them.
* A notebook whose source, parameters, data, input files and ``cmocio`` code are
  unchanged since its last good build is not executed again.
* Every file is written atomically. A failing notebook does not stop the others;
  its previous good page stays in place; the exit code is 1.
* ``--update`` re-executes the notebooks in place in ``notebooks/`` with their
  default parameters and strips volatile metadata, to refresh the committed outputs.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .files import atomic_write_bytes
from .paths import DATA_DIR, ROOT
from .site import (Page, PageContext, notebook_summary, render_html, render_index, render_report, render_sources,
                   search_entry, site_pages, thumbnail, write_search_index)

NOTEBOOK_DIR = ROOT / "notebooks"
PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATE_DIR = PACKAGE_DIR / "templates"
DEFAULT_CELL_TIMEOUT = 300
KERNEL = "python3"

#: Metadata that changes on every run and would make diffs noisy.
VOLATILE_NOTEBOOK_KEYS = ("papermill", "widgets")
VOLATILE_CELL_KEYS = ("papermill", "execution", "ExecuteTime", "collapsed", "scrolled")


class BuildError(Exception):
    """A problem found before anything runs (unknown notebook or parameter, bad value)."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run; carries the results so far, so that the index can record them."""

    def __init__(self, results: dict[str, "Result"]):
        super().__init__()
        self.results = results


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


# ---- discovery and parameters -------------------------------------------------------------------

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
            from .survey.privacy import default_ledger_path

            params["ledger_path"] = str(default_ledger_path(params["responses_path"]))
    return planned


# ---- incremental builds ------------------------------------------------------------------------

def _hash_file(h: "hashlib._Hash", path: Path) -> None:
    h.update(str(path.name).encode())
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)


def _tree_files(folder: Path, patterns: tuple[str, ...]) -> list[Path]:
    return sorted(p for pat in patterns for p in folder.rglob(pat) if p.is_file() and "__pycache__" not in p.parts)


def inputs_digest(data_dir: Path) -> str:
    """Digest of everything shared by all notebooks: the data and the cmocio package."""
    h = hashlib.sha256()
    for p in _tree_files(data_dir, ("*.csv",)) + _tree_files(PACKAGE_DIR, ("*.py", "*.j2", "*.json")):
        _hash_file(h, p)
    return h.hexdigest()


def _portable(value: Any, build_dir: Path | None) -> Any:
    """A parameter as the cache sees it: paths inside the build folder relative to it, so a moved build stays cached."""
    if build_dir is not None and isinstance(value, str) and value:
        try:
            return "<build>/" + Path(value).resolve().relative_to(build_dir).as_posix()
        except ValueError:
            return value
    return value


def job_key(source: Path, parameters: dict[str, Any], shared: str, reader: bool,
            build_dir: Path | None = None) -> str:
    """Cache key of one notebook run: source, parameters (and files they name), shared inputs, mode."""
    h = hashlib.sha256()
    _hash_file(h, source)
    portable = {k: _portable(v, build_dir) for k, v in parameters.items()}
    h.update(json.dumps(portable, sort_keys=True, default=str).encode())
    for value in parameters.values():
        if isinstance(value, str) and value and Path(value).is_file():
            _hash_file(h, Path(value))
    h.update(shared.encode())
    h.update(b"reader" if reader else b"full")
    return h.hexdigest()


# ---- writing ------------------------------------------------------------------------------------

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


# ---- running one notebook (in a worker process) -------------------------------------------------

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


def _shown_parameters(job: Job) -> dict[str, Any]:
    """Parameters as a page shows them: files inside the build folder by their path relative to it."""
    out = {}
    for name, value in job.parameters.items():
        if isinstance(value, str) and value and os.path.isabs(value):
            rel = os.path.relpath(value, job.build_dir)
            value = value if rel.startswith("..") else Path(rel).as_posix()
        out[name] = value
    return out


def _reproduce(job: Job) -> str:
    """The papermill command that reproduces a page, run from the build folder."""
    import shlex

    args = []
    for name, value in _shown_parameters(job).items():
        if isinstance(value, str):
            args += ["-p", name, value]
        else:
            args += ["-y", f"{name}: {json.dumps(value)}"]
    source = os.path.relpath(job.source, job.build_dir)
    return " ".join(shlex.quote(a) for a in ["papermill", source, f"notebooks/{job.name}.ipynb", *args])


def _downloads(job: Job, made: list[str]) -> list[tuple[str, str]]:
    """The executed notebook, and each chart and table the notebook wrote, as links relative to the page."""
    links = [("Executed notebook (.ipynb)", f"../notebooks/{job.name}.ipynb")]
    for rel in sorted(made):
        suffix = Path(rel).suffix
        if suffix in (".csv", ".png", ".svg"):
            kind = "table" if suffix == ".csv" else "chart"
            links.append((f"{Path(rel).name} ({kind})", f"../{rel}"))
    return links


def _footer(job: Job, seconds: float) -> dict[str, str]:
    import platform
    from datetime import datetime, timezone
    from importlib.metadata import PackageNotFoundError, version

    def v(pkg: str) -> str:
        try:
            return version(pkg)
        except PackageNotFoundError:
            return "not installed"

    params = ", ".join(f"{k}={json.dumps(val)}" for k, val in _shown_parameters(job).items()) or "defaults"
    return {
        "Built": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "Parameters": params,
        "Data version": job.data_version[:12] or "unknown",
        "Software": (f"cmocio {v('cmocio')}, Python {platform.python_version()}, pandas {v('pandas')}, "
                     f"statsmodels {v('statsmodels')}, matplotlib {v('matplotlib')}, papermill {v('papermill')}"),
        "Execution time": f"{seconds:.1f} s",
    }


#: The worker's kernel, reused from one notebook to the next (see :func:`_fresh_namespace`); one per thread.
_LOCAL = threading.local()

#: Run silently before each notebook: what a fresh kernel would give it, minus the start-up and imports.
_RESET = """
__import__("os").chdir(%r)  # first: the previous job's folder may be gone
get_ipython().reset(new_session=True)  # empty namespace, new history session, cell count back to 1
import sys as _sys, matplotlib as _mpl, matplotlib.pyplot as _plt
_plt.close("all")
if not hasattr(_sys, "_cmocio_rc"):
    _sys._cmocio_rc = dict(_mpl.rcParams)
_mpl.rcParams.update(_sys._cmocio_rc)
del _sys, _mpl, _plt
"""


def _worker_kernel(log_dir: Path, bundle_dir: Path | None = None) -> Any:
    """This worker's kernel, started on first use (its own chatter goes to <log_dir>/kernel-<pid>.log).

    With a bundle, the kernel imports ``cmocio`` and reads the data from the bundle
    rather than from this machine's installation.
    """
    from jupyter_client.manager import AsyncKernelManager
    from nbclient.util import run_sync

    km = getattr(_LOCAL, "km", None)
    if km is not None and getattr(_LOCAL, "bundle", None) == bundle_dir and run_sync(km.is_alive)():
        return km
    _discard_kernel()
    env = dict(os.environ)
    # Hand freed memory back to the system promptly (glibc), as Dask's nannies do for their workers: a kernel
    # that runs hundreds of notebooks otherwise keeps its peak heap for good.
    env.setdefault("MALLOC_TRIM_THRESHOLD_", "65536")
    if bundle_dir is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(bundle_dir / "lib"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        env["CMOCIO_DATA_DIR"] = str(bundle_dir / "data")
    km = AsyncKernelManager(kernel_name=KERNEL)
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"kernel-{os.getpid()}.log", "ab") as log:
        run_sync(km.start_kernel)(stderr=log, stdout=log, env=env)
    kc = km.client()
    kc.start_channels()
    try:
        run_sync(kc.wait_for_ready)(timeout=60)
    finally:
        kc.stop_channels()
    _LOCAL.km, _LOCAL.bundle = km, bundle_dir
    import multiprocessing.util

    multiprocessing.util.Finalize(km, _shutdown_kernel, args=(km,), exitpriority=10)
    return km


def _fresh_namespace(km: Any, cwd: str) -> None:
    """Empty the kernel's namespace, restore its plot settings, set the folder and restart the cell count."""
    from nbclient.util import run_sync

    kc = km.client()
    kc.start_channels(iopub=False, stdin=False, hb=False)  # the shell reply is all this needs
    try:
        msg_id = kc.execute(_RESET % (cwd,), silent=True, store_history=False)
        while True:
            reply = run_sync(kc.get_shell_msg)(timeout=60)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"could not reset the kernel: {reply['content'].get('evalue', '')}")
    finally:
        kc.stop_channels()


def _shutdown_kernel(km: Any) -> None:
    from nbclient.util import run_sync

    try:
        run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 - already gone
        pass


def _discard_kernel() -> None:
    km = getattr(_LOCAL, "km", None)
    _LOCAL.km = None
    if km is not None:
        _shutdown_kernel(km)


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
        km = _worker_kernel(log_dir, bundle_dir)
        cwd = job.cwd if job.update else str(workdir)
        source = Path(job.source) if job.update or not job.source_text else workdir / f"{job.name}.source.ipynb"
        if source != Path(job.source):
            source.write_text(job.source_text, encoding="utf-8")
        params = _ship_inputs(job, workdir)
        out_nb = workdir / f"{job.name}.ipynb"
        try:
            _fresh_namespace(km, cwd)
            papermill.execute_notebook(
                str(source), str(out_nb), parameters=params or None, kernel_name=KERNEL, cwd=cwd,
                progress_bar=False, log_output=False, execution_timeout=job.cell_timeout,
                request_save_on_cell_execute=False, km=km,
            )
        except BaseException:
            _discard_kernel()  # dead, busy past its timeout, or in an unknown state: the next notebook gets a new one
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
            context = PageContext(pages, job.name, job.reader, _downloads(job, list(files)),
                                  _footer(job, time.perf_counter() - start), _reproduce(job))
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


def store(job: Job, res: Result) -> Result:
    """Write what a job made, each file atomically; a file that cannot be written fails the job (named)."""
    build = Path(job.build_dir)
    try:
        for rel, data in (res.files or {}).items():
            atomic_write_bytes(Path(job.source) if rel == "" else build / rel, data)
    except OSError as exc:
        return Result(job.name, "failed", res.seconds, res.title, res.summary, res.thumbnail,
                      error=f"executed, but its output could not be written: {exc.strerror or exc} "
                            f"({exc.filename or build})")
    res.files = None
    return res


# ---- orchestration ------------------------------------------------------------------------------

def _cache_path(build: Path, name: str) -> Path:
    return build / ".cache" / f"{name}.json"


def _load_cache(build: Path, name: str) -> dict[str, Any]:
    try:
        return json.loads(_cache_path(build, name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


@dataclass
class Target:
    """A page to build: its name, the notebook that makes it and that notebook's parameters."""

    name: str
    notebook: Path
    parameters: dict[str, Any]


def _inputs(parameters: dict[str, Any]) -> dict[str, tuple[str, bytes]]:
    """The files named by parameters, to ship with the job (the notebook sees its own copies)."""
    return {k: (Path(v).name, Path(v).read_bytes()) for k, v in parameters.items()
            if isinstance(v, str) and v and k not in ("output_dir", "ledger_path") and Path(v).is_file()}


def _eta(done: int, total: int, elapsed: float) -> str:
    if done >= total or done == 0:
        return ""
    left = elapsed / done * (total - done)
    return f", about {left / 60:.0f} min left" if left >= 90 else f", about {left:.0f} s left"


def execute(targets: list[Target], build_dir: Path, *, pages: list[Page], reader: bool = False,
            jobs: int | None = None, scheduler: str | None = None, cell_timeout: int = DEFAULT_CELL_TIMEOUT,
            force: bool = False, update: bool = False, data_dir: Path | None = None, shared: str | None = None,
            out=sys.stdout) -> dict[str, Result]:
    """Run every target that is not up to date and write its files; one :class:`Result` per target name.

    A failing target keeps its last good files. ``scheduler`` sends the jobs to a
    Dask cluster instead of local worker processes (:mod:`.executors`).
    """
    from .executors import make_executor

    build_dir = build_dir.resolve()
    shutil.rmtree(build_dir / ".tmp", ignore_errors=True)  # leftovers of an interrupted run
    for sub in ("notebooks", "html", ".cache", ".tmp"):
        (build_dir / sub).mkdir(parents=True, exist_ok=True)
    data_dir = data_dir or DATA_DIR
    shared = shared if shared is not None else inputs_digest(data_dir)
    results: dict[str, Result] = {}
    todo: list[Job] = []
    sources: dict[Path, str] = {}
    for t in targets:
        params = dict(t.parameters)
        key = job_key(t.notebook, params, shared, reader, build_dir)
        cached = _load_cache(build_dir, t.name)
        outputs_exist = (build_dir / "html" / f"{t.name}.html").is_file()
        if not force and not update and cached.get("key") == key and outputs_exist:
            results[t.name] = Result(t.name, "up to date", 0.0, cached.get("title", ""), cached.get("summary", ""),
                                     cached.get("thumbnail", ""), search=cached.get("search"))
            continue
        if t.notebook not in sources:
            sources[t.notebook] = t.notebook.read_text(encoding="utf-8")
        todo.append(Job(t.name, str(t.notebook), params, key, str(build_dir), str(t.notebook.parent), reader,
                        cell_timeout, update, shared, sources[t.notebook], _inputs(params)))
    # Longest first, so that no long notebook starts last while the other workers sit idle; a notebook's
    # size (its committed outputs included) is a fair guess of its running time.
    todo.sort(key=lambda j: -len(j.source_text))
    what = "Refreshing" if update else "Executing"
    interrupted = False
    executor = None
    if todo:
        executor = make_executor(scheduler, max(1, min(jobs or os.cpu_count() or 1, len(todo))), data_dir)
    where = executor.where if executor else "no workers"
    print(f"{what} {len(todo)} notebook(s) on {where}; {len(targets) - len(todo)} up to date.", file=out, flush=True)
    if executor is not None:
        t0 = time.perf_counter()
        done = 0
        try:
            for job, res in executor.run(run_job, todo, pages):
                if isinstance(res, BaseException):
                    res = Result(job.name, "failed", error=f"worker process failed: {type(res).__name__}: {res}")
                elif res.status == "ok":
                    res = store(job, res)
                results[job.name] = res
                done += 1
                mark = "ok" if res.status == "ok" else res.status.upper()
                line = f"[{done}/{len(todo)}] {job.name}: {mark} in {res.seconds:.1f} s"
                line += _eta(done, len(todo), time.perf_counter() - t0)
                print(line + (f" ({res.error})" if res.error else ""), file=out, flush=True)
                if res.status == "ok" and not update:
                    atomic_write_bytes(_cache_path(build_dir, job.name), json.dumps(
                        {"key": job.key, "title": res.title, "summary": res.summary, "thumbnail": res.thumbnail,
                         "search": res.search}
                    ).encode())
        except KeyboardInterrupt:
            interrupted = True
            print("Interrupted: stopping workers; finished pages are kept, unfinished ones keep their last good version.",
                  file=out, flush=True)
            for job in todo:
                results.setdefault(job.name, Result(job.name, "interrupted", error="interrupted before it finished"))
        finally:
            executor.close(cancel=interrupted)
    for r in results.values():  # a failed page keeps its last good title and chart on the index
        if r.status != "ok" and not r.title:
            cached = _load_cache(build_dir, r.name)
            r.title, r.summary, r.thumbnail = cached.get("title", ""), cached.get("summary", ""), cached.get("thumbnail", "")
        if r.search is None:
            r.search = _load_cache(build_dir, r.name).get("search")
    shutil.rmtree(build_dir / ".tmp", ignore_errors=True)
    if interrupted:
        raise Interrupted(results)
    return results


def build(notebooks: list[Path], parameters: dict[str, dict[str, Any]], build_dir: Path, *, reader: bool = False,
          jobs: int | None = None, scheduler: str | None = None, cell_timeout: int = DEFAULT_CELL_TIMEOUT,
          force: bool = False, update: bool = False, data_dir: Path | None = None, out=sys.stdout) -> list[Result]:
    """Run the notebooks and write pages and the site around them; one :class:`Result` per notebook, in order."""
    build_dir = build_dir.resolve()
    data_dir = data_dir or DATA_DIR
    shared = inputs_digest(data_dir)
    pages = site_pages(notebooks)
    targets = [Target(p.stem, p, dict(parameters.get(p.stem, {}))) for p in notebooks]
    try:
        results = execute(targets, build_dir, pages=pages, reader=reader, jobs=jobs, scheduler=scheduler,
                          cell_timeout=cell_timeout, force=force, update=update, data_dir=data_dir, shared=shared,
                          out=out)
    except Interrupted as stop:
        if not update:
            write_site(build_dir, [stop.results[p.stem] for p in notebooks], reader, pages, parameters, shared,
                       data_dir)
        raise
    ordered = [results[p.stem] for p in notebooks]
    if not update:
        write_site(build_dir, ordered, reader, pages, parameters, shared, data_dir)
    return ordered


def sources_rows(data_dir: Path) -> list[dict[str, Any]]:
    """Every article for the sources page, or none when the dataset cannot be read (its notebooks say why)."""
    from .data import load_dataset, source_table

    try:
        return source_table(load_dataset(data_dir=data_dir)).to_dict("records")
    except Exception:  # noqa: BLE001 - a broken dataset fails its notebooks, with their own messages
        return []


def write_site(build_dir: Path, results: list[Result], reader: bool, pages: list[Page],
               parameters: dict[str, dict[str, Any]], data_version: str, data_dir: Path) -> None:
    """The pages around the notebooks: index, execution report, sources and the search index."""
    from datetime import datetime, timezone

    html_dir = build_dir / "html"
    atomic_write_bytes(html_dir / "index.html", render_index(results, reader, pages).encode("utf-8"))
    facts = {"Built": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "Data version": data_version[:12],
             "Mode": "reader (code hidden)" if reader else "full (code folded)",
             "Notebooks": f"{sum(r.status in ('ok', 'up to date') for r in results)} of {len(results)} built or up to date"}
    shown = {name: {k: v for k, v in p.items() if k != "output_dir"} for name, p in parameters.items()}
    atomic_write_bytes(html_dir / "report.html", render_report(results, shown, facts, pages).encode("utf-8"))
    stamp = build_dir / ".cache" / "sources.json"  # the sources page changes only with the data or the pages
    key = json.dumps({"data": data_version, "pages": [p.title for p in pages]})
    if not (html_dir / "sources.html").is_file() or not stamp.is_file() or stamp.read_text(encoding="utf-8") != key:
        atomic_write_bytes(html_dir / "sources.html", render_sources(sources_rows(data_dir), pages).encode("utf-8"))
        atomic_write_bytes(stamp, key.encode("utf-8"))
    write_search_index([r.search for r in results if r.search], html_dir / "search-index.js")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``python -m cmocio build``."""
    p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                   help="set a notebook parameter for every notebook that declares it (a Python literal or text)")
    p.add_argument("--only", action="append", default=[], metavar="NOTEBOOK",
                   help="build only this notebook (repeatable), e.g. --only 01_alignment")
    p.add_argument("--reader", action="store_true", help="hide code cells in the HTML pages")
    p.add_argument("--update", action="store_true",
                   help="re-execute notebooks in place in notebooks/ with default parameters (refresh committed outputs)")
    p.add_argument("--force", action="store_true", help="execute even notebooks that are up to date")
    p.add_argument("--jobs", "-j", type=int, default=None, help="parallel local workers (default: number of CPUs)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the notebooks on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786) "
                        "instead of local worker processes")
    p.add_argument("--cell-timeout", type=int, default=DEFAULT_CELL_TIMEOUT, metavar="SECONDS",
                   help=f"stop a notebook whose cell runs longer than this (default {DEFAULT_CELL_TIMEOUT})")
    p.add_argument("--build-dir", default=str(ROOT / "build"), help="output folder (default: build/)")
    p.add_argument("--notebook-dir", default=str(NOTEBOOK_DIR), help=argparse.SUPPRESS)


def main(args: argparse.Namespace) -> int:
    """Entry point of ``python -m cmocio build``; returns the exit code."""
    t0 = time.perf_counter()
    try:
        notebooks = discover(Path(args.notebook_dir), args.only)
        if not notebooks:
            raise BuildError(f"no notebooks found in {args.notebook_dir}")
        given = {name: parse_value(value) for name, value in args.parameter}
        if args.update and given:
            raise BuildError("--update refreshes the committed notebooks with their default parameters; drop -p")
        if args.cell_timeout <= 0:
            raise BuildError("--cell-timeout must be a positive number of seconds")
        build_dir = Path(args.build_dir)
        if not args.update and "output_dir" not in given:
            given_all = {**given, "output_dir": "results"}  # relative to the build folder, where pages run
        else:
            given_all = given
        plan = plan_parameters(notebooks, given_all)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        results = build(notebooks, plan, build_dir, reader=args.reader, jobs=args.jobs, scheduler=args.scheduler,
                        cell_timeout=args.cell_timeout, force=args.force, update=args.update)
    except KeyboardInterrupt:
        print("Build interrupted.", file=sys.stderr)
        return 130
    except RuntimeError as exc:  # the cluster cannot be reached
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write the build output: {exc}", file=sys.stderr)
        return 1
    failed = [r for r in results if r.status not in ("ok", "up to date")]
    took = time.perf_counter() - t0
    if failed:
        print(f"\n{len(failed)} of {len(results)} notebook(s) failed ({took:.1f} s):", file=sys.stderr)
        for r in failed:
            print(f"  {r.name}: {r.error}", file=sys.stderr)
        return 1
    where = "notebooks/" if args.update else f"{Path(args.build_dir) / 'html' / 'index.html'}"
    print(f"Done in {took:.1f} s: {len(results)} notebook(s) -> {where}")
    return 0
