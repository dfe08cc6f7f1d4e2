"""gunicorn settings for the site (README, "Running it for real"):

    gunicorn -c python:searchapp.gunicorn_conf --workers 4 --bind 0.0.0.0:8000 \\
        'searchapp:create_app()'

- preload_app: the app and its settings are made once, before the workers are
  forked (a bad setting stops the master with its message, not each worker).
  The index itself is opened in each worker, after the fork: its files are read
  with file offsets that forked workers must not share.
- post_worker_init: each worker opens the index and runs a few searches before
  it takes its first request, so the first reader is not the one who waits.
"""

from __future__ import annotations

from typing import Any

preload_app = True


def post_worker_init(worker: Any) -> None:
    from searchapp.web.state import EXTENSION

    app = worker.wsgi
    try:
        app.extensions[EXTENSION].warm()
    except Exception as error:  # noqa: BLE001 - no index yet: requests answer 503 and say so
        worker.log.warning("worker %s not warmed: %s", worker.pid, error)
