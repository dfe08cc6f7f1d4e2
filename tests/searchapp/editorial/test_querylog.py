"""The query log keeps daily counts and nothing that identifies a reader."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest

from searchapp.editorial import QueryLog, QueryLogError, normalise


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
])
def test_queries_are_normalised_and_personal_details_masked(typed: str, logged: str) -> None:
    assert normalise(typed) == logged


def test_the_log_keeps_counts_per_day_and_query_only(tmp_path: Path) -> None:
    log = QueryLog(tmp_path / "log.sqlite3")
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
    with sqlite3.connect(tmp_path / "log.sqlite3") as db:
        columns = {row[1] for table in ("searches", "clicks")
                   for row in db.execute(f"PRAGMA table_info({table})")}
        # No row ids either: the order of searches is not kept.
        tables = db.execute("SELECT sql FROM sqlite_master WHERE type='table'").fetchall()
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert columns == {"day", "query", "searches", "results", "corrected", "concepts",
                       "words", "held", "summary", "clicks"}
    assert all("WITHOUT ROWID" in sql for (sql,) in tables)


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


def test_rows_past_the_retention_period_are_removed(tmp_path: Path) -> None:
    log = QueryLog(tmp_path / "log.sqlite3", retention_days=30)
    today = date(2026, 11, 20)
    log.record_search("old question", 1, [], False, day=today - timedelta(days=31))
    log.record_search("new question", 1, [], False, day=today)
    assert [r.query for r in log.searches(since=today - timedelta(days=400))] == [
        "new question"]


def test_several_writers_at_once_lose_no_count(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
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


def test_a_log_setting_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    with pytest.raises(QueryLogError, match="postgresql"):
        QueryLog.from_setting("postgresql://db.example/log", 30)
    assert QueryLog.from_setting(f"sqlite:///{tmp_path}/u.sqlite3", 30) is not None
