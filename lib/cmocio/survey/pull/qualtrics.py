"""Pull a Qualtrics survey's responses through the response-export API: start, poll progress, download the file.

``POST /API/v3/surveys/{id}/export-responses`` starts a CSV export (numeric
values, which the generated mapping reads by code), ``GET …/export-responses/
{progressId}`` is polled until its status is ``complete`` (or ``failed``), and
``GET …/export-responses/{fileId}/file`` downloads it: a zip holding the CSV
in the layout of a hand export (three header rows). The token goes in the
``X-API-TOKEN`` header; the datacenter names the host (``iad1`` ->
``iad1.qualtrics.com``, or an organisation's ``org.iad1``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
from typing import Callable

from . import tokens
from .http import PullError, Retry, Session, json_object, say
from .write import Pulled, write_export

SURVEY_ID = re.compile(r"SV_[A-Za-z0-9]{8,20}")
_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
ID_COLUMN = "ResponseId"


def base_url(datacenter: str) -> str:
    """``iad1``, ``org.iad1``, ``iad1.qualtrics.com`` or ``https://org.iad1.qualtrics.com`` -> the API's base URL."""
    host = re.sub(r"^https?://", "", datacenter.strip().lower()).rstrip("/")
    host = host.removesuffix("/api/v3")
    if not host or not _HOST.fullmatch(host):
        raise PullError(f"datacenter {datacenter[:40]!r} is not a Qualtrics datacenter id such as iad1, fra1 or "
                        "ca1 (Account Settings > Qualtrics IDs > User > Datacenter ID)")
    if not host.endswith(".qualtrics.com"):
        host += ".qualtrics.com"
    return f"https://{host}/API/v3"


def _meta(response) -> dict:
    meta = (json_object(response) or {}).get("meta")
    return meta if isinstance(meta, dict) else {}


def _message(response) -> str:
    error = _meta(response).get("error") or {}
    return str(error.get("errorMessage") or "")[:200] if isinstance(error, dict) else ""


def _proxied(response) -> str | None:
    """The host Qualtrics names when the request went to another datacenter ('Request proxied …')."""
    found = re.search(r"use this host instead:\s*([a-z0-9.-]+)", str(_meta(response).get("notice") or ""))
    return found.group(1) if found else None


def check(response, survey: str, what: str) -> dict:
    """The JSON of a successful answer, or a PullError saying what went wrong in one line."""
    status = response.status_code
    if status == 200:
        body = json_object(response)
        if body is None or not isinstance(body.get("result"), dict):
            raise PullError(f"Qualtrics answered without the expected result when asked to {what}; check "
                            "--datacenter, or try again later")
        return body
    detail = _message(response)
    hint = _proxied(response)
    if status == 401:
        raise PullError(f"Qualtrics refused the API token (401 Unauthorized): check {tokens.QUALTRICS} (Account "
                        "Settings > Qualtrics IDs > API)")
    if status == 403:
        raise PullError(f"Qualtrics: this token may not {what} of survey {survey} (403 Forbidden); ask the survey's "
                        "owner to share it with you, with permission to download responses")
    if status == 404:
        raise PullError(f"Qualtrics has no survey {survey} at this datacenter (404 Not Found): check --survey "
                        "(SV_…, in the survey's URL) and --datacenter")
    if hint:
        raise PullError(f"Qualtrics answered {status} from another datacenter: the account lives at {hint}; pass "
                        f"--datacenter {hint.removesuffix('.qualtrics.com')}")
    raise PullError(f"Qualtrics could not {what} of survey {survey} ({status}"
                    + (f": {detail}" if detail else "") + "); check --datacenter and --survey")


def _csv_bytes(content: bytes) -> bytes:
    """The CSV inside the downloaded zip (or the CSV itself when the export was not compressed)."""
    if not content.startswith(b"PK"):
        return content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
        if len(names) != 1:
            raise PullError(f"the Qualtrics export file holds {len(names)} CSV files, expected one")
        return archive.read(names[0])


def export_rows(content: bytes) -> tuple[list[list[str]], list[list[str]]]:
    """The three header rows and the responses of a Qualtrics CSV export."""
    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if len(rows) < 3 or not rows[2] or "ImportId" not in rows[2][0]:
        raise PullError("the Qualtrics export file is not a CSV export with its three header rows")
    return rows[:3], rows[3:]


def import_id(cell: str) -> str:
    """A column's ImportId, from its cell in the export's third header row (``{"ImportId":"QID4_1"}``)."""
    try:
        return str(json.loads(cell).get("ImportId", ""))
    except (ValueError, AttributeError):
        return cell


def free_text_columns(import_ids: list[str]) -> list[int]:
    """Columns of text entered by respondents: their ImportId ends in ``_TEXT`` (text-entry and 'Other' boxes)."""
    return [i for i, cell in enumerate(import_ids) if import_id(cell).endswith("_TEXT")]


#: Embedded-data columns a mapping may read (besides the questions and the response id); any other column that
#: is not a question (contact fields, panel data, custom embedded data) is left out of the file.
EMBEDDED_KEPT = frozenset({"weight", "wave"})


def other_columns(names: list[str], import_ids: list[str]) -> list[int]:
    """Columns that are neither a question (ImportId ``QID…``), the response id, nor a weight or wave column."""
    return [i for i, (name, cell) in enumerate(zip(names, import_ids))
            if not import_id(cell).startswith("QID") and name != ID_COLUMN
            and str(name).strip().casefold() not in EMBEDDED_KEPT]


def pull(survey: str, datacenter: str, output: str | os.PathLike, retry: Retry | None = None,
         report: Callable[[str], None] = say, poll_seconds: float = 2.0, max_polls: int = 1800) -> Pulled:
    """Export, poll, download and write ``survey``'s responses (numeric values) to ``output``."""
    if not SURVEY_ID.fullmatch(survey):
        raise PullError(f"a Qualtrics survey id looks like SV_ followed by letters and digits, not {survey[:40]!r}")
    base = base_url(datacenter)
    retry = retry or Retry()
    host = base.split("/")[2]
    session = Session("Qualtrics", {"X-API-TOKEN": tokens.require(tokens.QUALTRICS, "Qualtrics")}, retry, report,
                      lambda h: f"cannot reach Qualtrics at {h}: check --datacenter (Account Settings > Qualtrics "
                                "IDs > User > Datacenter ID)")
    url = f"{base}/surveys/{survey}/export-responses"
    started = session.request("POST", url, json={"format": "csv", "useLabels": False, "compress": True})
    result = check(started, survey, "export the responses")
    hint = _proxied(started)
    if hint and hint != host:
        report(f"note: Qualtrics proxied the request; pass --datacenter {hint.removesuffix('.qualtrics.com')} "
               "for faster pulls")
    progress_id = result["result"].get("progressId")
    if not progress_id:
        raise PullError(f"Qualtrics did not start an export of survey {survey}; try again later")
    report(f"Qualtrics is exporting survey {survey}")
    for _ in range(max_polls):
        state = check(session.request("GET", f"{url}/{progress_id}"), survey, "follow the export")["result"]
        status = str(state.get("status", ""))
        if status == "complete":
            break
        if status == "failed":
            raise PullError(f"the Qualtrics export of survey {survey} failed on Qualtrics' side; run the pull again, "
                            "or export by hand (Data & Analysis > Export & Import) to see why")
        report(f"export {float(state.get('percentComplete', 0)):.0f}% done")
        retry.sleep(poll_seconds)
    else:
        raise PullError(f"the Qualtrics export of survey {survey} did not finish in {max_polls * poll_seconds:.0f} s")
    report("export 100% done; downloading")
    if not state.get("fileId"):
        raise PullError(f"the Qualtrics export of survey {survey} is complete but names no file; run the pull again")
    download = session.request("GET", f"{url}/{state['fileId']}/file")
    if download.status_code != 200:
        check(download, survey, "download the export")
    header, rows = export_rows(_csv_bytes(download.content))
    skip = sorted({*free_text_columns(header[2]), *other_columns(header[0], header[2])})
    return write_export(output, header, rows, header[0], skip, ID_COLUMN, bom=True)
