"""A damaged index is named as damaged, with its generation and the repair, by the
command line and the site; `scisearch index --rebuild` repairs it; a server whose
open index is damaged under it answers 503 (never 500) and recovers after a rebuild."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from indexer.build import build_index, current_generation
from searchapp import create_app
from searchapp.cli import cli
from searchapp.web.state import EXTENSION
from synonyms import load
from tests.conftest import DATA


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garble(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(max(64, path.stat().st_size)))


def _open_files(under: Path) -> list[str]:
    """The files under `under` this process has open."""
    names = []
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):  # closed meanwhile (listing's own among them)
            names.append(os.readlink(fd))
    return [name for name in names if name.startswith(str(under))]


def _segment(generation: Path) -> Path:
    """The first segment's compound file (the bundled test index has one)."""
    return sorted(generation.glob("*.seg"))[0]


DAMAGE: dict[str, Callable[[Path], None]] = {
    "segment truncated": lambda g: _truncate(_segment(g)),
    "segment garbled": lambda g: _garble(_segment(g)),
    "segment deleted": lambda g: _segment(g).unlink(),
    "table of contents truncated": lambda g: _truncate(next(g.glob("_MAIN_*.toc"))),
    "table of contents garbled": lambda g: _garble(next(g.glob("_MAIN_*.toc"))),
    "table of contents deleted": lambda g: next(g.glob("_MAIN_*.toc")).unlink(),
    "generation info garbled": lambda g: _garble(g / "generation.json"),
    "thesaurus garbled": lambda g: _garble(g / "thesaurus.json"),
    "CURRENT garbled": lambda g: _garble(g.parent / "CURRENT"),
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("pristine") / "index"
    assert build_index([DATA / "web"], index_dir, thesaurus=load(DATA / "thesaurus")).ok
    return index_dir


@pytest.fixture
def damaged(pristine: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    index_dir = tmp_path / "index"
    shutil.copytree(pristine, index_dir)
    generation = current_generation(index_dir)
    assert generation is not None and any(generation.glob("*.seg"))
    DAMAGE[request.param](generation)
    return index_dir


@pytest.mark.parametrize("damaged", list(DAMAGE), indirect=True)
def test_damage_is_named_and_rebuild_repairs_it(damaged: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCISEARCH_THESAURUS", str(DATA / "thesaurus"))
    runner = CliRunner()

    def named(result: Any) -> None:
        assert result.exit_code == 1, result.output
        assert f"the search index in {damaged} is damaged (generation " in result.output
        assert "`scisearch index --rebuild` builds it anew" in result.output
        assert "Aborted" not in result.output and "bug" not in result.output

    named(runner.invoke(cli, ["search", "bladder", "--index-dir", str(damaged)]))
    client = create_app({"INDEX_DIR": damaged, "TESTING": True}).test_client()
    answer = client.get("/api/v1/search?q=bladder")
    assert answer.status_code == 503 and answer.get_json()["error"]["code"] == "index_damaged"
    assert client.get("/?q=bladder").status_code == 503
    with client.get("/widget.js") as widget:  # what needs no index still works
        assert widget.status_code == 200
    assert _open_files(damaged) == []  # failed reads left no file open
    # An update either names the damage, or (when it must build afresh anyway: a
    # garbled CURRENT, generation info or thesaurus) repairs it; --rebuild always does.
    update = runner.invoke(cli, ["index", str(DATA / "web"), "--index-dir", str(damaged)])
    if update.exit_code:
        named(update)
        repaired = runner.invoke(cli, ["index", str(DATA / "web"), "--index-dir",
                                       str(damaged), "--rebuild"])
        assert repaired.exit_code == 0, repaired.output
    assert "2 summaries found" in runner.invoke(
        cli, ["search", "bladder", "--index-dir", str(damaged)]).output


def test_a_server_whose_open_index_is_damaged_says_so_then_recovers(
        pristine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(pristine, index_dir)
    client = create_app({"INDEX_DIR": index_dir, "TESTING": True,
                         "RELOAD_SECONDS": 0}).test_client()
    assert client.get("/api/v1/search?q=bladder").status_code == 200
    generation = current_generation(index_dir)
    assert generation is not None
    for segment in generation.glob("*.seg"):  # truncated in place, under the open index
        with open(segment, "r+b") as handle:
            handle.truncate(64)
    answers = {client.get(url).status_code
               for url in ("/api/v1/search?q=bowel", "/?q=walking", "/summaries/web-caregivers")}
    assert answers <= {200, 503}  # what the caches still hold is served; never a 500
    assert client.get("/api/v1/search?q=cushion%20pressure").status_code == 503
    monkeypatch.setenv("SCISEARCH_THESAURUS", str(DATA / "thesaurus"))
    build_index([DATA / "web"], index_dir, rebuild=True, thesaurus=load(DATA / "thesaurus"))
    assert client.get("/api/v1/search?q=cushion%20pressure").status_code == 200


def test_a_segment_garbled_in_the_middle_under_a_running_server_never_gives_a_500(
        pristine: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(pristine, index_dir)
    app = create_app({"INDEX_DIR": index_dir, "TESTING": True})
    client = app.test_client()
    assert client.get("/api/v1/search?q=bladder").status_code == 200
    generation = current_generation(index_dir)
    assert generation is not None
    segment = _segment(generation)
    data = bytearray(segment.read_bytes())
    middle = len(data) // 4
    data[middle:3 * middle] = random.Random(3).randbytes(2 * middle)  # same size, same TOC
    segment.write_bytes(bytes(data))
    urls = [f"/api/v1/suggest?q={prefix}" for prefix in ("can+", "bla", "sp", "wal", "pre")]
    urls += [f"/api/v1/search?q={q}" for q in ("walking", "bowel", "cushion", "pain")]
    urls += ["/?q=caregivers", "/summaries/web-caregivers"]
    assert {client.get(url).status_code for url in urls} <= {200, 503}
    # Each failed read left no file open (whoosh drops them; a server would run out).
    app.extensions[EXTENSION].close()
    assert _open_files(index_dir) == []


def test_damaged_vectors_leave_search_by_words_and_a_rebuild_repairs_them(
        pristine: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer import vectors

    monkeypatch.setenv("SCISEARCH_THESAURUS", str(DATA / "thesaurus"))
    index_dir = tmp_path / "index"
    shutil.copytree(pristine, index_dir)
    generation = current_generation(index_dir)
    assert generation is not None and vectors.load(generation) is not None
    _truncate(generation / vectors.VECTORS)
    client = create_app({"INDEX_DIR": index_dir, "TESTING": True}).test_client()
    answer = client.get("/api/v1/search?q=bladder").get_json()
    assert answer["total"] == 2 and not answer["meaning"]
    assert "vectors.npz cannot be read" in caplog.text
    runner = CliRunner()
    rebuilt = runner.invoke(cli, ["index", str(DATA / "web"), "--index-dir", str(index_dir),
                                  "--rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    generation = current_generation(index_dir)
    assert generation is not None and vectors.load(generation) is not None
