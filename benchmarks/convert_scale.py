"""Converting and aggregating a 1,000,000-respondent, 30-question export in the Qualtrics layout.

Goal: under 5 s and under 2 GiB peak memory on a 2-core machine, reported beside the time of a plain
``pandas.read_csv`` of the same file measured in the same run (the machines are shared and noisy, so
the ratio is the figure to watch). Each step runs in a fresh process, and its peak memory is that
process's peak resident set size (which sees Arrow's and NumPy's buffers alike).

Usage: .venv/bin/python benchmarks/convert_scale.py [--respondents N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

N_QUESTIONS = 30
META = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished", "RecordedDate",
        "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail", "ExternalReference",
        "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage"]


def questions() -> pd.DataFrame:
    qids = [f"q{i:02d}" for i in range(1, N_QUESTIONS + 1)]
    return pd.DataFrame({"question_id": qids, "metric": [f"m{i:02d}" for i in range(1, N_QUESTIONS + 1)],
                         "asked_of": "both", "wording": qids, "statement": qids, "coding": "agree5"})


def write_export(path: Path, n: int, seed: int = 1) -> None:
    """A Qualtrics numeric export: three header rows, metadata, Q1 function, Q2 unit, Q3_1..Q3_30 on 1-6."""
    rng = np.random.default_rng(seed)
    cols = META + ["Q1", "Q2"] + [f"Q3_{i}" for i in range(1, N_QUESTIONS + 1)]
    frame = pd.DataFrame({c: "" for c in META}, index=range(n))
    frame["StartDate"] = frame["EndDate"] = frame["RecordedDate"] = "2025-03-03 09:00:00"
    frame["Status"], frame["Progress"], frame["Finished"], frame["UserLanguage"] = "0", "100", "1", "EN"
    frame["ResponseId"] = np.char.add("R_", np.arange(n).astype(str))
    frame["IPAddress"] = "192.0.2.1"
    frame["Q1"] = rng.choice(["1", "2", "3"], size=n, p=[0.55, 0.4, 0.05])
    frame["Q2"] = rng.choice(["1", "2", "3"], size=n)
    answers = rng.integers(1, 7, size=(n, N_QUESTIONS)).astype(str)
    answers[rng.random((n, N_QUESTIONS)) < 0.03] = ""
    for i in range(N_QUESTIONS):
        frame[f"Q3_{i + 1}"] = answers[:, i]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        fh.write(",".join(cols) + "\r\n")
        fh.write(",".join(f'"{c}"' for c in cols) + "\r\n")
        fh.write(",".join('"' + json.dumps({"ImportId": c}).replace('"', '""') + '"' for c in cols) + "\r\n")
        frame[cols].to_csv(fh, header=False, index=False, lineterminator="\r\n")


def write_mapping(path: Path) -> None:
    lines = ["format: qualtrics", "respondent_id: ResponseId",
             "function: {column: Q1, marketing: 1, it: 2, other: 3}",
             "segments: {business_unit: {column: Q2, values: {1: Consumer, 2: Enterprise, 3: Online}}}",
             "not_answered: [6]", "questions:"]
    lines += [f"  q{i:02d}: Q3_{i}" for i in range(1, N_QUESTIONS + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def step(kind: str, export: str, mapping: str) -> None:
    """One measured step, run in its own process; prints seconds and peak RSS as JSON."""
    import resource

    start = time.perf_counter()
    if kind == "read_csv":
        frame = pd.read_csv(export, skiprows=[1, 2], dtype=str, keep_default_na=False)
        rows = len(frame)
    else:
        from cmocio import survey

        q = questions()
        responses, _ = survey.convert(export, survey.load_mapping(mapping, q), q)
        result = survey.analyse(responses, q, 5)
        rows = len(responses)
        assert result.table["n_answered"].notna().any()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB
    print(json.dumps({"seconds": seconds, "peak_mib": peak, "rows": rows}))


def run(kind: str, export: Path, mapping: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--step", kind, str(export), str(mapping)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--respondents", type=int, default=1_000_000)
    ap.add_argument("--step", nargs=3, metavar=("KIND", "EXPORT", "MAPPING"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.step:
        if args.step[0] == "write":  # in its own process, so the measured steps inherit no memory from it
            write_export(Path(args.step[1]), int(args.step[2]))
        else:
            step(*args.step)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        export, mapping = Path(tmp) / "export.csv", Path(tmp) / "mapping.yaml"
        t = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--step", "write", str(export), str(args.respondents)], check=True)
        write_mapping(mapping)
        print(f"wrote {args.respondents:,} x {N_QUESTIONS} Qualtrics export "
              f"({export.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t:.1f} s")
        plain = run("read_csv", export, mapping)
        ours = run("convert", export, mapping)
    print(f"{'step':<34} {'seconds':>8} {'peak MiB':>9}")
    print(f"{'pandas.read_csv (all columns)':<34} {plain['seconds']:>8.2f} {plain['peak_mib']:>9.0f}")
    print(f"{'convert + analyse (cmocio.survey)':<34} {ours['seconds']:>8.2f} {ours['peak_mib']:>9.0f}")
    print(f"ratio to read_csv: {ours['seconds'] / plain['seconds']:.2f}")
    ok = ours["seconds"] < 5 and ours["peak_mib"] < 2048
    print("targets met (under 5 s, under 2 GiB)" if ok else "targets missed (5 s, 2 GiB)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
