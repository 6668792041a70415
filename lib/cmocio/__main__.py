"""Command line: ``python -m cmocio validate [PATH]``, ``build``, ``portfolio``, ``survey convert``, ``deck`` and
``datapackage``; ``python -m cmocio COMMAND --help`` for each one's options."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from .cli import INTERRUPTED

#: Every command: the module beside its package that holds its options (``add_arguments``) and its ``main``, and
#: its one line of help. Conventions shared by all of them: :mod:`cmocio.cli`.
COMMANDS = {
    "validate": ("cmocio.validate", "check a findings file (default: the shipped data) and summarise it"),
    "deck": ("cmocio.deliverables.cli", "write a PowerPoint deck (native charts) and an Excel workbook for a client"),
    "datapackage": ("cmocio.datapackage",
                    "rewrite data/datapackage.json (the Frictionless descriptor) from the schemas"),
    "survey": ("cmocio.survey.cli", "your own survey: write it for a survey tool, pull and convert its responses"),
    "build": ("cmocio.build.cli", "execute every notebook with papermill and render HTML pages"),
    "portfolio": ("cmocio.portfolio.cli", "one benchmark page per organisation from a folder of exports, "
                                          "each set against the rest of the portfolio"),
}


def parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line. With ``argv``, only the command it names loads its module (so that ``python -m cmocio``
    starts fast and each command pays for its own imports); without, every command does."""
    chosen = next((a for a in argv if not a.startswith("-")), None) if argv is not None else None
    p = argparse.ArgumentParser(prog="python -m cmocio", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        if argv is None or name == chosen:
            module = importlib.import_module(module_name)
            module.add_arguments(command)
            command.set_defaults(func=module.main)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser(argv).parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:  # a command that keeps partial work says so itself
        print("Interrupted.", file=sys.stderr)
        return INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
