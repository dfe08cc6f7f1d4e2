"""What the site writes to the query log: each search once, clicks under the words typed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from searchapp import create_app
from searchapp.editorial import QueryLog, querylog
from searchapp.web.state import QUERY_LOG


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
    assert "/summaries/web-spasticity-baclofen?q=spastisity" in html \
        or "/summaries/web-spasticity-stretch?q=spastisity" in html
    client.get("/summaries/web-spasticity-stretch?q=spastisity")
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
