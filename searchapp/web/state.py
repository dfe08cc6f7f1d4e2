"""The open index a web worker answers from, swapped for a new one after a rebuild.

Each worker process (gunicorn runs several) opens the index once and keeps it:
opening reads the vocabulary and facet tables, which is far too slow to do
per request. At most every RELOAD_SECONDS a request checks whether
`scisearch index` has since updated or rebuilt the index on disk; if so, a
background thread waits a random part of RELOAD_STAGGER_SECONDS (so that the
workers do not all open it at the same moment), opens the new index, runs the
warm-up searches through it, and swaps it in between two requests; the old one
is closed then. Requests meanwhile are answered from the old index. Only a
worker with no usable index (the first request, or after damage) opens one
inside a request. Searches in one worker are run one at a time: whoosh's
readers and the index's caches are not thread-safe, and processes, not
threads, are how the site scales.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app, request

from indexer import IndexDamagedError, IndexerError
from indexer.errors import damage
from searchapp.editorial import QueryLog
from searchapp.search import SearchIndex, SearchRequest, SearchResponse
from searchapp.search.engine import READING_DAMAGE

log = logging.getLogger(__name__)

# Searches a worker runs before its first reader: everyday words, a clinical term, a
# misspelling and a question (word postings, concepts, spelling, meaning, snippets).
WARM_UP = ("walking", "bladder infection", "spasticity", "presure sores",
           "can stem cells help me walk again")


# Where the errors a request raises on purpose come from (a bad parameter, a 404...):
# never taken for damage.
APP_MODULES = frozenset({"searchapp", "indexer", "synonyms", "flask", "werkzeug", "jinja2"})


class LiveIndex:
    def __init__(self, index_dir: Path, reload_seconds: float = 2.0,
                 semantic: bool = True, stagger_seconds: float = 0.0) -> None:
        self.index_dir = index_dir
        self.reload_seconds = reload_seconds
        self.semantic = semantic
        self.stagger_seconds = stagger_seconds
        self._index: SearchIndex | None = None
        self._checked = 0.0
        self._lock = threading.Lock()  # held by a request, or by a swap
        self._opener: threading.Thread | None = None
        self._closed = False

    @contextmanager
    def use(self) -> Iterator[SearchIndex]:
        """The current index, for one request. Raises indexer.IndexerError when there is
        no readable index (the caller shows "the index is not built yet")."""
        with self._lock:
            index = self._current()
            try:
                yield index
            except Exception as error:
                # The open generation's files changed under it (truncated, garbled,
                # removed): say so, and open the index afresh next time (a rebuild may
                # have replaced it). Garbled bytes make whoosh raise anything (an
                # IndexError...): such an error counts as damage when the files changed.
                ours = type(error).__module__.split(".")[0] in APP_MODULES
                if not isinstance(error, READING_DAMAGE) and (ours or not index.changed()):
                    raise
                self._index, self._checked = None, 0.0
                index.close()
                name = index.generation.name if index.generation else "unknown"
                raise IndexDamagedError(self.index_dir, name, damage(error)) from error

    def _current(self) -> SearchIndex:
        index = self._index
        if index is None:
            index = self._index = self._open()  # nothing to serve meanwhile: open now
            self._checked = time.monotonic()
            return index
        now = time.monotonic()
        if now - self._checked < self.reload_seconds:
            return index
        self._checked = now
        opening = self._opener is not None and self._opener.is_alive()
        if not opening and not index.is_current():
            self._opener = threading.Thread(target=self._open_in_background,
                                            name="scisearch-reopen", daemon=True)
            self._opener.start()
        return index

    def _open(self) -> SearchIndex:
        started = time.perf_counter()
        fresh = SearchIndex(self.index_dir, semantic=self.semantic)
        _ = fresh.suggester  # built now, not on some reader's first keystroke
        log.info("opened the index %s (%d summaries) in %.0f ms", self.index_dir,
                 fresh.doc_count, (time.perf_counter() - started) * 1000)
        return fresh

    def _open_in_background(self) -> None:
        """Open the updated index after a random part of the stagger, warm it, and swap
        it in between two requests. One that cannot be opened is reported, and the open
        index kept (tried again at the next check)."""
        time.sleep(random.uniform(0, self.stagger_seconds))
        try:
            fresh = self._open()
            _warm(fresh)
        except IndexerError as error:
            log.warning("kept the open index: the new one could not be opened: %s", error)
            return
        except Exception:  # noqa: BLE001 - a thread's error would vanish unreported
            log.exception("kept the open index: opening the new one failed")
            return
        old: SearchIndex | None
        with self._lock:
            if self._closed:  # the app was shut down meanwhile
                old = fresh
            else:
                old, self._index = self._index, fresh
        if old is not None:
            old.close()

    def warm(self) -> float:
        """Open the index and run a few searches and suggestions through it, so that a
        worker's first reader is served as fast as later ones; returns the seconds taken."""
        started = time.perf_counter()
        with self.use() as index:
            _warm(index)
        seconds = time.perf_counter() - started
        log.info("warmed the index in %.2f s", seconds)
        return seconds

    def analyse_ahead(self, seconds: float) -> int:
        """In gunicorn's master, before it forks the workers: analyse the summaries for
        their result cards (for at most `seconds`), for the workers' indexes to start
        from. The index is opened without the model and closed again (forked workers
        must not share its open files); returns how many summaries were analysed."""
        started = time.perf_counter()
        with SearchIndex(self.index_dir, semantic=False) as index:
            done = index.analyse_ahead(seconds)
        log.info("analysed %d summaries for their result cards in %.2f s", done,
                 time.perf_counter() - started)
        return done

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._index is not None:
                self._index.close()
                self._index = None


def _warm(index: SearchIndex) -> None:
    for question in WARM_UP:
        index.search(SearchRequest(q=question))
        index.suggest(question[:4])


EXTENSION = "scisearch.index"


def live_index() -> LiveIndex:
    """The app's live index (set up by `create_app`)."""
    index: LiveIndex = current_app.extensions[EXTENSION]
    return index


QUERY_LOG = "scisearch.querylog"


def query_log() -> QueryLog | None:
    """The app's query log, or None when logging is off."""
    found: QueryLog | None = current_app.extensions.get(QUERY_LOG)
    return found


def log_search(answer: SearchResponse) -> None:
    """Count a reader's search in the query log: the first page of a search with words,
    as typed into the box. Refinements of it (another sort, a filter, a later page)
    are not new searches, nor is a browser checking its cached copy (HEAD, If-None-Match)
    or browsing without words. Never raises: the reader gets the answer whatever
    happens to the log."""
    querylog = query_log()
    wanted = answer.request
    refined = wanted.page != 1 or wanted.sort != "relevance" or any(wanted.filters.values())
    revalidated = request.method != "GET" or "If-None-Match" in request.headers \
        or "If-Modified-Since" in request.headers
    if querylog is None or refined or revalidated or not wanted.q.strip():
        return
    try:
        concepts = [e.concept_id for e in answer.parsed.expansions] if answer.parsed else []
        querylog.record_search(wanted.q, answer.total, concepts, bool(answer.corrected),
                               words=answer.words, held=answer.held)
    except Exception:  # noqa: BLE001 - the log must never fail a search
        log.exception("query log: a search was not recorded")
