"""Portfolio runs: the pooled benchmark's anonymity rule, and many organisations built at once."""

from __future__ import annotations

import io
import json
import subprocess
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cmocio import survey
from cmocio.errors import DataValidationError
from cmocio.portfolio import contributions, discover, pooled
from cmocio.portfolio.disclosure import audit_pool, contributors
from cmocio.portfolio.pooling import POOLED_COLUMNS, read_pooled
from cmocio.portfolio.run import OPTIONS, run
from cmocio.survey import HIDDEN, ReleaseRefused

from .conftest import command_here

Q = survey.load_questions()
Q1 = "q01"


def _org(seed: int, n: int = 60, weight: float | None = None) -> pd.DataFrame:
    frame = survey.synthetic_responses(Q, n=n, seed=seed).drop(columns=["wave"])
    if weight is not None:
        frame["weight"] = weight
    return frame


def _pools(frames: dict[str, pd.DataFrame], **kw) -> dict[str, str]:
    contrib = pd.concat([contributions(o, f, Q, 5) for o, f in frames.items()], ignore_index=True)
    return {o: pooled(contrib, o, Q, **kw).to_csv(index=False) for o in frames}


def _flip(frame: pd.DataFrame, rows: pd.Index, q: str = Q1) -> pd.DataFrame:
    out = frame.copy()
    out.loc[rows, q] = 1 - out.loc[rows, q]
    return out


def _shown(table_csv: str, q: str = Q1) -> bool:
    t = pd.read_csv(pd.io.common.StringIO(table_csv))
    return not t.loc[t["question_id"] == q, "suppressed"].any()


# ---- the rule, on the pooled tables -------------------------------------------------------------------------------

def test_a_pooled_figure_needs_five_other_organisations():
    six = {f"o{i}": _org(i) for i in range(6)}
    assert all(_shown(t) for t in _pools(six).values()), "each of six sees five others"
    five = {f"o{i}": _org(i) for i in range(5)}
    tables = _pools(five)
    for t in tables.values():
        frame = pd.read_csv(pd.io.common.StringIO(t))
        assert frame["suppressed"].all() and frame["percent"].isna().all() and frame["n_organisations"].isna().all()
        assert frame["reason"].eq(HIDDEN).all(), "one reason, whatever hid the question"
    with pytest.raises(ValueError, match="at least 5"):
        pooled(pd.DataFrame(columns=["organisation"]), "o0", Q, min_organisations=4)


def test_an_organisations_own_data_is_left_out_of_its_pool():
    frames = {f"o{i}": _org(i) for i in range(7)}
    before = _pools(frames)
    frames["o0"] = _flip(frames["o0"], frames["o0"].index)
    after = _pools(frames)
    assert after["o0"] == before["o0"], "o0's answers must not move o0's own benchmark"
    assert after["o1"] != before["o1"], "control: o0 is part of everyone else's pool"


def test_an_organisation_too_small_on_a_question_reveals_nothing_there():
    frames = {f"o{i}": _org(i) for i in range(7)}
    small = frames["o6"]
    it = small.index[small["function"] == "it"]
    small.loc[it[3:], Q1] = pd.NA  # only three IT people answer q01: o6 may not join that pool
    before = _pools(frames)
    changed = dict(frames, o6=_flip(small, small.index[small[Q1].notna()]))
    after = _pools(changed)
    for o in frames:
        if o != "o6":
            assert after[o] == before[o], o
            assert _shown(after[o]), "the other six still see five others"
    control = dict(frames, o5=_flip(frames["o5"], frames["o5"].index))
    assert _pools(control)["o1"] != before["o1"], "control: an eligible organisation's change does show"


def test_two_runs_whose_pools_differ_by_one_organisation_give_nothing_away(tmp_path):
    frames = {f"o{i}": _org(i) for i in range(7)}
    small = _org(7, n=60, weight=1.0)
    small["function"] = ["it"] * 5 + ["marketing"] * 55  # its IT group passes at 5, not at 6
    small[list(Q["question_id"])] = small[list(Q["question_id"])].fillna(1)
    frames["o7"] = small
    runs = {}
    for k in (5, 6):
        contrib = pd.concat([contributions(o, f, Q, k) for o, f in frames.items()], ignore_index=True)
        runs[k] = (pooled(contrib, "o0", Q), contributors(contrib, "o0"))
    n5, n6 = (r[0].loc[r[0]["question_id"] == Q1, "n_organisations"].iloc[0] for r in runs.values())
    assert (n5, n6) == (7, 6), "control: the stricter run leaves o7 out, so the two pools differ by o7 alone"
    ledger = tmp_path / "ledger.jsonl"
    first = audit_pool(ledger, "o0", *runs[5], 5, 5)
    assert not first.loc[first["question_id"] == Q1, "suppressed"].any()
    second = audit_pool(ledger, "o0", *runs[6], 6, 5)
    q1 = second[second["question_id"] == Q1]
    assert q1["suppressed"].all() and q1["percent"].isna().all() and q1["reason"].eq(HIDDEN).all()
    with pytest.raises(ReleaseRefused, match="threshold is fixed"):
        audit_pool(ledger, "o0", *runs[5], 4, 5)
    again = audit_pool(ledger, "o0", *runs[5], 5, 5)
    assert again.equals(first), "the first run's pool, run again, shows what it showed"


def test_no_organisation_may_carry_more_than_half_of_a_pool():
    frames = {f"o{i}": _org(i, n=40) for i in range(6)}
    frames["big"] = _org(99, n=900)
    before = _pools(frames)
    for o in frames:
        t = pd.read_csv(pd.io.common.StringIO(before[o]))
        if o == "big":
            assert not t["suppressed"].any(), "without itself, nobody dominates big's pool"
        else:
            assert t["suppressed"].all() and (t["reason"] == HIDDEN).all()
    after = _pools(dict(frames, big=_flip(frames["big"], frames["big"].index)))
    assert after == before, "the dominant organisation's answers reach no page"


def test_a_question_is_shown_whole_or_not_at_all():
    frames = {f"o{i}": _org(i, n=40) for i in range(6)}
    big_it = _org(98, n=400)
    big_it["function"] = np.where(np.arange(len(big_it)) < 12, "marketing", "it")  # dominant in IT only
    frames["big"] = big_it
    t = pd.read_csv(pd.io.common.StringIO(_pools(frames)["o0"]))
    assert t["suppressed"].all(), "marketing and all would give the hidden IT figure by subtraction"
    assert set(t.loc[t["group"] == "marketing", "reason"]) == {HIDDEN}


def test_weights_count_each_organisation_by_its_head_count():
    frames = {f"o{i}": _org(i) for i in range(7)}
    scaled = dict(frames, o3=frames["o3"].assign(weight=frames["o3"]["weight"] * 1000))
    assert _pools(scaled)["o0"] == _pools(frames)["o0"]


def test_empty_input_gives_the_same_shape_and_the_file_round_trips(tmp_path):
    empty = contributions("o0", _org(1).iloc[:0], Q, 5)
    table = pooled(empty, "o0", Q)
    assert list(table.columns) == POOLED_COLUMNS and len(table) == 3 * len(Q) and table["suppressed"].all()
    path = tmp_path / "portfolio.csv"
    table.to_csv(path, index=False)
    assert read_pooled(path)["suppressed"].all()
    (tmp_path / "bad.csv").write_text("question_id,percent\nq01,50\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"bad.csv, line 1, column 'metric'"):
        read_pooled(tmp_path / "bad.csv")


def test_discovery_pairs_exports_with_their_own_mappings(tmp_path):
    for name in ("Acme Corp.csv", "acme-corp.yaml", "globex.xlsx", "notes.md", "~$globex.xlsx", "default.yaml"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "acme corp.yaml").write_text("x", encoding="utf-8")
    orgs = discover(tmp_path, tmp_path / "default.yaml")
    assert [(o.id, o.name, o.mapping.name) for o in orgs] == [("acme-corp", "Acme Corp", "default.yaml"),
                                                             ("globex", "globex", "default.yaml")]
    (tmp_path / "Acme Corp.yaml").write_text("x", encoding="utf-8")
    assert discover(tmp_path)[0].mapping.name == "Acme Corp.yaml"
    (tmp_path / "ACME corp.csv").write_text("x", encoding="utf-8")
    with pytest.raises(DataValidationError, match="same organisation id"):
        discover(tmp_path)


# ---- whole runs: a tiny page notebook, so that the run's own machinery is what is measured --------------------------

PARAMS = """responses_path: str = ""  # canonical responses
mapping_path: str = ""  # unused here
weight_column: str = "weight"  # weights
portfolio_path: str = ""  # the pool
organisation: str = ""  # whose page
min_group_size: int = 5  # smallest group
confidence: float = 0.95  # level
output_dir: str = "results"  # tables"""

BODY = """import os, pandas as pd
pool = pd.read_csv(portfolio_path)
own = pd.read_csv(responses_path)
print(organisation, len(own))
print(pool.to_string())
os.makedirs(os.path.join(output_dir, "page"), exist_ok=True)
pool.to_csv(os.path.join(output_dir, "page", "pool.csv"), index=False)"""

NAMES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Soylent", "Tyrell"]


def tiny_notebook(folder: Path, body: str = BODY) -> Path:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.cells = [new_markdown_cell("# Benchmark\n\nOne organisation."),
                new_code_cell(PARAMS, metadata={"tags": ["parameters"]}), new_code_cell(body)]
    path = folder / "page.ipynb"
    nbformat.write(nb, str(path))
    return path


def write_canonical(folder: Path, frames: dict[str, pd.DataFrame]) -> None:
    folder.mkdir(exist_ok=True)
    for name, frame in frames.items():
        survey.write_responses(frame, folder / f"{name}.csv")


def portfolio(exports: Path, build: Path, notebook: Path, *args: str) -> subprocess.CompletedProcess:
    """``python -m cmocio portfolio``: its output and exit code, run in this process on the warm kernel."""
    return command_here("portfolio", str(exports), "--build-dir", str(build), "--notebook", str(notebook), "-j", "1",
                        *args)


def portfolio_inline(exports: Path, build: Path, notebook: Path) -> SimpleNamespace:
    """The same run in this process (the CLI's own output and exit code are checked on another run)."""
    out = io.StringIO()
    members, results = run(exports, None, build, notebook=notebook, options=replace(OPTIONS, jobs=1), out=out)
    return SimpleNamespace(stdout=out.getvalue(), members=members, results=results)


def outputs(build: Path, org: str) -> dict[str, bytes]:
    files = [build / "html" / f"{org}.html", build / "notebooks" / f"{org}.ipynb"]
    files += sorted((build / "results" / org).rglob("*"))
    return {str(p.relative_to(build)): p.read_bytes() for p in files if p.is_file()}


class TestPortfolioRun:
    """Three runs of one portfolio: a hidden change, then a visible one (one class: one xdist worker)."""

    @pytest.fixture(scope="class")
    @classmethod
    def runs(cls, tmp_path_factory):
        root = tmp_path_factory.mktemp("portfolio")
        nb = tiny_notebook(root)
        frames = {name: _org(i) for i, name in enumerate(NAMES)}
        small = frames["Tyrell"]
        small.loc[small.index[small["function"] == "it"][2:], Q1] = pd.NA  # too few IT answers on q01
        exports, build = root / "exports", root / "build"
        write_canonical(exports, frames)
        header = (exports / "Acme.csv").read_text(encoding="utf-8").splitlines()[0]
        row = ",".join(["r1", "sales", "1"] + ["1"] * (header.count(",") - 2))
        (exports / "Broken.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
        runs = {"first": portfolio_inline(exports, build, nb)}
        runs["first_out"] = {o.lower(): outputs(build, o.lower()) for o in NAMES}
        runs["first_index"] = (build / "html" / "index.html").read_text(encoding="utf-8")
        # hidden change: Tyrell's q01 answers (it may not join that pool)
        t = frames["Tyrell"]
        write_canonical(exports, {"Tyrell": _flip(t, t.index[t[Q1].notna()])})
        runs["hidden"] = portfolio_inline(exports, build, nb)
        runs["hidden_out"] = {o.lower(): outputs(build, o.lower()) for o in NAMES}
        # visible change: Acme's q01 answers; and Initech's export breaks
        write_canonical(exports, {"Acme": _flip(frames["Acme"], frames["Acme"].index)})
        good = (exports / "Initech.csv").read_text(encoding="utf-8")
        (exports / "Initech.csv").write_text(good.replace("\nSYN-00002,", "\nSYN-00002,,", 1), encoding="utf-8")
        runs["visible"] = portfolio(exports, build, nb)
        runs["visible_out"] = {o.lower(): outputs(build, o.lower()) for o in NAMES}
        runs["visible_index"] = (build / "html" / "index.html").read_text(encoding="utf-8")
        runs["build"] = build
        return runs

    def test_every_organisation_gets_a_page_and_the_index_names_the_rejected_export(self, runs):
        res = runs["first"]
        assert [m.status for m in res.members].count("rejected") == 1
        assert "Portfolio of 8 organisation(s)" in res.stdout and "[7/7]" in res.stdout
        assert all(runs["first_out"][o.lower()] for o in NAMES)
        index = runs["first_index"]
        assert all(f'href="{o.lower()}.html"' in index for o in NAMES) and 'href="broken.html"' not in index
        assert "export rejected" in index and "Broken.csv, line 2, column &#39;function&#39;" in index, index

    def test_a_page_names_no_other_organisation_and_links_to_no_list_of_them(self, runs):
        for org in NAMES:
            text = b"".join(runs["first_out"][org.lower()].values()).decode("utf-8")
            assert org in text
            assert not [o for o in NAMES if o != org and o in text], org
            page = runs["first_out"][org.lower()][f"html/{org.lower()}.html"].decode("utf-8")
            assert 'href="index.html"' not in page and 'href="report.html"' not in page and "search-index.js" not in page

    def test_a_hidden_change_leaves_every_other_page_byte_identical(self, runs):
        for org in NAMES:
            if org != "Tyrell":
                assert runs["hidden_out"][org.lower()] == runs["first_out"][org.lower()], org
        assert "6 up to date" in runs["hidden"].stdout, "the other pages' inputs did not change"

    def test_a_broken_export_keeps_its_last_good_page_and_is_named(self, runs):
        assert runs["visible"].returncode == 1  # the command line's exit code
        assert runs["visible_out"]["initech"] == runs["hidden_out"]["initech"]
        assert "Initech: export rejected" in runs["visible"].stderr
        assert "the page shown is the last good one" in runs["visible_index"]
        assert "SYN-0" not in runs["visible"].stdout + runs["visible"].stderr + runs["visible_index"]

    def test_control_a_visible_change_reaches_the_other_pages(self, runs):
        changed = [o for o in NAMES if runs["visible_out"][o.lower()] != runs["hidden_out"][o.lower()]]
        assert changed == [o for o in NAMES if o != "Initech"]  # Initech keeps its last good page
        pool = runs["build"] / "results" / "globex" / "page" / "pool.csv"
        assert pool.is_file() and "q01" in pool.read_text(encoding="utf-8")

    def test_unchanged_inputs_are_not_read_again(self, runs):
        stamps = [json.loads((runs["build"] / "inputs" / o.lower() / "reading.json").read_text()) for o in NAMES]
        assert all(s["respondents"] == 60 for s in stamps)


# ---- percentile bands and the drivers across organisations ---------------------------------------------------------

def test_a_band_is_the_quarter_of_the_others_below_and_needs_ten_others():
    from scipy.stats import spearmanr

    from cmocio.portfolio.drivers import portfolio_drivers
    from cmocio.portfolio.pooling import BANDS

    frames = {f"o{i}": _org(i) for i in range(11)}
    contrib = pd.concat([contributions(o, f, Q, 5) for o, f in frames.items()], ignore_index=True)
    ok = contrib[contrib["eligible"] & (contrib["group"] == "all") & (contrib["question_id"] == Q1)]
    share = dict(zip(ok["organisation"], ok["yes_weight"] / ok["weight_sum"]))
    assert len(share) == 11, "every organisation counts on q01"
    others = [v for o, v in share.items() if o != "o0"]
    below = (sum(v < share["o0"] for v in others) + 0.5 * sum(v == share["o0"] for v in others)) / len(others)
    table = pooled(contrib, "o0", Q).set_index(["question_id", "group"])
    assert table.loc[(Q1, "all"), "band"] == BANDS[min(int(below * 4), 3)]
    assert set(table["band"]) <= {*BANDS, ""} and (table["band"] != "").sum() > 10
    fewer = contrib[contrib["organisation"] != "o10"]
    assert (pooled(fewer, "o0", Q)["band"] == "").all(), "control: nine others give no band"
    found = portfolio_drivers(contrib, Q).set_index("practice")
    wide = contrib[contrib["eligible"] & (contrib["group"] == "all")].assign(
        share=lambda d: d["yes_weight"] / d["weight_sum"]).pivot_table(index="organisation", columns="question_id",
                                                                         values="share")
    assert found.loc["shared_incentives", "spearman_rho"] == pytest.approx(
        round(spearmanr(wide["q04"], wide[Q1])[0], 2))
    assert portfolio_drivers(contrib[contrib["organisation"].isin([f"o{i}" for i in range(9)])], Q).empty


def test_the_index_shows_the_drivers_across_organisations_for_the_consultant():
    from cmocio.portfolio.drivers import CAVEAT, portfolio_drivers
    from cmocio.site import render_portfolio

    contrib = pd.concat([contributions(f"o{i}", _org(i), Q, 5) for i in range(10)], ignore_index=True)
    found = portfolio_drivers(contrib, Q)
    assert len(found) and found["n_organisations"].eq(10).all()
    page = render_portfolio([], {}, found.to_dict("records"), CAVEAT)
    assert "shared_incentives" in page and f"<td>{found['spearman_rho'].iloc[0]}</td>" in page and "not a cause" in page


def test_a_refused_release_is_one_line_not_a_traceback(tmp_path, monkeypatch, capsys):
    from cmocio.__main__ import main as cli
    from cmocio.portfolio import run as portfolio_run
    from cmocio.survey.privacy import ReleaseRefused

    def refuse(*args, **kwargs):
        raise ReleaseRefused("the pool's ledger fixed min_group_size at 6; run with --min-group-size 6 or more")

    monkeypatch.setattr(portfolio_run, "run", refuse)
    write_canonical(tmp_path / "exports", {"Acme": _org(0)})
    code = cli(["portfolio", str(tmp_path / "exports"), "--build-dir", str(tmp_path / "build")])
    err = capsys.readouterr().err
    assert code == 2 and "fixed min_group_size at 6" in err and "Traceback" not in err
