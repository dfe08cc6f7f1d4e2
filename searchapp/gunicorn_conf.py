"""gunicorn settings for the site (README, "Running it for real"):

    gunicorn -c python:searchapp.gunicorn_conf --workers 4 --bind 127.0.0.1:8000 \\
        'searchapp:create_app()'

behind a buffering reverse proxy (nginx: README, bench/nginx-settings.conf): sync
workers read each request themselves, so slow clients would hold them all.

- preload_app: the app and its settings are made once, before the workers are
  forked (a bad setting stops the master with its message, not each worker).
  The index is opened in each worker, after the fork: its files are read with
  file offsets that forked workers must not share.
- One embedding model for all workers: the master starts one model process
  (`indexer.model_service`) and the workers send it their queries. A model
  in each worker took ~185 MB each (4 workers: 1,190 MB in all, one: 377); an
  ONNX Runtime session made in the master before the fork ran 4 times slower in
  the workers and kept them from stopping. If the model process cannot start,
  each worker loads the model itself (or, where it is not installed, says so and
  searches by words and concepts); SCISEARCH_SEMANTIC=off starts none.
- Summaries analysed before the fork: the master reads each summary's title and
  body for its result card (the words a snippet marks, the concepts in it) and
  the workers' indexes start from that, shared between them, so a worker's
  first readers do not wait for it (it was half of a first search's time).
- gc.freeze() before the fork: the collector then leaves the preloaded app's
  objects alone, so their pages stay shared with the workers (4 workers on the
  trials: 767 MB instead of 842).
- post_worker_init: each worker opens the index and runs a few searches and
  pages before it takes its first request, so the first reader is not the one
  who waits.
- One thread per worker for NumPy's BLAS and OpenMP: the workers are the
  parallelism; several threads each, on few cores, spin against each other
  (measured on 2 cores, 4 workers, 8 clients: 33 requests/s with them, 111 without).
"""

from __future__ import annotations

import gc
from typing import Any

from indexer.embedding import embed_queries_with, enabled
from indexer.model_service import ModelService

preload_app = True

MODEL = ModelService()
# The master analyses the summaries for their result cards for at most this long
# (the trials: about 5 s; 50,000 summaries would take minutes: the rest are
# analysed on their first showing, as before).
ANALYSE_AHEAD_SECONDS = 20.0
WARM_PAGES = ("/", "/?q=walking", "/api/v1/search?q=walking", "/api/v1/suggest?q=wal")


def _start_model(server: Any) -> None:
    reason = MODEL.start()
    if reason is not None:
        server.log.warning("no shared embedding model process (%s): each worker loads "
                           "the model itself", reason)


def on_starting(server: Any) -> None:
    from searchapp.web.state import EXTENSION

    try:
        server.app.wsgi().extensions[EXTENSION].analyse_ahead(ANALYSE_AHEAD_SECONDS)
    except Exception as error:  # noqa: BLE001 - no index yet: the workers say so
        server.log.warning("summaries not analysed before the workers start: %s", error)
    gc.freeze()
    if enabled():
        _start_model(server)


def pre_fork(server: Any, worker: Any) -> None:
    # The model process ended (killed, out of memory): a new one, before the worker
    # that replaces the one that found it gone.
    if MODEL.address is not None and not MODEL.answers():
        server.log.warning("the embedding model process does not answer: starting another")
        _start_model(server)


def on_exit(server: Any) -> None:
    MODEL.stop()


def post_worker_init(worker: Any) -> None:
    from threadpoolctl import threadpool_limits

    from searchapp.web.state import EXTENSION

    # NumPy is loaded by now (the app is preloaded): its BLAS is limited at run time.
    threadpool_limits(1)
    if MODEL.address is not None:
        # A worker that finds the model process gone ends after its request (searched
        # by words and concepts): its successor's pre_fork starts a new one.
        embed_queries_with(MODEL.client(gone=lambda: setattr(worker, "alive", False)))
    app = worker.wsgi
    try:
        app.extensions[EXTENSION].warm()
    except Exception as error:  # noqa: BLE001 - no index yet: requests answer 503 and say so
        worker.log.warning("worker %s not warmed: %s", worker.pid, error)
        return
    # The pages too (their templates compiled), asked with HEAD: not counted as searches.
    with app.test_client() as client:
        for path in WARM_PAGES:
            client.head(path)
