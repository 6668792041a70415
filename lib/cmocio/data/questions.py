"""Rules on questions: which metrics are categories, sums or complements of one survey question.

``metrics.csv`` gives every metric a ``question`` (the metric id of that question's headline) and a
``role``. A question has exactly one headline, and the headline's question is itself; a complement is
100 minus the headline, so the two published figures must allow a sum of 100 within their rounding.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import Problem
from .figures import figure_bounds, set_aside_ids

if TYPE_CHECKING:
    from .load import Dataset

#: The columns that identify one answer set: the same people, asked once.
_ANSWER_KEYS = ["study_id", "group", "segment", "year"]


def _structure_problems(metrics: pd.DataFrame, mpath: str) -> list[Problem]:
    """Every question names a metric that is its one headline, and its metrics share that headline's theme."""
    problems = []
    role_of = dict(zip(metrics["metric"], metrics["role"]))
    theme_of = dict(zip(metrics["metric"], metrics["theme"]))
    question_of = dict(zip(metrics["metric"], metrics["question"]))
    headlines = metrics[metrics["role"] == "headline"]
    count = headlines["question"].value_counts()
    for line, metric, question, role in zip(metrics.index, metrics["metric"], metrics["question"], metrics["role"]):
        if pd.isna(question) or pd.isna(role):
            continue
        if role == "headline" and question != metric:
            problems.append(Problem(mpath, int(line), "question",
                                    f"is '{question}', but a headline is its own question: use '{metric}'"))
        elif question not in role_of:
            problems.append(Problem(mpath, int(line), "question",
                                    f"'{question}' is not a metric of this file: a question is named by its "
                                    "headline metric"))
        elif role_of[question] != "headline" or question_of[question] != question:
            problems.append(Problem(mpath, int(line), "question",
                                    f"'{question}' is not a headline (its role is '{role_of[question]}'): "
                                    "a question is named by its headline metric"))
        elif theme_of[metric] != theme_of[question]:
            problems.append(Problem(mpath, int(line), "theme",
                                    f"'{theme_of[metric]}' differs from the theme of its question '{question}' "
                                    f"('{theme_of[question]}'): one question belongs to one theme"))
        if role == "headline" and count.get(question, 0) > 1:
            others = ", ".join(m for m in headlines.loc[headlines["question"] == question, "metric"] if m != metric)
            problems.append(Problem(mpath, int(line), "role",
                                    f"is 'headline', as is {others} of question '{question}': a question has "
                                    "exactly one headline"))
    return problems


def can_sum_to_100(percent_a: float, qualifier_a: str, percent_b: float, qualifier_b: str) -> bool:
    """Whether two published figures can be a share and its complement: their allowed ranges reach 100 together."""
    lo_a, hi_a = figure_bounds(percent_a, qualifier_a)
    lo_b, hi_b = figure_bounds(percent_b, qualifier_b)
    return lo_a + lo_b <= 100 + 1e-9 and hi_a + hi_b >= 100 - 1e-9


def _complement_problems(ds: Dataset, fpath: str) -> list[Problem]:
    """A complement and its headline, from the same people, must allow a sum of 100."""
    m = ds.metrics
    complement_of = dict(zip(m.loc[m["role"] == "complement", "metric"], m.loc[m["role"] == "complement", "question"]))
    f = ds.findings[~ds.findings["finding_id"].isin(set_aside_ids(ds.conflicts))]
    left = f[f["metric"].isin(list(complement_of))]
    right = f[f["metric"].isin(set(complement_of.values()))]
    if left.empty or right.empty:
        return []
    left = left.assign(_line=left.index, _question=left["metric"].map(complement_of))
    right = right.assign(_question=right["metric"])
    pairs = left.merge(right, on=[*_ANSWER_KEYS, "_question"], suffixes=("", "_h"))
    problems = []
    for p in pairs.to_dict("records"):
        if not can_sum_to_100(float(p["percent"]), str(p["qualifier"]), float(p["percent_h"]), str(p["qualifier_h"])):
            problems.append(Problem(fpath, int(p["_line"]), "percent",
                                    f"{p['percent']:g}% ({p['metric']}) and {p['percent_h']:g}% of {p['finding_id_h']} "
                                    f"({p['metric_h']}) are complements of one question but cannot sum to 100 "
                                    "within their rounding; record a conflict and set one aside, or fix the "
                                    "role in metrics.csv"))
    return problems


def question_problems(ds: Dataset, paths: dict[str, Path]) -> list[Problem]:
    """One headline per question, questions named by their headline, complements that add up."""
    return _structure_problems(ds.metrics, str(paths["metrics"])) + _complement_problems(ds, str(paths["findings"]))
