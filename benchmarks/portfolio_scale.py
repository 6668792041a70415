"""Portfolio scale, measured as ratios in one run: 10, 50 and 200 made-up organisations.

Each size runs twice from a cold build folder: on local worker processes (every size first,
with no cluster running) and on a 2-worker Dask LocalCluster (the same jobs through
``--scheduler``). Reported:

  pages/s            organisations' pages built per second
  200 vs 50          seconds per page at 200 over seconds per page at 50 (goal: at most 1.10, linear)
  peak MiB/worker    largest resident memory of one worker with its kernel (sampled every 0.2 s)
  run / floor        the run over its floor, measured in the same run (goal: at most 1.3):
                     one kernel start + the notebook's imports, then each worker's share of the
                     pages executed back to back in warm kernels, one per worker, running side by
                     side as the workers do (no papermill, rendering or writing)
  identical          the cluster's notebooks, tables and pages equal the local run's (pages compared
                     without the build time and run time in their footers)

Usage: .venv/bin/python benchmarks/portfolio_scale.py [--sizes 10 50 200] [--workers 2]
"""

from __future__ import annotations

import argparse
import io
import logging
import math
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

VOLATILE = re.compile(rb"<dt>(Built|Execution time)</dt><dd>[^<]*</dd>")


class PeakMemory:
    """Peak resident memory of one worker with its kernel: a process running a Jupyter kernel, plus the kernel.

    Only workers under ``roots`` (process ids; default: every child of this process
    not in ``exclude``) are sampled, so the idle workers of the other executor do not count.
    """

    def __init__(self, roots: set[int] | None = None, exclude: set[int] = frozenset(), interval: float = 0.25):
        self.roots, self.exclude, self.interval = roots, set(exclude), interval
        self.peak, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    _kernels: dict[int, bool] = {}

    def _is_kernel(self, p: psutil.Process) -> bool:
        if p.pid not in self._kernels:
            try:
                self._kernels[p.pid] = "ipykernel_launcher" in " ".join(p.cmdline())
            except psutil.Error:
                return False
        return self._kernels[p.pid]

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            roots = [c for c in me.children() if (self.roots is None and c.pid not in self.exclude)
                     or (self.roots is not None and c.pid in self.roots)]
            for root in roots:
                try:
                    for proc in [root, *root.children(recursive=True)]:
                        kernels = [k for k in proc.children() if self._is_kernel(k)]
                        if kernels:
                            rss = proc.memory_info().rss + sum(k.memory_info().rss for k in kernels)
                            self.peak = max(self.peak, rss)
                except psutil.Error:
                    pass
            time.sleep(self.interval)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _kernel() -> tuple[object, object, float]:
    from jupyter_client.manager import KernelManager

    t = time.perf_counter()
    km = KernelManager(kernel_name="python3")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    return km, kc, time.perf_counter() - t


def _execute(kc, code: str) -> None:
    reply = kc.execute_interactive(code, timeout=300, output_hook=lambda msg: None)
    if reply["content"]["status"] != "ok":
        raise SystemExit(f"floor: a cell failed: {reply['content'].get('evalue')}")


def floor_parts(notebook: Path, members, workers: int, sample: int = 4) -> tuple[float, float, float]:
    """(kernel start, imports, mean page execution) in seconds, measured here on ``workers`` warm kernels at once.

    Each kernel executes the same ``sample`` pages back to back while the others do the same, so the
    page time includes what running ``workers`` kernels side by side costs on this machine (on a 2-core
    machine two kernels do not run twice as fast as one), but nothing of papermill, rendering or writing.
    """
    import nbformat

    from cmocio.portfolio.run import targets

    kernels = [_kernel() for _ in range(workers)]
    kernel = statistics.mean(k[2] for k in kernels)
    nb = nbformat.read(str(notebook), as_version=4)
    imports = next(c.source for c in nb.cells if c.cell_type == "code" and "import" in c.source
                   and "parameters" not in c.metadata.get("tags", []))
    t = time.perf_counter()
    _execute(kernels[0][1], "\n".join(ln for ln in imports.splitlines() if "import" in ln))
    imported = time.perf_counter() - t
    for _, kc, _ in kernels[1:]:
        _execute(kc, "\n".join(ln for ln in imports.splitlines() if "import" in ln))
    defaults = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cells = [c.source for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    pages = targets(members, notebook, {}, 5)[:sample]
    runs: list[float] = []
    errors: list[BaseException] = []

    def one_kernel(kc, out: str) -> None:
        try:
            _pages(kc, out)
        except BaseException as exc:  # noqa: BLE001 - reported after the threads join
            errors.append(exc)

    def _pages(kc, out: str) -> None:
        os.makedirs(out, exist_ok=True)
        for target in pages:
            params = {**target.parameters, "output_dir": out}
            _execute(kc, f"__import__('os').chdir({out!r}); get_ipython().reset(new_session=True)")
            t0 = time.perf_counter()
            for code in [defaults, "\n".join(f"{k} = {v!r}" for k, v in params.items()), *cells]:
                _execute(kc, code)
            runs.append(time.perf_counter() - t0)

    with tempfile.TemporaryDirectory() as out:
        threads = [threading.Thread(target=one_kernel, args=(kc, f"{out}/{i}")) for i, (_, kc, _) in enumerate(kernels)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    for km, kc, _ in kernels:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    if errors:
        raise SystemExit(f"floor: {errors[0]}")
    return kernel, imported, statistics.mean(runs)


def outputs(build: Path) -> dict[str, str]:
    """A digest of every page, notebook and table (pages without their build and run times)."""
    import hashlib

    files = {}
    for sub in ("notebooks", "results", "html"):
        for p in sorted((build / sub).rglob("*")):
            if p.is_file() and p.name not in ("index.html", "report.html"):
                data = p.read_bytes()
                data = VOLATILE.sub(b"", data) if p.suffix == ".html" else data
                files[str(p.relative_to(build))] = hashlib.sha256(data).hexdigest()
    return files


def _run(n: int, exports: Path, build: Path, workers: int, scheduler: str | None, scope: dict) -> tuple[float, int]:
    from dataclasses import replace

    from cmocio.portfolio.run import OPTIONS, run

    log = io.StringIO()
    with PeakMemory(**scope) as mem:
        t = time.perf_counter()
        options = replace(OPTIONS, jobs=workers, scheduler=scheduler, force=True)
        _, results = run(exports, None, build, options=options, out=log)
        seconds = time.perf_counter() - t
    bad = [r for r in results.values() if r.status != "ok"]
    if bad or len(results) != n or not (build / "html" / "index.html").is_file():
        print(log.getvalue(), file=sys.stderr)
        raise SystemExit(f"{n} organisations on {scheduler or 'local workers'}: {len(bad)} page(s) failed")
    where = "cluster" if scheduler else "local"
    print(f"{n:>4} organisations, {where:<7}: {seconds:7.1f} s, {n / seconds:5.2f} pages/s, "
          f"peak {mem.peak / 2**20:6.0f} MiB per worker", flush=True)
    return seconds, mem.peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 200])
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    from distributed import LocalCluster

    from cmocio.portfolio.run import NOTEBOOK
    from cmocio.portfolio.synthetic import write_portfolio

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for n in args.sizes:
            write_portfolio(tmp / f"exports-{n}", organisations=n, seed=n)
        # Local runs first, with no cluster on the machine; then the cluster runs; then the floor.
        local = {n: _run(n, tmp / f"exports-{n}", tmp / f"build-{n}-local", args.workers, None, {})
                 for n in args.sizes}
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=logging.ERROR) as cluster:
            nannies = {c.pid for c in psutil.Process().children()}
            remote = {n: _run(n, tmp / f"exports-{n}", tmp / f"build-{n}-cluster", args.workers,
                              cluster.scheduler_address, {"roots": nannies}) for n in args.sizes}
        from cmocio.portfolio.exports import discover
        from cmocio.portfolio.run import prepare, write_pools
        from cmocio.survey import load_questions

        questions = load_questions()
        members = prepare(discover(tmp / f"exports-{args.sizes[-1]}"), tmp / "floor", questions, 5, "weight",
                          out=io.StringIO())
        write_pools(members, questions, 0.95)
        kernel, imports, page = floor_parts(NOTEBOOK, members, args.workers)
        for n in args.sizes:
            floor = kernel + imports + math.ceil(n / args.workers) * page
            same = outputs(tmp / f"build-{n}-local") == outputs(tmp / f"build-{n}-cluster")
            rows.append({"n": n, "floor": floor, "page": page, "kernel": kernel, "imports": imports, "same": same,
                         "local": local[n], "cluster": remote[n]})
    print()
    print(f"{'orgs':>5} {'local pages/s':>14} {'cluster pages/s':>16} {'local/floor':>12} {'cluster/floor':>14} "
          f"{'peak MiB/worker':>16} {'identical':>10}")
    for r in rows:
        peak = max(r["local"][1], r["cluster"][1]) / 2**20
        print(f"{r['n']:>5} {r['n'] / r['local'][0]:>14.2f} {r['n'] / r['cluster'][0]:>16.2f} "
              f"{r['local'][0] / r['floor']:>12.2f} {r['cluster'][0] / r['floor']:>14.2f} {peak:>16.0f} "
              f"{'yes' if r['same'] else 'NO':>10}")
    print(f"floor parts (last size): kernel start {rows[-1]['kernel']:.1f} s, imports {rows[-1]['imports']:.1f} s, "
          f"page execution {rows[-1]['page']:.2f} s")
    by_n = {r["n"]: r for r in rows}
    if 50 in by_n and 200 in by_n:
        for where in ("local", "cluster"):
            ratio = (by_n[200][where][0] / 200) / (by_n[50][where][0] / 50)
            print(f"200 vs 50, {where}: {ratio:.2f} x the time per page (goal: at most 1.10)")
    return 0 if all(r["same"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
