"""Ranking, second stage: phrase bonuses for the best candidates of the first.

`query.bonus_query` asks for a concept's clinical names and for the typed
words standing close together: phrase queries, costly to check in every
summary, so the engine checks them for the best few candidates only. whoosh
would build span matchers over every posting list and skip them along; here
each candidate is checked on its own, from the postings (and their positions)
that `postings` keeps: a phrase matches where its words follow each other in
order within the slop, and then scores, as in whoosh, the sum of its words'
BM25 in that field times the phrase's boost. Or adds, DisjunctionMax takes the
best. (whoosh's DisjunctionMax matcher can take a sub-score from another
document when its two sides stand on different documents; here it is the
best among the names the candidate holds.) Other node types are answered by
whoosh's own matcher. The engine adds the bonuses to the first-stage scores.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from whoosh import query as wq

from searchapp.search.postings import PostingsCache, Segment


class BonusScorer:
    """Scores a bonus query for a few documents."""

    def __init__(self, cache: PostingsCache) -> None:
        self.cache = cache

    def scores(self, query: Any, docnums: Iterable[int]) -> dict[int, float]:
        """The bonus of each of `docnums` (global document numbers) that matches `query`."""
        found: dict[int, float] = {}
        segments = self.cache.segments
        for docnum in sorted(docnums):
            number = _segment_of(segments, docnum)
            segment = segments[number]
            local = docnum - segment.offset
            if not segment.live[local]:
                continue
            score = self._node(query, number, segment, local)
            if score is not None:
                found[docnum] = score
        return found

    def _node(self, node: Any, number: int, segment: Segment, docnum: int) -> float | None:
        kind = type(node)
        if kind is wq.Term:
            return self._term(node, number, docnum)
        if kind is wq.Phrase:
            return self._phrase(node, number, docnum)
        if kind is wq.Or and not node.scale or kind is wq.DisjunctionMax:
            subs = node.subqueries
            if len(subs) == 1:
                # whoosh uses the only subquery's matcher as it is, without the boost.
                return self._node(subs[0], number, segment, docnum)
            found = [s for s in (self._node(sub, number, segment, docnum) for sub in subs)
                     if s is not None]
            if not found:
                return None
            score = max(found) if kind is wq.DisjunctionMax else sum(found)
            return score * node.boost if node.boost != 1.0 else score
        return _stepped(node, segment, docnum)

    def _term(self, node: Any, number: int, docnum: int) -> float | None:
        postings = self.cache.get(number, node.fieldname, node.text)
        at = postings.find(docnum) if postings is not None else -1
        if postings is None or at < 0:
            return None
        score = float(postings.scores[at])
        return score * node.boost if node.boost != 1.0 else score

    def _phrase(self, node: Any, number: int, docnum: int) -> float | None:
        words = list(node.words)
        if not words:
            return None
        scores: list[float] = []
        ends: set[int] | None = None
        for word in words:
            postings = self.cache.get(number, node.fieldname, word)
            at = postings.find(docnum) if postings is not None else -1
            if postings is None or at < 0 or postings.positions is None:
                return None
            scores.append(float(postings.scores[at]))
            positions = postings.positions_at(at)
            if ends is None:
                ends = set(positions)
            else:
                # whoosh's SpanNear2 (ordered, mindist 1): the next word stands
                # after the phrase so far, at most `slop` positions on.
                ends = {p for p in positions
                        if any(1 <= p - end <= node.slop for end in ends)}
            if not ends:
                return None
        score = _tree_sum(scores)
        return score * node.boost if node.boost != 1.0 else score


def _tree_sum(scores: list[float]) -> float:
    """A sum in the order of whoosh's binary tree of intersection matchers."""
    if len(scores) == 1:
        return scores[0]
    half = len(scores) // 2
    return _tree_sum(scores[:half]) + _tree_sum(scores[half:])


def _segment_of(segments: list[Segment], docnum: int) -> int:
    for number in range(len(segments) - 1, -1, -1):
        if docnum >= segments[number].offset:
            return number
    raise IndexError(docnum)


def _stepped(node: Any, segment: Segment, docnum: int) -> float | None:
    """Any other node, answered by whoosh's matcher skipped to the document."""
    matcher = node.matcher(segment.searcher)
    if matcher.is_active() and matcher.id() < docnum:
        matcher.skip_to(docnum)
    if matcher.is_active() and matcher.id() == docnum:
        return float(matcher.score())
    return None
