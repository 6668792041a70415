"""The curated survey dataset: its columns, loading and validation, and the rule for which row decides.

One module per job: :mod:`.fields` (the tables' columns and vocabularies), :mod:`.load`
(reading and validating the five tables into a :class:`Dataset`), :mod:`.rules`,
:mod:`.provenance` and :mod:`.questions` (the rules that span files), and :mod:`.figures`
(rows that report one figure: agreement and :func:`distinct_figures`).
"""

from __future__ import annotations

from ..paths import DATA_DIR  # re-exported: cmocio.data.DATA_DIR is the shipped dataset's folder
from .fields import (AGREEMENT_TOLERANCE, APPROXIMATE_TOLERANCE, BASE_KINDS, CONFLICT_FIELDS, CONFLICT_KINDS,
                     FILES, FINDING_FIELDS, GROUPS, KNOWN_KINDS, METRIC_FIELDS, MINIMUM_KINDS, PUBLISHERS,
                     QUALIFIERS, ROLES, SOURCE_FIELDS, SPECS, STUDY_FIELDS, THEMES)
from .figures import FIGURE_KEYS, disagreements, distinct_figures, figure_bounds, precision_keys
from .load import (Dataset, load_dataset, load_findings, load_metrics, load_sources, load_studies, select_studies,
                   source_table, summary)

__all__ = [
    "AGREEMENT_TOLERANCE", "APPROXIMATE_TOLERANCE", "BASE_KINDS", "CONFLICT_FIELDS", "CONFLICT_KINDS", "DATA_DIR",
    "FIGURE_KEYS", "FILES", "FINDING_FIELDS", "GROUPS", "KNOWN_KINDS", "METRIC_FIELDS", "MINIMUM_KINDS",
    "PUBLISHERS", "QUALIFIERS", "ROLES", "SOURCE_FIELDS", "SPECS", "STUDY_FIELDS", "THEMES", "Dataset",
    "disagreements", "distinct_figures", "figure_bounds", "load_dataset", "load_findings", "load_metrics",
    "load_sources", "load_studies", "precision_keys", "select_studies", "source_table", "summary",
]
