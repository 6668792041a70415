"""Made-up respondents, and the same people written in each survey tool's export layout. Not real data.

:func:`synthetic_responses` makes the shipped example response file.
:func:`synthetic_people` makes respondents with five-point agreement answers,
and the ``write_*`` functions write them as each tool exports them (header
rows, metadata columns, quoting and encodings as the tools write them), for
tests, benchmarks and trying the conversion. Every name, e-mail and address in
them is invented; addresses come from the documentation ranges (192.0.2.0/24).
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .identifying import CONTACT_FIELDS
from .instrument import EXAMPLE_PATH, load_questions

AGREE = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree", "Don't know")
FUNCTION_CHOICES = ("Marketing", "IT / Technology", "Another function")
UNITS = ("Consumer", "Enterprise", "Online")
LEVELS = ("Staff", "Manager", "Director")
#: Practices the synthetic organisation's relationship outcome (q01) goes with.
DRIVEN_BY = ("q04", "q07", "q10", "q13", "q14")
REGIONS = ("Americas", "EMEA", "APAC")
FUNCTION_Q = "Which function do you work in?"
UNIT_Q = "Which business unit are you part of?"
REGION_Q = "Which region are you based in?"
MATRIX_Q = "How far do you agree with each statement?"
COMMENT_Q = "Anything else you would like to tell us?"


def synthetic_responses(questions: pd.DataFrame, n: int = 400, seed: int = 20261123, missing_rate: float = 0.06,
                        share_marketing: float = 0.6) -> pd.DataFrame:
    """A clearly synthetic canonical response file with two waves and two segments. Not real data.

    Respondent ids start with ``SYN-``. Each function answers each question yes
    with a made-up probability (drawn once from the seed; a little higher in the
    later wave), a share ``missing_rate`` of answers is blank, weights vary
    between 0.5 and 2, 40% of respondents belong to wave 2024 and the rest to
    2025, business units are Consumer, Enterprise and Online, and levels Staff, Manager and Director. Whether a
    respondent calls the relationship collaborative (q01) goes with how many of five practices (``DRIVEN_BY``)
    they agree with, so the drivers of the example have an association to find.
    """
    rng = np.random.default_rng(seed)
    qids = list(questions["question_id"])
    function = np.where(rng.random(n) < share_marketing, "marketing", "it")
    wave = np.where(rng.random(n) < 0.4, "2024", "2025")
    unit = rng.choice(UNITS, size=n, p=[0.45, 0.4, 0.15])
    base = rng.uniform(0.2, 0.8, size=len(qids))
    tilt = rng.normal(0.0, 0.12, size=len(qids))
    lift = rng.normal(0.04, 0.06, size=len(qids))
    prob = np.where(function[:, None] == "marketing", base + tilt, base - tilt)
    prob = (prob + np.where(wave[:, None] == "2025", lift, 0.0)).clip(0.02, 0.98)
    answers = (rng.random((n, len(qids))) < prob).astype(float)
    answers[rng.random((n, len(qids))) < missing_rate] = np.nan
    weight = rng.uniform(0.5, 2.0, size=n).round(3)
    outcome = qids.index("q01") if "q01" in qids else None
    drivers = [qids.index(q) for q in DRIVEN_BY if q in qids]
    if outcome is not None and drivers:  # the relationship goes with the practices, so drivers have something to find
        practised = np.nan_to_num(answers[:, drivers], nan=0.0).mean(axis=1)
        said = (rng.random(n) < (0.1 + 0.85 * practised)).astype(float)
        answers[:, outcome] = np.where(np.isnan(answers[:, outcome]), np.nan, said)
    level = rng.choice(LEVELS, size=n, p=[0.5, 0.35, 0.15])
    frame = pd.DataFrame(answers, columns=qids).astype("Int8")
    frame.insert(0, "segment_level", level)
    frame.insert(0, "segment_business_unit", unit)
    frame.insert(0, "wave", wave)
    frame.insert(0, "weight", weight)
    frame.insert(0, "function", function)
    frame.insert(0, "respondent_id", [f"SYN-{i:05d}" for i in range(1, n + 1)])
    return frame


def write_example(path: str | os.PathLike = EXAMPLE_PATH, n: int = 400, seed: int = 20261123) -> Path:
    """Regenerate the shipped synthetic example file (deterministic for a given seed)."""
    frame = synthetic_responses(load_questions(), n=n, seed=seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def synthetic_people(questions: pd.DataFrame, n: int = 200, seed: int = 7) -> pd.DataFrame:
    """Made-up respondents as a survey tool holds them: choice labels, five-point answers, metadata.

    Columns: ``function``, ``unit``, ``region`` (choice labels), one column per
    question id holding an agreement label, ``Don't know`` or ``""`` (skipped),
    ``comment`` (free text), ``weight`` and invented metadata (dates, e-mail,
    names, IP address, location).
    """
    rng = np.random.default_rng(seed)
    qids = list(questions["question_id"])
    fn = rng.choice(FUNCTION_CHOICES, size=n, p=[0.55, 0.37, 0.08])
    level = rng.uniform(1.8, 4.4, size=len(qids))
    tilt = np.where(fn[:, None] == "Marketing", 0.35, -0.35) * rng.normal(1, 0.5, size=len(qids))
    score = np.rint(level + tilt + rng.normal(0, 1.0, size=(n, len(qids)))).clip(1, 5).astype(int)
    labels = np.asarray(AGREE, dtype=object)[score - 1]
    labels[rng.random((n, len(qids))) < 0.04] = AGREE[5]
    labels[rng.random((n, len(qids))) < 0.03] = ""
    people = pd.DataFrame(labels, columns=qids)
    people.insert(0, "region", rng.choice(REGIONS, size=n))
    people.insert(0, "unit", rng.choice(UNITS, size=n, p=[0.5, 0.35, 0.15]))
    people.insert(0, "function", fn)
    first = rng.choice(["Alex", "Sam", "Robin", "Kim", "Jo", "Charlie", "Max", "Noor"], size=n)
    last = rng.choice(["Example", "Sample", "Placeholder", "Testperson"], size=n)
    people["first_name"], people["last_name"] = first, last
    people["email"] = [f"{a.lower()}.{b.lower()}{i}@example.com" for i, (a, b) in enumerate(zip(first, last))]
    people["ip"] = [f"192.0.2.{int(x)}" for x in rng.integers(1, 255, size=n)]
    start = pd.Timestamp("2025-03-03 09:00:00") + pd.to_timedelta(rng.integers(0, 14 * 86400, size=n), unit="s")
    people["start"] = start
    people["duration"] = rng.integers(90, 900, size=n)
    people["end"] = start + pd.to_timedelta(people["duration"], unit="s")
    comments = ["", "", "", "More joint planning, please.", "Budget talks start too late, in my view.",
                "Hard to say, new here.", 'We need a "single view" of the customer.']
    people["comment"] = rng.choice(comments, size=n)
    people["weight"] = 1.0
    return people


def _code(label: str, choices: tuple[str, ...]) -> str:
    return "" if label == "" else str(choices.index(label) + 1)


def _statements(questions: pd.DataFrame) -> list[str]:
    return list(questions["statement"])


def write_qualtrics(people: pd.DataFrame, questions: pd.DataFrame, path: str | os.PathLike,
                    numeric: bool = False) -> Path:
    """Qualtrics CSV export: 'numeric values' (``numeric=True``) or 'choice text'.

    Three header rows (short name, question text, ImportId JSON), the usual
    metadata columns, a matrix question Q4 with one column per statement, a
    text-entry Q5 and an embedded-data weight; UTF-8 with a byte-order mark.
    """
    qids = list(questions["question_id"])
    meta = [("StartDate", "Start Date", {"ImportId": "startDate", "timeZone": "Europe/London"}),
            ("EndDate", "End Date", {"ImportId": "endDate", "timeZone": "Europe/London"}),
            ("Status", "Response Type", {"ImportId": "status"}), ("IPAddress", "IP Address", {"ImportId": "ipAddress"}),
            ("Progress", "Progress", {"ImportId": "progress"}),
            ("Duration (in seconds)", "Duration (in seconds)", {"ImportId": "duration"}),
            ("Finished", "Finished", {"ImportId": "finished"}),
            ("RecordedDate", "Recorded Date", {"ImportId": "recordedDate", "timeZone": "Europe/London"}),
            ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
            ("RecipientLastName", "Recipient Last Name", {"ImportId": "recipientLastName"}),
            ("RecipientFirstName", "Recipient First Name", {"ImportId": "recipientFirstName"}),
            ("RecipientEmail", "Recipient Email", {"ImportId": "recipientEmail"}),
            ("ExternalReference", "External Data Reference", {"ImportId": "externalDataReference"}),
            ("LocationLatitude", "Location Latitude", {"ImportId": "locationLatitude"}),
            ("LocationLongitude", "Location Longitude", {"ImportId": "locationLongitude"}),
            ("DistributionChannel", "Distribution Channel", {"ImportId": "distributionChannel"}),
            ("UserLanguage", "User Language", {"ImportId": "userLanguage"})]
    cols = meta + [("Q1", FUNCTION_Q, {"ImportId": "QID1"}), ("Q2", UNIT_Q, {"ImportId": "QID2"}),
                   ("Q3", REGION_Q, {"ImportId": "QID3"})]
    cols += [(f"Q4_{i}", f"{MATRIX_Q} - {s}", {"ImportId": f"QID4_{i}"})
             for i, s in enumerate(_statements(questions), start=1)]
    cols += [("Q5", COMMENT_Q, {"ImportId": "QID5_TEXT"}), ("weight", "weight", {"ImportId": "weight"})]
    buf = io.StringIO(newline="")
    buf.write(",".join(c[0] for c in cols) + "\r\n")
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow([c[1] for c in cols])
    w.writerow([json.dumps(c[2], separators=(",", ":")) for c in cols])
    rows = csv.writer(buf, lineterminator="\r\n")
    for i, r in enumerate(people.itertuples(index=False)):
        d = r._asdict()
        fmt = "%Y-%m-%d %H:%M:%S"
        answers = [(_code(d[q], AGREE) if numeric else d[q]) for q in qids]
        rows.writerow([d["start"].strftime(fmt), d["end"].strftime(fmt), "0" if numeric else "IP Address", d["ip"],
                       "100", str(d["duration"]), "1" if numeric else "True", d["end"].strftime(fmt),
                       f"R_{i:04d}{'xQz' * 4}{i % 7}", d["last_name"], d["first_name"], d["email"], "",
                       "51.5074", "-0.1278", "email", "EN",
                       _code(d["function"], FUNCTION_CHOICES) if numeric else d["function"],
                       _code(d["unit"], UNITS) if numeric else d["unit"],
                       _code(d["region"], REGIONS) if numeric else d["region"], *answers, d["comment"],
                       f"{d['weight']:g}"])
    path = Path(path)
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    return path


def write_qualtrics_2017(people: pd.DataFrame, questions: pd.DataFrame, path: str | os.PathLike,
                         numeric: bool = True) -> Path:
    """Qualtrics CSV as exported in 2017: three header rows, the third ``{'ImportId': 'QID1'}`` in single quotes.

    Metadata columns of that time (``ResponseID``, ``ResponseSet``, ``ExternalDataReference``, location
    with ``LocationAccuracy`` last), metadata names repeated in row 2; UTF-8 without a byte-order mark.
    """
    statements = _statements(questions)
    meta = [("ResponseID", "responseId"), ("ResponseSet", "responseSetId"), ("IPAddress", "ipAddress"),
            ("StartDate", "startDate"), ("EndDate", "endDate"), ("RecipientLastName", "panel-RecipientLastName"),
            ("RecipientFirstName", "panel-RecipientFirstName"), ("RecipientEmail", "panel-RecipientEmail"),
            ("ExternalDataReference", "panel-ExternalDataReference"), ("Finished", "finished"), ("Status", "status")]
    names = [m[0] for m in meta] + ["Q1", "Q2", "Q3", *(f"Q4_{i}" for i in range(1, len(statements) + 1)), "Q5"]
    texts = [m[0] for m in meta] + [FUNCTION_Q, UNIT_Q, REGION_Q, *(f"{MATRIX_Q}-{t}" for t in statements),
                                    COMMENT_Q]
    ids = [m[1] for m in meta] + ["QID1", "QID2", "QID3", *(f"QID4_{i}" for i in range(1, len(statements) + 1)),
                                  "QID5_TEXT"]
    location = ["LocationLatitude", "LocationLongitude", "LocationAccuracy"]
    rows = [names + location, texts + location, [f"{{'ImportId': '{i}'}}" for i in ids]
            + [f"{{'ImportId': 'Location-{c}'}}" for c in location]]
    for i, d in enumerate(r._asdict() for r in people.itertuples(index=False)):
        fmt = "%Y-%m-%d %H:%M:%S"
        rows.append([f"R_{i:04d}{'xQz' * 4}{i % 7}", "Default Response Set", d["ip"], d["start"].strftime(fmt),
                     d["end"].strftime(fmt), d["last_name"], d["first_name"], d["email"], "", "1", "0",
                     *_answers(d, questions, numeric), d["comment"], "51.5074", "-0.1278", "-1"])
    return _write_csv(rows, path, "\r\n")


def write_qualtrics_legacy(people: pd.DataFrame, questions: pd.DataFrame, path: str | os.PathLike,
                           numeric: bool = True) -> Path:
    """Qualtrics' legacy CSV export (before 2017): two header rows, ``V1`` … ``V10`` over ``ResponseID`` ….

    Row 1 holds V-numbers for the metadata and short names for the questions, row 2 the metadata names
    and the question text; every line ends with a comma, as the tool wrote it.
    """
    statements = _statements(questions)
    meta = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress", "Status",
            "StartDate", "EndDate", "Finished"]
    location = ["LocationLatitude", "LocationLongitude", "LocationAccuracy"]
    row1 = [f"V{i}" for i in range(1, len(meta) + 1)] + ["Q1", "Q2", "Q3"]
    row1 += [f"Q4_{i}" for i in range(1, len(statements) + 1)] + ["Q5", *location, ""]
    row2 = meta + [FUNCTION_Q, UNIT_Q, REGION_Q, *(f"{MATRIX_Q}-{t}" for t in statements), COMMENT_Q, *location, ""]
    rows = [row1, row2]
    for i, d in enumerate(r._asdict() for r in people.itertuples(index=False)):
        fmt = "%Y-%m-%d %H:%M:%S"
        rows.append([f"R_{i:04d}{'xQz' * 4}{i % 7}", "Default Response Set", f"{d['last_name']}, {d['first_name']}",
                     "", d["email"], d["ip"], "0", d["start"].strftime(fmt), d["end"].strftime(fmt), "1",
                     *_answers(d, questions, numeric), d["comment"], "51.5074", "-0.1278", "-1", ""])
    return _write_csv(rows, path, "\n")


def _answers(d: dict, questions: pd.DataFrame, numeric: bool) -> list[str]:
    """Function, unit, region and the agreement answers of one respondent, as codes or as choice text."""
    first = [(d["function"], FUNCTION_CHOICES), (d["unit"], UNITS), (d["region"], REGIONS)]
    first += [(d[q], AGREE) for q in questions["question_id"]]
    return [_code(v, choices) if numeric else v for v, choices in first]


def _write_csv(rows: list[list[object]], path: str | os.PathLike, newline: str) -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator=newline).writerows(rows)
    path = Path(path)
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def _surveymonkey_rows(people: pd.DataFrame, questions: pd.DataFrame, contact: bool = False) -> list[list[object]]:
    statements = _statements(questions)
    row1 = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
            "Last Name", "Custom Data 1", FUNCTION_Q, UNIT_Q, REGION_Q, MATRIX_Q] + [""] * (len(statements) - 1)
    row1 += [COMMENT_Q] + (["Contact information"] + [""] * (len(CONTACT_FIELDS) - 1) if contact else [])
    row2 = [""] * 9 + ["Response", "Response", "Response"] + statements + ["Open-Ended Response"]
    row2 += list(CONTACT_FIELDS) if contact else []
    out = [row1, row2]
    fmt = "%m/%d/%Y %I:%M:%S %p"
    for i, r in enumerate(people.itertuples(index=False)):
        d = r._asdict()
        card = [f"{d['first_name']} {d['last_name']}", "Example Ltd", f"{i + 1} Sample Street", "", "Exampletown",
                "", "EX1 1AA", "United Kingdom", d["email"], f"+44 20 7946 {i:04d}"] if contact else []
        out.append([114000000000 + 7919 * i, 431000123, d["start"].strftime(fmt), d["end"].strftime(fmt), d["ip"],
                    "", "", "", "", d["function"], d["unit"], d["region"],
                    *[d[q] for q in questions["question_id"]], d["comment"], *card])
    return out


def write_surveymonkey_csv(people: pd.DataFrame, questions: pd.DataFrame, path: str | os.PathLike,
                           contact: bool = False) -> Path:
    """SurveyMonkey 'All individual responses' CSV: two header rows, question text over its answer columns.

    ``contact``: the survey ends with a contact-information question (name, company, address, e-mail, phone).
    """
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(_surveymonkey_rows(people, questions, contact))
    path = Path(path)
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def _write_workbook(rows: list[list[object]], sheet: str, path: str | os.PathLike) -> Path:
    """One sheet of rows as an XLSX workbook; blank text becomes an empty cell, as the tools write it."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append([None if v == "" else v for v in row])
    path = Path(path)
    wb.save(path)
    return path


def write_surveymonkey_xlsx(people: pd.DataFrame, questions: pd.DataFrame, path: str | os.PathLike) -> Path:
    """The same SurveyMonkey layout as an XLSX workbook."""
    return _write_workbook(_surveymonkey_rows(people, questions), "Sheet", path)


def write_google_forms(people: pd.DataFrame, questions: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Google Forms 'Download responses (.csv)': Timestamp first, every field quoted, grid rows as 'Q [row]'."""
    header = ["Timestamp", "Email address", FUNCTION_Q, UNIT_Q, REGION_Q]
    header += [f"{MATRIX_Q} [{s}]" for s in _statements(questions)] + [COMMENT_Q]
    buf = io.StringIO(newline="")
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(header)
    for r in people.itertuples(index=False):
        d = r._asdict()
        w.writerow([d["end"].strftime("%Y/%m/%d %I:%M:%S %p GMT"), d["email"], d["function"], d["unit"], d["region"],
                    *[d[q] for q in questions["question_id"]], d["comment"]])
    path = Path(path)
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def write_microsoft_forms(people: pd.DataFrame, questions: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Microsoft Forms 'Open results in Excel' workbook: ID, times, Email, Name, then a column per question."""
    rows = [["ID", "Start time", "Completion time", "Email", "Name", "Last modified time", FUNCTION_Q, UNIT_Q,
             REGION_Q, *_statements(questions), COMMENT_Q]]
    for i, r in enumerate(people.itertuples(index=False), start=1):
        d = r._asdict()
        rows.append([i, d["start"].to_pydatetime(), d["end"].to_pydatetime(), "anonymous", "", "", d["function"],
                     d["unit"], d["region"], *[d[q] for q in questions["question_id"]], d["comment"]])
    return _write_workbook(rows, "Sheet1", path)


def write_spss(people: pd.DataFrame, questions: pd.DataFrame, path: str | os.PathLike) -> Path:
    """SPSS .sav as Qualtrics writes it: metadata variables, coded answers with value labels, question labels."""
    import pyreadstat

    qids = list(questions["question_id"])
    data = {"StartDate": people["start"].dt.strftime("%Y-%m-%d %H:%M:%S"),
            "EndDate": people["end"].dt.strftime("%Y-%m-%d %H:%M:%S"),
            "Status": 0.0, "IPAddress": people["ip"], "Progress": 100.0,
            "Duration__in_seconds_": people["duration"].astype(float), "Finished": 1.0,
            "ResponseId": [f"R_{i:04d}{'xQz' * 4}{i % 7}" for i in range(len(people))],
            "RecipientLastName": people["last_name"], "RecipientFirstName": people["first_name"],
            "RecipientEmail": people["email"],
            "Q1": [float(_code(v, FUNCTION_CHOICES)) for v in people["function"]],
            "Q2": [float(_code(v, UNITS)) for v in people["unit"]],
            "Q3": [float(_code(v, REGIONS)) for v in people["region"]]}
    for i, q in enumerate(qids, start=1):
        data[f"Q4_{i}"] = [float(_code(v, AGREE)) if v else np.nan for v in people[q]]
    data["Q5"] = people["comment"]
    data["weight"] = people["weight"].astype(float)
    frame = pd.DataFrame(data)
    agree = {float(i): label for i, label in enumerate(AGREE, start=1)}
    value_labels = {"Status": {0.0: "IP Address", 1.0: "Survey Preview"}, "Finished": {0.0: "False", 1.0: "True"},
                    "Q1": {float(i): v for i, v in enumerate(FUNCTION_CHOICES, start=1)},
                    "Q2": {float(i): v for i, v in enumerate(UNITS, start=1)},
                    "Q3": {float(i): v for i, v in enumerate(REGIONS, start=1)},
                    **{f"Q4_{i}": agree for i in range(1, len(qids) + 1)}}
    labels = {"StartDate": "Start Date", "EndDate": "End Date", "Status": "Response Type",
              "IPAddress": "IP Address", "Q1": FUNCTION_Q, "Q2": UNIT_Q, "Q3": REGION_Q, "Q5": COMMENT_Q,
              **{f"Q4_{i}": f"{MATRIX_Q} - {s}" for i, s in enumerate(_statements(questions), start=1)}}
    path = Path(path)
    pyreadstat.write_sav(frame, str(path), column_labels={c: labels.get(c, c) for c in frame.columns},
                         variable_value_labels=value_labels)
    return path


WRITERS = {
    "qualtrics_numeric.csv": lambda p, q, path: write_qualtrics(p, q, path, numeric=True),
    "qualtrics_choice_text.csv": lambda p, q, path: write_qualtrics(p, q, path, numeric=False),
    "surveymonkey.csv": write_surveymonkey_csv,
    "surveymonkey.xlsx": write_surveymonkey_xlsx,
    "google_forms.csv": write_google_forms,
    "microsoft_forms.xlsx": write_microsoft_forms,
    "spss.sav": write_spss,
}


def write_exports(folder: str | os.PathLike, n: int = 200, seed: int = 7) -> list[Path]:
    """The same ``n`` made-up respondents in every layout (file names as in ``WRITERS``)."""
    questions = load_questions()
    people = synthetic_people(questions, n=n, seed=seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [writer(people, questions, folder / name) for name, writer in WRITERS.items()]
