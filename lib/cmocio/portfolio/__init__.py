"""Many organisations at once: a consultant's portfolio of pulse-survey exports.

One module a job:

* ``exports``: which export in the folder belongs to which organisation, and its mapping;
* ``pooling``: the rest of the portfolio as a benchmark, under the portfolio anonymity rule, and percentile bands;
* ``drivers``: which practices go with better relationships across organisations (the consultant's index only);
* ``run``: reading, pooling, building one page per organisation and the index;
* ``cli``: ``python -m cmocio portfolio EXPORTS_DIR --mapping MAP``;
* ``synthetic``: a folder of made-up organisations, for trying it out and for the benchmark.
"""

from importlib import import_module

from .exports import Organisation, discover, organisation_id

_LAZY = {"MIN_ORGANISATIONS": "pooling", "contributions": "pooling", "pooled": "pooling", "run": "run"}


def __getattr__(name: str):
    """The statistics behind pooling load on first use, so that ``python -m cmocio`` starts fast."""
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(name)


__all__ = ["MIN_ORGANISATIONS", "Organisation", "contributions", "discover", "organisation_id", "pooled", "run"]
