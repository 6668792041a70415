"""Command line: ``python -m cmocio validate [PATH]``, ``python -m cmocio build`` and ``python -m cmocio survey convert``."""

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
          f"({ds.metrics.shape[0]} metrics) in {ds.folder}")
    print()
    print(summary(ds).to_string())
    return 0


def _build(args: argparse.Namespace) -> int:
    from .build import main as build_main

    return build_main(args)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m cmocio", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check a findings file (default: the shipped data) and summarise it")
    v.add_argument("path", nargs="?", default=None,
                   help="a findings CSV; studies/sources/metrics are read from beside it when present")
    v.set_defaults(func=_validate)
    from .survey.cli import add_arguments as survey_arguments

    s = sub.add_parser("survey", help="your own survey: convert exports to the canonical response file")
    survey_arguments(s)
    try:
        from .build import add_arguments
    except ImportError:  # pragma: no cover
        add_arguments = None
    if add_arguments is not None:
        b = sub.add_parser("build", help="execute every notebook with papermill and render HTML pages")
        add_arguments(b)
        b.set_defaults(func=_build)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
