"""Pulling responses from the survey tools' APIs, against recorded exchanges (no network, no sleeping).

The recordings in tests/fixtures/pull/ carry 12 made-up respondents; the same people are there as each
tool's hand export. A pulled survey must give exactly the canonical responses of the hand export, with
nothing identifying written, and every failure must stop with one clear line and nothing written.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import requests
import responses

from cmocio.__main__ import main as cli
from cmocio.survey import convert, load_mapping, load_questions, load_responses, synthetic
from cmocio.survey.fielding import FILES, make_design, write_instrument
from cmocio.survey.pull import PullError, Retry, google, qualtrics, surveymonkey, tokens
from cmocio.survey.pull.http import retry_after_seconds

FIX = Path(__file__).resolve().parent / "fixtures" / "pull"
SV = "SV_0aBcDeFgHiJkLmN"
QBASE = f"https://iad1.qualtrics.com/API/v3/surveys/{SV}/export-responses"
SM = "412345678"
SMBASE = f"https://api.surveymonkey.com/v3/surveys/{SM}"
FORM = "1mAdEuPfOrMiDfOrTeStS0nLy_abcdefghijklmnop"
BREAKDOWNS = ["business_unit=Consumer,Enterprise,Online", "region=Americas,EMEA,APAC"]
TOOL = {"qualtrics": "qualtrics", "surveymonkey": "surveymonkey", "google": "google"}


def body(name: str) -> dict:
    return json.loads((FIX / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def questions():
    return load_questions()


@pytest.fixture(scope="module")
def mappings(tmp_path_factory, questions):
    """The mapping `survey instrument` writes for each tool, for the survey with the fixtures' two breakdowns."""
    folder = tmp_path_factory.mktemp("mappings")
    design = make_design(BREAKDOWNS, "2025")
    for tool in FILES:
        write_instrument(tool, folder, design)
    return {tool: load_mapping(folder / FILES[tool][1], questions) for tool in FILES}


@pytest.fixture(scope="module")
def people(questions):
    return synthetic.synthetic_people(questions, n=12, seed=11)


@pytest.fixture(autouse=True)
def credentials(monkeypatch, tmp_path):
    monkeypatch.setenv("CMOCIO_TOKENS_FILE", str(tmp_path / "no-tokens.env"))
    monkeypatch.setenv(tokens.QUALTRICS, "qualtrics-test-token")
    monkeypatch.setenv(tokens.SURVEYMONKEY, "surveymonkey-test-token")
    for name in (tokens.GOOGLE_KEY_FILE, tokens.GOOGLE_TOKEN):
        monkeypatch.delenv(name, raising=False)


class Recorder:
    """Stands in for time.sleep, and for the progress lines."""

    def __init__(self):
        self.slept: list[float] = []
        self.lines: list[str] = []

    def retry(self, attempts: int = 4) -> Retry:
        return Retry(attempts=attempts, sleep=self.slept.append)

    def say(self, line: str) -> None:
        self.lines.append(line)


def canonical(path, mapping, questions) -> pd.DataFrame:
    frame, _ = convert(path, mapping, questions)
    return frame


def assert_nothing_identifying(path: Path, people: pd.DataFrame) -> None:
    text = path.read_text(encoding="utf-8-sig")
    for column in ("email", "ip", "comment", "first_name"):
        leaked = [v for v in people[column].astype(str) if v and v in text]
        assert not leaked, f"{column} written"
    for name in ("IPAddress", "RecipientEmail", "LocationLatitude", "IP Address", "Email Address", "Timestamp"):
        assert name not in text.splitlines()[0]


def qualtrics_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("Marketing and IT pulse survey.csv", (FIX / "qualtrics_export.csv").read_bytes())
    return buf.getvalue()


# --- Qualtrics ---------------------------------------------------------------------------------------------


@responses.activate
def test_qualtrics_pull_gives_the_hand_exports_responses_and_nothing_identifying(tmp_path, mappings, questions,
                                                                                  people):
    rec = Recorder()
    responses.post(QBASE, json=body("qualtrics_429.json"), status=429, headers={"Retry-After": "3"})
    start = responses.post(QBASE, json=body("qualtrics_start.json"))
    responses.get(f"{QBASE}/ES_0aBcDeFgHiJkLmN", json=body("qualtrics_progress.json"))
    responses.get(f"{QBASE}/ES_0aBcDeFgHiJkLmN", json=body("qualtrics_complete.json"))
    responses.get(f"{QBASE}/1dc4f5a6-0000-4000-8000-00000000abcd-def/file", body=qualtrics_zip(),
                  content_type="application/octet-stream")
    out = tmp_path / "pulled.csv"
    pulled = qualtrics.pull(SV, "iad1", out, retry=rec.retry(), report=rec.say, poll_seconds=2)
    sent = responses.calls[0].request
    assert sent.headers["X-API-TOKEN"] == "qualtrics-test-token"
    assert json.loads(start.calls[0].request.body) == {"format": "csv", "useLabels": False, "compress": True}
    assert rec.slept == [3.0, 2]  # the server's Retry-After, then one poll interval
    assert any("40%" in line for line in rec.lines) and any("429" in line for line in rec.lines)
    assert pulled.responses == 12 and "IPAddress" in pulled.dropped and "Q5" in pulled.dropped
    hand = canonical(FIX / "qualtrics_export.csv", mappings["qualtrics"], questions)
    pd.testing.assert_frame_equal(canonical(out, mappings["qualtrics"], questions), hand)
    assert_nothing_identifying(out, people)


@pytest.mark.parametrize("recording, status, words", [
    ("qualtrics_401.json", 401, "refused the API token"),
    ("qualtrics_404.json", 404, f"no survey {SV}"),
    ("qualtrics_400_proxied.json", 400, "--datacenter fra1"),
])
@responses.activate
def test_qualtrics_failures_stop_in_one_line_with_nothing_written(recording, status, words, tmp_path):
    out = tmp_path / "pulled.csv"
    out.write_text("earlier pull\n")
    responses.post(QBASE, json=body(recording), status=status)
    with pytest.raises(PullError, match=words) as info:
        qualtrics.pull(SV, "iad1", out, retry=Recorder().retry(), report=Recorder().say)
    assert "\n" not in str(info.value) and "qualtrics-test-token" not in str(info.value)
    assert out.read_text() == "earlier pull\n"


@responses.activate
def test_qualtrics_failed_export_and_unknown_datacenter(tmp_path):
    responses.post(QBASE, json=body("qualtrics_start.json"))
    responses.get(f"{QBASE}/ES_0aBcDeFgHiJkLmN", json=body("qualtrics_failed.json"))
    with pytest.raises(PullError, match="export of survey .* failed"):
        qualtrics.pull(SV, "iad1", tmp_path / "a.csv", retry=Recorder().retry(), report=Recorder().say)
    responses.post("https://nosuchdc.qualtrics.com/API/v3/surveys/SV_0aBcDeFgHiJkLmN/export-responses",
                   body=requests.ConnectionError("NameResolutionError: Failed to resolve 'nosuchdc.qualtrics.com'"))
    rec = Recorder()
    with pytest.raises(PullError, match="cannot reach Qualtrics at nosuchdc.qualtrics.com: check --datacenter"):
        qualtrics.pull(SV, "nosuchdc", tmp_path / "a.csv", retry=rec.retry(), report=rec.say)
    assert rec.slept == [] and not (tmp_path / "a.csv").exists()


@responses.activate
def test_passing_failures_are_retried_with_backoff_until_the_tries_run_out(tmp_path):
    for _ in range(4):
        responses.post(QBASE, status=503)
    rec = Recorder()
    with pytest.raises(PullError, match="answered 503, still after 4 tries"):
        qualtrics.pull(SV, "iad1", tmp_path / "a.csv", retry=rec.retry(4), report=rec.say)
    assert rec.slept == [1.0, 2.0, 4.0]


def test_datacenters_and_ids_are_checked_before_any_request():
    assert qualtrics.base_url("fra1") == "https://fra1.qualtrics.com/API/v3"
    assert qualtrics.base_url("https://myorg.iad1.qualtrics.com/") == "https://myorg.iad1.qualtrics.com/API/v3"
    with pytest.raises(PullError, match="not a Qualtrics datacenter"):
        qualtrics.base_url("iad1/../x")
    with pytest.raises(PullError, match="looks like SV_"):
        qualtrics.pull("12345", "iad1", "x.csv")


# --- SurveyMonkey ------------------------------------------------------------------------------------------


@responses.activate
def test_surveymonkey_pull_follows_every_page_and_equals_the_hand_export(tmp_path, mappings, questions, people):
    rec = Recorder()
    responses.get(f"{SMBASE}/details", json=body("surveymonkey_details.json"))
    responses.get(f"{SMBASE}/responses/bulk", json=body("surveymonkey_429.json"), status=429,
                  headers={"X-Ratelimit-App-Global-Minute-Reset": "7"})
    first = responses.get(f"{SMBASE}/responses/bulk", json=body("surveymonkey_responses_1.json"))
    second = responses.get(f"{SMBASE}/responses/bulk?page=2&per_page=7", json=body("surveymonkey_responses_2.json"))
    out = tmp_path / "pulled.csv"
    pulled = surveymonkey.pull(SM, out, retry=rec.retry(), report=rec.say)
    assert responses.calls[0].request.headers["Authorization"] == "Bearer surveymonkey-test-token"
    assert "per_page=100" in first.calls[0].request.url and second.call_count == 1
    assert rec.slept == [7.0] and rec.lines[-1] == "page 2: 12 of 12 responses"
    assert pulled.responses == 12
    hand = canonical(FIX / "surveymonkey_export.csv", mappings["surveymonkey"], questions)
    pd.testing.assert_frame_equal(canonical(out, mappings["surveymonkey"], questions), hand)
    assert_nothing_identifying(out, people)


@pytest.mark.parametrize("recording, status, words", [
    ("surveymonkey_401.json", 401, "refused the access token"),
    ("surveymonkey_404.json", 404, f"no survey {SM}"),
])
@responses.activate
def test_surveymonkey_failures(recording, status, words, tmp_path):
    responses.get(f"{SMBASE}/details", json=body(recording), status=status)
    with pytest.raises(PullError, match=words):
        surveymonkey.pull(SM, tmp_path / "a.csv", retry=Recorder().retry(), report=Recorder().say)
    assert not (tmp_path / "a.csv").exists()


# --- Google Forms ------------------------------------------------------------------------------------------


def google_http(*steps):
    from googleapiclient.http import HttpMockSequence

    return HttpMockSequence([({"status": str(status), **headers}, (FIX / name).read_bytes())
                             for status, name, headers in steps])


def test_google_pull_follows_every_page_and_equals_the_hand_download(tmp_path, mappings, questions, people):
    rec = Recorder()
    http = google_http((200, "google_form.json", {}), (200, "google_responses_1.json", {}),
                       (429, "google_429.json", {"retry-after": "5"}), (200, "google_responses_2.json", {}))
    out = tmp_path / "pulled.csv"
    pulled = google.pull(FORM, out, retry=rec.retry(), report=rec.say, http=http)
    assert rec.slept == [5.0] and pulled.responses == 12 and rec.lines[-1] == "page 2: 12 responses"
    hand = canonical(FIX / "google_forms.csv", mappings["google"], questions)
    pd.testing.assert_frame_equal(canonical(out, mappings["google"], questions), hand)
    assert_nothing_identifying(out, people)
    # the benchmark notebook reads the pulled file and the mapping as it reads a hand export
    mapping = mappings["google"].path
    pd.testing.assert_frame_equal(load_responses(out, questions, mapping_path=mapping),
                                  load_responses(FIX / "google_forms.csv", questions, mapping_path=mapping))


@pytest.mark.parametrize("status, name, words", [(404, "google_404.json", f"no form {FORM}"),
                                                 (403, "google_403.json", "share the form")])
def test_google_failures(status, name, words, tmp_path):
    with pytest.raises(PullError, match=words):
        google.pull(FORM, tmp_path / "a.csv", retry=Recorder().retry(), report=Recorder().say,
                    http=google_http((status, name, {})))
    assert not (tmp_path / "a.csv").exists()


# --- tokens, waits and the command -------------------------------------------------------------------------


def test_tokens_come_from_the_environment_else_the_file_and_are_never_shown(monkeypatch, tmp_path):
    monkeypatch.delenv(tokens.QUALTRICS)
    with pytest.raises(PullError, match=f"set {tokens.QUALTRICS} in the environment or in .*no-tokens.env"):
        tokens.require(tokens.QUALTRICS, "Qualtrics")
    file = tmp_path / "tokens.env"
    file.write_text(f"# mine\n{tokens.QUALTRICS}='from-file'\n")
    file.chmod(0o600)
    monkeypatch.setenv("CMOCIO_TOKENS_FILE", str(file))
    assert tokens.require(tokens.QUALTRICS, "Qualtrics") == "from-file"
    monkeypatch.setenv(tokens.QUALTRICS, "from-env")
    assert tokens.require(tokens.QUALTRICS, "Qualtrics") == "from-env"
    monkeypatch.delenv(tokens.QUALTRICS)
    file.chmod(0o644)
    notes = []
    monkeypatch.setattr(tokens, "say", notes.append)
    assert tokens.require(tokens.QUALTRICS, "Qualtrics") == "from-file" and "chmod 600" in notes[0]


def test_retry_after_in_seconds_or_as_a_date_and_an_absurd_wait_refused():
    from datetime import datetime, timezone

    now = datetime(2025, 3, 3, 9, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds("Mon, 03 Mar 2025 09:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
    with pytest.raises(PullError, match="wait 3600 s"):
        Retry().wait(0, 3600.0)


@responses.activate
def test_the_pull_command_says_what_went_wrong_in_one_line(tmp_path, capsys):
    responses.post(QBASE, json=body("qualtrics_401.json"), status=401)
    out = tmp_path / "export.csv"
    code = cli(["survey", "pull", "qualtrics", "--survey", SV, "--datacenter", "iad1", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and err.splitlines() == [
        f"error: Qualtrics refused the API token (401 Unauthorized): check {tokens.QUALTRICS} (Account Settings > "
        "Qualtrics IDs > API)", "Nothing was written."]
    assert not out.exists()


def test_the_readmes_pull_commands_are_valid_commands():
    """The README shows pulls in ``sh`` blocks (they need an account, so the README test does not run them)."""
    import re
    import shlex

    from cmocio.__main__ import parser

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    pulls = [line.split("  #")[0] for block in re.findall(r"```sh\n(.*?)```", text, re.S)
             for line in block.splitlines() if "cmocio survey pull" in line]
    assert {shlex.split(c)[5] for c in pulls} == {"qualtrics", "google", "surveymonkey"}
    for command in pulls:
        args = parser(shlex.split(command)[3:]).parse_args(shlex.split(command)[3:])
        assert args.survey_command == "pull" and args.output == "my_export.csv"


def test_google_credentials_come_from_a_key_file_or_a_token_and_are_asked_for_by_name(monkeypatch, tmp_path):
    with pytest.raises(PullError, match="no Google credentials: set GOOGLE_APPLICATION_CREDENTIALS"):
        google.authorized_http()
    monkeypatch.setenv(tokens.GOOGLE_KEY_FILE, str(tmp_path / "missing-key.json"))
    with pytest.raises(PullError, match="cannot read the service-account key named by GOOGLE_APPLICATION_CREDENTIALS"):
        google.authorized_http()
    monkeypatch.delenv(tokens.GOOGLE_KEY_FILE)
    monkeypatch.setenv(tokens.GOOGLE_TOKEN, "ya29.made-up")
    assert google.authorized_http().credentials.token == "ya29.made-up"


@responses.activate
def test_an_answer_that_is_not_the_documented_json_stops_with_a_message(tmp_path):
    responses.post(QBASE, body="<html>maintenance</html>", content_type="text/html")
    with pytest.raises(PullError, match="without the expected result"):
        qualtrics.pull(SV, "iad1", tmp_path / "a.csv", retry=Recorder().retry(), report=Recorder().say)
    responses.get(f"{SMBASE}/details", body="<html>maintenance</html>", content_type="text/html")
    with pytest.raises(PullError, match="other than JSON"):
        surveymonkey.pull(SM, tmp_path / "a.csv", retry=Recorder().retry(), report=Recorder().say)
    assert not (tmp_path / "a.csv").exists()


def test_google_drops_text_typed_into_an_other_box():
    form = {"items": [
        {"title": "Which function do you work in?", "questionItem": {"question": {
            "questionId": "f1", "choiceQuestion": {"type": "RADIO", "options": [
                {"value": "Marketing"}, {"value": "IT / Technology"}, {"isOther": True}]}}}},
        {"title": "How far do you agree?", "questionGroupItem": {
            "questions": [{"questionId": "g1", "rowQuestion": {"title": "We share goals"}}],
            "grid": {"columns": {"type": "RADIO", "options": [{"value": "Agree"}, {"value": "Disagree"}]}}}}]}
    titles, ids, options = google.layout(form)
    typed = {"answers": {"f1": {"textAnswers": {"answers": [{"value": "Jane Doe, jane@example.com"}]}},
                         "g1": {"textAnswers": {"answers": [{"value": "Agree"}]}}}}
    chosen = {"answers": {"f1": {"textAnswers": {"answers": [{"value": "Marketing"}]}}}}
    assert titles == ["Which function do you work in?", "How far do you agree? [We share goals]"]
    assert google.response_row(typed, ids, options) == ["", "Agree"]  # the typed text never reaches the file
    assert google.response_row(chosen, ids, options) == ["Marketing", ""]  # control: an offered option is kept


def test_qualtrics_keeps_only_questions_the_response_id_and_a_weight_or_wave():
    names = ["StartDate", "ResponseId", "Company", "Job title", "Phone", "custom_1", "Q1", "Q4_1", "weight", "Wave"]
    ids = ['{"ImportId":"startDate","timeZone":"America/Denver"}', '{"ImportId":"_recordId"}', '{"ImportId":"Company"}',
           '{"ImportId":"Job title"}', '{"ImportId":"Phone"}', '{"ImportId":"custom_1"}', '{"ImportId":"QID1"}',
           '{"ImportId":"QID3_1"}', '{"ImportId":"weight"}', '{"ImportId":"Wave"}']
    dropped = [names[i] for i in qualtrics.other_columns(names, ids)]
    assert dropped == ["StartDate", "Company", "Job title", "Phone", "custom_1"]  # embedded data never written


def test_a_dropped_download_is_a_connection_error_not_a_file_error(tmp_path, monkeypatch, capsys):
    def drop(*args, **kwargs):
        raise requests.exceptions.ChunkedEncodingError("connection broken")

    monkeypatch.setattr(qualtrics, "pull", drop)
    code = cli(["survey", "pull", "qualtrics", "--survey", "SV_0123456789abcde", "--datacenter", "iad1",
                "-o", str(tmp_path / "out.csv")])
    err = capsys.readouterr().err
    assert code == 1 and "connection failed" in err and "cannot write" not in err and not (tmp_path / "out.csv").exists()
