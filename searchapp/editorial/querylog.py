"""The query log: what readers search for, kept so that nobody can be picked out.

Each search (the search page, the API and the widget; not autocomplete) adds
one to a daily count for its normalised query, with the result count, whether
the spelling was corrected, the concepts it matched, and how many of its words
the best-matching result shown holds (the report's "weak searches"). A click on a result
adds one to a daily count for (query, summary), when its link's token shows a
search of those words listed it (`searchapp.web.clicks`), up to the number of
those searches that day and the day before. Nothing else is kept: no IP
address, no user agent, no cookie or session, no time of day, and not even the
order of searches (the tables have no row ids, only daily counts), so two
searches by one person cannot be linked. E-mail addresses, dates, phone and
other numbers of four or more digits (years excepted) and postcodes are
masked before anything is stored.

SQLite by default, at the path or `sqlite:///path` URL in SCISEARCH_QUERY_LOG,
or PostgreSQL at a `postgresql://` URL, so that every server's searches land in
one report (`database.Database`: one schema, migrated by Alembic). Rows older
than the retention period are removed. A failed write is logged and ignored: it
never fails a search. While the database is unreachable, writes are not
attempted for RETRY_AFTER seconds (a search does not wait on a connection
timeout each time), then retried.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from indexer import analysis
from searchapp.editorial import database
from searchapp.editorial.database import Database, DatabaseError, clicks, searches

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200
RETRY_AFTER = 30.0  # seconds without writes after the database could not be reached
# What could identify a reader, masked before a query is stored: e-mail addresses,
# dates (of birth), phone, record or card numbers, any other number of four or more
# digits except a year, and UK postcodes. Short numbers stay ("C5", "T12", "2 years").
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_PERSONAL: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\S+@\S+"), " email "),
    # Written out so that robots miss them: "john.doe(at)example.com", "john dot doe
    # at example dot com".
    (re.compile(r"[\w.+-]+\s*[(\[{<]\s*at\s*[)\]}>]\s*[\w-]+"
                r"(?:\s*(?:\.|[(\[{<]\s*dot\s*[)\]}>])\s*[\w-]+)*", re.I), " email "),
    (re.compile(r"\b[\w-]+(?:\s+dot\s+[\w-]+)*\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)+\b", re.I),
     " email "),
    # Dates with the month in words: "12 March 1985", "3rd of march 85", "March 12, 1985".
    (re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\.?,?\s+\d{{2,4}}\b", re.I), " date "),
    (re.compile(rf"\b{_MONTH}\.?\s+{_DAY},?\s+\d{{2,4}}\b", re.I), " date "),
    # What follows "born" or "birthday" is a date of birth even in part ("born march 1985").
    (re.compile(rf"\b(born|birthday|dob|date of birth)\b[\s:,]*(?:(?:on|in|is|was)\s+)?"
                rf"(?:(?:{_DAY}|{_MONTH}|of|the|\d{{2,4}})\b[\s.,/-]*){{1,4}}", re.I),
     r" \1 date "),
    (re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b"), " date "),
    (re.compile(r"\+?\d[\d\s().-]{4,}\d"), " number "),
    (re.compile(r"\b(?!(?:19|20)\d\d\b)\d{4,}\b"), " number "),
    (re.compile(r"\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b", re.I), " postcode "),
]


QueryLogError = DatabaseError  # SCISEARCH_QUERY_LOG names no usable database


def normalise(query: str) -> str:
    """The query as it is logged: masked, folded, words only, at most 200 characters."""
    masked = query
    for pattern, replacement in _PERSONAL:
        masked = pattern.sub(replacement, masked)
    words = [t.text for t in analysis.tokens(masked)]
    return " ".join(words)[:MAX_QUERY_CHARS].strip()


@dataclass(frozen=True)
class LoggedSearch:
    day: date
    query: str
    searches: int
    results: int  # at the last search that day
    corrected: bool
    concepts: tuple[str, ...]
    words: int = 0  # content words of the question
    held: int = 0  # the most of them one result on the first page holds

    @property
    def weak(self) -> bool:
        """Results were shown, but none holds more than half the question's words."""
        return self.results > 0 and self.held < self.words and 2 * self.held <= self.words


@dataclass(frozen=True)
class LoggedClick:
    day: date
    query: str
    summary: str
    clicks: int


class QueryLog:
    """The query log in a `Database` (its sign-in failures share it: see `signins`)."""

    def __init__(self, target: Path | str | Database, retention_days: int = 365) -> None:
        if not isinstance(target, Database):
            url = database.url_of(target)
            if url is None:
                raise QueryLogError(f"query log {target!r}: logging is switched off")
            target = Database(url)
        self.database = target
        self.retention_days = retention_days
        self._pruned: date | None = None
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None on PostgreSQL."""
        return self.database.path

    @property
    def where(self) -> str:
        return database.shown(self.database.url)

    @classmethod
    def from_setting(cls, value: str | Path, retention_days: int,
                     unreachable_ok: bool = False) -> QueryLog | None:
        """The log a SCISEARCH_QUERY_LOG value names; None when it switches logging off.
        A database that cannot be reached now raises QueryLogError, unless
        `unreachable_ok` (a site starting while its database is down): then it is
        logged, and tried again at the first search and every RETRY_AFTER seconds."""
        url = database.url_of(value)
        if url is None:
            return None
        try:
            return cls(Database(url), retention_days)
        except DatabaseError as error:
            if not unreachable_ok:
                raise
            log.error("%s: searches are not counted until it can be reached (tried again "
                      "at the next search, then every %d s)", error, RETRY_AFTER)
            return cls(Database(url, migrate_now=False), retention_days)

    def record_search(self, query: str, results: int, concepts: Iterable[str],
                      corrected: bool, day: date | None = None, words: int = 0,
                      held: int = 0) -> None:
        """Count one search; never raises (a failure is logged). `words`: the question's
        content words; `held`: the most of them one result on the first page holds."""
        values = {"searches": 1, "results": results, "corrected": int(corrected),
                  "concepts": json.dumps(sorted(set(concepts))), "words": words, "held": held}
        self._count("search", searches, query, day or date.today(), values, {
            "searches": searches.c.searches + 1,
            **{name: _excluded(name) for name in values if name != "searches"}})

    def record_click(self, query: str, summary: str, day: date | None = None) -> None:
        """Count one click on a result; never raises (a failure is logged). A summary's
        clicks for some words count at most as often as those words were searched for
        that day and the day before: a result link opened again and again does not pad
        the report."""
        day = day or date.today()

        def add(db: sa.Connection, text: str) -> None:
            searched = db.execute(
                sa.select(sa.func.coalesce(sa.func.sum(searches.c.searches), 0))
                .where(searches.c.query == text,
                       searches.c.day.between((day - timedelta(days=1)).isoformat(),
                                              day.isoformat()))).scalar_one()
            if searched:
                db.execute(self.database.upsert(
                    clicks, {"day": day.isoformat(), "query": text, "summary": summary[:200],
                             "clicks": 1},
                    {"clicks": clicks.c.clicks + 1}, where=clicks.c.clicks < searched))

        self._write("click", query, day, add)

    def _count(self, what: str, table: sa.Table, query: str, day: date,
               values: dict[str, Any], update: dict[str, Any]) -> None:
        self._write(what, query, day, lambda db, text: db.execute(self.database.upsert(
            table, {"day": day.isoformat(), "query": text, **values}, update)))

    def _write(self, what: str, query: str, day: date,
               write: Callable[[sa.Connection, str], Any]) -> None:
        """Run `write` with the normalised query in a transaction (and prune old rows);
        a failure is logged, and writes pause for RETRY_AFTER seconds."""
        text = normalise(query)
        if not text or time.monotonic() < self._down_until:
            return
        try:
            with self.database.begin() as db:
                write(db, text)
                self._prune(db, day)
        except (sa.exc.SQLAlchemyError, OSError) as error:
            with self._lock:
                self._down_until = time.monotonic() + RETRY_AFTER
            log.warning("query log %s: a %s was not recorded (%s); trying again in %d s",
                        self.where, what, database.reason(error), RETRY_AFTER)

    def _prune(self, db: sa.Connection, today: date) -> None:
        """Remove rows past the retention period (once a day per worker)."""
        if self._pruned == today:
            return
        oldest = (today - timedelta(days=self.retention_days)).isoformat()
        for table in (searches, clicks):
            db.execute(table.delete().where(table.c.day < oldest))
        self._pruned = today

    def searches(self, since: date) -> list[LoggedSearch]:
        with self.database.begin() as db:
            rows = db.execute(sa.select(
                searches.c.day, searches.c.query, searches.c.searches, searches.c.results,
                searches.c.corrected, searches.c.concepts, searches.c.words, searches.c.held,
            ).where(searches.c.day >= since.isoformat())).all()
        return [LoggedSearch(date.fromisoformat(d), q, n, r, bool(c), tuple(json.loads(k)), w, h)
                for d, q, n, r, c, k, w, h in rows]

    def clicks(self, since: date) -> list[LoggedClick]:
        with self.database.begin() as db:
            rows = db.execute(sa.select(clicks.c.day, clicks.c.query, clicks.c.summary,
                                        clicks.c.clicks)
                              .where(clicks.c.day >= since.isoformat())).all()
        return [LoggedClick(date.fromisoformat(d), q, s, n) for d, q, s, n in rows]


def _excluded(name: str) -> Callable[[Any], Any]:
    """The value the clashing INSERT would have written (an upsert's update)."""
    return lambda excluded: excluded[name]
