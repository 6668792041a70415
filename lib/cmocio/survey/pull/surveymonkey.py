"""Pull a SurveyMonkey survey's responses: its details, then every page of the bulk responses endpoint.

``GET /v3/surveys/{id}/details`` gives the questions (headings, rows, choices
and their ids); ``GET /v3/surveys/{id}/responses/bulk`` gives the responses,
100 a page, following ``links.next`` to the last page. Answers hold choice and
row ids; they are written as the export writes them ("All individual
responses"): two header rows, a question's heading over its columns, a matrix
row's text beneath it, the chosen choice's text as the value. Open-ended,
contact and date questions, and the respondent's IP address, e-mail, names and
custom data, are never written. The token goes in the ``Authorization`` header.
"""

from __future__ import annotations

import os
import re
from typing import Callable

from . import tokens
from .http import PullError, Retry, Session, json_object, say
from .write import Pulled, write_export

ID_COLUMN = "Respondent ID"
#: The API's host for each data centre of SurveyMonkey accounts.
REGIONS = {"us": "https://api.surveymonkey.com/v3", "eu": "https://api.eu.surveymonkey.com/v3",
           "ca": "https://api.surveymonkey.ca/v3"}
PER_PAGE = 100
#: Question families written (others are free text, contact details, dates or page text).
CHOICE_FAMILIES = ("single_choice", "multiple_choice", "matrix")
#: SurveyMonkey's rate-limit headers: seconds until the per-minute or per-day allowance resets.
RATE_HEADERS = ("Retry-After", "X-Ratelimit-App-Global-Minute-Reset")


def check(response, survey: str, what: str) -> dict:
    """The JSON of a successful answer, or a PullError in one line."""
    status = response.status_code
    if status == 200:
        body = json_object(response)
        if body is None:
            raise PullError(f"SurveyMonkey answered with something other than JSON when asked to {what}; try "
                            "again later")
        return body
    error = (json_object(response) or {}).get("error")
    detail = str(error.get("message") or "")[:200] if isinstance(error, dict) else ""
    if status == 401:
        raise PullError(f"SurveyMonkey refused the access token (401 Unauthorized): check {tokens.SURVEYMONKEY}, "
                        "and --region for an account in the EU or Canada")
    if status == 403:
        raise PullError(f"SurveyMonkey: this token may not {what} (403 Forbidden); the app needs the scopes "
                        "surveys_read, responses_read and responses_read_detail")
    if status == 404:
        raise PullError(f"SurveyMonkey has no survey {survey} in this account (404 Not Found): check --survey (the "
                        "number in the survey's API id, not its web link) and --region")
    raise PullError(f"SurveyMonkey could not {what} of survey {survey} ({status}" + (f": {detail}" if detail else "")
                    + ")")


def layout(details: dict) -> tuple[list[list[str]], list[str], list[tuple]]:
    """Header rows, column names and, per column, how to read it: (question id, row id or None, choice id or None)."""
    row1, row2, names, readers = [ID_COLUMN], [""], [ID_COLUMN], [("id", None, None)]
    for page in details.get("pages", []):
        for q in page.get("questions", []):
            if q.get("family") not in CHOICE_FAMILIES:
                continue
            heading = re.sub(r"\s+", " ", str(q["headings"][0]["heading"])).strip()
            answers = q.get("answers", {})
            if q["family"] == "matrix":
                cells = [(r["text"], (q["id"], r["id"], None)) for r in answers.get("rows", [])]
            elif q["family"] == "multiple_choice":
                cells = [(c["text"], (q["id"], None, c["id"])) for c in answers.get("choices", [])]
            else:
                cells = [("Response", (q["id"], None, None))]
            for j, (sub, reader) in enumerate(cells):
                row1.append(heading if j == 0 else "")
                row2.append(sub)
                names.append(heading if sub == "Response" else f"{heading} | {sub}")
                readers.append(reader)
    return [row1, row2], names, readers


def _choice_texts(details: dict) -> dict[str, str]:
    texts = {}
    for page in details.get("pages", []):
        for q in page.get("questions", []):
            answers = q.get("answers", {})
            for c in answers.get("choices", []):
                texts[str(c["id"])] = str(c["text"])
            other = answers.get("other")
            if other and other.get("id"):
                texts[str(other["id"])] = str(other.get("text", "Other"))  # the option's label, never the typed text
    return texts


def response_row(response: dict, readers: list[tuple], texts: dict[str, str]) -> list[str]:
    """One response as the export writes it: chosen choices' texts under their columns."""
    chosen: dict[tuple, str] = {}
    for page in response.get("pages", []):
        for q in page.get("questions", []):
            for a in q.get("answers", []):
                choice = a.get("choice_id") or a.get("other_id")
                if choice is None:
                    continue  # typed text
                label = texts.get(str(choice), "")
                chosen[(str(q["id"]), str(a["row_id"]) if a.get("row_id") else None, None)] = label
                chosen[(str(q["id"]), None, str(choice))] = label
    row = []
    for qid, row_id, choice in readers:
        if qid == "id":
            row.append(str(response.get("id", "")))
        else:
            row.append(chosen.get((str(qid), str(row_id) if row_id else None, str(choice) if choice else None), ""))
    return row


def pull(survey: str, output: str | os.PathLike, region: str = "us", retry: Retry | None = None,
         report: Callable[[str], None] = say) -> Pulled:
    """Every response of ``survey`` written in SurveyMonkey's export layout to ``output``."""
    if not re.fullmatch(r"[0-9]{4,20}", survey):
        raise PullError(f"a SurveyMonkey survey id is a number (GET /v3/surveys lists them), not {survey[:40]!r}")
    if region not in REGIONS:
        raise PullError(f"region {region!r} is not one of {', '.join(REGIONS)}")
    base = REGIONS[region]
    token = tokens.require(tokens.SURVEYMONKEY, "SurveyMonkey")
    session = Session("SurveyMonkey", {"Authorization": f"Bearer {token}", "Accept": "application/json"},
                      retry, report, rate_headers=RATE_HEADERS)
    details = check(session.request("GET", f"{base}/surveys/{survey}/details"), survey, "read the questions")
    header, names, readers = layout(details)
    texts = _choice_texts(details)
    url: str | None = f"{base}/surveys/{survey}/responses/bulk"
    params: dict | None = {"per_page": PER_PAGE, "sort_by": "date_modified", "sort_order": "ASC"}
    rows, page = [], 0
    while url:
        body = check(session.request("GET", url, params=params), survey, "read the responses")
        page += 1
        rows += [response_row(r, readers, texts) for r in body.get("data", [])]
        total = body.get("total")
        report(f"page {page}: {len(rows)}" + (f" of {total}" if total is not None else "") + " responses")
        url, params = body.get("links", {}).get("next"), None  # the next link carries its own query
        if url and not url.startswith(base + "/"):
            raise PullError(f"SurveyMonkey's next page points away from {base}; stopped (the token is sent only there)")
    return write_export(output, header, rows, names, (), ID_COLUMN)
