"""Anonymity of an organisation's own figures: the rule, the suppression, the audit, and the ledger of releases.

One module a job:

* ``rule``: the minimum-group and dominance rule, the one reason shown for a
  hidden figure, and rounding for publication;
* ``audit``: what an analyst holding only the published figures can prove about
  a hidden one (linear programming over the bounds every count obeys);
* ``suppress``: which figures are hidden, complementary suppression until the
  audit passes;
* ``ledger``: every release of a survey's figures, recorded beside its data, so
  that a new release is checked against the earlier ones.
"""

from .ledger import LEDGER_NAME, Ledger, ReleaseRefused, change_size, default_ledger_path, fingerprints, ledger_for
from .rule import (DOMINANCE, HIDDEN, ROUNDING, check_min_group_size, dominance_limit, passes, primary_reason,
                   publishable, rounded, statement)
from .suppress import MAX_WEIGHT_CLASSES, crossings, nesting_of, suppress, weight_classes

__all__ = ["DOMINANCE", "HIDDEN", "LEDGER_NAME", "Ledger", "ledger_for", "ROUNDING", "ReleaseRefused", "change_size",
           "check_min_group_size", "crossings", "default_ledger_path", "dominance_limit", "fingerprints", "passes",
           "primary_reason", "publishable", "MAX_WEIGHT_CLASSES", "nesting_of", "rounded", "statement", "suppress",
           "weight_classes"]
