"""Wrong editor passwords, counted per client address where every worker sees them.

    EditorAccess.failed(client)  -> count one (in the query log's database, else in
                                    this worker's memory)
    EditorAccess.wait(client)    -> seconds the client must wait before trying again:
                                    the rest of the WINDOW once it has MAX_FAILURES

Nothing sleeps: the sign-in page answers 429 with Retry-After at once, so a guesser
never holds a web worker. Addresses are stored as a keyed hash (the site's secret
key), never in clear, and forgotten when their window is over.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa

from searchapp.editorial.database import Database, reason, signin_failures

log = logging.getLogger(__name__)

MAX_FAILURES = 5  # wrong passwords from one address within WINDOW ...
WINDOW = 60.0  # ... refuse it until the window (from its first failure) is over


@dataclass
class _Count:
    failures: int
    first: float
    last: float

    def wait(self, now: float) -> float:
        if now - self.first >= WINDOW or self.failures < MAX_FAILURES:
            return 0.0
        return self.first + WINDOW - now


class SignInFailures:
    """Failure counts in `database` (shared), or in memory when there is none."""

    def __init__(self, key: str, database: Database | None = None) -> None:
        self._key = key.encode("utf-8")
        self.database = database
        self._memory: dict[str, _Count] = {}
        self._lock = threading.Lock()

    def _client(self, address: str) -> str:
        return hmac.new(self._key, address.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def wait(self, address: str, now: float | None = None) -> float:
        """Seconds before `address` may try a password again (0: now)."""
        now = time.time() if now is None else now
        client = self._client(address)
        if self.database is None:
            with self._lock:
                count = self._memory.get(client)
        else:
            try:
                with self.database.begin() as db:
                    row = db.execute(sa.select(
                        signin_failures.c.failures, signin_failures.c.first,
                        signin_failures.c.last).where(signin_failures.c.client == client)
                    ).first()
            except sa.exc.SQLAlchemyError as error:
                log.warning("sign-in failures: cannot read them (%s); this worker's "
                            "own count is used", reason(error))
                with self._lock:
                    count = self._memory.get(client)
            else:
                count = _Count(*row) if row else None
        return count.wait(now) if count else 0.0

    def failed(self, address: str, now: float | None = None) -> None:
        """Count one wrong password from `address`."""
        now = time.time() if now is None else now
        client = self._client(address)
        with self._lock:
            self._remember(client, now)
        if self.database is None:
            return
        table = signin_failures
        fresh = table.c.first < now - WINDOW  # the stored window is over: start anew
        try:
            with self.database.begin() as db:
                db.execute(self.database.upsert(
                    table, {"client": client, "failures": 1, "first": now, "last": now}, {
                        "failures": sa.case((fresh, 1), else_=table.c.failures + 1),
                        "first": sa.case((fresh, now), else_=table.c.first),
                        "last": now}))
                db.execute(table.delete().where(table.c.last < now - WINDOW))
        except sa.exc.SQLAlchemyError as error:
            log.warning("sign-in failures: one was not recorded (%s)", reason(error))

    def _remember(self, client: str, now: float) -> None:
        """This worker's own count: all there is without a database, and the fallback
        while it is down."""
        count = self._memory.get(client)
        if count is None or now - count.first >= WINDOW:
            self._memory[client] = _Count(1, now, now)
        else:
            count.failures += 1
            count.last = now
        for other, kept in list(self._memory.items()):
            if now - kept.last >= WINDOW:
                del self._memory[other]
