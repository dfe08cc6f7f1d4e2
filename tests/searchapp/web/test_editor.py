"""The editor pages: switched off without a password, nothing for anonymous visitors,
sign-in with CSRF tokens, and a report whose numbers are the searches readers made."""

from __future__ import annotations

import csv
import io
import json
import re
import stat
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from searchapp import create_app
from searchapp.editorial import QueryLog, coverage_report, signins
from searchapp.editorial.database import signin_failures
from searchapp.search import SearchIndex

PASSWORD = "correct horse battery staple"
COOKIE = "scisearch_editor"
# Searched 5 times (3 in the API, 2 on the page): a topic with no summary in tests/data/web.
MISSING = "multiple sclerosis"
UNKNOWN = "zzqx flarb"  # found nothing, names no topic
EDITOR_URLS = ["/editor", "/editor?days=30", "/editor/coverage.json", "/editor/coverage.csv"]


@pytest.fixture(autouse=True)
def no_editor_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCISEARCH_EDITOR_PASSWORD", raising=False)
    monkeypatch.delenv("SCISEARCH_SECRET_KEY", raising=False)


def make_app(web_index: Path, folder: Path, **settings: object) -> Flask:
    config = {"INDEX_DIR": web_index, "TESTING": True, "QUERY_LOG": str(folder / "log.sqlite3"),
              "EDITOR_PASSWORD": PASSWORD, "SECURE_COOKIES": False, **settings}
    return create_app(config)


@pytest.fixture
def editor_app(web_index: Path, tmp_path: Path, log_setting: str) -> Flask:
    """The site with editor pages, its query log on SQLite or PostgreSQL."""
    return make_app(web_index, tmp_path, QUERY_LOG=log_setting, SECRET_KEY="k" * 64)


@pytest.fixture
def editor(editor_app: Flask) -> FlaskClient:
    """A client that has searched as readers do, and has not signed in."""
    client = editor_app.test_client()
    for _ in range(3):
        client.get("/api/v1/search", query_string={"q": MISSING})
    for _ in range(2):
        client.get("/", query_string={"q": MISSING})
    client.get("/api/v1/search", query_string={"q": UNKNOWN})
    client.get("/", query_string={"q": UNKNOWN + "s"})
    client.get("/api/v1/search", query_string={"q": "bed sores"})
    return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field in the form"
    return found.group(1)


def sign_in(client: FlaskClient, password: str = PASSWORD, **form: str) -> TestResponse:
    page = client.get("/editor/login")
    return client.post("/editor/login", data={"csrf_token": csrf_of(page.get_data(as_text=True)),
                                              "password": password, **form})


def section(html: str, heading_id: str) -> str:
    """The page from the heading with `heading_id` to the next heading."""
    start = html.index(f'id="{heading_id}"')
    end = re.compile(r"<h[1-3][ >]").search(html, start)
    return html[start:end.start() if end else None]


@pytest.mark.parametrize(("method", "url"), [
    ("GET", "/editor"), ("GET", "/editor/login"), ("GET", "/editor/coverage.json"),
    ("GET", "/editor/coverage.csv"), ("POST", "/editor/login"), ("POST", "/editor/logout")])
def test_without_a_password_every_editor_url_says_the_pages_are_switched_off(
        web_index: Path, tmp_path: Path, method: str, url: str) -> None:
    client = make_app(web_index, tmp_path, EDITOR_PASSWORD="").test_client()
    client.get("/api/v1/search", query_string={"q": MISSING})
    response = client.open(url, method=method, data={"password": ""})
    assert response.status_code == 404
    message = "Editor pages are switched off: set SCISEARCH_EDITOR_PASSWORD"
    if url.endswith((".json", ".csv")):
        assert response.get_json()["error"]["message"] == message
    else:
        assert message in response.get_data(as_text=True)
    assert MISSING not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("url", EDITOR_URLS)
def test_anonymous_visitors_get_nothing_from_any_editor_url(editor: FlaskClient,
                                                            url: str) -> None:
    response = editor.get(url)
    body = response.get_data(as_text=True)
    if url.endswith((".json", ".csv")):
        assert response.status_code == 401
        assert response.get_json() == {"ok": False, "error": {
            "code": "sign_in_required",
            "message": "sign in to the editor pages first, at /editor/login",
            "parameter": None}}
    else:
        assert response.status_code == 303
        assert response.headers["Location"].startswith("/editor/login?next=")
        body += editor.get(response.headers["Location"]).get_data(as_text=True)
    for secret in (MISSING, UNKNOWN, "Coverage report", "<svg"):
        assert secret not in body


def test_editors_pages_do_not_carry_the_patients_notice(editor: FlaskClient) -> None:
    assert "Not medical advice" in editor.get("/?q=bladder").get_data(as_text=True)
    assert "Not medical advice" not in editor.get("/editor/login").get_data(as_text=True)
    sign_in(editor)
    assert "Not medical advice" not in editor.get("/editor").get_data(as_text=True)


def test_signing_in_over_plain_http_with_secure_cookies_says_so(web_index: Path,
                                                                tmp_path: Path) -> None:
    app = make_app(web_index, tmp_path, SECURE_COOKIES=True)
    page = app.test_client().get("/editor/login")
    # Over http:// a browser does not keep the secure-only cookie the form came with.
    answer = app.test_client().post("/editor/login", data={
        "csrf_token": csrf_of(page.get_data(as_text=True)), "password": PASSWORD})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Signing in needs HTTPS" in text
    assert "SCISEARCH_SECURE_COOKIES=off" in text and "out of date" not in text


def test_login_page_is_a_labelled_password_form_with_a_csrf_token(editor: FlaskClient) -> None:
    html = editor.get("/editor/login").get_data(as_text=True)
    assert '<label for="password">Password</label>' in html
    assert 'type="password" autocomplete="current-password"' in html
    assert len(csrf_of(html)) >= 32


def test_session_cookie_is_secure_httponly_strict_and_only_for_editor_pages(
        web_index: Path, tmp_path: Path) -> None:
    client = make_app(web_index, tmp_path, SECURE_COOKIES=True).test_client()
    [cookie] = client.get("/editor/login").headers.getlist("Set-Cookie")
    flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")}
    assert cookie.startswith(f"{COOKIE}=")
    assert {"secure", "httponly"} <= set(flags)
    assert flags["samesite"] == "SameSite=Strict" and flags["path"] == "Path=/editor"
    assert "Set-Cookie" not in client.get("/?q=bladder").headers  # readers get no cookie


def test_signing_in_lasts_about_eight_hours(editor: FlaskClient) -> None:
    response = sign_in(editor)
    assert response.status_code == 303 and response.headers["Location"] == "/editor"
    [cookie] = response.headers.getlist("Set-Cookie")
    expires = re.search(r"Expires=([^;]+)", cookie)
    assert expires
    left = parsedate_to_datetime(expires.group(1)) - datetime.now(UTC)
    assert timedelta(hours=7, minutes=59) < left <= timedelta(hours=8)
    assert editor.get("/editor").status_code == 200


def test_wrong_password_is_refused_with_a_plain_message(editor: FlaskClient) -> None:
    response = sign_in(editor, "correct horse battery stapler")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'role="alert">That password is not right. Please try again.</p>' in html
    assert 'aria-invalid="true" aria-describedby="login-error"' in html
    assert editor.get("/editor").status_code == 303
    assert editor.get("/editor/coverage.json").status_code == 401


def test_many_wrong_passwords_pause_signing_in_from_that_address_only(
        editor: FlaskClient, editor_app: Flask) -> None:
    for _ in range(signins.MAX_FAILURES):
        assert sign_in(editor, "guess").status_code == 200
    paused = sign_in(editor)  # even the right password, for a minute
    assert paused.status_code == 429 and 58 <= int(paused.headers["Retry-After"]) <= 60
    assert "Too many wrong passwords" in paused.get_data(as_text=True)
    assert "Sign-in is paused for" in paused.get_data(as_text=True)
    assert editor.get("/editor").status_code == 303
    # An editor elsewhere is not locked out by the guesser.
    elsewhere = editor_app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert sign_in(elsewhere).status_code == 303


def test_wrong_passwords_are_answered_without_sleeping_a_worker(
        editor: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_sleeping(seconds: float) -> None:
        raise AssertionError(f"a web worker slept {seconds} s")

    monkeypatch.setattr("time.sleep", no_sleeping)
    answers = [sign_in(editor, "guess").status_code for _ in range(50)]
    assert answers == [200] * signins.MAX_FAILURES + [429] * (50 - signins.MAX_FAILURES)
    assert editor.get("/healthz").status_code == 200


def test_wrong_passwords_count_in_every_worker_sharing_the_log(
        web_index: Path, tmp_path: Path, log_setting: str) -> None:
    workers = [make_app(web_index, tmp_path, QUERY_LOG=log_setting, SECRET_KEY="k" * 64)
               for _ in range(2)]  # two workers, or two machines: one database
    guesser = [app.test_client() for app in workers]
    for attempt in range(signins.MAX_FAILURES):
        assert sign_in(guesser[attempt % 2], "guess").status_code == 200
    assert sign_in(guesser[0]).status_code == 429
    assert sign_in(guesser[1]).status_code == 429
    stored = QueryLog(log_setting).database
    with stored.begin() as db:
        [client] = db.execute(sa.select(signin_failures.c.client)).scalars().all()
    assert "127.0.0.1" not in client  # a keyed hash of the address, never the address


@pytest.mark.parametrize("url", ["/editor/login", "/editor/logout"])
@pytest.mark.parametrize("token", [None, "", "forged-token-0123456789abcdefghijklmnop"])
def test_a_form_without_its_csrf_token_is_refused(editor: FlaskClient, url: str,
                                                  token: str | None) -> None:
    editor.get("/editor/login")  # the session holds a token: the form does not
    form = {"password": PASSWORD} | ({} if token is None else {"csrf_token": token})
    response = editor.post(url, data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "That form could not be used" in html and "Traceback" not in html
    assert editor.get("/editor").status_code == 303  # not signed in


def test_signed_in_report_counts_the_searches_readers_made(editor: FlaskClient) -> None:
    sign_in(editor)
    response = editor.get("/editor")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    overview = section(html, "overview-heading")
    assert re.search(r"Searches in the last 90 days</dt><dd>8</dd>", overview)
    assert re.search(r"Searches that found nothing</dt><dd>7 ", overview)
    assert re.search(r"Summaries on the site</dt><dd>12</dd>", overview)
    missing = section(html, "missing-heading")
    row = re.search(r"<tr><th scope=\"row\">multiple sclerosis.*?</tr>", missing)
    assert row, missing
    assert re.findall(r'<td class="num">([^<]*)</td>', row.group(0))[:2] == ["5", "5"]
    unknown = section(html, "unknown-heading")
    assert f'<th scope="row">{UNKNOWN}<span class="variants">also: {UNKNOWN}s</span>' in unknown
    assert '<td class="num">2</td>' in unknown


def test_thin_topics_readers_searched_for_come_alone_the_rest_behind_a_disclosure(
        editor: FlaskClient) -> None:
    editor.get("/api/v1/search", query_string={"q": "stiff muscles"})  # spasticity: 2
    sign_in(editor)
    thin = section(editor.get("/editor").get_data(as_text=True), "thin-heading")
    shown, _, others = thin.partition("<details")
    assert re.findall(r'<th scope="row">([^<]+)', shown) == ["spasticity "]
    assert re.search(r"<summary>\d+ other thin topics?, not searched for</summary>", others)
    assert "spinal metastasis" in others and "spasticity" not in others


def test_weak_searches_show_beside_those_that_found_nothing(editor: FlaskClient) -> None:
    for _ in range(2):
        editor.get("/", query_string={"q": "stiff muscles after swimming in cold lakes"})
    sign_in(editor)
    html = editor.get("/editor").get_data(as_text=True)
    assert re.search(r"Weak searches: results not clicked, holding few of the words</dt>"
                     r"<dd>2</dd>", section(html, "overview-heading"))
    weak = section(html, "weak-heading")
    row = re.search(r'<tr><th scope="row">stiff muscles after swimming in cold lakes</th>'
                    r'<td class="num">2</td><td class="num">\d+</td><td>2 of 4</td>'
                    r"<td>spasticity</td></tr>", weak)
    assert row, weak


def test_report_page_forgives_a_bad_period_and_says_so(editor: FlaskClient) -> None:
    sign_in(editor)
    html = editor.get("/editor?days=7&stale=x").get_data(as_text=True)
    assert "The period must be 30, 90 or 365 days: showing 90." in html
    assert "Stale must be 1 to 100 years: showing 10." in html
    assert 'aria-current="page">Last 90 days</a>' in html


@pytest.mark.parametrize(("days", "stale"), [(30, 5), (365, 10)])
def test_json_and_csv_are_the_coverage_report(editor: FlaskClient, web_index: Path,
                                              log_setting: str, days: int, stale: int) -> None:
    sign_in(editor)
    query = {"days": days, "stale": stale}
    with SearchIndex(web_index) as index:
        report = coverage_report(index, QueryLog(log_setting), days, stale)
    body = editor.get("/editor/coverage.json", query_string=query).get_json()
    assert body == {"ok": True, **json.loads(json.dumps(report.to_dict()))}
    download = editor.get("/editor/coverage.csv", query_string=query)
    assert download.mimetype == "text/csv"
    assert re.fullmatch(rf'attachment; filename="coverage-\d{{4}}-\d\d-\d\d-{days}-days.csv"',
                        download.headers["Content-Disposition"])
    assert download.get_data(as_text=True) == report.to_csv()
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert {"topic": MISSING, "searches": "5"}.items() <= \
        next(r for r in rows if r["concept"] == "multiple-sclerosis").items()


@pytest.mark.parametrize(("query", "parameter"), [("days=7", "days"), ("stale=0", "stale")])
def test_bad_period_in_the_json_is_a_400_naming_the_parameter(
        editor: FlaskClient, query: str, parameter: str) -> None:
    sign_in(editor)
    for url in ("/editor/coverage.json", "/editor/coverage.csv"):
        response = editor.get(f"{url}?{query}")
        assert response.status_code == 400
        assert response.get_json()["error"]["parameter"] == parameter


def test_signing_out_ends_the_session(editor: FlaskClient) -> None:
    sign_in(editor)
    report = editor.get("/editor").get_data(as_text=True)
    response = editor.post("/editor/logout", data={"csrf_token": csrf_of(report)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/editor/login?signed_out=1"
    assert "You are signed out." in editor.get("/editor/login?signed_out=1").get_data(
        as_text=True)
    assert editor.get("/editor").status_code == 303
    assert editor.get("/editor/coverage.json").status_code == 401


@pytest.mark.parametrize(("wanted", "lands"), [
    ("/editor?days=30", "/editor?days=30"),
    ("/editor/coverage.csv?days=365", "/editor/coverage.csv?days=365"),
    ("https://evil.example/editor", "/editor"),
    ("//evil.example/editor", "/editor"),
    ("/\\evil.example", "/editor"),
    ("/editorial", "/editor"),
    ("/api/v1/search?q=x", "/editor"),
    ("/editor/../api/v1/search", "/editor"),
])
def test_after_signing_in_the_editor_goes_back_but_never_off_the_editor_pages(
        editor: FlaskClient, wanted: str, lands: str) -> None:
    assert sign_in(editor, next=wanted).headers["Location"] == lands


def test_anonymous_visit_returns_to_the_page_asked_for(editor: FlaskClient) -> None:
    login_url = editor.get("/editor?days=30").headers["Location"]
    page = editor.get(login_url).get_data(as_text=True)
    assert 'name="next" value="/editor?days=30"' in page


@pytest.mark.parametrize("url", [*EDITOR_URLS, "/editor/login"])
def test_editor_answers_are_never_stored_nor_indexed(editor: FlaskClient, url: str) -> None:
    sign_in(editor)
    for response in (editor.get(url), editor.get(url, headers={"If-None-Match": "*"})):
        assert response.status_code in (200, 303)
        assert response.headers["Cache-Control"] == "no-store"
        assert "ETag" not in response.headers
        assert "noindex" in response.headers["X-Robots-Tag"]
    # Not compressed: the page mixes its CSRF token with text readers typed (BREACH).
    compressible = editor.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in compressible.headers


def test_report_charts_are_labelled_images_each_followed_by_its_table(
        editor: FlaskClient) -> None:
    sign_in(editor)
    html = editor.get("/editor").get_data(as_text=True)
    charts = re.findall(r'<svg class="chart-svg" role="img"[^>]*aria-labelledby="([\w-]+)"'
                        r'[^>]*><title id="\1">([^<]+)</title><desc id="[\w-]+">[^<]+</desc>'
                        r'.*?</svg>\s*<table class="data-table">\s*<caption[^>]*>([^<]+)</caption>'
                        r'\s*<thead><tr><th scope="col">', html, re.S)
    titles = [title for _, title, _ in charts]
    assert titles == ["Searches and summaries per topic", "Summaries per category",
                      "Summaries per type of evidence", "Summaries per year published"]
    assert all(caption.startswith(title) for _, title, caption in charts)
    assert html.count('<th scope="row">') > 20
    assert " style=" not in html and "<script>" not in html  # the CSP allows neither
    demand = html[html.index('id="chart-demand-title"'):html.index("</svg>")]
    assert ">multiple sclerosis</text>" in demand and ">5</text>" in demand


def test_report_without_a_query_log_shows_the_collection_and_says_logging_is_off(
        web_index: Path, tmp_path: Path) -> None:
    client = make_app(web_index, tmp_path, QUERY_LOG="off", SECRET_KEY="k" * 64).test_client()
    sign_in(client)
    html = client.get("/editor").get_data(as_text=True)
    assert "Searches are not logged (SCISEARCH_QUERY_LOG is off)" in html
    assert "Summaries per category" in html and "Searches and summaries per topic" not in html
    assert client.get("/editor/coverage.json").get_json()["searches"] == 0


def test_secret_key_is_made_once_beside_the_query_log_readable_only_by_its_owner(
        web_index: Path, tmp_path: Path) -> None:
    first, second = make_app(web_index, tmp_path), make_app(web_index, tmp_path)
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.secret_key == second.secret_key == key_file.read_text()
    assert len(key_file.read_text()) == 64
    client = first.test_client()
    sign_in(client)
    other = second.test_client()  # another worker: the same cookie works there
    cookie = client.get_cookie(COOKIE, path="/editor")
    assert cookie is not None
    other.set_cookie(COOKIE, cookie.value, path="/editor")
    assert other.get("/editor").status_code == 200
    changed = make_app(web_index, tmp_path, EDITOR_PASSWORD="a new password").test_client()
    changed.set_cookie(COOKIE, cookie.value, path="/editor")
    assert changed.get("/editor").status_code == 303  # a new password signs everyone out
