"""The site under gunicorn with several workers, as the README runs it (its settings
module: the app preloaded, each worker warmed before its first request): every
worker picks up a rebuilt index without a restart, and one model process embeds
the queries of all workers, started again when it is killed."""

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
def site(tmp_path: Path) -> Iterator[tuple[str, Path, int]]:
    if not GUNICORN.exists():
        pytest.skip(f"gunicorn is not installed beside {sys.executable}")
    corpus = tmp_path / "summaries"
    corpus.mkdir()
    shutil.copy(DATA / "web" / "summaries.json", corpus / "summaries.json")
    build_index([corpus], tmp_path / "index")
    port = _free_port()
    env = {**os.environ, "SCISEARCH_INDEX_DIR": str(tmp_path / "index"),
           "SCISEARCH_RELOAD_SECONDS": "0.2", "SCISEARCH_RELOAD_STAGGER_SECONDS": "1"}
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
        yield url, corpus, server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
        if server.stderr:
            server.stderr.close()


def test_every_worker_serves_the_rebuilt_index(site: tuple[str, Path, int],
                                               tmp_path: Path) -> None:
    url, corpus, _ = site
    assert _get(url + "/api/v1/search?q=hydrotherapy")["total"] == 0
    (corpus / "pool.json").write_text(json.dumps([{
        "id": "pool", "title": "Hydrotherapy in a warm pool", "year": 2023}]), "utf-8")
    build_index([corpus], tmp_path / "index", rebuild=True)
    # Each worker opens it in the background within 0.2 s + 1 s of a request; many
    # requests, so that both workers answer some of them.
    deadline = time.monotonic() + 20
    while (totals := [_get(url + "/api/v1/search?q=hydrotherapy")["total"]
                      for _ in range(20)]) != [1] * 20:
        assert time.monotonic() < deadline, totals
        time.sleep(0.2)


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _model_processes(master: int) -> list[int]:
    """The master's children that hold ONNX Runtime (the model)."""
    held = []
    for pid in _children(master):
        try:
            if "onnxruntime" in Path(f"/proc/{pid}/maps").read_text():
                held.append(pid)
        except OSError:
            continue  # ended meanwhile
    return held


def test_one_model_process_embeds_for_all_workers_and_is_started_again(
        site: tuple[str, Path, int]) -> None:
    url, _, master = site
    # Two workers and one model process; the workers do not load the model.
    deadline = time.monotonic() + 10
    while len(_children(master)) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)  # the second worker may still be starting
    assert len(_children(master)) == 3
    [model] = _model_processes(master)
    assert all(_get(f"{url}/api/v1/search?q=walking+again+{n}")["meaning"] for n in range(6))
    os.kill(model, signal.SIGKILL)
    # Every search is answered meanwhile (by words and concepts); the worker that
    # finds the model gone ends, and the master starts a new model process first.
    deadline = time.monotonic() + 30
    n = 0
    while time.monotonic() < deadline:
        n += 1  # new words each time: a worker embeds each question once
        answer = _get(f"{url}/api/v1/search?q=walking+after+injury+{n}")
        if answer["meaning"] and _model_processes(master):
            break
        time.sleep(0.1)
    assert answer["meaning"], "no search by meaning within 30 s of the model process's end"
    [again] = _model_processes(master)
    assert again != model
