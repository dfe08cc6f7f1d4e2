"""Ranking, first stage: the match query scored for every summary at once.

`query.to_whoosh` builds the match query (words in any field, concept tags,
coordination, quoted phrases). whoosh answers it by stepping a tree of matchers
document by document; here the same tree is evaluated over whole-segment NumPy
vectors built from `postings`: a score, whether the summary matches, and how
many term matchers whoosh would see matching (for `Or(scale=...)`'s
coordination). The arithmetic follows whoosh's matchers, quirks included, so
scores, the set of matches and so the totals and facet counts are whoosh's on
an index of one segment. On several, one thing differs on purpose: whoosh
counts, and sizes, per segment, so a summary's score changed with how the index
was split (a build on two cores writes two segments; every update adds one).
Here a term any segment has counts in all of them, and the Or's matcher is
chosen by the index's size: scores are those of the same summaries in one segment.
Quoted phrases are checked from cached positions (`bonuses.phrase_scores`);
node types not mirrored here (anything new) are stepped through whoosh's own
matcher for that node. `Evaluation` hands the engine
every match and the best candidates for the phrase bonuses (`bonuses`).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq

from searchapp.search.bonuses import phrase_scores
from searchapp.search.postings import BoolArray, FloatArray, IntArray, PostingsCache, Segment

# whoosh.query.Or picks its matcher by these (see Or._matcher): a preloaded
# array union for mid-sized segments, whose term matchers are never "current",
# so coordination above it counts none of their terms.
_OR_TOO_MANY_CLAUSES = 1024
_OR_ARRAY_MAX_DOCS = 5000
PHRASE_CACHE = 64  # phrases (per field and segment) whose matches are kept


@dataclass
class _Vector:
    score: FloatArray
    mask: BoolArray  # the summary matches this node
    matching: IntArray  # term matchers whoosh sees matching here (for coordination)
    terms: int  # term matchers in the node's matcher tree


@dataclass(frozen=True)
class Evaluation:
    """A query's score for every document of the index (global document numbers)."""

    score: FloatArray
    mask: BoolArray

    def matched(self) -> IntArray:
        ids: IntArray = np.flatnonzero(self.mask)
        return ids

    def matches(self) -> Matches:
        return Matches(self.matched(), self.mask)

    def top(self, count: int, allowed: BoolArray | None = None) -> list[tuple[int, float]]:
        """The best `count` (docnum, score) among matches (and `allowed`), best first;
        equal scores in document order, as whoosh's top collector keeps them."""
        keep = self.mask if allowed is None else self.mask & allowed
        ids = np.flatnonzero(keep)
        if not len(ids) or count <= 0:
            return []
        scores = self.score[ids]
        if len(ids) > count:
            # Everything scoring at least the count-th best, ties included, then sorted.
            cut = np.partition(scores, len(scores) - count)[len(scores) - count]
            chosen = scores >= cut
            ids, scores = ids[chosen], scores[chosen]
        order = np.lexsort((ids, -scores))[:count]
        return [(int(d), float(s)) for d, s in zip(ids[order], scores[order], strict=True)]


class Matches(set[int]):
    """The documents a query matched, as a set, with their mask kept for the facets."""

    def __init__(self, ids: IntArray, mask: BoolArray) -> None:
        super().__init__(ids.tolist())
        self.mask = mask


class MatchScorer:
    """Evaluates match queries over the index's segments."""

    def __init__(self, cache: PostingsCache) -> None:
        self.cache = cache
        # Where each recent quoted phrase matches, and its score there: checking
        # positions is the costliest step (a phrase in all of 50,000 summaries: 0.27 s).
        self._phrases: OrderedDict[tuple[Any, ...], tuple[IntArray, FloatArray]] = \
            OrderedDict()

    def evaluate(self, query: Any) -> Evaluation:
        parts = [self._node(query, number, segment)
                 for number, segment in enumerate(self.cache.segments)]
        score = np.concatenate([p.score for p in parts]) if parts else np.zeros(0)
        mask = np.concatenate([p.mask & s.live for p, s in zip(parts, self.cache.segments,
                                                                strict=True)]) \
            if parts else np.zeros(0, dtype=np.bool_)
        return Evaluation(score, mask)

    def _node(self, node: Any, number: int, segment: Segment) -> _Vector:
        kind = type(node)
        if kind is wq.Term:
            return self._term(node, number, segment)
        if kind is wq.Or:
            return self._or(node, number, segment)
        if kind is wq.And:
            return self._and(node, number, segment)
        if kind is wq.AndMaybe:
            return self._and_maybe(node, number, segment)
        if kind is wq.Phrase:
            return self._phrase(node, number, segment)
        return _stepped(node, segment)

    def _phrase(self, node: Any, number: int, segment: Segment) -> _Vector:
        """A quoted phrase: checked from cached positions in the summaries holding all
        its words (whoosh's span matchers stepped through them one by one)."""
        found_words = [self.cache.get(number, node.fieldname, word) for word in node.words]
        postings = [p for p in found_words if p is not None]
        if not found_words or len(postings) < len(found_words):
            # A word this segment lacks: nothing matches here; when every word is in
            # some segment, its term matchers count as elsewhere (segment-independent).
            vector = _empty(segment.size)
            if all(self.cache.indexed(node.fieldname, word) for word in node.words):
                vector.terms = len(node.words)
            return vector
        if any(p.positions is None for p in postings):
            return _stepped(node, segment)
        key = (number, node.fieldname, tuple(node.words), node.slop, node.boost)
        known = self._phrases.get(key)
        if known is None:
            candidates = postings[0].ids
            for other in postings[1:]:
                candidates = np.intersect1d(candidates, other.ids, assume_unique=True)
            score, mask = phrase_scores(self.cache, node, number, candidates)
            known = self._phrases[key] = (candidates[mask], score[mask])
            while len(self._phrases) > PHRASE_CACHE:
                self._phrases.popitem(last=False)
        else:
            self._phrases.move_to_end(key)
        found, found_scores = known
        vector = _empty(segment.size)
        vector.score[found] = found_scores
        vector.mask[found] = True
        # As whoosh's phrase matcher: one term matcher per word, all matching where it does.
        vector.terms = len(postings)
        vector.matching[found] = len(postings)
        vector.mask &= segment.live
        return vector

    def _term(self, node: Any, number: int, segment: Segment) -> _Vector:
        postings = self.cache.get(number, node.fieldname, node.text)
        vector = _empty(segment.size)
        if postings is None:
            # whoosh's NullMatcher (no term matcher) when no segment has it; a term of
            # another segment counts for coordination here too (see PostingsCache.indexed)
            vector.terms = int(self.cache.indexed(node.fieldname, node.text))
            return vector
        vector.terms = 1
        scores = postings.scores if node.boost == 1.0 else postings.scores * node.boost
        vector.score[postings.ids] = scores
        vector.mask[postings.ids] = True
        vector.matching[postings.ids] = 1
        return vector

    def _or(self, node: Any, number: int, segment: Segment) -> _Vector:
        subs = node.subqueries
        if not subs:
            return _empty(segment.size)
        if len(subs) == 1:
            # whoosh uses the only subquery's matcher as it is: no boost, no coordination.
            return self._node(subs[0], number, segment)
        parts = [self._node(sub, number, segment) for sub in subs]
        terms = sum(p.terms for p in parts)
        preloaded = len(subs) < _OR_TOO_MANY_CLAUSES and not (
            node.scale or len(subs) == 2 or self.cache.size > _OR_ARRAY_MAX_DOCS)
        if preloaded:
            # ArrayUnionMatcher: each score boosted then added; no term is ever current.
            score = _sum([p.score * node.boost for p in parts])
            mask = _any(parts)
            return _Vector(score, mask & (score > 0), np.zeros(segment.size, np.int64), terms)
        score = _sum([p.score for p in parts])
        if node.boost != 1.0:
            score = score * node.boost
        vector = _Vector(score, _any(parts), _sum_ints(parts, segment.size), terms)
        if node.scale and terms:
            vector.score = _coordinated(vector, node.scale)
        vector.score[~vector.mask] = 0.0
        return vector

    def _and(self, node: Any, number: int, segment: Segment) -> _Vector:
        subs = node.subqueries
        if not subs:
            return _empty(segment.size)
        if len(subs) == 1:
            return self._node(subs[0], number, segment)
        parts = [self._node(sub, number, segment) for sub in subs]
        mask = np.logical_and.reduce([p.mask for p in parts])
        score = _sum([p.score for p in parts])
        if node.boost != 1.0:
            score = score * node.boost
        score[~mask] = 0.0
        return _Vector(score, mask, _sum_ints(parts, segment.size),
                       sum(p.terms for p in parts))

    def _and_maybe(self, node: Any, number: int, segment: Segment) -> _Vector:
        a = self._node(node.a, number, segment)
        b = self._node(node.b, number, segment)
        both = a.mask & b.mask
        score = a.score.copy()
        score[both] += b.score[both]
        matching = a.matching.copy()
        matching[both] += b.matching[both]
        return _Vector(score, a.mask.copy(), matching, a.terms + b.terms)


def _coordinated(vector: _Vector, scale: float) -> FloatArray:
    """whoosh's CoordMatcher (the "SQR" short-query ranking of V-Twin)."""
    count = vector.terms
    if count <= 1 or count == scale:
        return vector.score
    bonus: FloatArray = (vector.matching - 1) / (count - scale) ** 2
    coordinated: FloatArray = (vector.score + bonus) * ((count - 1) / count)
    return coordinated


def _stepped(node: Any, segment: Segment) -> _Vector:
    """Any other node, answered by stepping through its whoosh matcher."""
    vector = _empty(segment.size)
    matcher = node.matcher(segment.searcher, segment.searcher.context())
    vector.terms = sum(1 for _ in matcher.term_matchers())
    while matcher.is_active():
        docnum = matcher.id()
        vector.mask[docnum] = True
        vector.score[docnum] = matcher.score()
        vector.matching[docnum] = sum(1 for _ in matcher.matching_terms(docnum))
        matcher.next()
    vector.mask &= segment.live
    return vector


def _empty(size: int) -> _Vector:
    return _Vector(np.zeros(size), np.zeros(size, dtype=np.bool_),
                   np.zeros(size, dtype=np.int64), 0)


def _sum(scores: list[FloatArray]) -> FloatArray:
    total = scores[0].copy()
    for score in scores[1:]:
        total += score
    return total


def _any(parts: list[_Vector]) -> BoolArray:
    mask: BoolArray = np.logical_or.reduce([p.mask for p in parts])
    return mask


def _sum_ints(parts: list[_Vector], size: int) -> IntArray:
    total = np.zeros(size, dtype=np.int64)
    for part in parts:
        total += part.matching
    return total
