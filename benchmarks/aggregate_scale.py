"""Aggregation of respondent-level answers: time and peak memory at 10k, 100k and 1M respondents x 30 questions.

Targets: 1,000,000 x 30 aggregated in under 2 s with under 1 GB peak memory, and time growing
linearly with respondents (the 1M/100k time ratio near 10). Peak memory is the traced allocation
peak (tracemalloc, which sees NumPy and pandas buffers) during aggregation of data already in memory.
Usage: .venv/bin/python benchmarks/aggregate_scale.py
"""

from __future__ import annotations

import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

from cmocio import survey

N_QUESTIONS = 30


def make(n: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    qids = [f"q{i:02d}" for i in range(1, N_QUESTIONS + 1)]
    questions = pd.DataFrame({"question_id": qids, "metric": [f"m{i}" for i in range(N_QUESTIONS)]})
    answers = rng.integers(0, 2, size=(n, N_QUESTIONS)).astype("float32")
    answers[rng.random((n, N_QUESTIONS)) < 0.05] = np.nan
    frame = pd.DataFrame(answers, columns=qids).astype("Int8")
    frame.insert(0, "weight", rng.uniform(0.5, 2, n))
    frame.insert(0, "function", np.where(rng.random(n) < 0.6, "marketing", "it"))
    return frame, questions


def measure(n: int) -> tuple[float, float]:
    frame, questions = make(n)
    survey.shares(survey.cells(frame.head(1000), questions))  # warm-up
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        survey.shares(survey.cells(frame, questions))
        best = min(best, time.perf_counter() - t)
    tracemalloc.start()
    survey.shares(survey.cells(frame, questions))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak / 2**20


def main() -> int:
    results = {}
    print(f"{'respondents':>12} {'seconds':>9} {'peak MiB':>9}")
    for n in (10_000, 100_000, 1_000_000):
        results[n] = measure(n)
        print(f"{n:>12,} {results[n][0]:>9.3f} {results[n][1]:>9.1f}")
    t1m, mem1m = results[1_000_000]
    ratio = t1m / results[100_000][0]
    print(f"1M / 100k time ratio: {ratio:.1f} (linear would be 10)")
    ok = t1m < 2 and mem1m < 1024 and ratio < 15
    print("all targets met" if ok else "some targets missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
