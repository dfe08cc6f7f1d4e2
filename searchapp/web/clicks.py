"""Clicks that count: a result link carries a short-lived token signed by the site.

    /summaries/<id>?q=<the search's words>&c=<token>
    token = <hour issued, hex> "-" <HMAC-SHA256(secret key, hour, id, words), 16 bytes>

A search page, the API (each hit's `link`) and the widget link to a result with
such a token, so opening a summary counts as a click only when a search of those
words showed it, in the hour the token was made or the next. No cookie and nothing
about the reader is needed. The same search within the hour gets the same links, so
its page keeps its ETag. A token can be opened again while it lasts: the query log
counts a summary's clicks for some words at most as often as those words were
searched for that day or the day before (`QueryLog.record_click`), so padding
clicks costs a search for each.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
from collections.abc import Callable

from flask import current_app, url_for

from searchapp.web.state import query_log

log = logging.getLogger(__name__)

HOUR = 3600
VALID_HOURS = 2  # the hour of the search and the next
clock: Callable[[], float] = time.time  # what time it is (tests set it)


def token(query: str, summary_id: str, now: float | None = None) -> str:
    hour = int((clock() if now is None else now) // HOUR)
    return f"{hour:x}-{_signature(hour, query, summary_id)}"


def genuine(given: str, query: str, summary_id: str, now: float | None = None) -> bool:
    """Whether `given` was made by this site (or one sharing its key) for a search of
    `query` showing `summary_id`, and has not expired."""
    hour_text, _, signature = given.partition("-")
    try:
        hour = int(hour_text, 16)
    except ValueError:
        return False
    age = int((clock() if now is None else now) // HOUR) - hour
    return 0 <= age < VALID_HOURS and hmac.compare_digest(
        signature.encode("ascii", "replace"),
        _signature(hour, query, summary_id).encode("ascii"))


def result_link(summary_id: str, query: str) -> str:
    """A result's link on this site: with the search's words and, when the site keeps a
    query log, the token that lets opening it count as a click."""
    if not query:
        return url_for("pages.summary_page", summary_id=summary_id)
    counted = current_app.secret_key and query_log() is not None
    return url_for("pages.summary_page", summary_id=summary_id, q=query,
                   c=token(query, summary_id) if counted else None)


def count_click(query: str, summary_id: str, given: str) -> None:
    """Count a click on a search result, if its link's token is genuine. Never raises:
    the reader gets the page whatever happens to the log."""
    querylog = query_log()
    if querylog is None or not query.strip() or not current_app.secret_key \
            or not genuine(given, query, summary_id):
        return
    try:
        querylog.record_click(query, summary_id)
    except Exception:  # noqa: BLE001 - the log must never fail a page
        log.exception("query log: a click was not recorded")


def _signature(hour: int, query: str, summary_id: str) -> str:
    key = str(current_app.secret_key).encode("utf-8")
    message = f"{hour}\0{summary_id}\0{query}".encode("utf-8", "surrogatepass")
    digest = hmac.new(key, message, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
