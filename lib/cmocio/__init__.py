"""cmocio: the shared library behind the CMO-CIO alignment notebooks."""

from .data import Dataset, load_dataset, load_findings, load_metrics, load_sources, load_studies
from .errors import DataValidationError, ParameterError, Problem

__version__ = "0.1.0"
__all__ = [
    "Dataset", "DataValidationError", "ParameterError", "Problem",
    "load_dataset", "load_findings", "load_metrics", "load_sources", "load_studies",
]
