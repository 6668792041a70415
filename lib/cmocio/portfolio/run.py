"""``python -m cmocio portfolio``: every organisation's benchmark page, each set against the rest of the portfolio.

1. **Read** each export with its mapping into canonical responses (skipped when
   the export, mapping and settings are unchanged), and note what it brings to
   the pool (:func:`.pooling.contributions`). An export that cannot be read is
   named, with its file, row and column, and the rest go on.
2. **Pool** the others for each organisation (:func:`.pooling.pooled`), checked
   against the portfolio anonymity rule, into that organisation's own input file.
3. **Build** one page per organisation from the benchmark notebook with the
   build's machinery (:func:`cmocio.build.execute`, with the build's
   :class:`~cmocio.build.Options`): incremental, atomic, a failing page named with
   its cell while the rest are built, on local workers or a Dask cluster.
4. **Index** of organisations with their status, for the consultant (pages name
   no other organisation), written with the build's site writer
   (:func:`cmocio.site.write_site`).
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..build import NOTEBOOK_DIR, Options, Result, Target, execute, inputs_digest
from ..errors import DataValidationError
from ..files import atomic_write_text
from ..paths import DATA_DIR
from ..site import built_at, render_portfolio, write_site
from .exports import Organisation, discover
from ..survey.privacy import LEDGER_NAME, default_ledger_path
from .disclosure import audit_pool, contributors
from .drivers import CAVEAT, portfolio_drivers
from .pooling import MIN_BAND_ORGANISATIONS, MIN_ORGANISATIONS, contributions, pooled

NOTEBOOK = NOTEBOOK_DIR / "05_benchmark_your_org.ipynb"
#: How a portfolio's pages run unless told otherwise: as a build's, but with the code hidden (``--show-code``).
OPTIONS = Options(reader=True)


@dataclass
class Member:
    """An organisation as the run sees it: where its inputs are, what it brings, and how it ended."""

    org: Organisation
    status: str = ""  # "ok", "rejected" (its export could not be read)
    error: str = ""
    respondents: int = 0
    contributes: int = 0  # questions on which it is part of the pool
    weighted: bool = False
    inputs: Path = Path()
    contrib: pd.DataFrame = field(default_factory=pd.DataFrame)


def _digest(*parts: Any) -> str:
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            h.update(part.name.encode())
            h.update(part.read_bytes())
        else:
            h.update(json.dumps(part, sort_keys=True, default=str).encode())
        h.update(b"\0")
    return h.hexdigest()


def prepare(orgs: list[Organisation], build_dir: Path, questions: pd.DataFrame, min_group_size: int,
            weight_column: str, out=sys.stdout) -> list[Member]:
    """Read every export once (or reuse the last reading when nothing changed) and measure its contribution."""
    from ..survey import read_responses, write_responses

    members = []
    step = max(1, len(orgs) // 10)
    for i, org in enumerate(orgs, 1):
        m = Member(org, inputs=build_dir / "inputs" / org.id)
        key = _digest(org.export, org.mapping or "", weight_column, min_group_size, questions.to_csv(index=False))
        stamp = m.inputs / "reading.json"
        try:
            cached = json.loads(stamp.read_text(encoding="utf-8")) if stamp.is_file() else {}
        except ValueError:
            cached = {}
        if cached.get("key") == key and (m.inputs / "responses.csv").is_file() and (m.inputs / "pool.csv").is_file():
            m.weighted, m.respondents = cached["weighted"], cached["respondents"]
            m.contrib = pd.read_csv(m.inputs / "pool.csv", keep_default_na=False,
                                    dtype={"organisation": str, "question_id": str, "metric": str, "group": str})
        else:
            try:
                read = read_responses(org.export, questions, weight_column, org.mapping)
                frame = read.frame
            except DataValidationError as exc:
                m.status, m.error = "rejected", str(exc)
                members.append(m)
                print(f"  {org.name}: export rejected\n{exc}", file=out, flush=True)
                continue
            except OSError as exc:
                m.status, m.error = "rejected", f"{org.export.name}: cannot be read ({exc.strerror or exc})"
                members.append(m)
                print(f"  {org.name}: {m.error}", file=out, flush=True)
                continue
            m.weighted = read.weighted
            m.contrib = contributions(org.id, frame, questions, min_group_size, m.weighted)
            m.respondents = int(len(frame))
            write_responses(frame, m.inputs / "responses.csv")
            atomic_write_text(m.inputs / "pool.csv", m.contrib.to_csv(index=False, float_format="%.12g",
                                                                       lineterminator="\n"))
            atomic_write_text(stamp, json.dumps({"key": key, "weighted": m.weighted, "respondents": m.respondents}))
        m.contrib["eligible"] = m.contrib["eligible"].astype(str).isin(["True", "true", "1"])
        m.contributes = int(m.contrib.loc[m.contrib["eligible"], "question_id"].nunique()) if len(m.contrib) else 0
        m.status = "ok"
        members.append(m)
        if i % step == 0 or i == len(orgs):
            print(f"Read {i}/{len(orgs)} export(s).", file=out, flush=True)
    return members


def everyone_of(members: list[Member]) -> pd.DataFrame:
    """Every readable organisation's contribution, in one table."""
    ok = [m for m in members if m.status == "ok" and len(m.contrib)]
    return pd.concat([m.contrib for m in ok], ignore_index=True) if ok else pd.DataFrame(
        columns=["organisation", "question_id", "metric", "group", "n_answered", "weight_sum", "weight_sq_sum",
                 "yes_weight", "eligible"])


def write_pools(members: list[Member], questions: pd.DataFrame, confidence: float,
                min_organisations: int = MIN_ORGANISATIONS, ledger_path: Path | None = None,
                min_group_size: int = 5) -> None:
    """Each readable organisation's view of the rest of the portfolio, as its own input file (atomic).

    With ``ledger_path``, each page's pools are checked against earlier runs and recorded
    (:mod:`.disclosure`).
    """
    everyone = everyone_of(members)
    for m in members:
        if m.status != "ok":
            continue
        table = pooled(everyone, m.org.id, questions, confidence, min_organisations)
        if ledger_path is not None:
            table = audit_pool(ledger_path, m.org.name, table, contributors(everyone, m.org.id), min_group_size,
                               min_organisations)
        buf = io.StringIO()
        table.to_csv(buf, index=False, lineterminator="\n")
        atomic_write_text(m.inputs / "portfolio.csv", buf.getvalue())


def targets(members: list[Member], notebook: Path, parameters: dict[str, Any], min_group_size: int) -> list[Target]:
    """One page per readable organisation: the benchmark notebook with that organisation's inputs."""
    out = []
    for m in members:
        if m.status != "ok":
            continue
        params = {**parameters, "responses_path": str(m.inputs / "responses.csv"), "mapping_path": "",
                  "ledger_path": str(default_ledger_path(m.org.export)),
                  "weight_column": "weight" if m.weighted else "", "portfolio_path": str(m.inputs / "portfolio.csv"),
                  "organisation": m.org.name, "min_group_size": min_group_size, "output_dir": f"results/{m.org.id}"}
        out.append(Target(m.org.id, notebook, params))
    return out


def index_rows(build_dir: Path, members: list[Member], results: dict[str, Result]) -> list[dict[str, Any]]:
    """The consultant's index, a row per organisation: its export, mapping, contribution and the state of its page."""
    html_dir = build_dir / "html"
    rows = []
    for m in members:
        r = results.get(m.org.id)
        if m.status != "ok":
            status, error = "export rejected", m.error
        elif r is None:
            status, error = "not run", ""
        else:
            status = {"ok": "built", "up to date": "up to date"}.get(r.status, r.status)
            error = r.error
        has_page = (html_dir / f"{m.org.id}.html").is_file()
        rows.append({"id": m.org.id, "name": m.org.name, "export": m.org.export.name,
                     "mapping": m.org.mapping.name if m.org.mapping else "(canonical layout)",
                     "respondents": m.respondents if m.status == "ok" else "", "contributes": m.contributes,
                     "status": status, "error": error, "page": f"{m.org.id}.html" if has_page else "",
                     "stale": has_page and status not in ("built", "up to date")})
    return rows


def run(exports_dir: Path, mapping: Path | None, build_dir: Path, *, notebook: Path = NOTEBOOK,
        parameters: dict[str, Any] | None = None, min_group_size: int = 5, weight_column: str = "weight",
        confidence: float = 0.95, min_organisations: int = MIN_ORGANISATIONS, options: Options = OPTIONS,
        out: Any = sys.stdout) -> tuple[list[Member], dict[str, Result]]:
    """The whole portfolio run; returns every member and the result of each page.

    ``options`` are the build's execution settings (:data:`OPTIONS` hides the code on
    the pages; ``dataclasses.replace(OPTIONS, jobs=2)`` keeps that). ``update`` does
    not apply: the benchmark notebook is never refreshed from a portfolio.
    """
    from ..survey import load_questions

    t0 = time.perf_counter()
    build_dir = build_dir.resolve()
    questions = load_questions()
    orgs = discover(exports_dir, mapping)
    print(f"Portfolio of {len(orgs)} organisation(s) in {exports_dir}.", file=out, flush=True)
    members = prepare(orgs, build_dir, questions, min_group_size, weight_column, out)
    write_pools(members, questions, confidence, min_organisations, exports_dir / LEDGER_NAME, min_group_size)
    params = {"confidence": confidence, **(parameters or {})}
    shared = inputs_digest(DATA_DIR)
    results = execute(targets(members, notebook, params, min_group_size), build_dir, replace(options, update=False),
                      pages=[], shared=shared, out=out)
    built = sum(r.status in ("ok", "up to date") for r in results.values())
    facts = {"Built": built_at(),
             "Organisations": f"{built} of {len(members)} with a page",
             "Anonymity": f"pooled figures need at least {min_organisations} other organisations, each with at "
                          f"least {min_group_size} respondents per group; none may carry more than half",
             "Run time": f"{time.perf_counter() - t0:.1f} s"}
    # No search across organisations: each page stands alone.
    found = portfolio_drivers(everyone_of(members), questions, confidence)
    note = (CAVEAT if len(found) else f"Shown once at least {MIN_BAND_ORGANISATIONS} organisations have enough "
            "respondents on a practice and on the relationship question; this run has fewer.")
    found = found.assign(practice=found["practice"].map(dict(zip(questions["metric"], questions["statement"]))))
    index = render_portfolio(index_rows(build_dir, members, results), facts, found.to_dict("records"), note)
    write_site(build_dir, index, list(results.values()),
               facts, data_dir=DATA_DIR, data_version=shared)
    return members, results
