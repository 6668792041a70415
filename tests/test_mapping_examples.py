"""Every mapping example in data/survey/README.md converts as written, and YAML's yes/no mean the words."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from cmocio import survey
from cmocio.survey import SURVEY_DIR, synthetic
from cmocio.survey.mapping_text import read_mapping_text
from cmocio.survey.scales import SCALES

Q = survey.load_questions()
README = (SURVEY_DIR / "README.md").read_text(encoding="utf-8")
#: Labels of agree5 that no single five-point wording uses together with Agree / Disagree.
NOT_FIVE_POINT = {"Somewhat agree", "Somewhat disagree", "Neutral", "Neither agree or disagree"}
EXAMPLES = re.findall(r"```yaml\n(.*?)```", README, flags=re.S)


def test_the_readme_has_the_examples():
    assert len(EXAMPLES) >= 4


def _listed(value) -> list[str]:
    return [] if value is None else [str(v) for v in (value if isinstance(value, list) else [value])]


def _export(doc: dict, path: Path) -> tuple[Path, list[str], dict[str, list[float]]]:
    """An export in the example's format whose rows use every value the example lists (or its scale's labels).

    Returns the file, each row's function value, and per question the expected 1 / 0 / nan of each row.
    """
    fn = doc["function"]
    functions = [*_listed(fn["marketing"]), *_listed(fn["it"]), *_listed(fn.get("other"))]
    name = doc.get("scale", "agree5")
    words = {key: [v for v in vals if not v.isdigit() and not (name == "agree5" and v in NOT_FIVE_POINT)] or list(vals)
             for key, vals in SCALES[name].items()}
    columns: dict[str, list[str]] = {}
    expected: dict[str, list[float]] = {}
    n = 2 * max(len(functions), 12)
    for qid, spec in doc["questions"].items():
        spec = spec if isinstance(spec, dict) else {"column": spec}
        pick = {key: _listed(spec.get(key, doc.get(key))) for key in ("yes", "no", "not_answered")}
        pick["yes"], pick["no"] = pick["yes"] or words["yes"], pick["no"] or words["no"]
        values = [(v, 1.0) for v in pick["yes"]] + [(v, 0.0) for v in pick["no"]]
        values += [(v, np.nan) for v in pick["not_answered"] + [""]]
        columns[spec["column"]] = [values[i % len(values)][0] for i in range(n)]
        expected[qid] = [values[i % len(values)][1] for i in range(n)]
    columns[fn["column"]] = [functions[i % len(functions)] for i in range(n)]
    if isinstance(doc.get("wave"), dict):
        columns[doc["wave"]["column"]] = ["2024" if i % 3 else "2025" for i in range(n)]
    names = list(columns)
    rows = [[columns[c][i] for c in names] for i in range(n)]
    kind = doc["format"]
    if kind == "microsoft-forms":
        lead = ["ID", "Start time", "Completion time", "Email", "Name"]
        synthetic._write_workbook([lead + names] + [[i + 1, "", "", "anonymous", "", *r] for i, r in enumerate(rows)],
                                  "Sheet1", path.with_suffix(".xlsx"))
        return path.with_suffix(".xlsx"), columns[fn["column"]], expected
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    if kind == "qualtrics":
        w.writerows([["ResponseId", *names], ["Response ID", *names],
                     [json.dumps({"ImportId": c}) for c in ["_recordId", *names]]])
        w.writerows([[f"R_{i:04d}", *r] for i, r in enumerate(rows)])
    elif kind == "google-forms":
        w.writerows([["Timestamp", *names]] + [[f"2025/03/0{1 + i % 9} 10:00:00 AM GMT", *r] for i, r in enumerate(rows)])
    else:
        raise AssertionError(f"no writer for format {kind!r} in this test")
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path, columns[fn["column"]], expected


@pytest.mark.parametrize("number", range(len(EXAMPLES)))
def test_every_readme_example_converts_as_written(tmp_path, number):
    text = EXAMPLES[number]
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    mapping = survey.load_mapping(tmp_path / "m.yaml", Q)
    export, functions, expected = _export(read_mapping_text(text), tmp_path / "export.csv")
    frame, report = survey.convert(export, mapping, Q)
    doc = read_mapping_text(text)
    kept = [f not in _listed(doc["function"].get("other")) for f in functions]
    assert len(frame) == sum(kept) and report.other_function == len(kept) - sum(kept)
    for qid, values in expected.items():
        want = np.asarray(values)[kept]
        assert np.array_equal(frame[qid].to_numpy(dtype=float, na_value=np.nan), want, equal_nan=True), qid


def test_yes_and_no_are_words_in_a_mapping(tmp_path):
    text = ("function: {column: Team, marketing: Marketing, it: IT}\n"
            "yes: [Yes, On]\nno: [No, Off]\n"
            "questions:\n  q01: Q1\n  q02:\n    column: Q2\n    yes: [Y, yes]\n    no: [N, no]\n")
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    mapping = survey.load_mapping(tmp_path / "m.yaml", Q)
    rules = {r.question_id: r for r in mapping.questions}
    assert rules["q01"].yes == {"yes", "on"} and rules["q01"].no == {"no", "off"}
    assert rules["q02"].yes == {"y", "yes"} and rules["q02"].no == {"n", "no"}
    assert read_mapping_text("a: true\nb: no\nc: [Yes, FALSE]\n") == {"a": True, "b": "no", "c": ["Yes", False]}
