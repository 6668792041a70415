"""``python -m cmocio build``: its options, and the run from them (exit codes as in :mod:`cmocio.cli`)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..cli import DONE, FAILED, INTERRUPTED, USAGE, error
from ..paths import ROOT
from .options import DEFAULT_CELL_TIMEOUT, BuildError, Options
from .parameters import NOTEBOOK_DIR, discover, parse_value, plan_parameters
from .run import build


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
    options = Options(reader=args.reader, jobs=args.jobs, scheduler=args.scheduler, cell_timeout=args.cell_timeout,
                      force=args.force, update=args.update)
    try:
        notebooks = discover(Path(args.notebook_dir), args.only)
        if not notebooks:
            raise BuildError(f"no notebooks found in {args.notebook_dir}")
        given = {name: parse_value(value) for name, value in args.parameter}
        if args.update and given:
            raise BuildError("--update refreshes the committed notebooks with their default parameters; drop -p")
        options.check()
        if not args.update and "output_dir" not in given:
            given = {**given, "output_dir": "results"}  # relative to the build folder, where pages run
        plan = plan_parameters(notebooks, given)
    except BuildError as exc:
        return error(str(exc), USAGE)
    try:
        results = build(notebooks, plan, Path(args.build_dir), options)
    except KeyboardInterrupt:
        print("Build interrupted.", file=sys.stderr)
        return INTERRUPTED
    except RuntimeError as exc:  # the cluster cannot be reached
        return error(str(exc), USAGE)
    except OSError as exc:
        return error(f"cannot write the build output: {exc}", FAILED)
    failed = [r for r in results if r.status not in ("ok", "up to date")]
    took = time.perf_counter() - t0
    if failed:
        print(f"\n{len(failed)} of {len(results)} notebook(s) failed ({took:.1f} s):", file=sys.stderr)
        for r in failed:
            print(f"  {r.name}: {r.error}", file=sys.stderr)
        return FAILED
    where = "notebooks/" if args.update else f"{Path(args.build_dir) / 'html' / 'index.html'}"
    print(f"Done in {took:.1f} s: {len(results)} notebook(s) -> {where}")
    return DONE
