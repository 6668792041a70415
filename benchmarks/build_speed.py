"""Build speed, measured as ratios in one run (shared machines are noisy; absolute seconds are not targets).

Compares, on the committed notebooks:
  naive     for each notebook: the papermill CLI, then the `jupyter nbconvert --to html` CLI, one after another
  cold      `python -m cmocio build --force` into an empty folder (parallel workers, in-process HTML)
  no-change `python -m cmocio build` again with nothing changed
and optionally (--with-tests) the README's whole test command.

Targets: cold at least 3x faster than naive; no-change rebuild under 1.5 s; tests under 90 s.
Usage: .venv/bin/python benchmarks/build_speed.py [--with-tests]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TEST_COMMAND = [sys.executable, "-m", "pytest", "-q"]  # options from pyproject.toml, as `make test`


def timed(cmd: list[str], cwd: Path = ROOT) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--with-tests", action="store_true", help="also time the README's test command")
    args = ap.parse_args()
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        naive = 0.0
        for nb in notebooks:
            out = tmp / "naive" / nb.name
            out.parent.mkdir(exist_ok=True)
            naive += timed([str(BIN / "papermill"), str(nb), str(out), "--cwd", str(nb.parent),
                            "-p", "output_dir", str(tmp / "naive" / "results")])
            naive += timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(out)])
        build = [sys.executable, "-m", "cmocio", "build", "--build-dir", str(tmp / "build")]
        cold = timed(build + ["--force"])
        again = min(timed(build) for _ in range(3))
    print(f"notebooks:              {len(notebooks)}")
    print(f"naive CLI loop:         {naive:6.1f} s")
    print(f"cold cmocio build:      {cold:6.1f} s   speed-up {naive / cold:4.1f}x  (target >= 3x)")
    print(f"no-change rebuild:      {again:6.2f} s   {again / cold:.1%} of a cold build  (target < 0.5 s)")
    ok = naive / cold >= 3 and again < 0.5
    if args.with_tests:
        tests = timed(TEST_COMMAND)
        print(f"test command:           {tests:6.1f} s   (target < 90 s)")
        ok &= tests < 90
    print("all targets met" if ok else "some targets missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
