"""``python -m cmocio portfolio EXPORTS_DIR --mapping MAP``: one benchmark page per organisation (its options,
and the run from them; exit codes as in :mod:`cmocio.cli`)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from ..build.options import DEFAULT_CELL_TIMEOUT
from ..cli import DONE, FAILED, INTERRUPTED, USAGE, error
from ..paths import ROOT


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``python -m cmocio portfolio``."""
    p.add_argument("exports", metavar="EXPORTS_DIR",
                   help="a folder with one survey export per organisation (the file name names it); a mapping "
                        "beside an export with the same name (acme.csv, acme.yaml) is used for that one")
    p.add_argument("--mapping", "-m", default=None, metavar="MAP",
                   help="the mapping file for every export without its own (omit for canonical CSVs)")
    p.add_argument("--build-dir", default=str(ROOT / "build" / "portfolio"),
                   help="output folder (default: build/portfolio/); pages in html/, the index at html/index.html")
    p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                   help="another parameter of the benchmark notebook, e.g. -p min_difference_pts 10")
    p.add_argument("--min-group-size", type=int, default=5,
                   help="smallest group any figure, and any organisation's part of the pool, may rest on (default 5)")
    p.add_argument("--min-organisations", type=int, default=5,
                   help="other organisations a pooled figure needs (default and least 5)")
    p.add_argument("--weight-column", default="weight",
                   help="weight column of canonical CSVs (a mapping names its own); empty for unweighted")
    p.add_argument("--confidence", type=float, default=0.95, help="confidence level (a fraction)")
    p.add_argument("--jobs", "-j", type=int, default=None, help="parallel local workers (default: number of CPUs)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the pages on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786)")
    p.add_argument("--cell-timeout", type=int, default=DEFAULT_CELL_TIMEOUT, metavar="SECONDS",
                   help=f"stop a page whose cell runs longer than this (default {DEFAULT_CELL_TIMEOUT})")
    p.add_argument("--force", action="store_true", help="rebuild pages that are up to date")
    p.add_argument("--show-code", action="store_true", help="show the notebook code on the pages (hidden by default)")
    p.add_argument("--notebook", default=None, help=argparse.SUPPRESS)


def main(args: argparse.Namespace) -> int:
    from ..build import BuildError, parse_value, plan_parameters
    from ..errors import DataValidationError
    from ..survey.privacy import ReleaseRefused
    from .pooling import MIN_ORGANISATIONS
    from .run import NOTEBOOK, OPTIONS, run

    notebook = Path(args.notebook) if args.notebook else NOTEBOOK
    given = {name: parse_value(value) for name, value in args.parameter}
    reserved = {"responses_path", "mapping_path", "portfolio_path", "organisation", "output_dir", "min_group_size",
                "weight_column", "confidence"}
    try:
        clash = sorted(reserved & set(given))
        if clash:
            raise BuildError(f"-p {', '.join(clash)}: set by the portfolio run itself (see --help for its options)")
        if args.min_organisations < MIN_ORGANISATIONS:
            raise BuildError(f"--min-organisations must be at least {MIN_ORGANISATIONS}")
        if not 0 < args.confidence < 1:
            raise BuildError("--confidence must be a fraction between 0 and 1, e.g. 0.95")
        if args.min_group_size < 1:
            raise BuildError("--min-group-size must be at least 1")
        options = replace(OPTIONS, reader=not args.show_code, jobs=args.jobs, scheduler=args.scheduler,
                          cell_timeout=args.cell_timeout, force=args.force).check()
        plan_parameters([notebook], given)
    except BuildError as exc:
        return error(str(exc), USAGE)
    try:
        members, results = run(Path(args.exports), Path(args.mapping) if args.mapping else None,
                               Path(args.build_dir), notebook=notebook, parameters=given,
                               min_group_size=args.min_group_size, weight_column=args.weight_column,
                               confidence=args.confidence, min_organisations=args.min_organisations, options=options)
    except ReleaseRefused as exc:  # the pool's ledger refuses this release (a lower threshold, too few changed)
        return error(str(exc), USAGE)
    except DataValidationError as exc:  # the exports folder: each problem with its file
        print(exc, file=sys.stderr)
        return USAGE
    except RuntimeError as exc:  # the cluster cannot be reached
        return error(str(exc), USAGE)
    except KeyboardInterrupt:
        print("Portfolio run interrupted; finished pages are kept.", file=sys.stderr)
        return INTERRUPTED
    rejected = [m for m in members if m.status != "ok"]
    failed = [r for r in results.values() if r.status not in ("ok", "up to date")]
    index = Path(args.build_dir) / "html" / "index.html"
    if rejected or failed:
        print(f"\n{len(rejected)} export(s) rejected and {len(failed)} page(s) failed; see {index}", file=sys.stderr)
        for m in rejected:
            print(f"  {m.org.name}: export rejected", file=sys.stderr)
        for r in failed:
            print(f"  {r.name}: {r.error}", file=sys.stderr)
        return FAILED
    print(f"Done: {len(results)} page(s) -> {index}")
    return DONE
