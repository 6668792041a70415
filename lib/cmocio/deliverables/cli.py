"""``python -m cmocio deck``: the deck and the workbook for a client (exit codes as in :mod:`cmocio.cli`)."""

from __future__ import annotations

import argparse

from ..cli import DONE, FAILED, error


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``python -m cmocio deck``."""
    p.add_argument("--output", "-o", default="build/deliverables", help="folder for briefing.pptx and tables.xlsx")
    p.add_argument("--responses", default="", help="your survey export or canonical CSV (default: the synthetic example)")
    p.add_argument("--mapping", default="", help="the mapping file for an export")
    p.add_argument("--min-group-size", type=int, default=5, help="smallest group any of your figures may rest on")
    p.add_argument("--weight-column", default="weight", help="weight column of a canonical CSV; empty for unweighted")
    p.add_argument("--ledger", default="", help="the survey's disclosure ledger (default: beside --responses)")
    p.add_argument("--organisation", default="", help="the survey's name in the ledger (default: the file's name)")
    p.add_argument("--confidence", type=float, default=0.95, help="confidence level (a fraction)")
    p.add_argument("--date", default="", help="the date on every slide, YYYY-MM-DD (default: today)")
    p.add_argument("--studies", default="", help='study ids as JSON or YAML text, e.g. "[leapfrog-2015, leapfrog-2016]"')


def main(args: argparse.Namespace) -> int:
    """Entry point of ``python -m cmocio deck``; returns the exit code."""
    from ..errors import DataValidationError, ParameterError
    from ..report import as_list
    from . import write_deliverables

    try:
        paths = write_deliverables(args.output, confidence=args.confidence, studies=as_list(args.studies, "--studies"),
                                   responses_path=args.responses, mapping_path=args.mapping,
                                   min_group_size=args.min_group_size, weight_column=args.weight_column,
                                   ledger_path=args.ledger, organisation=args.organisation, date=args.date)
    except (ParameterError, DataValidationError, ValueError) as exc:
        return error(str(exc), FAILED)
    except OSError as exc:
        return error(f"cannot write the deliverables to {args.output}: {exc.strerror or exc}", FAILED)
    for path in paths:
        print(f"wrote {path}")
    return DONE
