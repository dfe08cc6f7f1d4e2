"""The query log keeps daily counts and nothing that identifies a reader, the same on
SQLite and PostgreSQL (`log_setting` runs each test on both)."""

from __future__ import annotations

import sqlite3
import stat
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from searchapp.editorial import QueryLog, QueryLogError, normalise, querylog


@pytest.mark.parametrize(("typed", "logged"), [
    ("  Bed SORES won't heal!! ", "bed sores will not heal"),
    ("email me at jo.bloggs@example.org please", "email me at email please"),
    ("my NHS number is 943 476 5919", "my nhs number is number"),
    ("call +44 (0)20 7946 0958 about spasms", "call number about spasms"),
    ("C5 injury in 2019", "c5 injury in 2019"),  # short numbers stay: levels, years
    ("born 12/05/1980 C5", "born date c5"),
    ("my id 12345 and pin 8231", "my id number and pin number"),
    ("T12 fracture, postcode SW1A 1AA", "t12 fracture postcode postcode"),
    ("2 years after a T4 injury", "2 years after a t4 injury"),
    ("x" * 500, "x" * 200),
    # Dates of birth with the month in words, and e-mail written out.
    ("born March 12, 1985 spinal injury", "born date spinal injury"),
    ("born 12 March 1985", "born date"),
    ("birthday 3rd of march 1985 walking", "birthday date walking"),
    ("my son was born in march 1985", "my son was born date"),
    ("dob: 12/03/1985", "dob date"),
    ("john.doe(at)example.com bladder", "email bladder"),
    ("write to jd [at] mail [dot] co [dot] uk", "write to email"),
    ("john dot doe at example dot com", "email"),
    # Ordinary words stay.
    ("pain at night. Then walking", "pain at night then walking"),
    ("may help with pain in march 2020", "may help with pain in march 2020"),
    ("born with spina bifida", "born with spina bifida"),
])
def test_queries_are_normalised_and_personal_details_masked(typed: str, logged: str) -> None:
    assert normalise(typed) == logged


def test_a_query_log_file_is_readable_by_the_site_alone(tmp_path: Path) -> None:
    log = QueryLog(str(tmp_path / "logs" / "querylog.sqlite3"))
    log.record_search("bed sores", 4, [], False)
    assert stat.S_IMODE((tmp_path / "logs" / "querylog.sqlite3").stat().st_mode) == 0o600


def test_the_log_keeps_counts_per_day_and_query_only(log_setting: str) -> None:
    log = QueryLog(log_setting)
    today = date(2026, 11, 20)
    for _ in range(3):
        log.record_search("Bed sores", 4, ["pressure-injury"], False, day=today)
    log.record_search("bed  sores", 4, ["pressure-injury"], False, day=today)
    log.record_click("bed sores", "web-sores-cushions", day=today)
    [row] = log.searches(since=today)
    assert (row.query, row.searches, row.results, row.concepts) == (
        "bed sores", 4, 4, ("pressure-injury",))
    assert [(c.summary, c.clicks) for c in log.clicks(since=today)] == [
        ("web-sores-cushions", 1)]
    engine = log.database.engine
    columns = {c["name"] for table in ("searches", "clicks")
               for c in sa.inspect(engine).get_columns(table)}
    assert columns == {"day", "query", "searches", "results", "corrected", "concepts",
                       "words", "held", "summary", "clicks"}
    if log.path is not None:
        with sqlite3.connect(log.path) as db:
            # No row ids either: the order of searches is not kept.
            tables = db.execute("SELECT sql FROM sqlite_master WHERE type='table' AND "
                                "name IN ('searches', 'clicks')").fetchall()
            assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert len(tables) == 2 and all("WITHOUT ROWID" in sql for (sql,) in tables)


def test_a_log_made_before_weak_searches_gains_their_columns(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    with sqlite3.connect(path) as db:  # the first release's table, with a day's count
        db.execute("CREATE TABLE searches (day TEXT NOT NULL, query TEXT NOT NULL, "
                   "searches INTEGER NOT NULL, results INTEGER NOT NULL, corrected INTEGER "
                   "NOT NULL, concepts TEXT NOT NULL, PRIMARY KEY (day, query)) WITHOUT ROWID")
        db.execute("INSERT INTO searches VALUES ('2026-11-19', 'bed sores', 7, 3, 0, '[]')")
    log = QueryLog(path)
    log.record_search("drive again", 5, [], False, day=date(2026, 11, 20), words=2, held=1)
    old, new = sorted(log.searches(since=date(2026, 11, 1)), key=lambda r: r.day)
    assert (old.query, old.searches, old.words, old.held, old.weak) == (
        "bed sores", 7, 0, 0, False)
    assert (new.words, new.held, new.weak) == (2, 1, True)


def test_rows_past_the_retention_period_are_removed(log_setting: str) -> None:
    log = QueryLog(log_setting, retention_days=30)
    today = date(2026, 11, 20)
    log.record_search("old question", 1, [], False, day=today - timedelta(days=31))
    log.record_search("new question", 1, [], False, day=today)
    assert [r.query for r in log.searches(since=today - timedelta(days=400))] == [
        "new question"]


def test_several_writers_at_once_lose_no_count(log_setting: str) -> None:
    path = log_setting
    QueryLog(path)

    def searches() -> None:
        log = QueryLog(path)  # as each worker opens its own
        for _ in range(50):
            log.record_search("bladder", 2, [], False)

    threads = [threading.Thread(target=searches) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [row] = QueryLog(path).searches(since=date.today())
    assert row.searches == 200


def test_clicks_count_at_most_as_often_as_their_words_were_searched(
        log_setting: str) -> None:
    log = QueryLog(log_setting)
    today = date(2026, 11, 20)
    log.record_click("bed sores", "web-sores-cushions", day=today)  # never searched
    assert log.clicks(since=today) == []
    log.record_search("bed sores", 4, [], False, day=today - timedelta(days=1))
    log.record_search("Bed sores", 4, [], False, day=today)
    log.record_search("bladder", 4, [], False, day=today)
    for _ in range(5):
        log.record_click("bed  sores", "web-sores-cushions", day=today)
    log.record_click("bed sores", "web-sores-dressings", day=today)
    assert sorted((c.summary, c.clicks) for c in log.clicks(since=today)) == [
        ("web-sores-cushions", 2), ("web-sores-dressings", 1)]
    log.record_click("bed sores", "web-sores-cushions", day=today + timedelta(days=2))
    assert sum(c.clicks for c in log.clicks(since=today)) == 3  # those searches are old


def test_a_broken_log_never_raises(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    log = QueryLog(tmp_path / "log.sqlite3")
    (tmp_path / "log.sqlite3").unlink()
    (tmp_path / "log.sqlite3").mkdir()  # the file is gone and cannot be made again
    log.record_search("bladder", 2, [], False)
    log.record_click("bladder", "x")
    assert "not recorded" in caplog.text


@pytest.mark.parametrize("setting", ["off", "", "None", "false"])
def test_logging_can_be_switched_off(setting: str) -> None:
    assert QueryLog.from_setting(setting, 30) is None


def test_a_log_setting_that_is_no_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(QueryLogError, match="use a file path, a sqlite:///path URL or a "
                                            "postgresql://"):
        QueryLog.from_setting("mysql://db.example/log", 30)
    assert QueryLog.from_setting(f"sqlite:///{tmp_path}/u.sqlite3", 30) is not None


def test_an_unreachable_postgresql_is_a_clear_error_without_its_password() -> None:
    with pytest.raises(QueryLogError) as error:
        QueryLog.from_setting("postgresql://editor:s3cret@127.0.0.1:1/log", 30)
    assert "query log postgresql+psycopg://editor:***@127.0.0.1:1/log: " in str(error.value)
    assert "s3cret" not in str(error.value)


def test_a_database_gone_down_never_fails_a_search_and_is_tried_again(
        log_setting: str, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    log = QueryLog(log_setting)
    working = log.database.url
    # The server (or file) goes away: the search is not counted, the failure is logged.
    log.database.close()
    monkeypatch.setattr(log.database, "url", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setattr(log.database, "path", None)
    log.record_search("bladder", 2, [], False)
    assert "a search was not recorded" in caplog.text and "trying again in 30 s" in caplog.text
    caplog.clear()
    log.record_search("bladder", 2, [], False)  # within RETRY_AFTER: not even tried
    assert caplog.text == ""
    # Back up, and the retry time passed: counted again.
    log.database.close()
    monkeypatch.setattr(log.database, "url", working)
    monkeypatch.setattr(log.database, "path", QueryLog(log_setting).path)
    monkeypatch.setattr(querylog, "RETRY_AFTER", 0.0)
    log._down_until = 0.0
    log.record_search("bladder", 2, [], False)
    assert [r.searches for r in log.searches(since=date.today())] == [1]


def test_a_postgresql_log_without_its_driver_says_what_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it were not installed
    with pytest.raises(QueryLogError, match=r"psycopg\) is not installed: run "
                                            r"`pip install -e '\.\[postgresql\]'`"):
        QueryLog("postgresql://editor:secret@127.0.0.1:1/log")
