"""Running a set of pages: what is up to date, the jobs for the rest on an executor, their files written,
and for a build, the site around the pages.

:func:`execute` is the machinery a build and a portfolio run share (one page per
:class:`Target`); :func:`build` is the build of the notebooks: :func:`execute` and then
the index, report, sources and search pages (:func:`cmocio.site.write_site`).
Every file is written here, atomically; a failing page keeps its last good files.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..files import atomic_write_bytes
from ..paths import DATA_DIR
from ..site import Page, built_at, render_index, site_pages, write_site
from .cache import inputs_digest, job_key, load_entry, save_entry
from .jobs import Job, Result, run_job
from .options import Options


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run; carries the results so far, so that the index can record them."""

    def __init__(self, results: dict[str, Result]):
        super().__init__()
        self.results = results


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


def plan(targets: list[Target], build_dir: Path, options: Options, shared: str) -> tuple[dict[str, Result], list[Job]]:
    """The targets that are up to date (with their cached results) and a job for each of the others,
    longest first, so that no long notebook starts last while the other workers sit idle (a notebook's size,
    its committed outputs included, is a fair guess of its running time)."""
    results: dict[str, Result] = {}
    todo: list[Job] = []
    sources: dict[Path, str] = {}
    for t in targets:
        params = dict(t.parameters)
        key = job_key(t.notebook, params, shared, options.reader, build_dir)
        cached = load_entry(build_dir, t.name)
        outputs_exist = (build_dir / "html" / f"{t.name}.html").is_file()
        if not options.force and not options.update and cached.get("key") == key and outputs_exist:
            results[t.name] = Result(t.name, "up to date", 0.0, cached.get("title", ""), cached.get("summary", ""),
                                     cached.get("thumbnail", ""), search=cached.get("search"))
            continue
        if t.notebook not in sources:
            sources[t.notebook] = t.notebook.read_text(encoding="utf-8")
        todo.append(Job(t.name, str(t.notebook), params, key, str(build_dir), str(t.notebook.parent), options.reader,
                        options.cell_timeout, options.update, shared, sources[t.notebook], _inputs(params)))
    todo.sort(key=lambda j: -len(j.source_text))
    return results, todo


def _run(executor: Any, todo: list[Job], pages: list[Page], options: Options, results: dict[str, Result],
         out: Any) -> bool:
    """Run the jobs, writing each one's files and progress line as it finishes; False if Ctrl-C stopped it."""
    t0 = time.perf_counter()
    done = 0
    interrupted = False
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
            if res.status == "ok" and not options.update:
                save_entry(Path(job.build_dir), job.name, job.key, res.title, res.summary, res.thumbnail, res.search)
    except KeyboardInterrupt:
        interrupted = True
        print("Interrupted: stopping workers; finished pages are kept, unfinished ones keep their last good version.",
              file=out, flush=True)
        for job in todo:
            results.setdefault(job.name, Result(job.name, "interrupted", error="interrupted before it finished"))
    finally:
        executor.close(cancel=interrupted)
    return not interrupted


def execute(targets: list[Target], build_dir: Path, options: Options = Options(), *, pages: list[Page],
            data_dir: Path | None = None, shared: str | None = None, out: Any = None) -> dict[str, Result]:
    """Run every target that is not up to date and write its files; one :class:`Result` per target name.

    A failing target keeps its last good files. ``options.scheduler`` sends the jobs
    to a Dask cluster instead of local worker processes (:mod:`.executors`); ``shared``
    is the digest of the data and code (:func:`.cache.inputs_digest`) when the caller has it.
    """
    from .executors import make_executor

    out = out if out is not None else sys.stdout  # looked up when called, so a redirected stdout is honoured
    build_dir = build_dir.resolve()
    shutil.rmtree(build_dir / ".tmp", ignore_errors=True)  # leftovers of an interrupted run
    for sub in ("notebooks", "html", ".cache", ".tmp"):
        (build_dir / sub).mkdir(parents=True, exist_ok=True)
    data_dir = data_dir or DATA_DIR
    shared = shared if shared is not None else inputs_digest(data_dir)
    results, todo = plan(targets, build_dir, options, shared)
    what = "Refreshing" if options.update else "Executing"
    executor = None
    if todo:
        workers = max(1, min(options.jobs or os.cpu_count() or 1, len(todo)))
        executor = make_executor(options.scheduler, workers, data_dir)
    where = executor.where if executor else "no workers"
    print(f"{what} {len(todo)} notebook(s) on {where}; {len(targets) - len(todo)} up to date.", file=out, flush=True)
    finished = _run(executor, todo, pages, options, results, out) if executor is not None else True
    for r in results.values():  # a failed page keeps its last good title and chart on the index
        if r.status != "ok" and not r.title:
            cached = load_entry(build_dir, r.name)
            r.title, r.summary, r.thumbnail = cached.get("title", ""), cached.get("summary", ""), cached.get("thumbnail", "")
        if r.search is None:
            r.search = load_entry(build_dir, r.name).get("search")
    shutil.rmtree(build_dir / ".tmp", ignore_errors=True)
    if not finished:
        raise Interrupted(results)
    return results


def _write_site(build_dir: Path, results: list[Result], options: Options, pages: list[Page],
                parameters: dict[str, dict[str, Any]], data_version: str, data_dir: Path) -> None:
    """The pages around the notebooks: index, execution report (with the build's facts), sources, search."""
    facts = {"Built": built_at(), "Data version": data_version[:12],
             "Mode": "reader (code hidden)" if options.reader else "full (code folded)",
             "Notebooks": f"{sum(r.status in ('ok', 'up to date') for r in results)} of {len(results)} built or up to date"}
    shown = {name: {k: v for k, v in p.items() if k != "output_dir"} for name, p in parameters.items()}
    write_site(build_dir, render_index(results, options.reader, pages), results, facts, data_dir=data_dir,
               data_version=data_version, pages=pages, parameters=shown,
               search=[r.search for r in results if r.search])


def build(notebooks: list[Path], parameters: dict[str, dict[str, Any]], build_dir: Path,
          options: Options = Options(), *, data_dir: Path | None = None, out: Any = None) -> list[Result]:
    """Run the notebooks and write pages and the site around them; one :class:`Result` per notebook, in order."""
    out = out if out is not None else sys.stdout
    build_dir = build_dir.resolve()
    data_dir = data_dir or DATA_DIR
    shared = inputs_digest(data_dir)
    pages = site_pages(notebooks)
    targets = [Target(p.stem, p, dict(parameters.get(p.stem, {}))) for p in notebooks]
    try:
        results = execute(targets, build_dir, options, pages=pages, data_dir=data_dir, shared=shared, out=out)
    except Interrupted as stop:
        if not options.update:
            _write_site(build_dir, [stop.results[p.stem] for p in notebooks], options, pages, parameters, shared,
                        data_dir)
        raise
    ordered = [results[p.stem] for p in notebooks]
    if not options.update:
        _write_site(build_dir, ordered, options, pages, parameters, shared, data_dir)
    return ordered
