"""Ranking, second stage: phrase bonuses for the best candidates of the first.

`query.bonus_query` asks for a concept's clinical names and for the typed
words standing close together: phrase queries, costly to check in every
summary, so the engine checks them for the best few candidates only. whoosh
would build span matchers over every posting list and skip them along; here
each query node is evaluated for all candidates at once, from the postings
(and positions) that `postings` keeps: a phrase matches where its words follow each other in
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

import numpy as np
from whoosh import query as wq

from searchapp.search.postings import (
    BoolArray,
    FloatArray,
    IntArray,
    Postings,
    PostingsCache,
    Segment,
)


class BonusScorer:
    """Scores a bonus query for a few documents, all of them at once per query node."""

    def __init__(self, cache: PostingsCache) -> None:
        self.cache = cache

    def scores(self, query: Any, docnums: Iterable[int]) -> dict[int, float]:
        """The bonus of each of `docnums` (global document numbers) that matches `query`."""
        found: dict[int, float] = {}
        wanted = np.unique(np.fromiter(docnums, dtype=np.int64))
        for number, segment in enumerate(self.cache.segments):
            inside = wanted[(wanted >= segment.offset)
                            & (wanted < segment.offset + segment.size)] - segment.offset
            inside = inside[segment.live[inside]]
            if not len(inside):
                continue
            score, mask = self._node(query, number, segment, inside)
            for docnum, value in zip(inside[mask], score[mask], strict=True):
                found[int(docnum) + segment.offset] = float(value)
        return found

    def _node(self, node: Any, number: int, segment: Segment,
              docs: IntArray) -> tuple[FloatArray, BoolArray]:
        kind = type(node)
        if kind is wq.Term:
            postings = self.cache.get(number, node.fieldname, node.text)
            score, mask, _ = _lookup(postings, docs)
            return (score * node.boost if node.boost != 1.0 else score), mask
        if kind is wq.Phrase:
            return self._phrase(node, number, docs)
        if kind is wq.Or and not node.scale or kind is wq.DisjunctionMax:
            subs = node.subqueries
            if not subs:
                return np.zeros(len(docs)), np.zeros(len(docs), dtype=np.bool_)
            if len(subs) == 1:
                # whoosh uses the only subquery's matcher as it is, without the boost.
                return self._node(subs[0], number, segment, docs)
            parts = [self._node(sub, number, segment, docs) for sub in subs]
            mask = np.logical_or.reduce([m for _, m in parts])
            if kind is wq.DisjunctionMax:
                score = np.max([np.where(m, s, -np.inf) for s, m in parts], axis=0)
                score[~mask] = 0.0
            else:
                score = parts[0][0].copy()
                for part, _ in parts[1:]:
                    score += part  # 0.0 where a part does not match: the sum is whoosh's
            return (score * node.boost if node.boost != 1.0 else score), mask
        return _stepped(node, segment, docs)

    def _phrase(self, node: Any, number: int, docs: IntArray) -> tuple[FloatArray, BoolArray]:
        return phrase_scores(self.cache, node, number, docs)


def phrase_scores(cache: PostingsCache, node: Any, number: int,
                  docs: IntArray) -> tuple[FloatArray, BoolArray]:
    """A Phrase node's score in each of `docs` (segment `number`), and where it matches:
    its words in order, each within `slop` positions of the one before, as whoosh's
    SpanNear2 finds them; scored as whoosh does, the sum of the words' BM25 times the
    boost."""
    words = list(node.words)
    mask = np.ones(len(docs), dtype=np.bool_) if words else np.zeros(len(docs), np.bool_)
    lookups = []
    for word in words:
        postings = cache.get(number, node.fieldname, word)
        score, holds, at = _lookup(postings, docs)
        if postings is None or postings.positions is None:
            return np.zeros(len(docs)), np.zeros(len(docs), dtype=np.bool_)
        mask &= holds
        lookups.append((postings, score, at))
    for i in np.flatnonzero(mask):
        ends: IntArray | None = None
        for postings, _, at in lookups:
            positions = np.unique(np.asarray(postings.positions_at(int(at[i])), np.int64))
            # whoosh's SpanNear2 (ordered, mindist 1): the next word stands after the
            # phrase so far, at most `slop` positions on, so after the last end before
            # it. Sorted arrays: linear in the positions (a word said 3,000 times in a
            # summary made the pairwise test take seconds).
            if ends is not None:
                before = np.searchsorted(ends, positions, side="left") - 1
                near = (before >= 0) & (positions - ends[np.maximum(before, 0)] <= node.slop)
                positions = positions[near]
            ends = positions
            if not len(ends):
                mask[i] = False
                break
    score = _tree_sum([s for _, s, _ in lookups]) if lookups else np.zeros(len(docs))
    score = np.where(mask, score, 0.0)
    return (score * node.boost if node.boost != 1.0 else score), mask


def _lookup(postings: Postings | None, docs: IntArray) -> tuple[FloatArray, BoolArray, IntArray]:
    """A term's score in each of `docs`, whether it occurs there, and where in its postings."""
    if postings is None or not len(postings.ids):
        return (np.zeros(len(docs)), np.zeros(len(docs), dtype=np.bool_),
                np.zeros(len(docs), dtype=np.int64))
    at = np.minimum(np.searchsorted(postings.ids, docs), len(postings.ids) - 1)
    holds = postings.ids[at] == docs
    return np.where(holds, postings.scores[at], 0.0), holds, at


def _tree_sum(scores: list[FloatArray]) -> FloatArray:
    """A sum in the order of whoosh's binary tree of intersection matchers."""
    if len(scores) == 1:
        return scores[0]
    half = len(scores) // 2
    total: FloatArray = _tree_sum(scores[:half]) + _tree_sum(scores[half:])
    return total


def _stepped(node: Any, segment: Segment, docs: IntArray) -> tuple[FloatArray, BoolArray]:
    """Any other node, answered by whoosh's matcher skipped along the documents."""
    score = np.zeros(len(docs))
    mask = np.zeros(len(docs), dtype=np.bool_)
    matcher = node.matcher(segment.searcher)
    for i, docnum in enumerate(docs.tolist()):
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
        if matcher.is_active() and matcher.id() == docnum:
            score[i], mask[i] = float(matcher.score()), True
    return score, mask
