"""The query log: what readers search for, kept so that nobody can be picked out.

Each search (the search page, the API and the widget; not autocomplete) adds
one to a daily count for its normalised query, with the result count, whether
the spelling was corrected, the concepts it matched, and how many of its words
the best-matching result shown holds (the report's "weak searches"). A click on a result
adds one to a daily count for (query, summary). Nothing else is kept: no IP
address, no user agent, no cookie or session, no time of day, and not even the
order of searches (the tables have no row ids, only daily counts), so two
searches by one person cannot be linked. E-mail addresses, dates, phone and
other numbers of four or more digits (years excepted) and postcodes are
masked before anything is stored.

SQLite by default (WAL mode: several web workers write safely), at the path or
`sqlite:///path` URL in SCISEARCH_QUERY_LOG. Rows older than the retention
period are removed. A failed write is logged and ignored: it never fails a
search.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from indexer import analysis

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200
# What could identify a reader, masked before a query is stored: e-mail addresses,
# dates (of birth), phone, record or card numbers, any other number of four or more
# digits except a year, and UK postcodes. Short numbers stay ("C5", "T12", "2 years").
_PERSONAL = [
    (re.compile(r"\S+@\S+"), " email "),
    (re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b"), " date "),
    (re.compile(r"\+?\d[\d\s().-]{4,}\d"), " number "),
    (re.compile(r"\b(?!(?:19|20)\d\d\b)\d{4,}\b"), " number "),
    (re.compile(r"\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b", re.I), " postcode "),
]
OFF = ("", "off", "none", "false", "0")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    day TEXT NOT NULL,
    query TEXT NOT NULL,
    searches INTEGER NOT NULL,
    results INTEGER NOT NULL,
    corrected INTEGER NOT NULL,
    concepts TEXT NOT NULL,
    words INTEGER NOT NULL DEFAULT 0,
    held INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, query)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS clicks (
    day TEXT NOT NULL,
    query TEXT NOT NULL,
    summary TEXT NOT NULL,
    clicks INTEGER NOT NULL,
    PRIMARY KEY (day, query, summary)
) WITHOUT ROWID;
"""
# Columns added since the first release, for logs made before them.
_ADDED = {"searches": {"words": "INTEGER NOT NULL DEFAULT 0",
                       "held": "INTEGER NOT NULL DEFAULT 0"}}


class QueryLogError(ValueError):
    """SCISEARCH_QUERY_LOG names something that is not a usable SQLite database."""


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
    def __init__(self, path: Path, retention_days: int = 365) -> None:
        self.path = path
        self.retention_days = retention_days
        self._pruned: date | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                for table, columns in _ADDED.items():
                    have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                    for name, kind in columns.items():
                        if name not in have:
                            db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
        except (OSError, sqlite3.Error) as error:
            raise QueryLogError(f"query log {path}: {error}") from None

    @classmethod
    def from_setting(cls, value: str | Path, retention_days: int) -> QueryLog | None:
        """The log a SCISEARCH_QUERY_LOG value names; None when it switches logging off."""
        text = str(value).strip()
        if text.lower() in OFF:
            return None
        if text.startswith("sqlite:///"):
            text = text[len("sqlite:///"):] or "."
        elif "://" in text:
            raise QueryLogError(f"query log {text!r}: only sqlite:///path URLs or file "
                                "paths are supported")
        return cls(Path(text), retention_days)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # One short connection per write: safe across threads and forked workers.
        with closing(sqlite3.connect(self.path, timeout=5)) as db, db:
            db.execute("PRAGMA busy_timeout=5000")
            # Again each time: a log file removed or rotated while serving is made anew.
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            yield db

    def record_search(self, query: str, results: int, concepts: Iterable[str],
                      corrected: bool, day: date | None = None, words: int = 0,
                      held: int = 0) -> None:
        """Count one search; never raises (a failure is logged). `words`: the question's
        content words; `held`: the most of them one result on the first page holds."""
        day = day or date.today()
        self._count("search", query, day,
                    "INSERT INTO searches (day, query, searches, results, corrected, "
                    "concepts, words, held) VALUES (?, ?, 1, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (day, query) DO UPDATE SET searches = searches + 1, "
                    "results = excluded.results, corrected = excluded.corrected, "
                    "concepts = excluded.concepts, words = excluded.words, "
                    "held = excluded.held",
                    (results, int(corrected), json.dumps(sorted(set(concepts))), words, held))

    def record_click(self, query: str, summary: str, day: date | None = None) -> None:
        """Count one click on a result; never raises (a failure is logged)."""
        self._count("click", query, day or date.today(),
                    "INSERT INTO clicks VALUES (?, ?, ?, 1) ON CONFLICT (day, query, summary) "
                    "DO UPDATE SET clicks = clicks + 1", (summary[:200],))

    def _count(self, what: str, query: str, day: date, sql: str,
               values: tuple[object, ...]) -> None:
        text = normalise(query)
        if not text:
            return
        try:
            with self._connect() as db:
                db.execute(sql, (day.isoformat(), text, *values))
                self._prune(db, day)
        except sqlite3.Error as error:
            log.warning("query log %s: a %s was not recorded: %s", self.path, what, error)

    def _prune(self, db: sqlite3.Connection, today: date) -> None:
        """Remove rows past the retention period (once a day per worker)."""
        if self._pruned == today:
            return
        oldest = (today - timedelta(days=self.retention_days)).isoformat()
        db.execute("DELETE FROM searches WHERE day < ?", (oldest,))
        db.execute("DELETE FROM clicks WHERE day < ?", (oldest,))
        self._pruned = today

    def searches(self, since: date) -> list[LoggedSearch]:
        with self._connect() as db:
            rows = db.execute("SELECT day, query, searches, results, corrected, concepts, "
                              "words, held FROM searches WHERE day >= ?",
                              (since.isoformat(),)).fetchall()
        return [LoggedSearch(date.fromisoformat(d), q, n, r, bool(c), tuple(json.loads(k)), w, h)
                for d, q, n, r, c, k, w, h in rows]

    def clicks(self, since: date) -> list[LoggedClick]:
        with self._connect() as db:
            rows = db.execute("SELECT day, query, summary, clicks FROM clicks WHERE day >= ?",
                              (since.isoformat(),)).fetchall()
        return [LoggedClick(date.fromisoformat(d), q, s, n) for d, q, s, n in rows]
