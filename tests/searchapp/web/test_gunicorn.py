"""The site under gunicorn with several workers, as the README runs it (its settings
module: the app preloaded, each worker warmed before its first request): every
worker picks up a rebuilt index without a restart."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.build import build_index

DATA = Path(__file__).resolve().parent.parent.parent / "data"
REPO = DATA.parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - localhost
        answer: dict[str, object] = json.loads(response.read())
        return answer


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    if not GUNICORN.exists():
        pytest.skip(f"gunicorn is not installed beside {sys.executable}")
    corpus = tmp_path / "summaries"
    corpus.mkdir()
    shutil.copy(DATA / "web" / "summaries.json", corpus / "summaries.json")
    build_index([corpus], tmp_path / "index")
    port = _free_port()
    env = {**os.environ, "SCISEARCH_INDEX_DIR": str(tmp_path / "index"),
           "SCISEARCH_RELOAD_SECONDS": "0.2"}
    server = subprocess.Popen(
        [str(GUNICORN), "-c", "python:searchapp.gunicorn_conf", "--workers", "2", "--bind",
         f"127.0.0.1:{port}", "searchapp:create_app()"], cwd=REPO, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                _get(url + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("gunicorn did not start: " + server.stderr.read().decode()
                                 if server.stderr else "")
        yield url, corpus
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
        if server.stderr:
            server.stderr.close()


def test_every_worker_serves_the_rebuilt_index(site: tuple[str, Path],
                                               tmp_path: Path) -> None:
    url, corpus = site
    assert _get(url + "/api/v1/search?q=hydrotherapy")["total"] == 0
    (corpus / "pool.json").write_text(json.dumps([{
        "id": "pool", "title": "Hydrotherapy in a warm pool", "year": 2023}]), "utf-8")
    build_index([corpus], tmp_path / "index", rebuild=True)
    time.sleep(0.5)  # longer than SCISEARCH_RELOAD_SECONDS
    # Many requests, so that both workers answer some of them.
    totals = [_get(url + "/api/v1/search?q=hydrotherapy")["total"] for _ in range(20)]
    assert totals == [1] * 20
