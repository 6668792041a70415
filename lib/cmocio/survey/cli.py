"""``python -m cmocio survey convert EXPORT --mapping MAP -o responses.csv``."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from ..errors import DataValidationError


def convert_command(args: argparse.Namespace) -> int:
    from . import convert, load_mapping, load_questions, write_responses

    if len(args.mapping) not in (1, len(args.exports)):
        print(f"error: give one mapping, or one per export ({len(args.exports)})", file=sys.stderr)
        return 2
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
        return 1
    frame = pd.concat(frames, ignore_index=True)
    if len(frames) > 1:
        frame["respondent_id"] = [f"r{i:06d}" for i in range(1, len(frame) + 1)]
    try:
        path = write_responses(frame, args.output)
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"Wrote {len(frame)} respondents to {path} (no metadata, no identifying columns).")
    return 0
