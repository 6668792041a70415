"""Where a pull's token comes from: an environment variable, or the tokens file; never a parameter.

Parameters end up in executed notebooks and on pages (papermill records
them), so a token is read only from the environment or from the tokens file:
``$CMOCIO_TOKENS_FILE``, else ``~/.config/cmocio/tokens.env`` (under
``$XDG_CONFIG_HOME`` when set), one ``NAME=value`` a line, ``#`` for comments.
An environment variable wins over the file. A message names the variable and
the file, never the value.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .http import PullError, say

QUALTRICS = "QUALTRICS_API_TOKEN"
SURVEYMONKEY = "SURVEYMONKEY_ACCESS_TOKEN"
#: Google: a service-account key file (the variable Google's libraries read), or an OAuth access token.
GOOGLE_KEY_FILE = "GOOGLE_APPLICATION_CREDENTIALS"
GOOGLE_TOKEN = "GOOGLE_FORMS_ACCESS_TOKEN"


def tokens_file() -> Path:
    """The tokens file this environment reads (it need not exist)."""
    given = os.environ.get("CMOCIO_TOKENS_FILE")
    if given:
        return Path(given).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "cmocio" / "tokens.env"


def _from_file(name: str) -> str | None:
    path = tokens_file()
    if not path.is_file():
        return None
    if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        say(f"note: {path} can be read by other users; chmod 600 it")
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key.strip() == name and not key.lstrip().startswith("#"):
            return value.strip().strip("'\"") or None
    return None


def find(name: str) -> str | None:
    """The value of ``name`` from the environment, else from the tokens file; None when neither has it."""
    return os.environ.get(name, "").strip() or _from_file(name)


def require(name: str, service: str) -> str:
    """:func:`find`, or a PullError saying where to put the token."""
    value = find(name)
    if not value:
        raise PullError(f"no {service} token: set {name} in the environment or in {tokens_file()} "
                        f"({name}=...; see the README)")
    return value
