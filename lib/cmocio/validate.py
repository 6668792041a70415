"""``python -m cmocio validate [PATH]``: check the shipped data, or another findings file, and summarise it
(exit codes as in :mod:`cmocio.cli`)."""

from __future__ import annotations

import argparse
import sys

from .cli import DONE, FAILED


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``python -m cmocio validate``."""
    p.add_argument("path", nargs="?", default=None,
                   help="a findings CSV; studies/sources/metrics are read from beside it when present")


def main(args: argparse.Namespace) -> int:
    """Every problem with file, line and column (exit code 1), or a summary of the dataset."""
    from .data import load_dataset, summary
    from .errors import DataValidationError

    try:
        ds = load_dataset(args.path)
    except DataValidationError as exc:
        print(exc, file=sys.stderr)
        return FAILED
    studies = ds.findings["study_id"].nunique()
    print(f"OK: {len(ds.findings)} figures from {studies} studies and {ds.sources.shape[0]} articles "
          f"({ds.metrics.shape[0]} metrics; {len(ds.conflicts)} recorded disagreements, "
          f"{int(ds.findings['set_aside'].sum())} figures set aside) in {ds.folder}")
    m, f = ds.metrics, ds.findings
    grouped = m["question"].value_counts()
    elsewhere = int((f["base_source"].notna() & (f["base_source"] != f["source_id"])).sum())
    print(f"{len(grouped)} questions ({int((grouped > 1).sum())} with categories, sums or complements); "
          f"{int((ds.sources['publisher'] == 'sponsor').sum())} articles published by the sponsor; "
          f"{elsewhere} bases printed in another article of the same wave")
    print()
    print(summary(ds).to_string())
    return DONE
