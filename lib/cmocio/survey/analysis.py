"""One call from responses to every table the benchmark page shows, with anonymity applied once."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import aggregation, compare, privacy
from .instrument import ALL


@dataclass
class Analysis:
    """Every figure of an organisation's survey after suppression (full precision, for computing only).

    Use :func:`cmocio.survey.privacy.publishable` or :func:`cmocio.survey.privacy.rounded`
    before showing or writing anything.
    """

    table: pd.DataFrame
    waves: list[str]
    min_group_size: int
    confidence: float

    @property
    def latest(self) -> str:
        """The latest wave (``all`` when the responses have no wave column)."""
        return self.waves[-1]

    @property
    def dimensions(self) -> list[str]:
        """Segment breakdowns present, e.g. ``['business_unit', 'region']``."""
        return [d for d in pd.unique(self.table["dimension"]) if d]

    def overall(self, wave: str | None = None) -> pd.DataFrame:
        """Each question by function and for all respondents, in one wave (default: the latest)."""
        t = self.table
        mask = (t["wave"] == (wave or self.latest)) & (t["dimension"] == "") & (t["question_id"] != aggregation.RESPONDENTS)
        return t[mask].reset_index(drop=True)

    def breakdown(self, dimension: str, wave: str | None = None) -> pd.DataFrame:
        """Each question by the values of one segment and by function, in one wave (default: the latest)."""
        t = self.table
        mask = ((t["wave"] == (wave or self.latest)) & (t["dimension"] == dimension)
                & (t["question_id"] != aggregation.RESPONDENTS))
        return t[mask].reset_index(drop=True)

    def sizes(self) -> pd.DataFrame:
        """How many people are in each group, under the same suppression as the answers."""
        t = self.table
        return t[t["question_id"] == aggregation.RESPONDENTS].reset_index(drop=True)

    def trend(self, min_difference_pts: float = 5.0) -> pd.DataFrame:
        """Change between consecutive waves for every question and group shown in both."""
        t = self.table[self.table["question_id"] != aggregation.RESPONDENTS]
        return compare.trend(t, self.waves, self.confidence, min_difference_pts)

    @property
    def hidden(self) -> int:
        """How many figures (question x wave x group x segment) are suppressed."""
        t = self.table
        return int(t.loc[t["question_id"] != aggregation.RESPONDENTS, "suppressed"].sum())


def analyse(responses: pd.DataFrame, questions: pd.DataFrame, min_group_size: int = 5, confidence: float = 0.95,
            weighted: bool = True, ledger: privacy.Ledger | None = None, kind: str = "notebook") -> Analysis:
    """Aggregate every cell, compute shares and intervals, and apply the anonymity rule.

    With a ``ledger``, the release is checked against the survey's earlier ones
    (:class:`cmocio.survey.privacy.ReleaseRefused` when it cannot pass) and recorded
    as a release of ``kind`` (notebook, deck, portfolio page) before anything is shown.
    """
    k = privacy.check_min_group_size(min_group_size)
    pairs, latent = privacy.crossings(responses)  # breakdowns crossed two by two: audited, never shown
    audited = aggregation.shares(aggregation.cells(responses, questions, weighted, pairs), confidence)
    cells = audited[~audited["dimension"].isin(list(latent)).to_numpy()].reset_index(drop=True)
    nesting = privacy.nesting_of(responses)
    classes = privacy.weight_classes(responses, questions, audited, pairs) if weighted else None

    def hide(forced=(), known=()) -> pd.DataFrame:
        return privacy.suppress(audited, k, forced, nesting=nesting, classes=classes, latent=latent, known=known)

    if ledger is None:
        table = hide()
    else:
        who = privacy.fingerprints(responses, questions["question_id"])  # the same people, whatever the breakdowns
        with ledger.transaction():  # checked and recorded as one step
            forced, known = ledger.plan(cells, k, weighted, who), ledger.known(cells, who)
            table = hide(forced, known)
            while True:  # hide more until the difference from every earlier release hides nobody too
                more = ledger.differences(cells, table, k, nesting, who) - forced
                if not more:
                    break
                forced |= more
                table = hide(forced, known)
            ledger.record(cells, table, k, weighted, kind, who)
    waves = aggregation.waves_of(responses) if not responses.empty else [ALL]
    return Analysis(table, waves, k, confidence)
