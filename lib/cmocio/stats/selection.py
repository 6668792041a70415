"""Which rows a comparison uses and which comparisons are tested.

* One figure, one row: where several articles report the same figure, :func:`cmocio.data.distinct_figures`
  keeps the most precise (its ``chosen_because`` says why, ``other_rows`` names the rest).
* One question, one test: the answer categories of one question, their sums and complements share a
  ``question`` in ``metrics.csv``; only the ``headline`` metric of each question is tested, the others are
  shown beside it. A metrics table without these columns makes every metric its own question.
"""

from __future__ import annotations

import pandas as pd

#: The metric a question is tested by; its other categories, sums and complements are shown, not tested.
HEADLINE = "headline"
#: Columns a findings frame carries from ``metrics.csv`` (see :func:`with_questions`).
QUESTION_COLUMNS = ("question_ref", "role")
#: Columns :func:`cmocio.data.distinct_figures` adds to the rows it keeps.
CHOICE_COLUMNS = ("chosen_because", "other_rows")


def with_questions(findings: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """Add each finding's question (``question_ref``: the ``question`` of ``metrics.csv``) and ``role``.

    A metric the table gives no question is its own question, and its role is ``headline``.
    """
    out = findings.copy()
    def column(name: str) -> dict:
        if name not in metrics:
            return {}
        return {m: v for m, v in zip(metrics["metric"], metrics[name]) if isinstance(v, str) and v}

    question, role = column("question"), column("role")
    out["question_ref"] = pd.Series([question.get(m, m) for m in out["metric"]], index=out.index, dtype=object)
    out["role"] = pd.Series([role.get(m, HEADLINE) for m in out["metric"]], index=out.index, dtype=object)
    return out


def distinct(findings: pd.DataFrame) -> pd.DataFrame:
    """One row per figure, the most precise (:func:`cmocio.data.distinct_figures`).

    A frame that already went through it (it has ``other_rows``) is kept as it is, so that the record of
    the rows set aside survives a second pass.
    """
    from ..data import distinct_figures

    if findings.empty or "other_rows" in findings.columns:
        return findings
    return distinct_figures(findings)


def is_tested(role: pd.Series) -> pd.Series:
    """Whether each comparison is a question's test: its metric is the question's headline (or has no role)."""
    return role.isna() | (role.astype(str) == HEADLINE)


def figure_used(finding_id: object, chosen_because: object = None, others: object = None) -> str:
    """The row a comparison used and why, in a few words: "hn14-03 (exact figure; 1 other report)"."""
    if finding_id is None or pd.isna(finding_id):
        return ""
    why = "" if chosen_because is None or pd.isna(chosen_because) else str(chosen_because)
    if not why and isinstance(others, str) and others:
        n = len([o for o in others.split(";") if o.strip()])
        why = f"{n} other report{'s' if n > 1 else ''} of the same figure"
    return f"{finding_id} ({why})" if why else str(finding_id)
