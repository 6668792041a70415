"""Your own organisation's pulse survey: read real exports, map them, aggregate safely, compare with the studies.

One module a job:

* ``instrument``: the questions (``data/survey/questions.csv``) and shared names;
* ``layouts``: which export layout a file is in, from its header rows (current
  and older Qualtrics, SurveyMonkey, Google Forms, Microsoft Forms, SPSS, plain);
* ``read``: the columns a mapping names, from any of those layouts, metadata never loaded;
* ``mapping``: the analyst's mapping file and the conversion to canonical responses;
* ``identifying``: whether a column's name or values identify a person, and how a message names a value;
* ``weights``: which survey weights are usable (finite, 0 or more, not absurd);
* ``mapping_text``: the mapping's YAML, with yes / no read as words;
* ``scales``: the answer scales, and how each value is placed (value labels before codes);
* ``conversion_report``: what a conversion read, and the value -> answer table it used;
* ``responses``: reading and writing the canonical response file;
* ``aggregation``: every figure at once, by question, wave, segment and function;
* ``privacy``: the anonymity rule, the disclosure audit, and the ledger of releases;
* ``compare``: against the published figures, marketing against IT, wave against wave;
* ``analysis``: one call from responses to the suppressed tables;
* ``heatmap``: every question by every segment, as the difference from the organisation, and the highlights;
* ``drivers``: how strongly each practice goes with the relationship outcome, audited as a breakdown;
* ``evidence``: the published comparisons of each practice, and the actions they support;
* ``context``: one organisation's survey with its settings, read and analysed once, for a page or a deck;
* ``synthetic``: made-up respondents and the same people in every export layout;
* ``fielding``: the survey as files the tools import, each with the mapping that reads its export;
* ``pull``: the responses from the tools' APIs, in their export layouts, identifying fields dropped;
* ``cli``: ``python -m cmocio survey convert | instrument | pull``.

No function here returns respondent-level rows to a page.
"""

from .aggregation import RESPONDENTS, cells, shares
from .analysis import Analysis, analyse
from .compare import against_portfolio, benchmark, own_gaps, trend
from .context import SurveyContext, SurveySettings, check_survey_parameters
from .instrument import (ALL, EXAMPLE_PATH, FUNCTIONS, MAPPINGS_DIR, QUESTIONS_PATH, SURVEY_DIR, load_questions,
                         respondent_columns, segment_name)
from .mapping import ConversionReport, Mapping, convert, load_mapping
from .privacy import HIDDEN, Ledger, ReleaseRefused, ledger_for, publishable, rounded, suppress
from .read import open_export
from .responses import Responses, load_responses, read_responses, write_responses
from .synthetic import synthetic_people, synthetic_responses, write_example, write_exports

__all__ = ["Responses", "SurveyContext", "SurveySettings", "check_survey_parameters", "read_responses",
           "HIDDEN", "Ledger", "ReleaseRefused", "ledger_for", "ALL", "Analysis", "against_portfolio", "ConversionReport",
           "EXAMPLE_PATH", "FUNCTIONS", "MAPPINGS_DIR", "Mapping",
           "QUESTIONS_PATH", "RESPONDENTS", "SURVEY_DIR", "analyse", "benchmark", "cells", "convert", "load_mapping",
           "load_questions", "load_responses", "open_export", "own_gaps", "publishable", "respondent_columns",
           "rounded", "segment_name", "shares", "suppress", "synthetic_people", "synthetic_responses", "trend",
           "write_example", "write_exports", "write_responses"]
