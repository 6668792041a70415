"""``python -m cmocio survey convert EXPORT --mapping MAP -o responses.csv`` (exit codes as in :mod:`cmocio.cli`)."""

from __future__ import annotations

import argparse
import sys

from ..cli import DONE, FAILED, USAGE, error


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``python -m cmocio survey`` and its one subcommand, ``convert``."""
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


def main(args: argparse.Namespace) -> int:
    """Entry point of ``python -m cmocio survey``; returns the exit code."""
    return {"convert": convert_command}[args.survey_command](args)


def convert_command(args: argparse.Namespace) -> int:
    """``survey convert``: every export through its mapping, stacked, checked, written; nothing written on a problem."""
    import pandas as pd

    from ..errors import DataValidationError
    from . import convert, load_mapping, load_questions, write_responses

    if len(args.mapping) not in (1, len(args.exports)):
        return error(f"give one mapping, or one per export ({len(args.exports)})", USAGE)
    questions = load_questions()
    maps = args.mapping * len(args.exports) if len(args.mapping) == 1 else args.mapping
    frames = []
    try:
        for export, map_path in zip(args.exports, maps):
            mapping = load_mapping(map_path, questions)
            frame, report = convert(export, mapping, questions, args.format)
            print(f"{export}:\n{report.summary(args.min_group_size)}\n")
            frames.append(frame)
    except DataValidationError as exc:
        print(exc, file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return FAILED
    frame = pd.concat(frames, ignore_index=True)
    if len(frames) > 1:
        frame["respondent_id"] = [f"r{i:06d}" for i in range(1, len(frame) + 1)]
    try:
        path = write_responses(frame, args.output)
    except OSError as exc:
        return error(f"cannot write {args.output}: {exc.strerror}", FAILED)
    print(f"Wrote {len(frame)} respondents to {path} (no metadata, no identifying columns).")
    return DONE
