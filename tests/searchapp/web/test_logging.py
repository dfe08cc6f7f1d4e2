"""What the site writes to the query log: each search once, clicks under the words typed,
and only clicks on links a search showed."""

from __future__ import annotations

import html as html_mod
import re
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from searchapp import create_app
from searchapp.editorial import QueryLog, querylog
from searchapp.web import clicks
from searchapp.web.state import QUERY_LOG


def result_link(html: str, summary_id: str) -> str:
    """The href of a results page's link to `summary_id`."""
    [href] = re.findall(rf'href="(/summaries/{summary_id}\?[^"]*)"', html)
    return html_mod.unescape(href)


def clicks_counted(log_setting: str) -> dict[tuple[str, str], int]:
    return {(c.query, c.summary): c.clicks for c in QueryLog(log_setting).clicks(date.today())}


def test_refining_a_search_does_not_count_it_again(web_index: Path, log_setting: str) -> None:
    client = create_app({"INDEX_DIR": web_index, "QUERY_LOG": log_setting}).test_client()
    first = client.get("/?q=bladder")
    for url in ("/?q=bladder&sort=newest", "/?q=bladder&category=Urology",
                "/?q=bladder&per_page=1&page=2", "/api/v1/search?q=bladder&topic=pressure-injury"):
        assert client.get(url).status_code == 200
    client.head("/?q=bladder")
    client.get("/?q=bladder", headers={"If-None-Match": first.headers["ETag"]})
    client.get("/?q=")  # browsing
    client.get("/api/v1/suggest?q=bladd")  # typing
    [row] = QueryLog(log_setting).searches(since=date.today())
    assert (row.query, row.searches, row.results) == ("bladder", 1, 2)


def test_a_click_on_a_corrected_search_counts_under_the_words_typed(
        web_index: Path, log_setting: str) -> None:
    client = create_app({"INDEX_DIR": web_index, "QUERY_LOG": log_setting}).test_client()
    html = client.get("/?q=spastisity").get_data(as_text=True)
    assert "Showing results for <strong>spasticity</strong>" in html
    client.get(result_link(html, "web-spasticity-stretch"))
    log = QueryLog(log_setting)
    [search] = log.searches(since=date.today())
    [click] = log.clicks(since=date.today())
    assert search.query == click.query == "spastisity" and search.corrected


def test_a_query_log_deleted_while_serving_is_made_again(web_index: Path,
                                                          tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    client = create_app({"INDEX_DIR": web_index, "QUERY_LOG": str(path)}).test_client()
    client.get("/?q=bladder")
    for leftover in tmp_path.glob("log.sqlite3*"):
        leftover.unlink()  # rotated away by an administrator
    client.get("/?q=caregivers")
    assert [r.query for r in QueryLog(path).searches(since=date.today())] == ["caregivers"]


def test_a_site_started_while_its_database_is_down_counts_searches_once_it_is_up(
        web_index: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "logs"
    blocker.write_text("a file where the log's folder should be", encoding="utf-8")
    path = blocker / "log.sqlite3"  # cannot be made while `logs` is a file
    client = create_app({"INDEX_DIR": web_index, "QUERY_LOG": str(path)}).test_client()
    assert "searches are not counted until it can be reached" in caplog.text
    assert client.get("/?q=bladder").status_code == 200  # the search is answered
    blocker.unlink()  # the database can be reached now
    monkeypatch.setattr(querylog, "RETRY_AFTER", 0.0)
    log = client.application.extensions[QUERY_LOG]
    log._down_until = 0.0
    assert client.get("/?q=caregivers").status_code == 200
    assert [r.query for r in QueryLog(path).searches(since=date.today())] == ["caregivers"]


def test_only_a_link_that_a_search_showed_counts_as_a_click(web_index: Path,
                                                             log_setting: str) -> None:
    client = create_app({"INDEX_DIR": web_index, "QUERY_LOG": log_setting}).test_client()
    html = client.get("/?q=bladder").get_data(as_text=True)
    shown = result_link(html, "web-bladder-catheter")
    assert "&c=" in shown
    forged = [
        "/summaries/web-bladder-catheter?q=bladder",  # no token
        "/summaries/web-caregivers?q=bladder&" + shown.split("&", 1)[1],  # not shown
        shown.replace("q=bladder", "q=bowel"),  # other words
        shown[:-3] + "AAA",  # signature changed
        "/summaries/web-bladder-catheter?q=bladder&c=zz-zz",
        "/summaries/web-bladder-catheter?q=bladder&c=%E2%9C%93-%00",
    ]
    for url in forged:
        assert client.get(url).status_code == 200  # the reader still gets the page
    assert clicks_counted(log_setting) == {}
    for _ in range(5):  # one search, its link opened again and again
        assert client.get(shown).status_code == 200
    assert clicks_counted(log_setting) == {("bladder", "web-bladder-catheter"): 1}
    client.get("/api/v1/search?q=bladder")  # searched again (the API counts too)
    [hit] = [h for h in client.get("/api/v1/search?q=bladder&sort=newest").get_json()["results"]
             if h["id"] == "web-bladder-catheter"]
    for _ in range(3):
        client.get(hit["link"])
    assert clicks_counted(log_setting) == {("bladder", "web-bladder-catheter"): 2}


def test_a_result_link_counts_for_two_hours_at_most(web_index: Path, log_setting: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    client = create_app({"INDEX_DIR": web_index, "QUERY_LOG": log_setting}).test_client()
    searched = 1_800_000_000.0
    monkeypatch.setattr(clicks, "clock", lambda: searched)
    for _ in range(3):
        html = client.get("/?q=bladder").get_data(as_text=True)
    link = result_link(html, "web-bladder-catheter")
    for later, counted in ((3 * 3600, 0), (3600 + 60, 1), (0, 2), (-3600, 2)):
        monkeypatch.setattr(clicks, "clock", lambda later=later: searched + later)
        client.get(link)
        assert clicks_counted(log_setting).get(("bladder", "web-bladder-catheter"), 0) \
            == counted, later


def test_the_same_search_keeps_its_links_and_etag_within_the_hour(
        web_index: Path, log_setting: str, monkeypatch: pytest.MonkeyPatch) -> None:
    client: FlaskClient = create_app({"INDEX_DIR": web_index,
                                      "QUERY_LOG": log_setting}).test_client()
    monkeypatch.setattr(clicks, "clock", lambda: 1_800_000_000.0)
    first = client.get("/?q=bladder")
    monkeypatch.setattr(clicks, "clock", lambda: 1_800_000_000.0 + 1500)
    second = client.get("/?q=bladder", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 304
    monkeypatch.setattr(clicks, "clock", lambda: 1_800_000_000.0 + 3600)
    assert client.get("/?q=bladder").headers["ETag"] != first.headers["ETag"]


def test_a_token_signed_with_another_key_is_not_counted(web_index: Path,
                                                         log_setting: str) -> None:
    client = create_app({"INDEX_DIR": web_index, "QUERY_LOG": log_setting}).test_client()
    client.get("/?q=bladder")
    other_site = create_app({"INDEX_DIR": web_index, "QUERY_LOG": log_setting,
                             "SECRET_KEY": "another key " * 4}).test_client()
    html = other_site.get("/?q=bladder").get_data(as_text=True)
    client.get(result_link(html, "web-bladder-catheter"))  # signed with another key
    assert clicks_counted(log_setting) == {}


def test_without_a_query_log_result_links_carry_no_token(web_index: Path,
                                                         tmp_path: Path) -> None:
    client = create_app({"INDEX_DIR": web_index, "QUERY_LOG": "off"}).test_client()
    html = client.get("/?q=bladder").get_data(as_text=True)
    assert result_link(html, "web-bladder-catheter") == \
        "/summaries/web-bladder-catheter?q=bladder"
    [hit] = [h for h in client.get("/api/v1/search?q=bladder").get_json()["results"]
             if h["id"] == "web-bladder-catheter"]
    assert hit["link"] == "/summaries/web-bladder-catheter?q=bladder"


def test_a_shared_log_without_a_shared_key_is_warned_about(
        web_index: Path, log_setting: str, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCISEARCH_SECRET_KEY", raising=False)
    create_app({"INDEX_DIR": web_index, "QUERY_LOG": log_setting})
    warned = "give every server the same SCISEARCH_SECRET_KEY" in caplog.text
    assert warned == log_setting.startswith("postgresql")
    caplog.clear()
    create_app({"INDEX_DIR": web_index, "QUERY_LOG": log_setting, "SECRET_KEY": "k" * 64})
    assert "SCISEARCH_SECRET_KEY" not in caplog.text
