"""Every sentence about a finding, in one room: headlines, bullets, verdicts and counts.

The pages, the deck and the workbook call these functions rather than writing their own prose, so they cannot
disagree. One module a job:

* ``words``: how a figure, a difference, a bound or a share of figures reads in a sentence;
* ``headlines``: the one-sentence finding of each analysis (a page's brief, a slide's headline).
"""

from .headlines import change_headline, cx_ownership_headline, gap_headline, segment_headline
from .words import distance_words, figure_words, in_sentence, quantity_words, verdict_words

__all__ = ["change_headline", "cx_ownership_headline", "distance_words", "figure_words", "gap_headline",
           "in_sentence", "quantity_words", "segment_headline", "verdict_words"]
