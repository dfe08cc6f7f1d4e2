"""gunicorn settings for the site (README, "Running it for real"):

    gunicorn -c python:searchapp.gunicorn_conf --workers 4 --bind 0.0.0.0:8000 \\
        'searchapp:create_app()'

- preload_app: the app and its settings are made once, before the workers are
  forked (a bad setting stops the master with its message, not each worker).
  The index is opened in each worker, after the fork: its files are read with
  file offsets that forked workers must not share. So is the embedding model:
  an ONNX Runtime session made before the fork ran 4 times slower in the workers
  (29 requests/s at 8 clients instead of 111) and kept them from stopping, though
  it halved their memory (160 MB each instead of 282).
- post_worker_init: each worker opens the index and runs a few searches before
  it takes its first request, so the first reader is not the one who waits.
- One thread per worker for NumPy's BLAS and OpenMP: the workers are the
  parallelism; several threads each, on few cores, spin against each other
  (measured on 2 cores, 4 workers, 8 clients: 33 requests/s with them, 111 without).
"""

from __future__ import annotations

from typing import Any

preload_app = True


def post_worker_init(worker: Any) -> None:
    from threadpoolctl import threadpool_limits

    from searchapp.web.state import EXTENSION

    # NumPy is loaded by now (the app is preloaded): its BLAS is limited at run time.
    threadpool_limits(1)
    app = worker.wsgi
    try:
        app.extensions[EXTENSION].warm()
    except Exception as error:  # noqa: BLE001 - no index yet: requests answer 503 and say so
        worker.log.warning("worker %s not warmed: %s", worker.pid, error)
