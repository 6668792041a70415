"""Survey statistics for published percentages: intervals, gap tests, effect sizes.

The articles print percentages without bases or uncertainty. These functions add
what a survey methodologist would, and say plainly where they cannot:

* no interval or test is computed where the base is unknown, unless the caller
  states an assumed base (``assumed_n``), and then the result says so;
* a difference is significant only at the least favourable values the printed figures allow
  (rounding, a figure in words, the side of a bound), and flagged in the ``caveat`` column.

All computations use statsmodels; the functions here only arrange inputs and outputs.
Empty inputs return empty frames with the same columns as a full result.

One module a job:

* ``intervals``: Wilson and Newcombe intervals, the p-values that invert them, Cohen's h, Benjamini–Hochberg,
  the Kish effective sample size;
* ``rounding``: the true values a printed figure allows (rounding, words, bounds) and the least favourable pair;
* ``selection``: which row stands for a figure, and which metric of a question is tested;
* ``bases``: the base each figure rests on (reported, minimum, derived, assumed, none) and its interval;
* ``comparisons``: figure against figure, adjusted over the table, with break-even bases and split sweeps
  where a base is unknown;
* ``evidence``: every comparison of the evidence base adjusted as one family, computed once per process;
* ``meta``: random-effects pooling of perception gaps across studies (REML, Hartung–Knapp, prediction interval).
"""

from .intervals import (add_adjusted, bh_adjust, check_confidence, cohens_h, kish_effective_n, newcombe_interval,
                        newcombe_intervals, newcombe_pvalue, newcombe_pvalues, score_test_fixed, wilson_interval)
from .bases import (INTERVAL_COLUMNS, KNOWN_BASES, MINIMUM_BASES, QUALIFIER_CAVEATS, STUDY_SIZE_COLUMNS, base_caveat,
                    base_for, with_intervals, with_study_sizes)
from .comparisons import (BREAK_EVEN_METHOD, COMPARE_COLUMNS, DEPENDS, HOLDS, MAX_BREAK_EVEN_N, NEWCOMBE_METHOD,
                          NOT_SIGNIFICANT, NOT_SIGNIFICANT_AT_MINIMUM, NOT_TESTABLE, NOT_TESTED, SPLIT_METHOD,
                          SPLIT_SHARES, add_sensitivity, bound_allows, compare_pairs, empty_comparison,
                          finish_comparison, open_side)
from .evidence import evidence_comparisons, select, wave_pairs
from .meta import META_COLUMNS, META_KINDS, MIN_POOLED, NOT_POOLED, gap_effects, meta_analysis, pool, reml_tau2
from .rounding import ROUNDING_RULE, figure_range, least_favourable
from .selection import HEADLINE, is_tested, with_questions

__all__ = ["BREAK_EVEN_METHOD", "COMPARE_COLUMNS", "DEPENDS", "HEADLINE", "HOLDS", "INTERVAL_COLUMNS",
           "KNOWN_BASES", "MAX_BREAK_EVEN_N", "META_COLUMNS", "META_KINDS", "MINIMUM_BASES", "MIN_POOLED",
           "NEWCOMBE_METHOD", "NOT_POOLED", "NOT_SIGNIFICANT", "NOT_SIGNIFICANT_AT_MINIMUM", "NOT_TESTABLE", "NOT_TESTED",
           "QUALIFIER_CAVEATS", "ROUNDING_RULE", "SPLIT_METHOD", "SPLIT_SHARES",
           "evidence_comparisons", "figure_range", "is_tested", "least_favourable", "pool", "reml_tau2", "select",
           "wave_pairs", "with_questions",
           "STUDY_SIZE_COLUMNS", "add_adjusted", "add_sensitivity", "base_caveat", "base_for", "bh_adjust",
           "bound_allows", "check_confidence", "cohens_h", "compare_pairs", "empty_comparison", "finish_comparison",
           "gap_effects", "kish_effective_n", "meta_analysis", "newcombe_interval", "newcombe_intervals",
           "newcombe_pvalue", "newcombe_pvalues",
           "open_side", "score_test_fixed", "wilson_interval", "with_intervals", "with_study_sizes"]
