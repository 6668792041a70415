"""``python -m cmocio survey convert | instrument | pull`` (exit codes as in :mod:`cmocio.cli`).

* ``convert EXPORT --mapping MAP -o responses.csv``: exports to the canonical response file;
* ``instrument --tool qualtrics|google|surveymonkey -o DIR``: the pulse survey as a file the tool imports,
  with the mapping that reads its export;
* ``pull qualtrics|surveymonkey|google … -o EXPORT``: the responses from the tool's API, in its export layout.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from ..cli import DONE, FAILED, USAGE, error


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``python -m cmocio survey`` and its subcommands ``convert``, ``instrument`` and ``pull``."""
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
    _add_instrument(sub)
    _add_pull(sub)


def _add_instrument(sub) -> None:
    i = sub.add_parser("instrument", help="write the pulse survey as a file a survey tool imports, with the mapping "
                                          "that reads its export")
    i.add_argument("--tool", required=True, choices=["qualtrics", "google", "surveymonkey"],
                   help="qualtrics: a .qsf file; google: an Apps Script that creates the form; surveymonkey: the "
                        "API's survey-creation body and a printable questionnaire")
    i.add_argument("--output", "-o", required=True, metavar="DIR", help="the folder to write into (made if needed)")
    i.add_argument("--breakdown", "-b", action="append", default=[], metavar="NAME=VALUE,VALUE,...",
                   help="a breakdown question, e.g. business_unit=Consumer,Enterprise,Online; repeat for more "
                        "(default: none)")
    i.add_argument("--wave", default=str(date.today().year),
                   help="the wave the mapping records, e.g. 2025 or 2025-Q1 (default: this year)")
    i.add_argument("--title", default=None, help="the survey's title (default: Marketing and IT pulse survey)")


def _add_pull(sub) -> None:
    p = sub.add_parser("pull", help="pull the responses from the survey tool's API into its export layout (tokens "
                                    "from the environment or the tokens file, never from an option)")
    tools = p.add_subparsers(dest="tool", required=True)
    q = tools.add_parser("qualtrics", help="the response-export API (QUALTRICS_API_TOKEN)")
    q.add_argument("--survey", required=True, metavar="SV_ID", help="the survey id, SV_… (in the survey's URL)")
    q.add_argument("--datacenter", required=True, metavar="ID",
                   help="the datacenter id, e.g. iad1 or fra1, or your organisation's host (org.iad1)")
    s = tools.add_parser("surveymonkey", help="the bulk responses endpoint (SURVEYMONKEY_ACCESS_TOKEN)")
    s.add_argument("--survey", required=True, metavar="ID", help="the survey's numeric id")
    s.add_argument("--region", choices=["us", "eu", "ca"], default="us",
                   help="where the account's data lives (default: us)")
    g = tools.add_parser("google", help="the Forms API (GOOGLE_APPLICATION_CREDENTIALS or GOOGLE_FORMS_ACCESS_TOKEN)")
    g.add_argument("--form", required=True, metavar="ID", help="the form id, from its edit link /forms/d/ID/edit")
    for tool in (q, s, g):
        tool.add_argument("--output", "-o", required=True, metavar="CSV",
                          help="where to write the export (replaced whole, only when the pull succeeds)")


def main(args: argparse.Namespace) -> int:
    """Entry point of ``python -m cmocio survey``; returns the exit code."""
    commands = {"convert": convert_command, "instrument": instrument_command, "pull": pull_command}
    return commands[args.survey_command](args)


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


def instrument_command(args: argparse.Namespace) -> int:
    """``survey instrument``: the tool's survey file and its matching mapping, written into a folder."""
    from .fielding import FILES, DesignError, make_design, write_instrument

    try:
        design = make_design(args.breakdown, args.wave, args.title)
        paths = write_instrument(args.tool, args.output, design)
    except DesignError as exc:
        return error(str(exc), USAGE)
    except OSError as exc:
        return error(f"cannot write into {args.output}: {exc.strerror}", FAILED)
    for path in paths:
        print(f"Wrote {path}")
    mapping = next(p for p in paths if p.name == FILES[args.tool][1])
    print(f"Then export (or pull) the responses and convert them with --mapping {mapping}")
    return DONE


def pull_command(args: argparse.Namespace) -> int:
    """``survey pull``: the tool's responses, identifying fields dropped, written in its export layout."""
    from .pull import PullError

    try:
        if args.tool == "qualtrics":
            from .pull import qualtrics

            pulled = qualtrics.pull(args.survey, args.datacenter, args.output)
        elif args.tool == "surveymonkey":
            from .pull import surveymonkey

            pulled = surveymonkey.pull(args.survey, args.output, args.region)
        else:
            from .pull import google

            pulled = google.pull(args.form, args.output)
    except PullError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return FAILED
    except OSError as exc:
        if exc.strerror is None:  # a network error (requests' errors are OSErrors), not the file
            print(f"error: the connection failed while pulling ({type(exc).__name__}); run the pull again",
                  file=sys.stderr)
            print("Nothing was written.", file=sys.stderr)
            return FAILED
        return error(f"cannot write {args.output}: {exc.strerror}", FAILED)
    print(pulled.summary({"qualtrics": "Qualtrics", "surveymonkey": "SurveyMonkey", "google": "Google Forms"}
                         [args.tool]))
    return DONE
