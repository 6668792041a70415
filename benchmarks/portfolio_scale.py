"""Portfolio scale, measured as ratios in one run: 10, 50 and 200 made-up organisations.

Each size runs twice from a cold build folder: on local worker processes and on a
2-worker Dask LocalCluster (the same jobs through ``--scheduler``). Reported:

  pages/s            organisations' pages built per second
  200 vs 50          seconds per page at 200 over seconds per page at 50 (goal: at most 1.10, linear)
  peak MiB/worker    largest resident memory of one worker with its kernel (sampled every 0.2 s)
  run / floor        the run over its floor, measured in the same run (goal: at most 1.3):
                     one kernel start + the notebook's imports, then each worker's share of the
                     pages executed back to back in a warm kernel (no papermill, rendering or writing)
  identical          the cluster's notebooks, tables and pages equal the local run's (pages compared
                     without the build time and run time in their footers)

Usage: .venv/bin/python benchmarks/portfolio_scale.py [--sizes 10 50 200] [--workers 2]
"""

from __future__ import annotations

import argparse
import io
import logging
import math
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

    def __init__(self, roots: set[int] | None = None, exclude: set[int] = frozenset(), interval: float = 0.1):
        self.roots, self.exclude, self.interval = roots, set(exclude), interval
        self.peak, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _is_kernel(p: psutil.Process) -> bool:
        try:
            return "ipykernel_launcher" in " ".join(p.cmdline())
        except psutil.Error:
            return False

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


def floor_parts(notebook: Path, members, sample: int = 5) -> tuple[float, float, float]:
    """(kernel start, imports, mean page execution) in seconds, measured on a warm kernel here."""
    import nbformat
    from jupyter_client.manager import KernelManager

    from cmocio.portfolio.run import targets

    t = time.perf_counter()
    km = KernelManager(kernel_name="python3")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    kernel = time.perf_counter() - t
    nb = nbformat.read(str(notebook), as_version=4)
    imports = next(c.source for c in nb.cells if c.cell_type == "code" and "import" in c.source
                   and "parameters" not in c.metadata.get("tags", []))
    t = time.perf_counter()
    kc.execute_interactive("\n".join(ln for ln in imports.splitlines() if "import" in ln), timeout=120,
                           output_hook=lambda msg: None)
    imported = time.perf_counter() - t
    defaults = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cells = [c.source for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    runs = []
    with tempfile.TemporaryDirectory() as out:
        for target in targets(members, notebook, {}, 5)[:sample]:
            params = {**target.parameters, "output_dir": out}
            kc.execute_interactive(f"__import__('os').chdir({out!r}); get_ipython().reset(new_session=True)",
                                   timeout=60, output_hook=lambda msg: None)
            t = time.perf_counter()
            for code in [defaults, "\n".join(f"{k} = {v!r}" for k, v in params.items()), *cells]:
                reply = kc.execute_interactive(code, timeout=300, output_hook=lambda msg: None)
                if reply["content"]["status"] != "ok":
                    raise SystemExit(f"floor: a cell failed: {reply['content'].get('evalue')}")
            runs.append(time.perf_counter() - t)
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return kernel, imported, statistics.mean(runs)


def outputs(build: Path) -> dict[str, bytes]:
    files = {}
    for sub in ("notebooks", "results", "html"):
        for p in sorted((build / sub).rglob("*")):
            if p.is_file() and p.name not in ("index.html", "report.html"):
                data = p.read_bytes()
                files[str(p.relative_to(build))] = VOLATILE.sub(b"", data) if p.suffix == ".html" else data
    return files


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 200])
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    from distributed import LocalCluster

    from cmocio.portfolio.run import NOTEBOOK, run
    from cmocio.portfolio.synthetic import write_portfolio

    rows = []
    with tempfile.TemporaryDirectory() as tmp, LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None,
            silence_logs=logging.ERROR) as cluster:
        tmp = Path(tmp)
        for n in args.sizes:
            exports = tmp / f"exports-{n}"
            write_portfolio(exports, organisations=n, seed=n)
            timings = {}
            cluster_pids = {c.pid for c in psutil.Process().children()}  # the cluster's nannies (and helpers)
            for where, scheduler in (("local", None), ("cluster", cluster.scheduler_address)):
                build = tmp / f"build-{n}-{where}"
                log = io.StringIO()
                scope = {"exclude": cluster_pids} if scheduler is None else {"roots": cluster_pids}
                with PeakMemory(**scope) as mem:
                    t = time.perf_counter()
                    members, results = run(exports, None, build, jobs=args.workers, scheduler=scheduler,
                                           force=True, out=log)
                    seconds = time.perf_counter() - t
                bad = [r for r in results.values() if r.status != "ok"]
                if bad or len(results) != n or not (build / "html" / "index.html").is_file():
                    print(log.getvalue(), file=sys.stderr)
                    raise SystemExit(f"{n} organisations on {where}: {len(bad)} page(s) failed")
                timings[where] = (seconds, mem.peak, build)
                print(f"{n:>4} organisations, {where:<7}: {seconds:7.1f} s, {n / seconds:5.2f} pages/s, "
                      f"peak {mem.peak / 2**20:6.0f} MiB per worker", flush=True)
            kernel, imports, page = floor_parts(NOTEBOOK, members)
            floor = kernel + imports + math.ceil(n / args.workers) * page
            same = outputs(timings["local"][2]) == outputs(timings["cluster"][2])
            rows.append({"n": n, "floor": floor, "page": page, "kernel": kernel, "imports": imports, "same": same,
                         **{w: timings[w][:2] for w in timings}})
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
