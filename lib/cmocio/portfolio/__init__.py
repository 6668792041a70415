"""Many organisations at once: a consultant's portfolio of pulse-survey exports.

One module a job:

* ``exports``: which export in the folder belongs to which organisation, and its mapping;
* ``pooling``: the rest of the portfolio as a benchmark, under the portfolio anonymity rule;
* ``run``: reading, pooling, building one page per organisation and the index;
* ``cli``: ``python -m cmocio portfolio EXPORTS_DIR --mapping MAP``;
* ``synthetic``: a folder of made-up organisations, for trying it out and for the benchmark.
"""

from .exports import Organisation, discover, organisation_id
from .pooling import MIN_ORGANISATIONS, contributions, pooled
from .run import run

__all__ = ["MIN_ORGANISATIONS", "Organisation", "contributions", "discover", "organisation_id", "pooled", "run"]
