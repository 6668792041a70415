"""``python -m cmocio build``: execute every notebook with papermill and render it for reading.

* Executed notebooks go to ``build/notebooks/``, HTML pages to ``build/html/`` with an
  ``index.html`` listing each notebook's title, summary and first chart; chart and
  table files to ``build/results/``.
* Notebooks run in parallel worker processes; HTML is rendered in-process with
  nbconvert's exporter.
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
import concurrent.futures as cf
import hashlib
import html
import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .files import atomic_write_bytes

ROOT = Path(__file__).resolve().parents[2]
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


@dataclass
class Job:
    name: str
    source: str
    parameters: dict[str, Any]
    key: str
    build_dir: str
    cwd: str
    reader: bool
    cell_timeout: int
    update: bool = False


@dataclass
class Result:
    name: str
    status: str  # "ok", "failed", "up to date", "interrupted"
    seconds: float = 0.0
    title: str = ""
    summary: str = ""
    thumbnail: str = ""  # data URI of the first chart
    error: str = ""


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
    return {nb: {k: v for k, v in given.items() if k in params} for nb, params in declared.items()}


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
    """Remove run timings and timestamps (keep execution counts and tags)."""
    for key in VOLATILE_NOTEBOOK_KEYS:
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        if not cell.metadata.get("tags", True):
            cell.metadata.pop("tags")
    return nb


def notebook_summary(nb: Any) -> tuple[str, str, str]:
    """Title (first heading), one-line summary (next paragraph) and first chart (data URI)."""
    title, summary, thumb = "", "", ""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not title:
            lines = [ln.strip() for ln in cell.source.splitlines()]
            heads = [ln for ln in lines if ln.startswith("# ")]
            if heads:
                title = heads[0][2:].strip()
                rest = [ln for ln in lines if ln and not ln.startswith("#")]
                summary = rest[0] if rest else ""
        if cell.cell_type == "code" and not thumb:
            for out in cell.get("outputs", []):
                png = out.get("data", {}).get("image/png")
                if png:
                    thumb = "data:image/png;base64," + "".join(png.split())
                    break
        if title and thumb:
            break
    return title, summary, thumb


_NB_LINK = re.compile(r'href="(\d\d_[A-Za-z0-9_]+)\.ipynb(#[^"]*)?"')


def render_html(nb: Any, reader: bool, nav: list[tuple[str, str]]) -> str:  # nav: (text, href) pairs
    """HTML page of an executed notebook, with links between pages and nothing loaded from the network."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="cmocio", extra_template_basedirs=[str(TEMPLATE_DIR)])
    # Not nbconvert's sanitize_html: it escapes the whole rendered Markdown. Text from data
    # files reaches the page only through pandas tables (escaped by pandas) and through
    # Markdown built with cmocio.report.md_escape.
    exporter.exclude_input = reader
    exporter.exclude_input_prompt = reader
    exporter.exclude_output_prompt = reader
    body, _ = exporter.from_notebook_node(nb)
    body = _NB_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', body)
    links = "".join(f'<a href="{html.escape(href)}">{html.escape(text)}</a>' for text, href in nav)
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + f'\n<nav class="cmocio-nav">{links}</nav>', body, count=1)


# ---- running one notebook (in a worker process) -------------------------------------------------

def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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


def run_job(job: Job, nav: list[tuple[str, str]]) -> Result:
    """Execute one notebook with papermill and write its outputs atomically. Never raises."""
    import nbformat
    import papermill

    start = time.perf_counter()
    build = Path(job.build_dir)
    tmp_dir = build / ".tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix=f"{job.name}.", suffix=".ipynb")
    os.close(fd)
    tmp = Path(tmp_name)
    log_dir = build / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    saved_stderr = os.dup(2)
    try:
        # The kernel inherits this process's stderr: keep its chatter in build/logs/<name>.log.
        with open(log_dir / f"{job.name}.log", "wb") as log:
            os.dup2(log.fileno(), 2)
        papermill.execute_notebook(
            job.source, str(tmp), parameters=job.parameters or None, kernel_name=KERNEL, cwd=job.cwd,
            progress_bar=False, log_output=False, execution_timeout=job.cell_timeout,
            request_save_on_cell_execute=False,
            shutdown_kernel="immediate",  # every cell has finished by now; a graceful shutdown only waits
        )
        nb = strip_volatile(nbformat.read(str(tmp), as_version=4))
        title, summary, thumb = notebook_summary(nb)
        try:
            if job.update:
                atomic_write_bytes(Path(job.source), (nbformat.writes(nb) + "\n").encode("utf-8"))
            else:
                page = render_html(nb, job.reader, nav)
                atomic_write_bytes(build / "notebooks" / f"{job.name}.ipynb", nbformat.writes(nb).encode("utf-8"))
                atomic_write_bytes(build / "html" / f"{job.name}.html", page.encode("utf-8"))
        except OSError as exc:
            return Result(job.name, "failed", time.perf_counter() - start, title, summary, thumb,
                          error=f"executed, but its output could not be written: {exc.strerror or exc} "
                                f"({exc.filename or build})")
        return Result(job.name, "ok", time.perf_counter() - start, title, summary, thumb)
    except BaseException as exc:  # noqa: BLE001 - a worker reports, never raises
        if isinstance(exc, KeyboardInterrupt):
            return Result(job.name, "interrupted", time.perf_counter() - start, error="interrupted")
        return Result(job.name, "failed", time.perf_counter() - start, error=_describe_error(exc, job.cell_timeout))
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        tmp.unlink(missing_ok=True)


# ---- the index ----------------------------------------------------------------------------------

def render_index(results: list[Result], reader: bool) -> str:
    """The landing page: one card per notebook with title, summary, first chart and status."""
    cards = []
    for r in results:
        href = f"{r.name}.html"
        status = {"ok": "built", "up to date": "up to date"}.get(r.status, r.status)
        klass = "failed" if r.status in ("failed", "interrupted") else "ok"
        img = f'<img src="{r.thumbnail}" alt="First chart of {html.escape(r.title or r.name)}">' if r.thumbnail else ""
        err = f'<p class="error">{html.escape(r.error)}</p>' if r.error else ""
        cards.append(
            f'<li class="card {klass}"><h2><a href="{html.escape(href)}">{html.escape(r.title or r.name)}</a></h2>'
            f'<p class="summary">{html.escape(r.summary)}</p>{img}'
            f'<p class="status">{html.escape(r.name)}: {html.escape(status)}</p>{err}</li>'
        )
    mode = "reader view (code hidden)" if reader else "full notebooks"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>CMO–CIO Alignment Notebooks</title>
<style>
body {{ font: 15px/1.5 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }}
ul {{ list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 1em; }}
.card {{ border: 1px solid #ddd; border-radius: 6px; padding: 0.8em 1em; }}
.card.failed {{ border-color: #c0392b; background: #fdf2f2; }}
.card img {{ width: 100%; height: auto; border: 1px solid #eee; }}
.card h2 {{ font-size: 1.1em; margin: 0 0 0.4em; }}
.status {{ color: #666; font-size: 0.85em; }} .error {{ color: #c0392b; font-size: 0.85em; white-space: pre-wrap; }}
</style></head>
<body><h1>CMO–CIO Alignment Notebooks</h1>
<p>How marketing and IT leaders work together, from every figure five published surveys reported (2013–2021). Pages: {mode}.</p>
<ul>
{chr(10).join(cards)}
</ul></body></html>
"""


# ---- orchestration ------------------------------------------------------------------------------

def _cache_path(build: Path, name: str) -> Path:
    return build / ".cache" / f"{name}.json"


def _load_cache(build: Path, name: str) -> dict[str, Any]:
    try:
        return json.loads(_cache_path(build, name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def build(notebooks: list[Path], parameters: dict[str, dict[str, Any]], build_dir: Path, *, reader: bool = False,
          jobs: int | None = None, cell_timeout: int = DEFAULT_CELL_TIMEOUT, force: bool = False,
          update: bool = False, data_dir: Path | None = None, out=sys.stdout) -> list[Result]:
    """Run the notebooks and write pages; returns one :class:`Result` per notebook, in order."""
    from .data import DATA_DIR

    build_dir = build_dir.resolve()
    for sub in ("notebooks", "html", ".cache", ".tmp"):
        (build_dir / sub).mkdir(parents=True, exist_ok=True)
    for stale in (build_dir / ".tmp").iterdir():  # leftovers of an interrupted run
        if stale.is_file():
            stale.unlink(missing_ok=True)
    shared = inputs_digest(data_dir or DATA_DIR)
    nav = [("Index", "index.html")] + [(p.stem, f"{p.stem}.html") for p in notebooks]
    results: dict[str, Result] = {}
    todo: list[Job] = []
    for path in notebooks:
        params = dict(parameters.get(path.stem, {}))
        key = job_key(path, params, shared, reader, build_dir)
        cached = _load_cache(build_dir, path.stem)
        outputs_exist = (build_dir / "html" / f"{path.stem}.html").is_file()
        if not force and not update and cached.get("key") == key and outputs_exist:
            results[path.stem] = Result(path.stem, "up to date", 0.0, cached.get("title", ""),
                                        cached.get("summary", ""), cached.get("thumbnail", ""))
            continue
        todo.append(Job(path.stem, str(path), params, key, str(build_dir), str(path.parent), reader, cell_timeout,
                        update))
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    what = "Refreshing" if update else "Executing"
    print(f"{what} {len(todo)} notebook(s) on {workers} worker(s); {len(notebooks) - len(todo)} up to date.",
          file=out, flush=True)
    done = 0
    interrupted = False
    if todo:
        ctx = multiprocessing.get_context("spawn")
        pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_ignore_sigint)
        futures = {pool.submit(run_job, job, nav): job for job in todo}
        try:
            for fut in cf.as_completed(futures):
                job = futures[fut]
                try:
                    res = fut.result()
                except Exception as exc:  # a worker died (killed, out of memory)
                    res = Result(job.name, "failed", error=f"worker process failed: {type(exc).__name__}: {exc}")
                results[job.name] = res
                done += 1
                mark = "ok" if res.status == "ok" else res.status.upper()
                line = f"[{done}/{len(todo)}] {job.name}: {mark} in {res.seconds:.1f} s"
                print(line + (f" ({res.error})" if res.error else ""), file=out, flush=True)
                if res.status == "ok" and not update:
                    atomic_write_bytes(_cache_path(build_dir, job.name), json.dumps(
                        {"key": job.key, "title": res.title, "summary": res.summary, "thumbnail": res.thumbnail}
                    ).encode())
        except KeyboardInterrupt:
            interrupted = True
            print("Interrupted: stopping workers; finished pages are kept, unfinished ones keep their last good version.",
                  file=out, flush=True)
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()
            for job in todo:
                results.setdefault(job.name, Result(job.name, "interrupted", error="interrupted before it finished"))
        finally:
            pool.shutdown(wait=not interrupted, cancel_futures=True)
    ordered = [results[p.stem] for p in notebooks]
    for r in ordered:  # a failed notebook keeps its last good title and chart on the index
        if r.status != "ok" and not r.title:
            cached = _load_cache(build_dir, r.name)
            r.title, r.summary, r.thumbnail = cached.get("title", ""), cached.get("summary", ""), cached.get("thumbnail", "")
    if not update:
        atomic_write_bytes(build_dir / "html" / "index.html", render_index(ordered, reader).encode("utf-8"))
    shutil.rmtree(build_dir / ".tmp", ignore_errors=True)
    if interrupted:
        raise KeyboardInterrupt
    return ordered


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
    p.add_argument("--jobs", "-j", type=int, default=None, help="parallel workers (default: number of CPUs)")
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
            given_all = {**given, "output_dir": str((build_dir / "results").resolve())}
        else:
            given_all = given
        plan = plan_parameters(notebooks, given_all)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        results = build(notebooks, plan, build_dir, reader=args.reader, jobs=args.jobs,
                        cell_timeout=args.cell_timeout, force=args.force, update=args.update)
    except KeyboardInterrupt:
        print("Build interrupted.", file=sys.stderr)
        return 130
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
