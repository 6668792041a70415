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


def _answer(row: dict) -> tuple:
    """Who answered, and when: the keys that make two figures answers of the same people."""
    return tuple("" if pd.isna(row[k]) else row[k] for k in _ANSWER_KEYS)


def _complement_problems(ds: Dataset, fpath: str) -> list[Problem]:
    """A complement and its headline, from the same people, must allow a sum of 100."""
    m = ds.metrics
    complement_of = dict(zip(m.loc[m["role"] == "complement", "metric"], m.loc[m["role"] == "complement", "question"]))
    f = ds.findings
    f = f[f["metric"].isin(set(complement_of) | set(complement_of.values()))
          & ~f["finding_id"].isin(set_aside_ids(ds.conflicts))]
    headlines: dict[tuple, list[dict]] = {}
    rows = list(zip(f.index, f[["finding_id", "metric", "percent", "qualifier", *_ANSWER_KEYS]].to_dict("records")))
    for _, r in rows:
        if r["metric"] not in complement_of:
            headlines.setdefault((r["metric"], *_answer(r)), []).append(r)
    problems = []
    for line, r in rows:
        if r["metric"] not in complement_of:
            continue
        for h in headlines.get((complement_of[r["metric"]], *_answer(r)), []):
            if not can_sum_to_100(float(r["percent"]), str(r["qualifier"]), float(h["percent"]), str(h["qualifier"])):
                problems.append(Problem(fpath, int(line), "percent",
                                        f"{r['percent']:g}% ({r['metric']}) and {h['percent']:g}% of {h['finding_id']} "
                                        f"({h['metric']}) are complements of one question but cannot sum to 100 "
                                        "within their rounding; record a conflict and set one aside, or fix the "
                                        "role in metrics.csv"))
    return problems


def question_problems(ds: Dataset, paths: dict[str, Path]) -> list[Problem]:
    """One headline per question, questions named by their headline, complements that add up."""
    return _structure_problems(ds.metrics, str(paths["metrics"])) + _complement_problems(ds, str(paths["findings"]))
