"""Ranking by meaning: the query's vector against every summary's passages.

    query text -> indexer.embedding (once; cached) -> dot product with every
    passage vector of the generation (exact, NumPy) -> best passage per summary

`fuse` merges this ranking with the words-and-concepts one (reciprocal-rank
fusion). A summary that no word of the query is in counts as found by meaning
only when its best passage is at least MATCH_SIMILARITY from the query: so the
total, the facets and the pages agree, and every counted summary can be shown.
`nearest_concepts` links a phrase the thesaurus did not know to the closest
concept name ("feeling really down" -> depression), above CONCEPT_SIMILARITY.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer import vectors
from indexer.embedding import QUERY_PIECES, Embedder, wordpiece
from searchapp.search.postings import BoolArray, FloatArray, IntArray

log = logging.getLogger(__name__)

# A summary found by meaning alone counts as a match from this cosine similarity
# (MiniLM: unrelated texts mostly score under 0.3; tuned on the dev sets).
MATCH_SIMILARITY = 0.45
# A phrase of the query names a concept by meaning from this similarity to one of
# its names (tuned on the dev sets' queries: below it, near misses).
CONCEPT_SIMILARITY = 0.70
# Reciprocal-rank fusion: score = sum of weight / (RRF_K + rank) over the two lists.
# Tuned on the dev sets (nDCG@10, bundled / trials / MedQuAD known-item MRR):
# k=60, w=1.0: 0.887 / 0.665 / 0.806; k=30, w=0.7: 0.887 / 0.670 / 0.827;
# k=10, w=0.7: 0.886 / 0.673 / 0.830; k=10, w=0.5: 0.879 / 0.649 / 0.837.
RRF_K = 30
WORDS_WEIGHT = 1.0
MEANING_WEIGHT = 0.7
_QUERY_CACHE = 2048


@dataclass(frozen=True)
class Similar:
    """A summary's similarity to the query, and its closest passage."""

    similarity: float
    passage: str


class MeaningIndex:
    """A generation's vectors, laid out for the index's document numbers."""

    def __init__(self, stored: vectors.Vectors, model: Embedder,
                 docnums: Mapping[str, int], size: int) -> None:
        self.model = model
        self.size = size
        self._stored = stored
        starts, docs = [], []
        for summary_id, (first, count) in sorted(stored.summaries.items(),
                                                 key=lambda item: item[1][0]):
            docnum = docnums.get(summary_id)
            if docnum is not None and count:
                starts.append(first)
                docs.append(docnum)
        order = np.argsort(np.asarray(starts, dtype=np.int64), kind="stable")
        self._starts: IntArray = np.asarray(starts, dtype=np.int64)[order]
        self._docs: IntArray = np.asarray(docs, dtype=np.int64)[order]
        self._rows = {docnums[i]: rows for i, rows in stored.summaries.items() if i in docnums}
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        # The editors' report looks concepts up beside the searches of its worker.
        self._lock = threading.Lock()

    @classmethod
    def open(cls, generation: Path | None, model: Embedder, docnums: Mapping[str, int],
             size: int) -> MeaningIndex | None:
        stored = vectors.load(generation) if generation is not None else None
        if stored is None:
            log.warning("the index has no vectors (built without the embedding model): "
                        "search uses words and concepts only; run `scisearch index` to add them")
            return None
        if stored.model_sha256 != model.sha256:
            log.warning("the index's vectors come from another model (%s): search uses words "
                        "and concepts only until `scisearch index` embeds it again",
                        stored.model)
            return None
        return cls(stored, model, docnums, size)

    def embed(self, text: str) -> np.ndarray:
        """The query's vector, from its first QUERY_PIECES word pieces (cached: a
        repeated search is not embedded again)."""
        return self.embed_many([wordpiece().cut(text, QUERY_PIECES)])[0]

    def embed_many(self, texts: list[str]) -> list[np.ndarray]:
        """Vectors of `texts`, those not cached embedded in one batch."""
        keys = [" ".join(text.lower().split()) for text in texts]
        with self._lock:
            known = {k: self._cache[k] for k in keys if k in self._cache}
        missing = list(dict.fromkeys(k for k in keys if k not in known))
        if missing:
            known.update(zip(missing, self.model.embed(missing), strict=True))
        with self._lock:
            for key in keys:
                self._cache[key] = known[key]
                self._cache.move_to_end(key)
            while len(self._cache) > _QUERY_CACHE:
                self._cache.popitem(last=False)
        return [known[key] for key in keys]

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        """Each document's best passage similarity (-1 for a summary without vectors)."""
        out = np.full(self.size, -1.0, dtype=np.float32)
        if len(self._starts):
            passages = self._stored.matrix @ vector
            out[self._docs] = np.maximum.reduceat(passages, self._starts)
        return out

    def closest_passage(self, vector: np.ndarray, docnum: int) -> str:
        """The passage of summary `docnum` closest in meaning to the query."""
        first, count = self._rows.get(docnum, (0, 0))
        if not count:
            return ""
        rows = self._stored.matrix[first:first + count] @ vector
        return self._stored.passages[first + int(np.argmax(rows))]

    def nearest_concepts(self, texts: list[str],
                         limit: int = 1) -> list[list[tuple[str, str, float]]]:
        """For each text, (concept id, name, similarity) of the names closest to it,
        above CONCEPT_SIMILARITY, at most `limit` concepts, closest first."""
        if not len(self._stored.names) or not texts:
            return [[] for _ in texts]
        out = []
        for vector in self.embed_many(texts):
            sims = self._stored.name_matrix @ vector
            found: dict[str, tuple[str, str, float]] = {}
            for row in np.argsort(-sims):
                if sims[row] < CONCEPT_SIMILARITY or len(found) >= limit:
                    break
                concept, name = self._stored.names[row]
                found.setdefault(concept, (concept, name, float(sims[row])))
            out.append(list(found.values()))
        return out


def ranks(scores: np.ndarray, mask: BoolArray) -> FloatArray:
    """1-based rank of each masked document by `scores` (ties by document number);
    infinity elsewhere."""
    out = np.full(len(scores), np.inf)
    ids = np.flatnonzero(mask)
    order = ids[np.lexsort((ids, -scores[ids]))]
    out[order] = np.arange(1, len(order) + 1)
    return out


def fuse(word_scores: FloatArray, word_mask: BoolArray, similarity: np.ndarray) -> FloatArray:
    """Reciprocal-rank fusion of the words-and-concepts ranking (its matches) and the
    meaning ranking (every summary with vectors)."""
    by_words = ranks(word_scores, word_mask)
    by_meaning = ranks(similarity, similarity > -1.0)
    fused: FloatArray = WORDS_WEIGHT / (RRF_K + by_words) + MEANING_WEIGHT / (RRF_K + by_meaning)
    return fused
