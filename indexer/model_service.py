"""One embedding model for all the workers of a site under gunicorn.

ONNX Runtime holds the model's weights unpacked to float32 (that makes a query
about 13 times faster than the int8 file as it is), about 185 MB, in every
process that runs it: with 4 workers, 4 copies. So the gunicorn master starts
one model process, and the workers send it the texts they need embedded:

    gunicorn master --starts--> model process: the model, listening on a Unix
                                socket in a folder only this user can open
    worker: query text --(socket, authenticated)--> model process --> vector

A query is a few milliseconds of the model's time; the process answers each
worker's connection in its own thread, and ONNX Runtime lets go of the GIL while
it runs, so the workers' queries run on all cores. When the process does not
answer, a search is made with words and concepts only (the engine says so in its
log), and a worker that finds it gone ends after its request: the master starts
a new model process before it forks the worker's successor, at the same address,
so the other workers find it at their next query. The model process ends with
the master, even a killed one.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path

import numpy as np

from indexer.embedding import MODEL_NAME, MODEL_SHA256, Model, ModelUnavailableError

log = logging.getLogger(__name__)

# How long a worker waits for its texts' vectors before it searches without them.
ANSWER_SECONDS = 10.0
# How long the master waits for the model process to load the model.
START_SECONDS = 120.0
# Texts per request at most, and characters per text (the model reads 128 word
# pieces of each; a worker sends a question and a few phrases of it).
MAX_TEXTS = 64
MAX_CHARS = 2000
_READY = "ready"


class ModelService:
    """The model process, as the gunicorn master sees it: start, check, stop."""

    def __init__(self) -> None:
        self.authkey = os.urandom(32)
        self._folder: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str | None:
        return str(self._folder / "model.sock") if self._folder is not None else None

    def start(self) -> str | None:
        """Start the model process and wait for it to load the model; None when it
        answers, else why it cannot (the workers then load the model themselves)."""
        self._end_process()
        if self._folder is None:  # kept across restarts: the workers know its address
            self._folder = Path(tempfile.mkdtemp(prefix="scisearch-model-"))  # mode 0700
        # A fresh interpreter that imports only the model: no app, no index in it.
        self._process = subprocess.Popen(
            [sys.executable, "-m", "indexer.model_service", str(self.address),
             str(os.getpid())], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self._process.stdin is not None and self._process.stdout is not None
        with self._process.stdin:
            self._process.stdin.write(self.authkey.hex().encode("ascii") + b"\n")
        with self._process.stdout:
            ready, _, _ = select.select([self._process.stdout], [], [], START_SECONDS)
            said = self._process.stdout.readline().decode("utf-8", "replace").strip() \
                if ready else f"it did not load the model within {START_SECONDS:g} s"
        if said == _READY:
            log.info("the embedding model runs in process %s for all workers",
                     self._process.pid)
            return None
        self.stop()
        return said or "it ended while loading the model"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def answers(self) -> bool:
        """Whether the model process takes a connection now."""
        if self.address is None:
            return False
        try:
            Client(self.address, "AF_UNIX", authkey=self.authkey).close()
        except (OSError, EOFError, multiprocessing.AuthenticationError):
            return False
        return True

    def client(self, gone: Callable[[], None] | None = None) -> RemoteModel:
        """A worker's link to the model process; `gone` is called when it is found gone."""
        if self.address is None:
            raise ModelUnavailableError("the embedding model process was not started")
        return RemoteModel(self.address, self.authkey, gone)

    def stop(self) -> None:
        """End the model process and remove its folder."""
        self._end_process()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def _end_process(self) -> None:
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self._process = None


class RemoteModel:
    """The model as a worker uses it: the same `embed` as `indexer.embedding.Model`,
    answered by the model process. Raises ModelUnavailableError when it does not
    answer; the next call connects again."""

    name = MODEL_NAME
    sha256 = MODEL_SHA256  # the model process runs only the pinned file

    def __init__(self, address: str, authkey: bytes,
                 gone: Callable[[], None] | None = None) -> None:
        self.address = address
        self._authkey = authkey
        self._gone = gone
        self._connection: Connection | None = None
        self._lock = threading.Lock()  # one request on the connection at a time

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            try:
                if self._connection is None:
                    self._connection = Client(self.address, "AF_UNIX", authkey=self._authkey)
                self._connection.send([str(text)[:MAX_CHARS] for text in texts])
                if not self._connection.poll(ANSWER_SECONDS):
                    raise TimeoutError(f"no answer within {ANSWER_SECONDS:g} s")
                answer = self._connection.recv()
            except (OSError, EOFError, multiprocessing.AuthenticationError) as error:
                self.close()
                if self._gone is not None and not isinstance(error, TimeoutError):
                    self._gone()
                raise ModelUnavailableError(
                    f"the embedding model process ({self.address}) does not answer: "
                    f"{error or type(error).__name__}") from None
        if isinstance(answer, str):  # the process could not embed these texts
            raise ModelUnavailableError(f"the embedding model process: {answer}")
        vectors: np.ndarray = answer
        return vectors

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def serve(address: str, authkey: bytes, parent: int) -> None:
    """The model process: load the model, say so on stdout, then answer every
    connection in a thread of its own."""
    try:
        model = Model(threads=1)
    except ModelUnavailableError as error:
        print(" ".join(str(error).split()), flush=True)
        return
    Path(address).unlink(missing_ok=True)  # the socket of a process before this one
    listener = Listener(address, "AF_UNIX", authkey=authkey)
    threading.Thread(target=_end_with, args=(parent, address), daemon=True).start()
    print(_READY, flush=True)
    sys.stdout.close()
    while True:
        try:
            connection = listener.accept()
        except (OSError, EOFError, multiprocessing.AuthenticationError):
            continue  # a peer that left, or did not know the key
        threading.Thread(target=_answer, args=(model, connection), daemon=True).start()


def _answer(model: Model, connection: Connection) -> None:
    with connection:
        while True:
            try:
                texts = connection.recv()
            except (OSError, EOFError):
                return
            if not (isinstance(texts, list) and len(texts) <= MAX_TEXTS
                    and all(isinstance(text, str) for text in texts)):
                connection.send(f"expected a list of at most {MAX_TEXTS} texts")
                continue
            try:
                answer: object = model.embed([text[:MAX_CHARS] for text in texts])
            except Exception as error:  # noqa: BLE001 - the worker searches without it
                answer = f"could not embed: {error}"
            try:
                connection.send(answer)
            except OSError:
                return


def _end_with(parent: int, address: str) -> None:
    """End the model process when the master is gone (even killed), removing the
    folder of its socket, which a killed master could not."""
    while os.getppid() == parent:
        time.sleep(1.0)
    shutil.rmtree(Path(address).parent, ignore_errors=True)
    os._exit(0)


if __name__ == "__main__":  # started by ModelService.start
    serve(sys.argv[1], bytes.fromhex(sys.stdin.readline().strip()), int(sys.argv[2]))
