"""One model process for a site's workers (indexer.model_service): the vectors are
the model's, a process that is gone is said to be and found again at the same
address, a stranger without the key gets nothing, and it ends with its master."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from indexer import embedding
from indexer.embedding import ModelUnavailableError
from indexer.model_service import ModelService, RemoteModel


@pytest.fixture
def service() -> Iterator[ModelService]:
    started = ModelService()
    reason = started.start()
    assert reason is None, reason
    yield started
    started.stop()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_workers_get_the_vectors_the_model_makes(service: ModelService) -> None:
    texts = ["can stem cells help me walk again", "bed sores wont heal"]
    found = service.client().embed(texts)
    assert found.shape == (2, embedding.DIMENSIONS)
    assert np.allclose(found, embedding.shared_model().embed(texts), atol=1e-6)


def test_a_model_process_that_is_gone_is_said_to_be_and_found_again(
        service: ModelService) -> None:
    told: list[str] = []
    remote = service.client(gone=lambda: told.append("gone"))
    remote.embed(["walking"])
    address, pid = service.address, service.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)  # as the out-of-memory killer would
    while not _gone(pid) and service.answers():
        time.sleep(0.05)
    with pytest.raises(ModelUnavailableError, match="does not answer"):
        remote.embed(["walking"])
    assert told == ["gone"]
    assert not service.answers()
    # The master starts another at the same address: the workers' links still work.
    assert service.start() is None
    assert service.address == address and service.pid != pid
    assert remote.embed(["walking"]).shape == (1, embedding.DIMENSIONS)


def test_a_stranger_without_the_key_gets_nothing(service: ModelService) -> None:
    assert service.address is not None
    stranger = RemoteModel(service.address, os.urandom(32))
    with pytest.raises(ModelUnavailableError):
        stranger.embed(["walking"])
    assert service.client().embed(["walking"]).shape == (1, embedding.DIMENSIONS)


def test_the_model_process_ends_with_its_master_even_a_killed_one() -> None:
    master = subprocess.Popen(
        [sys.executable, "-c", "import time\n"
         "from indexer.model_service import ModelService\n"
         "service = ModelService()\n"
         "print(service.start(), service.pid, service.address, flush=True)\n"
         "time.sleep(120)\n"], stdout=subprocess.PIPE, text=True)
    assert master.stdout is not None
    reason, pid, address = master.stdout.readline().split()
    assert reason == "None"
    master.kill()
    master.communicate()
    deadline = time.monotonic() + 10
    while not _gone(int(pid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(int(pid))
    with pytest.raises(ModelUnavailableError):
        RemoteModel(address, b"key").embed(["walking"])
    assert not Path(address).parent.exists()  # nothing left behind in the temp folder
