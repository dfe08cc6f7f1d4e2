"""Build stage, meaning: every summary's passages and the thesaurus's names as vectors.

    indexed records -> passages (title + plain-language text, long texts cut
    at sentence ends) -> indexer.embedding -> vectors.npz in the generation

Stored beside the whoosh index in its generation folder, one file written
atomically after each build. Summaries are found by id, so a search that
reads the file during an update never mixes up documents. Every passage and
name carries the hash of its text: a build reuses the vectors of unchanged
texts from the generation it replaces (or, for a fresh generation, from the
live one), so an unchanged summary is never embedded again. A different model
than the stored one means embedding everything again, said in the log.

Concepts are embedded by their preferred and lay names (the names a person
would use), for the concepts some summary is tagged with: the query stage links
a phrase no thesaurus term matched to the nearest of them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from indexer.embedding import DIMENSIONS, MAX_TOKENS, Model, WordPiece
from synonyms.model import Thesaurus

log = logging.getLogger(__name__)

VECTORS = "vectors.npz"
# Passages per summary: the first is the title and the start of the plain-language
# text; a longer text goes on in a second. Embedding costs ~0.17 ms a word piece on
# 2 cores, so this bounds the cost of a long summary (the dev sets scored the same
# with one passage as with three passages reaching into the research summary).
MAX_PASSAGES = 2
# Lay names embedded per concept, beside the preferred one.
MAX_NAMES = 6
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")


@dataclass(frozen=True)
class Vectors:
    """What a generation's vectors.npz holds."""

    model: str
    model_sha256: str
    passages: tuple[str, ...]  # text of each row of `matrix`
    passage_hashes: tuple[str, ...]
    summaries: Mapping[str, tuple[int, int]]  # id -> (first row, rows)
    matrix: np.ndarray  # float32, one unit vector per passage
    names: tuple[tuple[str, str], ...]  # (concept id, name) of each row of `name_matrix`
    name_hashes: tuple[str, ...]
    name_matrix: np.ndarray
    versions: Mapping[str, str]  # id -> hash of the source file the summary was read from

    def by_hash(self) -> dict[str, np.ndarray]:
        found = {h: self.matrix[i] for i, h in enumerate(self.passage_hashes)}
        found.update((h, self.name_matrix[i]) for i, h in enumerate(self.name_hashes))
        return found


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def passages(record: Mapping[str, Any], tokenizer: WordPiece) -> list[str]:
    """The texts a summary is embedded as: its title and plain-language text (the
    simple explanation and key findings, else the research summary), cut at sentence
    ends into passages of at most MAX_TOKENS word pieces."""
    plain = [record.get("simple_explanation") or record.get("research_summary") or "",
             *record.get("key_findings", ())]
    sentences = [s for text in plain for s in _SENTENCE_END.split(text) if s.strip()]
    budget = MAX_TOKENS - 2
    title = record.get("title", "").strip()
    out: list[str] = []
    current, used, filled = title, tokenizer.count(title), False
    for sentence in sentences:
        cost = tokenizer.count(sentence)
        if filled and used + cost > budget:
            out.append(current)
            if len(out) == MAX_PASSAGES:
                return out
            current, used = "", 0
        current = f"{current} {sentence}".strip()
        used += cost
        filled = True
    if current:
        out.append(current)
    return out


def concept_names(thesaurus: Thesaurus, tagged: Iterable[str]) -> list[tuple[str, str]]:
    """(concept id, name) for each preferred and lay name of the `tagged` concepts."""
    wanted = set(tagged)
    names: list[tuple[str, str]] = []
    for concept in thesaurus:
        if concept.id not in wanted:
            continue
        lay = [t.text for t in concept.of_kind("lay")][:MAX_NAMES]
        for name in dict.fromkeys([concept.preferred, *lay]):
            names.append((concept.id, name))
    return names


def load(generation: Path) -> Vectors | None:
    """The generation's vectors, or None when it has none (built without the model)."""
    path = generation / VECTORS
    try:
        # Opened here: np.load leaves its own file open when the archive is damaged.
        with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            matrix = np.ascontiguousarray(data["matrix"], dtype=np.float32)
            name_matrix = np.ascontiguousarray(data["name_matrix"], dtype=np.float32)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        log.warning("%s cannot be read (%s): search uses words and concepts only", path, error)
        return None
    return Vectors(
        meta["model"], meta["model_sha256"], tuple(meta["passages"]),
        tuple(meta["passage_hashes"]),
        {k: (int(v[0]), int(v[1])) for k, v in meta["summaries"].items()},
        matrix, tuple((c, n) for c, n in meta["names"]), tuple(meta["name_hashes"]),
        name_matrix, dict(meta.get("versions", {})))


def save(generation: Path, vectors: Vectors) -> None:
    meta = {
        "model": vectors.model, "model_sha256": vectors.model_sha256,
        "dimensions": DIMENSIONS, "passages": list(vectors.passages),
        "passage_hashes": list(vectors.passage_hashes),
        "summaries": {k: list(v) for k, v in vectors.summaries.items()},
        "names": [list(n) for n in vectors.names], "name_hashes": list(vectors.name_hashes),
        "versions": dict(vectors.versions),
    }
    tmp = generation / f".{VECTORS}.{os.getpid()}.tmp.npz"
    with open(tmp, "wb") as handle:
        np.savez(handle, matrix=vectors.matrix, name_matrix=vectors.name_matrix,
                 meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, generation / VECTORS)


@dataclass
class EmbedReport:
    embedded: int = 0  # texts embedded by this build
    reused: int = 0  # texts whose vectors were kept
    seconds: float = 0.0
    model_changed: bool = False


def embed_generation(
    generation: Path,
    records: Iterable[Mapping[str, Any]],
    versions: Mapping[str, str],
    thesaurus: Thesaurus,
    tagged: Iterable[str],
    model: Model,
    previous: Iterable[Vectors | None] = (),
    progress: Callable[[int], None] | None = None,
) -> EmbedReport:
    """Write `generation`'s vectors for `records` (every summary it holds, in the
    `versions` given: id -> source file hash) and the names of the `tagged` concepts,
    reusing the vectors of unchanged texts from `previous`."""
    started = time.perf_counter()
    report = EmbedReport()
    known: dict[str, np.ndarray] = {}
    for old in previous:
        if old is None:
            continue
        if old.model_sha256 != model.sha256:
            report.model_changed = True
            log.warning("the embedding model changed (%s -> %s): every summary is embedded "
                        "again", old.model, model.name)
            continue
        known.update(old.by_hash())

    texts: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    for record in records:
        parts = passages(record, model.tokenizer)
        spans[record["id"]] = (len(texts), len(parts))
        texts.extend(parts)
    names = concept_names(thesaurus, tagged)
    name_texts = [name for _, name in names]
    everything = texts + name_texts
    hashes = [text_hash(t) for t in everything]
    missing = list(dict.fromkeys(h for h in hashes if h not in known))
    by_hash = {h: t for h, t in zip(hashes, everything, strict=True)}
    if missing:
        step = 256
        for first in range(0, len(missing), step):
            chunk = missing[first:first + step]
            for digest, vector in zip(chunk, model.embed([by_hash[h] for h in chunk]),
                                      strict=True):
                known[digest] = vector
            if progress is not None:
                progress(len(chunk))
    report.embedded = len(missing)
    report.reused = len(set(hashes)) - len(missing)

    def matrix(of: list[str]) -> np.ndarray:
        if not of:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.stack([known[h] for h in of]).astype(np.float32)

    passage_hashes = hashes[:len(texts)]
    name_hashes = hashes[len(texts):]
    save(generation, Vectors(model.name, model.sha256, tuple(texts), tuple(passage_hashes),
                             spans, matrix(passage_hashes), tuple(names), tuple(name_hashes),
                             matrix(name_hashes), dict(versions)))
    report.seconds = time.perf_counter() - started
    log.info("embedding: %d texts embedded, %d reused in %.2fs", report.embedded,
             report.reused, report.seconds)
    return report
