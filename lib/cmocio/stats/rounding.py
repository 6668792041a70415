"""What a printed figure allows: the range of true values behind it, and the least favourable pair for a test.

A published percentage is rounded, given in words, or a bound. The true figure behind it may be anywhere in:

* an exact figure (qualifier ``=``): half a unit of its last printed digit either side, so 42% allows 41.5 to
  42.5 and 37.5% allows 37.45 to 37.55;
* a figure in words (``~``: "about", "nearly", "N in 10"): the validator's margin, five points either side;
* a bound: its own side, "more than 50%" allows 50 to 100 and "less than 30%" allows 0 to 30;

always within 0 to 100. A difference is called significant only if it is significant at the least
favourable values these ranges allow: the two figures as close together as the printing lets them be.
"""

from __future__ import annotations

import numpy as np

from ..data import APPROXIMATE_TOLERANCE

#: The rule in plain words, for the caveats of a page.
ROUNDING_RULE = ("A difference is called significant, or said to hold whatever the unknown bases, only if it does "
                 "so with both figures moved as close together as their printing allows: half a point either way for "
                 "a whole percent (less for a figure printed with decimals), five points for a figure given in words "
                 "(\"about a third\"), and only the stated side of a bound (\"more than half\"), never past 0 or 100%.")


def _half_unit(percent: np.ndarray) -> np.ndarray:
    """Half a unit of the last printed digit: 0.5 for a whole percent, 0.05 for one decimal, 0.005 for two."""
    half = np.full(percent.shape, 0.005)
    for decimals, h in ((1, 0.05), (0, 0.5)):
        scaled = percent * 10**decimals
        half = np.where(np.abs(scaled - np.round(scaled)) < 1e-9, h, half)
    return half


def figure_range(percent: object, qualifier: object) -> tuple[np.ndarray, np.ndarray]:
    """The lowest and highest true figure (percent) each printed figure allows; arrays of the inputs' shape."""
    p = np.asarray(percent, dtype=float)
    q = np.asarray(qualifier, dtype=object).astype(str)
    half = np.where(q == "~", APPROXIMATE_TOLERANCE, _half_unit(p))
    low = np.where(q == "<", 0.0, np.where(q == ">", p, p - half))
    high = np.where(q == ">", 100.0, np.where(q == "<", p, p + half))
    return np.clip(low, 0.0, 100.0), np.clip(high, 0.0, 100.0)


def least_favourable(percent_a: object, qualifier_a: object, percent_b: object,
                     qualifier_b: object) -> tuple[np.ndarray, np.ndarray]:
    """The pair of true figures (percent) the printing allows that is hardest on the printed difference a − b.

    For a printed a > b: a at its lowest, b at its highest; for a < b the reverse. Where the two ranges
    overlap, both are set to one common value (no difference), and where the printed figures are equal they
    stay as printed. The Newcombe interval moves monotonically with each figure, so this pair gives the
    largest p-value of all the pairs the ranges allow.
    """
    pa, pb = np.asarray(percent_a, dtype=float), np.asarray(percent_b, dtype=float)
    a_low, a_high = figure_range(pa, qualifier_a)
    b_low, b_high = figure_range(pb, qualifier_b)
    up, down = pa > pb, pa < pb
    wa = np.where(up, a_low, np.where(down, a_high, pa))
    wb = np.where(up, b_high, np.where(down, b_low, pb))
    crossed = (up & (wa <= wb)) | (down & (wa >= wb))
    middle = (wa + wb) / 2
    return np.where(crossed, middle, wa), np.where(crossed, middle, wb)


def widest_pairs(percent_a: object, qualifier_a: object, percent_b: object,
                 qualifier_b: object) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The pairs (a, b) that give the lowest and the highest interval limit of a − b over every allowed pair."""
    a_low, a_high = figure_range(percent_a, qualifier_a)
    b_low, b_high = figure_range(percent_b, qualifier_b)
    return (a_low, b_high), (a_high, b_low)
