"""Whether a column identifies a person: by its name, or by the values it holds.

A column used as a question, segment, weight, wave or function is refused by
its **name** when it is a metadata or contact field of a supported tool
(:data:`read.METADATA` and the patterns below: Qualtrics' ``ResponseId``,
``RecordedDate``, ``Recipient…``, ``Location…``, ``Q_…``; SurveyMonkey's
``Respondent ID``, ``Custom Data N`` and the fields of its contact-information
question, exported as ``question | Name``, ``question | Email Address`` …;
Google Forms' ``Timestamp``, ``Email address``, ``Score``; Microsoft Forms'
``ID``, ``Start time``, ``Completion time``, ``Email``, ``Name``,
``Total points``, ``Points - …``). Names are compared case-insensitively with
runs of spaces and underscores read as one space, so ``segment_ip_address``
and ``IP  Address`` are the same name.

A segment or wave column is refused by its **values** when they hold e-mail
addresses, times of day or dates mostly unique to one respondent (timestamps),
labels longer than a category's, or more distinct values than the rule allows
(more than n / k, k the minimum group size; see :func:`breakdown_problem`).

Messages name the column and counts, never a value: :func:`safe_value` says how
a value a message must mention is named. Respondent ids are only looked at for
repeats and for looking like e-mail addresses (:func:`repeated_ids`, :func:`email_ids`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .read import IDENTIFYING, METADATA

#: The default minimum group size of the anonymity rule: a breakdown may have at most n / k distinct values.
MIN_GROUP_SIZE = 5
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
#: A time of day (09:00, 9:00:00, 2025-03-03T09:00); midnight alone is a date cell's, not a time.
_TIME = re.compile(r"(?<![0-9])([0-9]{1,2}):([0-9]{2})(:[0-9]{2}(\.[0-9]+)?)?(?![0-9])")
#: A calendar date to the day (2025-03-03, 3/3/2025, 03.03.25); a month (2025-03) or year (2025) is not.
_DATE = re.compile(r"(?<![0-9])([0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4})"
                   r"(?![0-9])")

_TOOLS = {"qualtrics": "Qualtrics", "surveymonkey": "SurveyMonkey", "google-forms": "Google Forms",
          "microsoft-forms": "Microsoft Forms", "spss": "Qualtrics"}
#: Metadata names beyond read.METADATA: Qualtrics system and panel fields, SurveyMonkey custom data,
#: Google Forms and Microsoft Forms quiz columns.
_MORE_NAMES = {
    "qualtrics": ("Q_TotalDuration", "Q_URL", "Q_BallotBoxStuffing", "Q_DataPolicyViolations", "Q_CHL",
                  "RecipientPhoneNumber", "ExternalDataReference", "LocationAccuracy", "Recorded Date",
                  "Response ID", "Start Date", "End Date", "IP Address", "External Data Reference"),
    "surveymonkey": ("Custom Data",),
    "google-forms": ("Total score",),
    "microsoft-forms": ("Grade posted time", "Responder", "Submitter"),
}
_EXACT: dict[str, str] = {}
for _kind, _names in [*METADATA.items(), *_MORE_NAMES.items(), ("surveymonkey", IDENTIFYING)]:
    for _name in _names if _kind in _TOOLS else ():
        _EXACT.setdefault(re.sub(r"[^0-9a-z]", "", _name.casefold()), _TOOLS[_kind])
#: SurveyMonkey's contact-information question: one column per field, ``question | field``.
CONTACT_FIELDS = ("Name", "Company", "Address", "Address 2", "City/Town", "State/Province", "ZIP/Postal Code",
                  "Country", "Email Address", "Phone Number")
_CONTACT = "|".join(re.escape(f.casefold()) for f in CONTACT_FIELDS)
#: Whole names that identify, whichever the tool (matched against the normalised name).
_FULL = [
    (re.compile(r"recipient.*"), "a Qualtrics recipient field"),
    (re.compile(r"location ?(latitude|longitude|accuracy|lat|long|lng)"), "a location"),
    (re.compile(r"external ?(data ?)?reference"), "an external reference"),
    (re.compile(r"custom ?data ?[0-9]*"), "SurveyMonkey custom data"),
    (re.compile(rf"contact ?(information|info|details)( \| .*)?|.* \| ({_CONTACT})"), "a contact-information field"),
    (re.compile(r"((first|last|full|given|family|middle|respondent|your) ?)?name|surname"), "a person's name"),
    (re.compile(r"(response|respondent|collector|recipient|participant|employee|user|panel|contact|person) ?id"),
     "a respondent id"),
    (re.compile(r"((start|end|recorded|completion|submission|submitted|last modified|modified|created) ?"
                r"(date|time|date ?time|timestamp|at|on))|time ?stamp|date ?time|date|time"), "a date or time"),
    (re.compile(r"(points|feedback) - .*|total points|quiz feedback|(total )?score"), "a quiz score"),
    (re.compile(r"distribution ?channel|user ?language"), "Qualtrics metadata"),
]
#: Parts of a name that identify wherever they appear; not applied to question columns, whose names are
#: statements that may mention e-mail or phones.
_PART = [
    (re.compile(r"\be-?mail"), "an e-mail column"),
    (re.compile(r"\bip ?address"), "an IP address"),
    (re.compile(r"\b(tele)?phone\b|\bmobile (number|phone)"), "a phone number"),
    (re.compile(r"\b(respondent|response|employee|participant|recipient) ?id\b"), "a respondent id"),
]


def normal_name(name: str) -> str:
    """A column name as it is compared: case-folded, runs of spaces and underscores read as one space."""
    return re.sub(r"[\s_]+", " ", str(name).casefold()).strip()


def identifying_name(name: str, question: bool = False) -> str | None:
    """Why a column name identifies a person ('Qualtrics metadata', 'a contact-information field', …), or None.

    ``question``: the column is mapped as a question, whose name may be a statement; only whole names count.
    """
    raw = str(name).strip().casefold()
    if raw.startswith("q_"):
        return "a Qualtrics system field"
    tool = _EXACT.get(re.sub(r"[^0-9a-z]", "", raw))
    if tool:
        return f"{tool} metadata"
    spaced = normal_name(name)
    for pattern, why in _FULL:
        if pattern.fullmatch(spaced):
            return why
    if not question:
        for pattern, why in _PART:
            if pattern.search(spaced):
                return why
    return None


def breakdown_problem(labels, codes: np.ndarray, keep: np.ndarray | None, role: str, max_values: int,
                      max_chars: int, k: int = MIN_GROUP_SIZE) -> str | None:
    """Why a segment or wave column cannot be published as labels, or None.

    ``labels[code]`` is the label of a row whose code is ``code``; ``keep``
    says which rows are respondents (all when None), n of them. Refused, for
    the labels the respondents hold: any e-mail address; any time of day (a
    timestamp); dates to the day that more than half of the dated respondents
    hold alone; a label longer than ``max_chars``; more than ``max_values``
    distinct labels, or more than n / k (and more than k). The reason names counts, never a value.
    """
    n = len(codes) if keep is None else int(np.count_nonzero(keep))
    held, counts = counts_by_label(labels, codes, keep)
    labels = [str(v) for v in held]
    if any(EMAIL.search(v) for v in labels):
        return f"holds e-mail addresses; a {role} must be a category such as a business unit"
    if any(any(int(m.group(1)) or int(m.group(2)) for m in _TIME.finditer(v)) for v in labels):
        return f"holds times of day (a timestamp, unique to a respondent); a {role} must be a category"
    dated = np.array([bool(_DATE.search(v)) for v in labels], dtype=bool)
    if dated.any() and 2 * counts[dated & (counts == 1)].sum() > counts[dated].sum():
        return (f"holds dates that most respondents share with no one (a timestamp); a {role} must be a category "
                "such as a year or a quarter")
    if any(len(v) > max_chars for v in labels):
        return (f"has values longer than a category label ({max_chars} characters); a {role} must be a short "
                "category such as a business unit")
    distinct = len(labels)
    if distinct > max_values:
        return f"has {distinct} distinct values; a {role} may have at most {max_values} (is it free text or an id?)"
    if distinct > max(n / k, k):  # a pilot of a few people may still have a few units (all of them hidden)
        return (f"has {distinct} distinct values for {n} respondents; a {role} may have at most n / {k} "
                f"= {n // k}, or {k} in a smaller file (is it free text, an id or a timestamp?)")
    return None


def counts_by_label(labels, codes: np.ndarray, keep: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The distinct labels that the (kept) rows hold and how many rows hold each; ``labels[code]`` is a row's label.

    Counts codes, not rows of text, so a million rows cost one ``bincount``; codes sharing a label are added up.
    """
    codes = np.asarray(codes)
    if keep is not None:
        codes = codes[keep]
    labels = np.asarray(labels, dtype=object)
    per_code = np.bincount(codes[codes >= 0], minlength=len(labels))
    if not len(labels):
        return labels, per_code
    summed = pd.Series(per_code).groupby(labels, sort=True).sum()
    summed = summed[summed > 0]
    return summed.index.to_numpy(dtype=object), summed.to_numpy()


#: A value a message may quote: a number of at most four digits (4, -99, 5.0) or one to three signs (-, ?).
_CODE = re.compile(r"[+-]?[0-9]{1,4}([.,][0-9]{1,2})?|[^\w\s]{1,3}")


def safe_value(value: object, known: frozenset[str] | set[str] = frozenset()) -> str:
    """A value as a message names it: quoted only when it is a short code or a label in ``known``.

    ``known`` holds labels of the answer scales and of the mapping (compared
    trimmed and case-folded). Anything else may be a name, a job title or free
    text, and is named by its length: ``a text of 13 characters``.
    """
    s = str(value)
    if EMAIL.search(s):
        return "an e-mail address (not shown)"
    label = re.sub(r"\s+", " ", s).strip().replace("\u2019", "'").replace("\u2018", "'").casefold()
    if _CODE.fullmatch(s.strip()) or label in known:
        return f"value {s.strip()!r}"
    return f"a text of {len(s)} character{'s' if len(s) != 1 else ''}"


def safe_message(text: object) -> str:
    """A library's error text with anything it quotes replaced by '…' (it may quote a cell of the file)."""
    return EMAIL.sub("…", re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", str(text)))


def email_ids(values) -> bool:
    """True when ids look like e-mail addresses (the first thousand distinct values are looked at)."""
    return any(EMAIL.fullmatch(str(v)) for v in list(values)[:1000])


def repeated_ids(ids: np.ndarray, blank: np.ndarray, limit: int) -> list[tuple[int, int]]:
    """(position, position of its first occurrence) for the first ``limit`` repeats of a non-blank id."""
    s = pd.Series(ids)
    repeats = np.flatnonzero(s.duplicated(keep="first").to_numpy() & ~blank)[:limit]
    if not len(repeats):
        return []
    firsts = s[~s.duplicated(keep="first")]
    first_of = pd.Series(firsts.index, index=firsts.to_numpy())
    return [(int(i), int(first_of[ids[i]])) for i in repeats]
