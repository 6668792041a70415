"""The portfolio's pools across runs: two runs whose pools differ by a few organisations give those away.

A pooled figure on an organisation's page is the sum of the other organisations'
contributions. Two runs of the portfolio (a new export, a changed threshold
that lets an organisation join or drop out of a pool) show two such sums; their
difference is the figure of the organisations that changed. So each run's
pools are recorded in the portfolio's disclosure ledger (beside the exports,
:data:`cmocio.survey.privacy.LEDGER_NAME`), and a pooled question is shown on a
page only if, against every earlier run that showed it on that page, either
nothing changed or at least ``min_organisations`` organisations changed (joined,
left, or brought different figures). The minimum group size of the portfolio
is fixed at its first run, as for one survey.

The ledger holds, per page and question, a digest of each contributing
organisation's sums, never the sums or anything about a respondent.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from ..survey.privacy import HIDDEN, Ledger

KIND = "portfolio pool"


def _digests(frame: pd.DataFrame) -> list[str]:
    """A short digest of each contribution row's sums (never the sums themselves)."""
    return [hashlib.sha256(json.dumps([int(n), f"{float(w):.12g}", f"{float(y):.12g}"]).encode()).hexdigest()[:16]
            for n, w, y in zip(frame["n_answered"], frame["weight_sum"], frame["yes_weight"])]


def contributors(contrib: pd.DataFrame, organisation: str) -> dict[str, dict[str, str]]:
    """Question -> {contributing organisation: digest of its sums} for one page's pool."""
    others = contrib[(contrib["organisation"] != organisation) & contrib["eligible"].astype(bool)]
    others = others.sort_values(["question_id", "group", "organisation"])
    out: dict[str, dict[str, str]] = {}
    for q, org, digest in zip(others["question_id"], others["organisation"], _digests(others)):
        entry = out.setdefault(q, {})
        entry[org] = hashlib.sha256((entry.get(org, "") + digest).encode()).hexdigest()[:16]
    return out


def audit_pool(ledger_path: Path, page: str, table: pd.DataFrame, pool: dict[str, dict[str, str]],
               min_group_size: int, min_organisations: int) -> pd.DataFrame:
    """``table`` (one page's pooled figures) with every question hidden that earlier runs would give away.

    Records this run's shown pools. Refuses (:class:`cmocio.survey.privacy.ReleaseRefused`) a threshold lower
    than the first run's.
    """
    ledger = Ledger(ledger_path, f"{KIND}: {page}")
    with ledger.transaction():  # checked and recorded as one step
        return _audit_pool(ledger, table, pool, min_group_size, min_organisations)


def _audit_pool(ledger: Ledger, table: pd.DataFrame, pool: dict[str, dict[str, str]], min_group_size: int,
                min_organisations: int) -> pd.DataFrame:
    earlier = [r for r in ledger.releases() if r.get("kind") == KIND]
    ledger.check_threshold(earlier, min_group_size)
    out = table.copy()
    shown_q = sorted(set(out.loc[~out["suppressed"].astype(bool), "question_id"]))
    hide = set()
    for q in shown_q:
        now = pool.get(q, {})
        for rec in earlier:
            before = rec["pools"].get(q)
            if before is None:
                continue
            changed = set(before) ^ set(now) | {o for o in set(before) & set(now) if before[o] != now[o]}
            if 0 < len(changed) < min_organisations:
                hide.add(q)
    if hide:
        rows = out["question_id"].isin(hide)
        figures = [c for c in out.columns if c not in ("question_id", "metric", "group", "suppressed", "reason")]
        out.loc[rows, figures] = pd.NA
        out.loc[rows, "suppressed"] = True
        out.loc[rows, "reason"] = HIDDEN
    shown = {q: pool.get(q, {}) for q in shown_q if q not in hide}
    record = {"survey": ledger.survey, "kind": KIND, "min_group_size": int(min_group_size), "weighted": True,
              "pools": shown}
    ledger.append(record)
    return out
