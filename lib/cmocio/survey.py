"""Your own organisation's pulse survey: validate responses, aggregate them, compare with the studies.

A response file has one row per respondent: ``respondent_id``, ``function``
(``marketing`` or ``it``), an optional weight column, and one column per
question of ``data/survey/questions.csv`` holding ``1`` (yes), ``0`` (no) or
blank (no answer). Aggregation is vectorised (one pass of matrix products per
group), so a million respondents take well under a second.

Respondent privacy: :func:`suppress` blanks every group with fewer answers than
``min_group_size``, and the "all" figure of any question where a function is
suppressed (otherwise the suppressed figure could be recovered by subtraction).
No function here returns respondent-level rows.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from . import stats
from .data import DATA_DIR
from .errors import DataValidationError, Problem
from .tables import Field, read_table, read_text

SURVEY_DIR = DATA_DIR / "survey"
QUESTIONS_PATH = SURVEY_DIR / "questions.csv"
EXAMPLE_PATH = SURVEY_DIR / "synthetic_example_responses.csv"
FUNCTIONS = ("marketing", "it")
ID_COLUMNS = ("respondent_id", "function")
#: Published groups a group of yours is compared with.
BENCHMARK_GROUPS = {"marketing": ("marketing", "very_effective", "effective"), "it": ("it",), "all": ("all",)}
MAX_LISTED = 50
#: Largest response file accepted (a million respondents x 30 questions is about 70 MiB).
MAX_RESPONSE_BYTES = 2 * 1024**3

QUESTION_FIELDS = (
    Field("question_id", pattern=r"q[0-9]{2,3}", pattern_words="an id such as q01", unique=True),
    Field("metric", pattern=r"[a-z][a-z0-9_]*", pattern_words="a snake_case metric id"),
    Field("asked_of", allowed=("both", "marketing", "it")),
    Field("wording"),
    Field("coding"),
)

AGGREGATE_COLUMNS = ["question_id", "metric", "group", "n_respondents", "n_answered", "n_missing", "percent",
                     "n_eff", "ci_low", "ci_high", "suppressed"]


def load_questions(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The survey instrument: question id, metric of findings.csv, who is asked, wording, coding."""
    return read_table(Path(path) if path else QUESTIONS_PATH, QUESTION_FIELDS, "questions file")


def load_responses(path: str | os.PathLike, questions: pd.DataFrame,
                   weight_column: str = "weight") -> pd.DataFrame:
    """Read and validate a response file; raise one error listing the problems by line and column.

    Checks: required columns present, no unknown columns, unique ``respondent_id``,
    ``function`` is marketing or it, answers are 1, 0 or blank, weights are
    non-negative numbers. Returns ``respondent_id``, ``function``, ``weight`` (1.0
    when ``weight_column`` is empty) and one ``Int8`` column per question.
    """
    p = Path(path)
    text = read_text(p, "responses file", MAX_RESPONSE_BYTES)
    if not text.strip():
        raise DataValidationError([Problem(str(p), None, None, "is empty; expected a header row and data")],
                                  "responses file")
    import io

    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataValidationError([Problem(str(p), None, None, f"is not valid CSV ({exc})")], "responses file") from None
    raw.columns = [c.strip() for c in raw.columns]
    qids = list(questions["question_id"])
    problems: list[Problem] = []
    needed = list(ID_COLUMNS) + ([weight_column] if weight_column else [])
    for col in needed:
        if col not in raw.columns:
            problems.append(Problem(str(p), 1, col, "required column is missing from the header"))
    known = set(needed) | set(qids) | ({"weight"} if not weight_column else set())
    for col in raw.columns:
        if col not in known:
            problems.append(Problem(str(p), 1, col, f"is not a question of questions.csv (known: {', '.join(qids)})"))
    present = [q for q in qids if q in raw.columns]
    if not present and not problems:
        problems.append(Problem(str(p), 1, None, "has no question columns"))
    if problems:
        raise DataValidationError(problems, "responses file")
    line = pd.Series(np.arange(len(raw)) + 2, index=raw.index)

    def report(mask: pd.Series, column: str, message) -> None:
        for i in np.flatnonzero(mask.to_numpy())[:MAX_LISTED]:
            problems.append(Problem(str(p), int(line.iloc[i]), column, message(raw[column].iloc[i])))
        extra = int(mask.sum()) - MAX_LISTED
        if extra > 0:
            problems.append(Problem(str(p), None, column, f"... and {extra} more rows with the same problem"))

    rid = raw["respondent_id"].str.strip()
    report(rid == "", "respondent_id", lambda v: "is blank; every respondent needs an id")
    report(rid.duplicated(keep="first") & (rid != ""), "respondent_id", lambda v: f"'{v}' appears more than once")
    fn = raw["function"].str.strip().str.lower()
    report(~fn.isin(FUNCTIONS), "function", lambda v: f"'{v}' is not a known function (use marketing or it)")
    if weight_column:
        w = pd.to_numeric(raw[weight_column].str.strip(), errors="coerce")
        report(w.isna(), weight_column, lambda v: f"'{v}' is not a number")
        report(w < 0, weight_column, lambda v: f"{v} is negative; weights must be 0 or more")
    else:
        w = pd.Series(1.0, index=raw.index)
    answers = {}
    for q in present:
        col = raw[q].str.strip()
        report(~col.isin(["0", "1", ""]), q, lambda v: f"'{v}' is not an answer (use 1 for yes, 0 for no, blank for none)")
        answers[q] = col.map({"1": 1, "0": 0}).astype("Int8")
    if problems:
        raise DataValidationError(problems, "responses file")
    out = pd.DataFrame({"respondent_id": rid, "function": fn, "weight": w.astype(float), **answers})
    return out


def aggregate(responses: pd.DataFrame, questions: pd.DataFrame, weight_column: str | None = "weight",
              confidence: float = 0.95) -> pd.DataFrame:
    """Shares of yes answers per question and group (each function, and ``all``).

    Missing answers are excluded from a question's base and counted in
    ``n_missing``. With weights, the share is weighted and its Wilson interval
    uses the Kish effective sample size ``n_eff``; without, ``n_eff`` is the
    number answering. An empty input returns an empty table with the same columns.
    """
    qids = [q for q in questions["question_id"] if q in responses.columns]
    metric_of = dict(zip(questions["question_id"], questions["metric"]))
    if responses.empty or not qids:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in AGGREGATE_COLUMNS})
    block = responses[qids]
    values = block.to_numpy(dtype="float32", na_value=np.nan)
    answered = ~np.isnan(values)
    yes = np.nan_to_num(values, nan=0.0)
    answered_f = answered.astype("float32")
    w = (responses[weight_column].to_numpy(dtype="float64") if weight_column and weight_column in responses
         else np.ones(len(responses)))
    function = responses["function"].to_numpy()
    rows = []
    for group in (*FUNCTIONS, "all"):
        member = np.ones(len(responses), bool) if group == "all" else function == group
        wg = np.where(member, w, 0.0)
        count = member.astype("float32") @ answered_f
        sw = wg @ answered_f
        sw2 = (wg * wg) @ answered_f
        syes = wg @ yes
        n_members = int(member.sum())
        for j, q in enumerate(qids):
            n_eff = float(sw[j] ** 2 / sw2[j]) if sw2[j] > 0 else 0.0
            share = float(syes[j] / sw[j]) if sw[j] > 0 else np.nan
            low = high = np.nan
            if n_eff > 0 and not np.isnan(share):
                low, high = stats.wilson_interval(min(max(share, 0.0), 1.0), n_eff, confidence)
            rows.append((q, metric_of[q], group, n_members, int(count[j]), n_members - int(count[j]),
                         100 * share, n_eff, 100 * low, 100 * high, False))
    return pd.DataFrame.from_records(rows, columns=AGGREGATE_COLUMNS)


def suppress(table: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    """Blank every figure resting on fewer than ``min_group_size`` answers.

    A suppressed row keeps its question and group but loses its share, interval
    and counts, and is marked ``suppressed``. Where a function is suppressed on a
    question, that question's ``all`` row is suppressed too, so that the hidden
    figure cannot be recovered by subtracting the other function from the total.
    """
    if min_group_size < 1:
        raise ValueError(f"min_group_size must be at least 1, got {min_group_size!r}")
    out = table.copy()
    if out.empty:
        return out
    small = out["n_answered"].astype(float) < min_group_size
    hidden_q = set(out.loc[small & out["group"].isin(FUNCTIONS), "question_id"])
    small |= (out["group"] == "all") & out["question_id"].isin(hidden_q)
    out["suppressed"] = small.to_numpy()
    for col in ("n_respondents", "n_answered", "n_missing", "percent", "n_eff", "ci_low", "ci_high"):
        out[col] = out[col].astype(float).where(~small)
    return out


def benchmark(yours: pd.DataFrame, published: pd.DataFrame, confidence: float = 0.95,
              assumed_n: int | None = None) -> pd.DataFrame:
    """Your share minus each published benchmark of the same metric and matching group.

    ``published`` holds findings with intervals (``n_used``). Differences get a
    Newcombe interval and a z-test where both bases are known; p-values are
    adjusted with Benjamini–Hochberg across the table. Suppressed figures of yours
    are not compared.
    """
    cols = ["question_id", "metric", "group", "percent", "n_eff", "study_id", "benchmark_group", "benchmark_percent",
            "benchmark_n", "benchmark_qualifier", "diff", "diff_low", "diff_high", "p_value", "p_adjusted",
            "significant", "caveat"]
    if yours.empty or published.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    own = yours[~yours["suppressed"].astype(bool)]
    pairs = [(g, b) for g, bs in BENCHMARK_GROUPS.items() for b in bs]
    link = pd.DataFrame(pairs, columns=["group", "benchmark_group"])
    pub = published.rename(columns={"group": "benchmark_group", "percent": "benchmark_percent",
                                    "qualifier": "benchmark_qualifier"})
    merged = own.merge(link, on="group").merge(
        pub[["metric", "benchmark_group", "study_id", "year", "benchmark_percent", "base_n", "benchmark_qualifier"]],
        on=["metric", "benchmark_group"])
    if merged.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    recs = []
    for r in merged.itertuples(index=False):
        p1, p2 = r.percent / 100, float(r.benchmark_percent) / 100
        n2, src = stats.base_for(r.base_n, assumed_n)
        low = high = pv = np.nan
        caveats = []
        if src == "none":
            caveats.append("published base unknown; difference only")
        elif r.n_eff > 0:
            low, high = stats.newcombe_interval(min(max(p1, 0), 1), r.n_eff, p2, n2, confidence)
            pv = stats.two_proportion_ztest(min(max(p1, 0), 1), r.n_eff, p2, n2)[1]
            if src == "assumed":
                caveats.append(f"published base unknown; assumed n={assumed_n}")
        if stats.QUALIFIER_CAVEATS.get(str(r.benchmark_qualifier)):
            caveats.append(stats.QUALIFIER_CAVEATS[str(r.benchmark_qualifier)])
        recs.append({"question_id": r.question_id, "metric": r.metric, "group": r.group, "percent": r.percent,
                     "n_eff": r.n_eff, "study_id": r.study_id, "benchmark_group": r.benchmark_group,
                     "benchmark_percent": 100 * p2, "benchmark_n": n2, "benchmark_qualifier": r.benchmark_qualifier,
                     "diff": 100 * (p1 - p2), "diff_low": 100 * low, "diff_high": 100 * high, "p_value": pv,
                     "caveat": "; ".join(caveats)})
    out = pd.DataFrame.from_records(recs)
    stats.add_adjusted(out, confidence)
    return out[cols]


def own_gaps(yours: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Your marketing minus your IT on each question, with a Newcombe interval (suppressed rows left out)."""
    cols = ["question_id", "metric", "percent_marketing", "percent_it", "diff", "diff_low", "diff_high", "p_value",
            "p_adjusted", "significant"]
    own = yours[~yours["suppressed"].astype(bool)]
    m = own[own["group"] == "marketing"].set_index("question_id")
    i = own[own["group"] == "it"].set_index("question_id")
    common = [q for q in m.index if q in i.index]
    if not common:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    recs = []
    for q in common:
        pm, pi = m.loc[q, "percent"] / 100, i.loc[q, "percent"] / 100
        low, high = stats.newcombe_interval(pm, m.loc[q, "n_eff"], pi, i.loc[q, "n_eff"], confidence)
        pv = stats.two_proportion_ztest(pm, m.loc[q, "n_eff"], pi, i.loc[q, "n_eff"])[1]
        recs.append({"question_id": q, "metric": m.loc[q, "metric"], "percent_marketing": 100 * pm,
                     "percent_it": 100 * pi, "diff": 100 * (pm - pi), "diff_low": 100 * low, "diff_high": 100 * high,
                     "p_value": pv})
    out = pd.DataFrame.from_records(recs)
    stats.add_adjusted(out, confidence)
    return out[cols]


def synthetic_responses(questions: pd.DataFrame, n: int = 300, seed: int = 20261123, missing_rate: float = 0.06,
                        share_marketing: float = 0.6) -> pd.DataFrame:
    """A clearly synthetic response file, for demonstrations and tests. Not real data.

    Respondent ids start with ``SYN-``. Each function answers each question yes
    with a fixed made-up probability (drawn once from the seed), a share
    ``missing_rate`` of answers is blank, and weights vary between 0.5 and 2.
    """
    rng = np.random.default_rng(seed)
    qids = list(questions["question_id"])
    function = np.where(rng.random(n) < share_marketing, "marketing", "it")
    base = rng.uniform(0.2, 0.8, size=len(qids))
    tilt = rng.normal(0.0, 0.12, size=len(qids))
    prob = np.where(function[:, None] == "marketing", base + tilt, base - tilt).clip(0.02, 0.98)
    answers = (rng.random((n, len(qids))) < prob).astype(float)
    answers[rng.random((n, len(qids))) < missing_rate] = np.nan
    frame = pd.DataFrame(answers, columns=qids).astype("Int8")
    frame.insert(0, "weight", rng.uniform(0.5, 2.0, size=n).round(3))
    frame.insert(0, "function", function)
    frame.insert(0, "respondent_id", [f"SYN-{i:05d}" for i in range(1, n + 1)])
    return frame


def write_example(path: str | os.PathLike = EXAMPLE_PATH, n: int = 300, seed: int = 20261123) -> Path:
    """Regenerate the shipped synthetic example file (deterministic for a given seed)."""
    frame = synthetic_responses(load_questions(), n=n, seed=seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def respondent_columns(questions: pd.DataFrame) -> Sequence[str]:
    """Columns of a response file, in template order."""
    return [*ID_COLUMNS, "weight", *questions["question_id"]]
