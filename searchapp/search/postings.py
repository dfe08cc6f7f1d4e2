"""Ranking data: each index term's postings, read once and kept as NumPy arrays.

The two ranking stages (`scoring` for the match query over every summary,
`bonuses` for the phrase bonuses of the best candidates) both read postings
here instead of stepping through whoosh matchers. A term's postings in one
segment of the index become its live document numbers, its BM25 score in
each of them (the same formula, statistics and field-length encoding as
whoosh's BM25F, so the scores are whoosh's own) and, for fields that keep
positions, its encoded positions, decoded only when a phrase needs them.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh import scoring
from whoosh.matching.wrappers import FilterMatcher

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Postings kept in memory (about 40 bytes each with their positions): the terms
# of a few hundred searches. Beyond it the least recently used terms are dropped.
CACHE_POSTINGS = 2_000_000


@dataclass(frozen=True)
class Postings:
    """One term in one field of one segment: where it occurs and what it scores."""

    ids: IntArray  # segment document numbers, ascending, deleted documents left out
    scores: FloatArray  # BM25 of the term in each, before any query boost
    positions: tuple[bytes, ...] | None  # encoded positions per document, if kept
    decode: Any  # the field format's decode_positions

    def find(self, docnum: int) -> int:
        """Index of `docnum` in `ids`, or -1."""
        at = int(np.searchsorted(self.ids, docnum))
        return at if at < len(self.ids) and int(self.ids[at]) == docnum else -1

    def positions_at(self, index: int) -> list[int]:
        assert self.positions is not None
        decoded: list[int] = self.decode(self.positions[index])
        return decoded


class Segment:
    """One segment of the index: its searcher, where its documents start, which live."""

    def __init__(self, searcher: Any, offset: int) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.offset = offset
        self.size: int = searcher.doc_count_all()
        self.live: BoolArray = np.ones(self.size, dtype=np.bool_)
        if self.reader.has_deletions():
            deleted = [d for d in range(self.size) if self.reader.is_deleted(d)]
            self.live[np.asarray(deleted, dtype=np.int64)] = False
        self._lengths: dict[str, FloatArray] = {}

    def lengths(self, fieldname: str) -> FloatArray:
        """Each document's length in `fieldname` as whoosh stores it (one byte, rounded)."""
        cached = self._lengths.get(fieldname)
        if cached is None:
            # What BM25FScorer reads: doc_field_length(docnum, field, 1), None for 0.
            length = self.reader.doc_field_length
            cached = np.array([length(d, fieldname, 1) or 0 for d in range(self.size)],
                              dtype=np.float64)
            self._lengths[fieldname] = cached
        return cached


class PostingsCache:
    """Postings of the terms searched for, per segment, least recently used dropped."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        weighting = searcher.weighting
        # Only BM25F is mirrored here; `supported` False sends the callers to whoosh.
        self.supported = type(weighting) is scoring.BM25F
        self.weighting = weighting
        self.segments = [Segment(s, offset) for s, offset in searcher.leaf_searchers()]
        self._cache: OrderedDict[tuple[int, str, str], Postings | None] = OrderedDict()
        self._held = 0
        self.size = sum(segment.size for segment in self.segments)  # every document
        self._indexed: dict[tuple[str, str], bool] = {}

    def indexed(self, fieldname: str, text: str) -> bool:
        """Whether any segment has the term: what scoring counts, so that a summary's
        score does not depend on how the index happens to be split into segments."""
        key = (fieldname, text)
        found = self._indexed.get(key)
        if found is None:
            btext = self._bytes(fieldname, text)
            found = btext is not None and any((fieldname, btext) in segment.reader
                                              for segment in self.segments)
            self._indexed[key] = found
        return found

    def get(self, segment: int, fieldname: str, text: str) -> Postings | None:
        """The postings of `text` in `fieldname`; None when the segment lacks the term."""
        key = (segment, fieldname, text)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        postings = self._read(self.segments[segment], fieldname, text)
        self._cache[key] = postings
        self._held += len(postings.ids) if postings is not None else 0
        while self._held > CACHE_POSTINGS and len(self._cache) > 1:
            _, dropped = self._cache.popitem(last=False)
            self._held -= len(dropped.ids) if dropped is not None else 0
        return postings

    def _bytes(self, fieldname: str, text: str) -> bytes | None:
        """The term as the field stores it; None for no such field or no such value."""
        schema = self.searcher.schema
        if fieldname not in schema:
            return None
        try:
            btext: bytes = schema[fieldname].to_bytes(text)
        except ValueError:
            return None
        return btext

    def _read(self, segment: Segment, fieldname: str, text: str) -> Postings | None:
        btext = self._bytes(fieldname, text)
        if btext is None or (fieldname, btext) not in segment.reader:
            return None
        field = self.searcher.schema[fieldname]
        keep = field.format is not None and field.format.supports("positions")
        ids, weights, values = _read_postings(segment.reader.postings(fieldname, btext), keep)
        id_array = np.asarray(ids, dtype=np.int64)
        weight_array = np.asarray(weights, dtype=np.float64)
        if len(id_array) and not segment.live[id_array].all():
            alive = segment.live[id_array]
            id_array, weight_array = id_array[alive], weight_array[alive]
            values = [v for v, a in zip(values, alive, strict=True) if a] if keep else values
        scores = self._score(segment, fieldname, btext, id_array, weight_array)
        return Postings(id_array, scores, tuple(values) if keep else None,
                        field.format.decode_positions if keep else None)

    def _score(self, segment: Segment, fieldname: str, btext: bytes, ids: IntArray,
               weights: FloatArray) -> FloatArray:
        field = self.searcher.schema[fieldname]
        if not field.scorable:
            return weights  # whoosh's WeightScorer: the weight is the score
        weighting = self.weighting
        b = weighting._field_B.get(fieldname, weighting.B)
        k1 = weighting.K1
        idf = self.searcher.idf(fieldname, btext)
        avgfl = self.searcher.avg_field_length(fieldname) or 1
        fl = segment.lengths(fieldname)[ids]
        # whoosh.scoring.bm25, term for term and in its order, so the floats agree.
        scores: FloatArray = idf * ((weights * (k1 + 1))
                                    / (weights + k1 * ((1 - b) + b * fl / avgfl)))
        return scores


def _read_postings(matcher: Any, keep_values: bool) -> tuple[list[int], list[float], list[bytes]]:
    """Document numbers, weights and (if asked) raw values of a postings matcher.

    whoosh's own leaf matcher is read a block at a time, about twice as fast as
    stepping through it (whoosh is pinned, so its block attributes are known);
    any other matcher is stepped through. Deleted documents are the caller's to drop.
    """
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    ids: list[int] = []
    weights: list[float] = []
    values: list[bytes] = []
    by_block = all(hasattr(matcher, name) for name in (
        "_read_ids", "_read_weights", "_read_values", "_next_block", "_i"))
    if by_block and getattr(matcher, "_i", None) == 0:
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            if keep_values:
                matcher._read_values()
                values.extend(matcher._values)
            matcher._next_block()
        return ids, weights, values
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if keep_values:
            values.append(matcher.value())
        matcher.next()
    return ids, weights, values
