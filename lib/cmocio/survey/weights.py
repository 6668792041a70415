"""Survey weights a file may carry: numbers, finite, 0 or more, and not absurd.

A weight is refused, with row and column, when it is not a number, infinite,
negative, larger than :data:`MAX_WEIGHT` (10^12), or more than
:data:`MAX_RATIO` (10^6) times the median positive weight of the file. Real
survey weights stay within a few hundred times each other; a weight beyond
these bounds is a data error, and it would let one respondent stand for a whole
group (and overflow sums of squared weights). The message never quotes the weight.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_WEIGHT = 1e12
MAX_RATIO = 1e6


def parse_weights(cat: pd.Categorical, decimal_comma: bool = False) -> np.ndarray:
    """A column of text as weights, one per row (NaN where it is not a number); each distinct text parsed once."""
    text = pd.Series(np.asarray(cat.categories, dtype=object), dtype=object).astype(str).str.strip()
    if decimal_comma:  # European Excel: 1,5
        text = text.str.replace(",", ".", regex=False)
    numbers = np.append(pd.to_numeric(text, errors="coerce").to_numpy(dtype=float), np.nan)
    return numbers[np.asarray(cat.codes)]  # a missing code (-1) reads the NaN appended last


def weight_problems(w: np.ndarray, keep: np.ndarray | None = None) -> list[tuple[np.ndarray, str]]:
    """(rows, message) for each kind of unusable weight among the ``keep`` rows (all rows by default)."""
    w = np.asarray(w, dtype=float)
    keep = np.ones(len(w), dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    finite = np.isfinite(w) & keep
    nothing = np.zeros(len(w), dtype=bool)
    with np.errstate(invalid="ignore"):
        huge = finite & (w > MAX_WEIGHT)
        usable = w[finite & (w > 0) & ~huge]
        out_of_line = nothing
        if len(usable) and usable.max() > MAX_RATIO * usable.min():  # only then can one exceed the median bound
            out_of_line = finite & ~huge & (w > MAX_RATIO * float(np.median(usable)))
        return [(np.isnan(w) & keep, "is not a number"),
                (np.isinf(w) & keep, "is infinite; weights must be finite"),
                (finite & (w < 0), "is negative; weights must be 0 or more"),
                (huge, f"is larger than {MAX_WEIGHT:.0e}, the largest weight accepted"),
                (out_of_line, f"is more than {MAX_RATIO:.0e} times the median weight of the file")]
