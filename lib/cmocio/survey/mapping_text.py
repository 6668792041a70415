"""Reading a mapping file's text: YAML as written, without YAML 1.1's yes/no booleans.

PyYAML follows YAML 1.1, where ``yes``, ``no``, ``on`` and ``off`` (in any
common case) are booleans: a mapping's ``yes:`` and ``no:`` keys, and answers
such as ``[Yes]`` / ``[No]``, would arrive as ``True`` / ``False``. Here only
``true`` and ``false`` are booleans, as in YAML 1.2 and JSON.
"""

from __future__ import annotations

import functools
import re
from typing import Any

_BOOL = "tag:yaml.org,2002:bool"


@functools.cache
def _loader() -> type:
    import yaml

    class MappingLoader(yaml.SafeLoader):
        """The safe loader with YAML 1.2 booleans."""

    MappingLoader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    MappingLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    return MappingLoader


def read_mapping_text(text: str) -> Any:
    """The document of a mapping's YAML (or JSON) text, as :func:`cmocio.survey.load_mapping` reads it."""
    import yaml

    return yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader subclass
