"""Pull a Google Form's responses with Google's API client: the form, then every page of ``forms.responses.list``.

``forms.get`` gives the items (titles, question ids; a grid's rows each have a
question id); ``forms.responses.list`` gives the responses, following
``nextPageToken`` to the last page. They are written as the form's CSV
download names its columns (an item's title, ``title [row]`` for a grid row),
with the chosen option's text as the value. Text, date, time and file-upload
questions, the respondent's e-mail address and the timestamps are never
written. Credentials: a service-account key file (``GOOGLE_APPLICATION_CREDENTIALS``,
the form shared with the service account) or an OAuth access token
(``GOOGLE_FORMS_ACCESS_TOKEN``) with the ``forms.responses.readonly`` scope.
"""

from __future__ import annotations

import os
import re
from typing import Callable

from . import tokens
from .http import RETRY_STATUSES, PullError, Retry, retry_after_seconds, say
from .write import Pulled, write_export

SCOPES = ["https://www.googleapis.com/auth/forms.body.readonly",
          "https://www.googleapis.com/auth/forms.responses.readonly"]
PAGE_SIZE = 500
#: Question kinds written: a choice among options, a linear scale, a rating.
CHOICE_KINDS = ("choiceQuestion", "scaleQuestion", "ratingQuestion")


def authorized_http():
    """An HTTP client carrying the user's Google credentials (key file or access token), or a PullError."""
    import google_auth_httplib2
    import httplib2

    key_file = tokens.find(tokens.GOOGLE_KEY_FILE)
    token = tokens.find(tokens.GOOGLE_TOKEN)
    if key_file:
        from google.oauth2 import service_account

        try:
            creds = service_account.Credentials.from_service_account_file(os.path.expanduser(key_file), scopes=SCOPES)
        except (OSError, ValueError) as exc:
            raise PullError(f"cannot read the service-account key named by {tokens.GOOGLE_KEY_FILE} "
                            f"({type(exc).__name__})") from None
    elif token:
        from google.oauth2.credentials import Credentials

        creds = Credentials(token)
    else:
        raise PullError(f"no Google credentials: set {tokens.GOOGLE_KEY_FILE} (a service-account key file) or "
                        f"{tokens.GOOGLE_TOKEN} in the environment or in {tokens.tokens_file()} (see the README)")
    return google_auth_httplib2.AuthorizedHttp(creds, http=httplib2.Http(timeout=120))


def _status_error(exc, form: str, what: str) -> PullError:
    status = int(exc.resp.status)
    if status == 401:
        return PullError("Google refused the credentials (401 Unauthorized): the access token may have expired; "
                         f"check {tokens.GOOGLE_KEY_FILE} or {tokens.GOOGLE_TOKEN}")
    if status == 403:
        return PullError(f"Google: these credentials may not {what} of form {form} (403 Forbidden); share the form "
                         "with the service account's e-mail address, or grant the forms.responses.readonly scope")
    if status == 404:
        return PullError(f"Google has no form {form} that these credentials can see (404 Not Found): check --form "
                         "(the id in the form's edit link, /forms/d/ID/edit)")
    return PullError(f"Google could not {what} of form {form} ({status})")


def execute(request, form: str, what: str, retry: Retry, report: Callable[[str], None]) -> dict:
    """Run one API request, retrying 429 and 5xx (Retry-After honoured) and dropped connections."""
    from googleapiclient.errors import HttpError

    for attempt in range(retry.attempts):
        try:
            return request.execute()
        except HttpError as exc:
            status = int(exc.resp.status)
            if status not in RETRY_STATUSES:
                raise _status_error(exc, form, what) from None
            why = "Google is rate limiting requests (429)" if status == 429 else f"Google answered {status}"
            after = retry_after_seconds(exc.resp.get("retry-after"))
        except (OSError, TimeoutError):
            why, after = "the connection failed", None
        if attempt + 1 < retry.attempts:
            retry.pause(attempt, after, why, report)
    raise PullError(f"{why}, still after {retry.attempts} tries; try again later")


def _options(choice: dict | None) -> frozenset[str] | None:
    """The option values a choice question offers, or None where any answer is an option (a scale)."""
    if not choice:
        return None
    return frozenset(str(o["value"]) for o in choice.get("options", []) if "value" in o)


def layout(form: dict) -> tuple[list[str], list[str], list[frozenset[str] | None]]:
    """Column titles, per column the question id whose answer it holds, and the option values it may hold."""
    titles, ids, options = [], [], []
    for item in form.get("items", []):
        title = re.sub(r"\s+", " ", str(item.get("title", ""))).strip()
        question = item.get("questionItem", {}).get("question")
        if question and any(k in question for k in CHOICE_KINDS):
            titles.append(title)
            ids.append(question["questionId"])
            options.append(_options(question.get("choiceQuestion")))
        group = item.get("questionGroupItem", {})
        for row in group.get("questions", []):
            titles.append(f"{title} [{row.get('rowQuestion', {}).get('title', '')}]")
            ids.append(row["questionId"])
            options.append(_options(group.get("grid", {}).get("columns")))
    return titles, ids, options


def response_row(response: dict, ids: list[str], options: list[frozenset[str] | None] | None = None) -> list[str]:
    """One response: each column's chosen option(s), ``;``-separated as the CSV download writes checkboxes.

    An answer that is not one of the question's options (the text typed into an "Other" box) is dropped:
    it is free text, and may name someone.
    """
    answers = response.get("answers", {})
    allowed = options or [None] * len(ids)
    return [";".join(str(a.get("value", "")) for a in answers.get(q, {}).get("textAnswers", {}).get("answers", [])
                     if ok is None or str(a.get("value", "")) in ok)
            for q, ok in zip(ids, allowed)]


def pull(form: str, output: str | os.PathLike, retry: Retry | None = None, report: Callable[[str], None] = say,
         http=None) -> Pulled:
    """Every response of ``form`` written in the layout of the form's CSV download to ``output``."""
    from googleapiclient.discovery import build

    if not re.fullmatch(r"[A-Za-z0-9_-]{10,80}", form):
        raise PullError("a Google Form id is the long id in the form's edit link (/forms/d/ID/edit), "
                        f"not {form[:40]!r}")
    retry = retry or Retry()
    service = build("forms", "v1", http=http or authorized_http(), static_discovery=True, cache_discovery=False)
    definition = execute(service.forms().get(formId=form), form, "read the questions", retry, report)
    titles, ids, options = layout(definition)
    rows, token, page = [], None, 0
    while True:
        body = execute(service.forms().responses().list(formId=form, pageSize=PAGE_SIZE, pageToken=token),
                       form, "read the responses", retry, report)
        page += 1
        rows += [response_row(r, ids, options) for r in body.get("responses", [])]
        report(f"page {page}: {len(rows)} responses")
        token = body.get("nextPageToken")
        if not token:
            break
    return write_export(output, [titles], rows, titles, (), None, quote_all=True)
