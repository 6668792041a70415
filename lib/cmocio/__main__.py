"""Command line: ``python -m cmocio validate [PATH]``, ``build``, ``portfolio``, ``survey convert``, ``deck`` and ``datapackage``."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from .errors import DataValidationError


def _validate(args: argparse.Namespace) -> int:
    from .data import load_dataset, summary

    try:
        ds = load_dataset(args.path)
    except DataValidationError as exc:
        print(exc, file=sys.stderr)
        return 1
    studies = ds.findings["study_id"].nunique()
    print(f"OK: {len(ds.findings)} figures from {studies} studies and {ds.sources.shape[0]} articles "
          f"({ds.metrics.shape[0]} metrics; {len(ds.conflicts)} recorded disagreements, "
          f"{int(ds.findings['set_aside'].sum())} figures set aside) in {ds.folder}")
    print()
    print(summary(ds).to_string())
    return 0


def _build(args: argparse.Namespace) -> int:
    from .build import main as build_main

    return build_main(args)


def _survey_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``python -m cmocio survey convert`` (parsed here; the survey package loads only when run)."""
    sub = p.add_subparsers(dest="survey_command", required=True)
    c = sub.add_parser("convert", help="turn survey-tool exports into the canonical response file")
    c.add_argument("exports", nargs="+", metavar="EXPORT",
                   help="a Qualtrics, SurveyMonkey, Google Forms, Microsoft Forms or SPSS export; several "
                        "(e.g. one per wave) are stacked")
    c.add_argument("--mapping", "-m", action="append", required=True, metavar="MAP",
                   help="the mapping file (YAML); give one, or one per export")
    c.add_argument("--output", "-o", required=True, metavar="CSV", help="where to write the canonical responses")
    c.add_argument("--format", choices=["qualtrics", "surveymonkey", "google-forms", "microsoft-forms", "spss",
                                        "plain"], help="the export layout, when detection should be overridden")
    c.add_argument("--min-group-size", type=int, default=5,
                   help="counts below this are printed as '<N' in the summary (default 5)")
    c.set_defaults(func=_survey_convert)


def _survey_convert(args: argparse.Namespace) -> int:
    from .survey.cli import convert_command

    return convert_command(args)


def _portfolio(args: argparse.Namespace) -> int:
    from .portfolio.cli import main as portfolio_main

    return portfolio_main(args)


def _datapackage(args: argparse.Namespace) -> int:
    from .datapackage import write

    print(f"wrote {write()}")
    return 0


def _deck(args: argparse.Namespace) -> int:
    from .deliverables import write_deliverables
    from .errors import ParameterError
    from .report import as_list

    try:
        paths = write_deliverables(args.output, confidence=args.confidence, studies=as_list(args.studies, "--studies"),
                                   responses_path=args.responses, mapping_path=args.mapping,
                                   min_group_size=args.min_group_size, weight_column=args.weight_column,
                                   ledger_path=args.ledger, organisation=args.organisation)
    except (ParameterError, DataValidationError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: cannot write the deliverables to {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"wrote {path}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m cmocio", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check a findings file (default: the shipped data) and summarise it")
    v.add_argument("path", nargs="?", default=None,
                   help="a findings CSV; studies/sources/metrics are read from beside it when present")
    v.set_defaults(func=_validate)
    k = sub.add_parser("deck", help="write a PowerPoint deck (native charts) and an Excel workbook for a client")
    k.add_argument("--output", "-o", default="build/deliverables", help="folder for briefing.pptx and tables.xlsx")
    k.add_argument("--responses", default="", help="your survey export or canonical CSV (default: the synthetic example)")
    k.add_argument("--mapping", default="", help="the mapping file for an export")
    k.add_argument("--min-group-size", type=int, default=5, help="smallest group any of your figures may rest on")
    k.add_argument("--weight-column", default="weight", help="weight column of a canonical CSV; empty for unweighted")
    k.add_argument("--ledger", default="", help="the survey's disclosure ledger (default: beside --responses)")
    k.add_argument("--organisation", default="", help="the survey's name in the ledger (default: the file's name)")
    k.add_argument("--confidence", type=float, default=0.95, help="confidence level (a fraction)")
    k.add_argument("--studies", default="", help='study ids as JSON or YAML text, e.g. "[leapfrog-2015, leapfrog-2016]"')
    k.set_defaults(func=_deck)
    d = sub.add_parser("datapackage", help="rewrite data/datapackage.json (the Frictionless descriptor) from the schemas")
    d.set_defaults(func=_datapackage)
    s = sub.add_parser("survey", help="your own survey: convert exports to the canonical response file")
    _survey_arguments(s)
    try:
        from .build import add_arguments
    except ImportError:  # pragma: no cover
        add_arguments = None
    if add_arguments is not None:
        b = sub.add_parser("build", help="execute every notebook with papermill and render HTML pages")
        add_arguments(b)
        b.set_defaults(func=_build)
        from .portfolio.cli import add_arguments as portfolio_arguments

        f = sub.add_parser("portfolio", help="one benchmark page per organisation from a folder of exports, "
                                             "each set against the rest of the portfolio")
        portfolio_arguments(f)
        f.set_defaults(func=_portfolio)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
