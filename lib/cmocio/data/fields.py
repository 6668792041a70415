"""The five tables' columns: types, vocabularies and patterns (``data/README.md`` is the dictionary)."""

from __future__ import annotations

from ..tables import Field

THEMES = ("alignment", "incentives", "customer_experience", "martech_planning", "context")
GROUPS = ("marketing", "it", "all", "very_effective", "effective", "moderately_effective", "martech", "unspecified")
QUALIFIERS = ("=", ">", "<", "~")
BASE_KINDS = ("reported", "minimum", "derived", "derived_minimum", "unknown")
#: Base kinds whose ``base_n`` is a floor ("more than N" respondents, or derived from such a count).
MINIMUM_KINDS = ("minimum", "derived_minimum")
#: Base kinds that carry a ``base_n``.
KNOWN_KINDS = ("reported", "minimum", "derived", "derived_minimum")
#: Who published an article: the survey's sponsor itself (report, newsroom, release, blog) or another outlet.
PUBLISHERS = ("sponsor", "secondary")
#: A metric's place in its question: the one category tested, another category, a sum of categories, 100 minus
#: the headline.
ROLES = ("headline", "category", "sum", "complement")
#: Two rows that report the same figure may differ by rounding at most this much (points).
AGREEMENT_TOLERANCE = 1.0
#: How far a figure given in words ("about", "nearly", "N in 10") may lie from the number it is read as.
APPROXIMATE_TOLERANCE = 5.0
CONFLICT_KINDS = ("year", "sample", "figure", "question", "group", "wording")
_PUBLISHED = r"(\d{4}(-\d{2}(-\d{2})?)?|unknown)"

_ID = r"[a-z0-9][a-z0-9_.-]*"
_IDS = r"[a-z0-9][a-z0-9_.-]*(;[a-z0-9][a-z0-9_.-]*)*"
_SNAKE = r"[a-z][a-z0-9_]*"

STUDY_FIELDS = (
    Field("study_id", pattern=_ID, pattern_words="a lower-case id such as leapfrog-2016", unique=True),
    Field("label"),
    Field("sponsor"),
    Field("title"),
    Field("partners", required=False),
    Field("series", required=False, pattern=_ID, pattern_words="a lower-case id such as harvey-nash-cio"),
    Field("year", "int", required=False, min=1990, max=2100),
    Field("respondents", "int", required=False, min=1),
    Field("respondents_qualifier", required=False, allowed=QUALIFIERS),
    Field("population"),
    Field("geography"),
    Field("share_marketing", "float", required=False, min=0, max=100),
    Field("share_it", "float", required=False, min=0, max=100),
    Field("note", required=False),
    Field("programme", required=False),
)

SOURCE_FIELDS = (
    Field("source_id", pattern=_ID, pattern_words="a lower-case id such as adage-2015", unique=True),
    Field("seed_file", required=False),
    Field("source_file", required=False),
    Field("address"),
    Field("outlet"),
    Field("headline"),
    Field("author", required=False),
    Field("published", pattern=_PUBLISHED, pattern_words="a date as given: YYYY-MM-DD, YYYY-MM, YYYY or unknown"),
    Field("note", required=False),
    Field("publisher", allowed=PUBLISHERS),
    Field("studies", required=False, pattern=_IDS, pattern_words="study ids separated by ';'"),
)

METRIC_FIELDS = (
    Field("metric", pattern=_SNAKE, pattern_words="a snake_case id", unique=True),
    Field("theme", allowed=THEMES),
    Field("wording"),
    Field("direction", "int", min=-1, max=1),
    Field("family", pattern=_SNAKE, pattern_words="a snake_case id"),
    Field("question", pattern=_SNAKE, pattern_words="a snake_case id (the metric id of the question's headline)"),
    Field("role", allowed=ROLES),
)

CONFLICT_FIELDS = (
    Field("conflict_id", pattern=_ID, pattern_words="a lower-case id such as c01", unique=True),
    Field("kind", allowed=CONFLICT_KINDS),
    Field("findings"),
    Field("description"),
    Field("decision"),
    Field("set_aside", required=False),
)

FINDING_FIELDS = (
    Field("finding_id", pattern=_ID, pattern_words="a lower-case id such as lf16-01", unique=True),
    Field("study_id"),
    Field("source_id"),
    Field("theme", allowed=THEMES),
    Field("metric", pattern=_SNAKE, pattern_words="a snake_case id"),
    Field("group", allowed=GROUPS),
    Field("segment", required=False),
    Field("year", "int", required=False, min=1990, max=2100),
    Field("percent", "float", min=0, max=100),
    Field("qualifier", allowed=QUALIFIERS),
    Field("as_published", required=False),
    Field("base_n", "int", required=False, min=1),
    Field("base_n_kind", allowed=BASE_KINDS),
    Field("derived_from", required=False),
    Field("list_rank", "int", required=False, min=1),
    Field("note", required=False),
    Field("base_source", required=False, pattern=_ID, pattern_words="a source_id of sources.csv"),
)

FILES = {"studies": "studies.csv", "sources": "sources.csv", "metrics": "metrics.csv", "findings": "findings.csv",
         "conflicts": "conflicts.csv"}
SPECS = {"studies": STUDY_FIELDS, "sources": SOURCE_FIELDS, "metrics": METRIC_FIELDS, "findings": FINDING_FIELDS,
         "conflicts": CONFLICT_FIELDS}
