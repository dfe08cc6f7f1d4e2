"""Index generations published to a shared place and pulled by replicas.

    scisearch publish --index-dir DIR DEST
        DIR's live generation (taken under the build lock, so no build changes it
        meanwhile) -> DEST/<id>/ : every file, the manifest, and checksums.json
        (sha256 and size of each) -> DEST/CURRENT names <id>      (copied into a
        temporary folder and renamed: a reader never sees half a publication)

    scisearch pull SOURCE LOCAL   (and `serve --follow SOURCE`, every few seconds)
        SOURCE/CURRENT names an id LOCAL does not serve yet
        -> its files copied into LOCAL/.incoming-*, each checked against
           checksums.json (whoosh segments hold pickles: nothing is opened before
           its checksum matches) -> renamed to LOCAL/<id> -> LOCAL/CURRENT and the
           manifest switched atomically -> all but the last two generations removed

An id is `<generation folder>.<whoosh TOC number>`: an incremental build changes the
generation in place (a new TOC), so it is published under a new id. DEST and SOURCE
are folders (a mounted share) or file:// URLs. A web worker notices the switch as it
notices a local rebuild (SCISEARCH_RELOAD_SECONDS).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import filelock

from indexer.build import (
    CURRENT,
    LOCK,
    MANIFEST,
    atomic_write,
    current_generation,
    read_manifest,
    write_json,
)
from indexer.errors import IndexerError, IndexNotFoundError
from indexer.record import file_sha256

log = logging.getLogger(__name__)

CHECKSUMS = "checksums.json"
KEEP_PUBLISHED = 3  # publications kept at DEST (a replica may still be copying one)
KEEP_LOCAL = 2  # generations kept by a replica: the one served and the one before
LOCK_WAIT = 600.0  # seconds publish waits for a running build to finish


class PublishError(IndexerError):
    """A publication cannot be made or pulled; the message says where and why."""


@dataclass(frozen=True)
class Pulled:
    generation: str  # the id now served
    changed: bool  # False: it was already the one served
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0


def place(text: str | Path) -> Path:
    """The folder a DEST or SOURCE names: a path or a file:// URL."""
    value = str(text)
    if "://" not in value:
        return Path(value)
    parts = urlsplit(value)
    if parts.scheme != "file":
        raise PublishError(f"{value}: only folders and file:// URLs can be published to or "
                           "pulled from (mount the share, or copy with your object store's "
                           "own tools)")
    return Path(unquote(parts.path))


def _toc_number(generation: Path) -> int:
    numbers = [int(p.stem.rsplit("_", 1)[1]) for p in generation.glob("_MAIN_*.toc")]
    if not numbers:
        raise PublishError(f"{generation}: no table of contents: is this an index?")
    return max(numbers)


def publish(index_dir: Path, dest: str | Path) -> str:
    """Copy `index_dir`'s live generation to `dest` and point dest's CURRENT at it;
    returns its id. Publishing the same state twice makes no second copy."""
    target = place(dest)
    if current_generation(index_dir) is None:  # nothing made for a wrong --index-dir
        raise IndexNotFoundError(index_dir)
    target.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(index_dir / LOCK))
    try:
        lock.acquire(timeout=LOCK_WAIT)
    except filelock.Timeout:
        raise PublishError(f"{index_dir}: a build has held the index for {LOCK_WAIT:.0f} s; "
                           "publish again when it is done") from None
    try:
        generation = current_generation(index_dir)
        if generation is None:
            raise IndexNotFoundError(index_dir)
        ident = f"{generation.name}.{_toc_number(generation)}"
        if not (target / ident / CHECKSUMS).exists():
            incoming = target / f".incoming-{ident}-{os.getpid()}"
            shutil.rmtree(incoming, ignore_errors=True)
            incoming.mkdir()
            sums: dict[str, Any] = {}
            for path in sorted(generation.iterdir()):
                if path.is_file() and not path.name.startswith(".") and \
                        path.name != "MAIN_WRITELOCK":
                    shutil.copy2(path, incoming / path.name)
                    sums[path.name] = {"sha256": file_sha256(incoming / path.name),
                                       "size": path.stat().st_size}
            manifest = read_manifest(index_dir)
            (incoming / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True),
                                             encoding="utf-8")
            sums[MANIFEST] = {"sha256": file_sha256(incoming / MANIFEST),
                              "size": (incoming / MANIFEST).stat().st_size}
            (incoming / CHECKSUMS).write_text(json.dumps(
                {"generation": ident, "published_at": time.time(), "files": sums},
                indent=2, sort_keys=True), encoding="utf-8")
            try:
                os.replace(incoming, target / ident)
            except OSError:  # another publisher was first with the same state
                shutil.rmtree(incoming, ignore_errors=True)
                if not (target / ident / CHECKSUMS).exists():
                    raise
    finally:
        lock.release()
    atomic_write(target / CURRENT, ident)
    _keep_newest(target, ident, KEEP_PUBLISHED)
    return ident


def pull(source: str | Path, local: Path) -> Pulled:
    """Bring `local` to the generation `source` publishes (see the module doc)."""
    started = time.perf_counter()
    origin = place(source)
    try:
        ident = (origin / CURRENT).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise PublishError(f"{origin}: nothing published there ({error})") from None
    published = origin / ident
    if not ident or not (published / CHECKSUMS).is_file():
        raise PublishError(f"{origin}: CURRENT names {ident!r}, which is not a publication")
    live = current_generation(local)
    if live is not None and live.name == ident:
        return Pulled(ident, False)
    try:
        sums = json.loads((published / CHECKSUMS).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError) as error:
        raise PublishError(f"{published / CHECKSUMS}: unreadable ({error})") from None
    created = not local.exists()
    local.mkdir(parents=True, exist_ok=True)
    incoming = local / f".incoming-{ident}-{os.getpid()}"
    shutil.rmtree(incoming, ignore_errors=True)
    incoming.mkdir()
    size = 0
    try:
        for name, expected in sorted(sums.items()):
            if "/" in name or name.startswith("."):
                raise PublishError(f"{published / CHECKSUMS}: names a file {name!r} outside "
                                   "the publication")
            copied = incoming / name
            try:
                shutil.copy2(published / name, copied)
            except OSError as error:
                raise PublishError(f"{published / name}: cannot be copied ({error.strerror})"
                                   ) from None
            found = file_sha256(copied)
            if found != expected.get("sha256"):
                raise PublishError(
                    f"{published / name}: its checksum is {found[:12]}..., the publisher's "
                    f"is {str(expected.get('sha256'))[:12]}...: not switching to {ident} "
                    "(copied while changing, or damaged); the next pull tries again")
            size += copied.stat().st_size
        manifest = json.loads((incoming / MANIFEST).read_text(encoding="utf-8"))
        manifest["published_from"] = str(origin)
        (incoming / MANIFEST).unlink()
        try:
            os.replace(incoming, local / ident)
        except OSError:  # another pull (a cron job beside `serve --follow`) was first
            if not (local / ident).is_dir():
                raise
            shutil.rmtree(incoming, ignore_errors=True)
    except BaseException:
        shutil.rmtree(incoming, ignore_errors=True)
        if created:  # a first pull that failed leaves no empty folder behind
            shutil.rmtree(local, ignore_errors=True)
        raise
    write_json(local / MANIFEST, manifest)
    atomic_write(local / CURRENT, ident)
    _keep_newest(local, ident, KEEP_LOCAL)
    return Pulled(ident, True, len(sums), size, time.perf_counter() - started)


def _keep_newest(folder: Path, live: str, keep: int) -> None:
    """Remove all but the `keep` newest generations (the live one always stays), and
    what interrupted copies left behind."""
    others = sorted((p for p in folder.glob("gen-*") if p.is_dir() and p.name != live),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for path in others[keep - 1:]:
        shutil.rmtree(path, ignore_errors=True)
    for leftover in folder.glob(".incoming-*"):
        if leftover.stat().st_mtime < time.time() - 3600:  # not a copy in progress
            shutil.rmtree(leftover, ignore_errors=True)


class Follower:
    """Pulls what `source` publishes into `local` every `seconds` (a daemon thread)."""

    def __init__(self, source: str | Path, local: Path, seconds: float) -> None:
        self.source = source
        self.local = local
        self.seconds = seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scisearch-follow",
                                        daemon=True)

    def pull(self) -> Pulled:
        pulled = pull(self.source, self.local)
        if pulled.changed:
            log.info("pulled %s from %s: %d files, %.1f MB in %.2f s", pulled.generation,
                     self.source, pulled.files, pulled.bytes / 1e6, pulled.seconds)
        return pulled

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                self.pull()
            except (IndexerError, OSError) as error:
                log.warning("following %s: %s; still serving what was pulled before",
                            self.source, error)
