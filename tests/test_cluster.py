"""The same jobs on a Dask cluster: a 2-worker LocalCluster on this machine stands in for a real one."""

from __future__ import annotations

import io
import logging
import re
from dataclasses import replace

import pytest
from distributed import LocalCluster

from cmocio.build import Options, build
from cmocio.portfolio.run import OPTIONS, run

from .conftest import make_notebook
from .test_portfolio import NAMES, _org, outputs, tiny_notebook, write_canonical

#: The build time, the run time, and the reproduce command, which names each run's own build folder.
VOLATILE = re.compile(rb"<dt>(Built|Execution time)</dt><dd>[^<]*</dd>|<pre class=\"reproduce\">[^<]*</pre>")


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as c:
        yield c


def _steady(files: dict[str, bytes]) -> dict[str, bytes]:
    """Pages without the build time and run time in their footers; everything else as written."""
    return {k: VOLATILE.sub(b"", v) if k.endswith(".html") else v for k, v in files.items()}


def test_a_portfolio_on_the_cluster_matches_the_local_run(tmp_path, cluster):
    nb = tiny_notebook(tmp_path)
    write_canonical(tmp_path / "exports", {name: _org(i) for i, name in enumerate(NAMES)})
    log = io.StringIO()
    for where, scheduler in (("local", None), ("cluster", cluster.scheduler_address)):
        members, results = run(tmp_path / "exports", None, tmp_path / where, notebook=nb,
                               options=replace(OPTIONS, jobs=1, scheduler=scheduler), out=log)
        assert {r.status for r in results.values()} == {"ok"}, [r.error for r in results.values()]
    assert "on the Dask cluster at tcp://" in log.getvalue()
    for org in NAMES:
        local, remote = outputs(tmp_path / "local", org.lower()), outputs(tmp_path / "cluster", org.lower())
        assert len(local) == 3 and _steady(local) == _steady(remote), org
    pool = (tmp_path / "cluster" / "results" / "acme" / "page" / "pool.csv").read_text(encoding="utf-8")
    assert ",False," in pool, "six other organisations: the pool is shown"
    assert not list((tmp_path / "cluster" / ".tmp").glob("*")) if (tmp_path / "cluster" / ".tmp").exists() else True


def test_a_worker_killed_mid_run_is_replaced_and_its_page_built_whole(tmp_path, cluster):
    nb_dir, out = tmp_path / "nb", tmp_path / "build"
    nb_dir.mkdir()
    marker = tmp_path / "killed-once"
    make_notebook(nb_dir, "00_ok")
    # the kernel's parent is the Dask worker process: the first attempt kills it outright
    make_notebook(nb_dir, "01_killer", body=f"import os, pathlib, signal\nm = pathlib.Path({str(marker)!r})\n"
                                             "if not m.exists():\n    m.write_text('x')\n"
                                             "    os.kill(os.getppid(), signal.SIGKILL)\nprint('survived', x)")
    log = io.StringIO()
    results = build(sorted(nb_dir.glob("*.ipynb")), {}, out, Options(scheduler=cluster.scheduler_address), out=log)
    assert marker.exists(), "the first attempt ran and killed its worker"
    assert [r.status for r in results] == ["ok", "ok"], log.getvalue()
    page = (out / "notebooks" / "01_killer.ipynb").read_text(encoding="utf-8")
    assert "survived 1" in page
    assert (out / "html" / "01_killer.html").read_bytes().rstrip().endswith(b"</html>")
    assert not (out / ".tmp").exists() or not any((out / ".tmp").iterdir())
    assert not [p for p in out.rglob("*") if p.name.startswith(".") and p.suffix == ".tmp"]


def test_an_unreachable_scheduler_is_a_one_line_error(tmp_path):
    import subprocess
    import sys

    import os

    make_notebook(tmp_path, "00_a")
    env = dict(os.environ, DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="1s")  # Dask's own setting, not ours
    res = subprocess.run([sys.executable, "-m", "cmocio", "build", "--notebook-dir", str(tmp_path), "--build-dir",
                          str(tmp_path / "b"), "--scheduler", "tcp://127.0.0.1:9"], capture_output=True, text=True,
                         timeout=120, env=env)
    assert res.returncode == 2 and res.stderr.startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert "Traceback" not in res.stderr
