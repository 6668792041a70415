"""Every sentence about a finding, in one room: headlines, bullets, verdicts and counts.

The pages, the deck and the workbook call these functions rather than writing their own prose, so they cannot
disagree. One module a job:

* ``words``: how a figure, a difference, a bound or a share of figures reads in a sentence;
* ``counts``: every count (waves, sponsors, articles; gaps with intervals, tested, significant), from one place;
* ``headlines``: the one-sentence finding of each analysis (a page's brief, a slide's headline);
* ``gaps``: comparisons row by row (what a difference's bases allow, wave changes, pooled families);
* ``questions``: comparisons counted by question (each tested once), who sees it rosier, pooled gaps in words;
* ``briefs``: each page's three to five opening findings, and the analyses behind each headline;
* ``benchmark``: the benchmark page's and its slides' sentences (summary, heatmap highlights, drivers, actions);
  imported as ``cmocio.sentences.benchmark``.
"""

from . import questions
from .briefs import brief, headlines, page_brief
from .counts import comparisons, comparisons_sentence, evidence, evidence_sentence
from .headlines import change_headline, cx_ownership_headline, gap_headline, segment_headline
from .words import distance_words, figure_words, in_sentence, md_escape, quantity_words, verdict_words

__all__ = ["questions", "brief", "change_headline", "comparisons", "comparisons_sentence", "cx_ownership_headline",
           "distance_words", "evidence", "evidence_sentence", "figure_words", "gap_headline", "headlines",
           "in_sentence", "md_escape", "page_brief", "quantity_words", "segment_headline", "verdict_words"]
