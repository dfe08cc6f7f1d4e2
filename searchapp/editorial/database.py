"""The editors' shared store: one schema on SQLite (the embedded default) or PostgreSQL.

    SCISEARCH_QUERY_LOG = path | sqlite:///path | postgresql://user:pass@host/db
        -> Database: a SQLAlchemy engine per process (forked workers make their own),
           the schema brought to the newest migration (Alembic) when first opened
        -> searches, clicks (the query log) and signin_failures (editor sign-in
           lockouts, shared by every worker and machine using the same database)

SQLite opens a connection per use (WAL mode, so several workers write safely, and a
file removed while serving is made anew); PostgreSQL keeps a small pool, checked
before use. Writes that fail are the caller's to log: a database that is down never
fails a search.
"""

from __future__ import annotations

import fcntl
import os
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
OFF = ("", "off", "none", "false", "0")
CONNECT_TIMEOUT = 3  # seconds to reach a PostgreSQL server before giving up on a write
# Advisory lock key while PostgreSQL's schema is migrated (several workers start at once)
MIGRATION_LOCK = 0x5C15EA
POSTGRESQL_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")

metadata = sa.MetaData()
searches = sa.Table(
    "searches", metadata,
    sa.Column("day", sa.Text, primary_key=True),
    sa.Column("query", sa.Text, primary_key=True),
    sa.Column("searches", sa.Integer, nullable=False),
    sa.Column("results", sa.Integer, nullable=False),
    sa.Column("corrected", sa.Integer, nullable=False),
    sa.Column("concepts", sa.Text, nullable=False),
    sa.Column("words", sa.Integer, nullable=False, server_default="0"),
    sa.Column("held", sa.Integer, nullable=False, server_default="0"),
    sqlite_with_rowid=False,
)
clicks = sa.Table(
    "clicks", metadata,
    sa.Column("day", sa.Text, primary_key=True),
    sa.Column("query", sa.Text, primary_key=True),
    sa.Column("summary", sa.Text, primary_key=True),
    sa.Column("clicks", sa.Integer, nullable=False),
    sqlite_with_rowid=False,
)
signin_failures = sa.Table(
    "signin_failures", metadata,
    sa.Column("client", sa.Text, primary_key=True),  # a keyed hash of the address
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("first", sa.Float, nullable=False),  # time of the window's first failure
    sa.Column("last", sa.Float, nullable=False),
    sqlite_with_rowid=False,
)


# Every Database of this process (close_all).
_OPEN: weakref.WeakSet[Database] = weakref.WeakSet()


class DatabaseError(ValueError):
    """SCISEARCH_QUERY_LOG names no usable database; the message says which and why."""


def url_of(setting: str | Path) -> str | None:
    """The SQLAlchemy URL a SCISEARCH_QUERY_LOG value names; None when it is off."""
    text = str(setting).strip()
    if text.lower() in OFF:
        return None
    if text.startswith(POSTGRESQL_SCHEMES):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///"):] or "."
    elif "://" in text:
        raise DatabaseError(f"query log {text!r}: use a file path, a sqlite:///path URL or "
                            "a postgresql://user:password@host/database URL")
    return f"sqlite:///{Path(text)}"


def shown(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return sa.make_url(url).render_as_string(hide_password=True)


class Database:
    """One database's engine (per process) and schema."""

    def __init__(self, url: str, *, migrate_now: bool = True) -> None:
        """Raises DatabaseError when it cannot be reached or migrated now; with
        `migrate_now` False, that is tried at its first use instead."""
        self.url = url
        parsed = sa.make_url(url)
        self.path = Path(parsed.database or "") if parsed.get_backend_name() == "sqlite" \
            else None  # the file of a SQLite database
        self._engine: Engine | None = None
        self._disposer: Callable[[], Any] = lambda: None
        self._pid = 0
        self._lock = threading.Lock()
        self._migrated = False
        if self.postgresql:
            try:
                parsed.get_dialect().import_dbapi()
            except ImportError:
                raise DatabaseError(
                    f"query log {shown(url)}: the PostgreSQL driver (psycopg) is not "
                    "installed: run `pip install -e '.[postgresql]'`") from None
        _OPEN.add(self)
        if migrate_now:
            try:
                self.migrate()
            except (OSError, sa.exc.SQLAlchemyError) as error:
                raise DatabaseError(f"query log {shown(url)}: {reason(error)}") from None

    @property
    def postgresql(self) -> bool:
        return self.path is None

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None or self._pid != os.getpid():
                self._disposer()  # the parent's engine, after a fork: only forgotten
                self._engine = self._make_engine()
                self._pid = os.getpid()
                # Disposes of this engine once: on close(), on replacing it, when the
                # Database is dropped, or at exit.
                self._disposer = weakref.finalize(self, _dispose, self._engine, self._pid)
            return self._engine

    def _make_engine(self) -> Engine:
        if self.path is None:
            return sa.create_engine(self.url, pool_size=2, max_overflow=4, pool_pre_ping=True,
                                    connect_args={"connect_timeout": CONNECT_TIMEOUT})
        engine = sa.create_engine(self.url, poolclass=NullPool,
                                  connect_args={"timeout": 5})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()
        return engine

    def close(self) -> None:
        """Close the pooled connections (opened again at the next use)."""
        with self._lock:
            self._disposer()
            self._engine = None

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a transaction, committed at the end; the schema is made or
        migrated first if it was not yet (unreachable when opened), or if the SQLite
        file was removed since (rotated, deleted)."""
        if not self._migrated or (self.path is not None and not self.path.exists()):
            self.migrate()
        with self.engine.begin() as connection:
            yield connection

    def migrate(self) -> None:
        """Bring the schema to the newest migration (made at first use; a log made before
        migrations existed is adopted as it is)."""
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Readers' questions: the file is the site's user's alone (as are SQLite's
            # journal files, which take its mode).
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        head = ScriptDirectory.from_config(config).get_current_head()
        with self._migration_lock(), self.engine.begin() as connection:
            if self.postgresql:
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": MIGRATION_LOCK})
            if MigrationContext.configure(connection).get_current_revision() != head:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        self._migrated = True

    @contextmanager
    def _migration_lock(self) -> Iterator[None]:
        """SQLite: a lock file beside the database, so two workers never migrate at
        once (PostgreSQL takes an advisory lock in the transaction instead)."""
        if self.path is None:
            yield
            return
        with open(self.path.with_name(self.path.name + ".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def upsert(self, table: sa.Table, values: Mapping[str, Any],
               update: Mapping[str, Any], where: Any = None) -> Any:
        """INSERT `values`, or on a primary-key clash SET `update` (written with the
        statement's `excluded` row: a function of it) where the row meets `where`."""
        dialect: Any = postgresql if self.postgresql else sqlite
        statement = dialect.insert(table).values(**values)
        keys = [column.name for column in table.primary_key.columns]
        return statement.on_conflict_do_update(
            index_elements=keys, where=where,
            set_={name: value(statement.excluded) if callable(value) else value
                  for name, value in update.items()})


def _dispose(engine: Engine, pid: int) -> None:
    """Close an engine's pooled connections; in a forked child, only forget them (they
    are the parent's sockets too)."""
    engine.dispose(close=pid == os.getpid())


def close_all() -> None:
    """Close every database's connections (tests, before dropping a database; at exit
    each engine's finalizer does it)."""
    for database in list(_OPEN):
        database.close()


def reason(error: BaseException) -> str:
    """The first line of a driver's error, without SQLAlchemy's background links."""
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return text[0] if text else type(error).__name__
