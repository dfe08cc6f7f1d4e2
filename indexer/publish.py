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
are folders (a mounted share), file:// URLs, or s3://bucket/prefix URLs (an S3 or
S3-compatible object store, through boto3: `pip install -e '.[s3]'`; credentials and
AWS_ENDPOINT_URL from the environment, as the AWS tools read them). On a store,
checksums.json is written after the files it lists and CURRENT after it: one object
each, so a replica sees the old publication or the whole new one. A web worker
notices the switch as it notices a local rebuild (SCISEARCH_RELOAD_SECONDS).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import filelock

from indexer.build import (
    CURRENT,
    LOCK,
    MANIFEST,
    TABLES_OF_CONTENTS,
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


class Store(Protocol):
    """Where publications are kept: a folder, or a prefix of an object store."""

    where: str  # as the user named it, for messages

    def read(self, name: str) -> bytes:
        """The object `name` (FileNotFoundError when there is none)."""

    def has(self, name: str) -> bool: ...

    def put(self, ident: str, files: dict[str, Path]) -> None:
        """Publish `files` (name -> local file) as `ident`, checksums.json last."""

    def fetch(self, name: str, to: Path) -> None: ...

    def point(self, ident: str) -> None:
        """CURRENT names `ident`, in one step."""

    def prune(self, live: str, keep: int) -> None:
        """Remove all but the `keep` newest publications (`live` always stays)."""


def open_store(text: str | Path) -> Store:
    """The store a DEST or SOURCE names: a path, a file:// URL or an s3:// URL."""
    value = str(text)
    if "://" not in value:
        return Folder(Path(value), value)
    parts = urlsplit(value)
    if parts.scheme == "file":
        return Folder(Path(unquote(parts.path)), value)
    if parts.scheme == "s3" and parts.netloc:
        from indexer.publish_s3 import S3  # boto3 only where S3 is used

        return S3(parts.netloc, unquote(parts.path).strip("/"), value)
    raise PublishError(f"{value}: publish to and pull from folders, file:// URLs or "
                       "s3://bucket/prefix URLs (other stores: mount them, or copy with "
                       "their own tools)")


class Folder:
    """Publications in a folder (a mounted share): each copied beside the others,
    then renamed into place."""

    def __init__(self, path: Path, where: str) -> None:
        self.path = path
        self.where = where

    def read(self, name: str) -> bytes:
        try:
            return (self.path / name).read_bytes()
        except IsADirectoryError:
            raise FileNotFoundError(self.path / name) from None

    def has(self, name: str) -> bool:
        return (self.path / name).is_file()

    def put(self, ident: str, files: dict[str, Path]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        incoming = self.path / f".incoming-{ident}-{os.getpid()}"
        shutil.rmtree(incoming, ignore_errors=True)
        incoming.mkdir()
        try:
            for name, path in files.items():
                shutil.copy2(path, incoming / name)
            os.replace(incoming, self.path / ident)
        except OSError:  # another publisher was first with the same state
            shutil.rmtree(incoming, ignore_errors=True)
            if not self.has(f"{ident}/{CHECKSUMS}"):
                raise

    def fetch(self, name: str, to: Path) -> None:
        shutil.copy2(self.path / name, to)

    def point(self, ident: str) -> None:
        atomic_write(self.path / CURRENT, ident)

    def prune(self, live: str, keep: int) -> None:
        _keep_newest(self.path, live, keep)


def _toc_number(generation: Path) -> int:
    numbers = [int(p.stem.rsplit("_", 1)[1]) for p in generation.glob(TABLES_OF_CONTENTS)]
    if not numbers:
        raise PublishError(f"{generation}: no table of contents: is this an index?")
    return max(numbers)


def publish(index_dir: Path, dest: str | Path) -> str:
    """Copy `index_dir`'s live generation to `dest` and point dest's CURRENT at it;
    returns its id. Publishing the same state twice makes no second copy."""
    store = open_store(dest)
    if current_generation(index_dir) is None:  # nothing made for a wrong --index-dir
        raise IndexNotFoundError(index_dir)
    lock = filelock.FileLock(str(index_dir / LOCK))
    try:
        lock.acquire(timeout=LOCK_WAIT)
    except filelock.Timeout:
        raise PublishError(f"{index_dir}: a build has held the index for {LOCK_WAIT:.0f} s; "
                           "publish again when it is done") from None
    staging = Path(tempfile.mkdtemp(prefix=".publish-", dir=index_dir))
    try:
        generation = current_generation(index_dir)
        if generation is None:
            raise IndexNotFoundError(index_dir)
        ident = f"{generation.name}.{_toc_number(generation)}"
        if not store.has(f"{ident}/{CHECKSUMS}"):
            files = {path.name: path for path in sorted(generation.iterdir())
                     if path.is_file() and not path.name.startswith(".")
                     and path.name != "MAIN_WRITELOCK"}
            files[MANIFEST] = staging / MANIFEST
            files[MANIFEST].write_text(json.dumps(read_manifest(index_dir), indent=2,
                                                  sort_keys=True), encoding="utf-8")
            # The files do not change meanwhile: the build lock is held.
            sums = {name: {"sha256": file_sha256(path), "size": path.stat().st_size}
                    for name, path in files.items()}
            files[CHECKSUMS] = staging / CHECKSUMS
            files[CHECKSUMS].write_text(json.dumps(
                {"generation": ident, "published_at": time.time(), "files": sums},
                indent=2, sort_keys=True), encoding="utf-8")
            store.put(ident, files)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        lock.release()
    store.point(ident)
    store.prune(ident, KEEP_PUBLISHED)
    return ident


def pull(source: str | Path, local: Path) -> Pulled:
    """Bring `local` to the generation `source` publishes (see the module doc)."""
    started = time.perf_counter()
    store = open_store(source)
    try:
        ident = store.read(CURRENT).decode("utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise PublishError(f"{store.where}: nothing published there ({error})") from None
    published = f"{store.where.rstrip('/')}/{ident}"
    if not ident or "/" in ident or not store.has(f"{ident}/{CHECKSUMS}"):
        raise PublishError(f"{store.where}: CURRENT names {ident!r}, which is not a "
                           "publication")
    live = current_generation(local)
    if live is not None and live.name == ident:
        return Pulled(ident, False)
    try:
        sums = json.loads(store.read(f"{ident}/{CHECKSUMS}"))["files"]
    except (OSError, ValueError, KeyError) as error:
        raise PublishError(f"{published}/{CHECKSUMS}: unreadable ({error})") from None
    created = not local.exists()
    local.mkdir(parents=True, exist_ok=True)
    incoming = local / f".incoming-{ident}-{os.getpid()}"
    shutil.rmtree(incoming, ignore_errors=True)
    incoming.mkdir()
    size = 0
    try:
        for name, expected in sorted(sums.items()):
            if "/" in name or name.startswith("."):
                raise PublishError(f"{published}/{CHECKSUMS}: names a file {name!r} outside "
                                   "the publication")
            copied = incoming / name
            try:
                store.fetch(f"{ident}/{name}", copied)
            except OSError as error:
                raise PublishError(f"{published}/{name}: cannot be copied "
                                   f"({error.strerror or error})") from None
            found = file_sha256(copied)
            if found != expected.get("sha256"):
                raise PublishError(
                    f"{published}/{name}: its checksum is {found[:12]}..., the publisher's "
                    f"is {str(expected.get('sha256'))[:12]}...: not switching to {ident} "
                    "(copied while changing, or damaged); the next pull tries again")
            size += copied.stat().st_size
        manifest = json.loads((incoming / MANIFEST).read_text(encoding="utf-8"))
        manifest["published_from"] = store.where
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
