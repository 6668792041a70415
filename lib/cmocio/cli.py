"""What every ``python -m cmocio`` command does alike.

Each command lives beside its package, in a module with two functions:
``add_arguments(parser)`` (its options; each help says the default) and
``main(args) -> int`` (runs it, returns the exit code). ``__main__`` assembles them:

=============  ===============================
command        module
=============  ===============================
validate       ``cmocio/validate.py``
build          ``cmocio/build/cli.py``
portfolio      ``cmocio/portfolio/cli.py``
survey         ``cmocio/survey/cli.py``
deck           ``cmocio/deliverables/cli.py``
datapackage    ``cmocio/datapackage.py``
=============  ===============================

Errors go to stderr as one line beginning ``error:`` (:func:`error`), or, for
input files, as the list of problems with file, line and column; never as a
traceback. Exit codes are :data:`DONE`, :data:`FAILED`, :data:`USAGE` (also
argparse's own code for a bad option) and :data:`INTERRUPTED`.
"""

from __future__ import annotations

import sys

#: It did what was asked.
DONE = 0
#: It ran, and something failed or was found wrong (a notebook, an export, invalid data, a file not written).
FAILED = 1
#: Nothing ran: a bad option, parameter or notebook name, or a cluster that cannot be reached.
USAGE = 2
#: Stopped with Ctrl-C; what finished is kept.
INTERRUPTED = 130


def error(message: str, code: int = USAGE) -> int:
    """Print ``error: message`` to stderr and return ``code``, for ``return error(...)``."""
    print(f"error: {message}", file=sys.stderr)
    return code
