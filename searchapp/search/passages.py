"""Snippets, second time round: each shown summary's body analysed once, kept compact.

Building a snippet analyses the summary's body (every word's index term and
the concept mentions in it): on long trial records that was most of a search,
and the `synonyms.Prepared` form holds a few hundred bytes per word, so few
could be kept. `Analysed` keeps what the snippets use: the body text, each
word's offsets and index term as NumPy arrays (12 bytes a word) and the
concept mentions, found once. `PassageCache.snippet` gives exactly what
`snippets.snippet` gives on the prepared body.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from searchapp.search import snippets
from searchapp.search.postings import IntArray
from synonyms import Matcher


@dataclass(frozen=True)
class Analysed:
    text: str
    starts: IntArray
    ends: IntArray
    stems: IntArray  # ids in PassageCache's stem table
    mentions: tuple[snippets.Span, ...]  # (start, end, concept id)


class PassageCache:
    """Analysed bodies by summary id, least recently shown dropped past `max_words`."""

    def __init__(self, matcher: Matcher, max_words: int) -> None:
        self.matcher = matcher
        self.max_words = max_words
        self._stem_ids: dict[str, int] = {}
        self._stems: list[str] = []
        self._cache: OrderedDict[str, Analysed] = OrderedDict()
        self._words = 0

    def analysed(self, key: str, body: str) -> Analysed:
        cached = self._cache.get(key)
        if cached is not None and cached.text == body:
            self._cache.move_to_end(key)
            return cached
        prepared = self.matcher.prepare(body)
        ids = [self._stem_id(stem) for _, _, stem in prepared.stems()]
        analysed = Analysed(
            body,
            np.fromiter((t.start for t in prepared.tokens), dtype=np.int32),
            np.fromiter((t.end for t in prepared.tokens), dtype=np.int32),
            np.asarray(ids, dtype=np.int32),
            tuple((m.start, m.end, m.concept.id) for m in self.matcher.find_prepared(prepared)))
        self._cache[key] = analysed
        self._words += len(ids)
        while self._words > self.max_words and len(self._cache) > 1:
            _, dropped = self._cache.popitem(last=False)
            self._words -= len(dropped.stems)
        return analysed

    def snippet(self, analysed: Analysed, terms: Collection[str],
                concepts: Collection[str] = ()) -> str:
        """`snippets.snippet` of the body, from its analysis."""
        wanted = [self._stem_ids[t] for t in terms if t in self._stem_ids]
        found: list[snippets.Span] = []
        if wanted:
            at = np.flatnonzero(np.isin(analysed.stems, wanted))
            found = [(int(analysed.starts[i]), int(analysed.ends[i]),
                      self._stems[analysed.stems[i]]) for i in at]
        if concepts:
            found.extend(m for m in analysed.mentions if m[2] in concepts)
        return snippets.passage(analysed.text, snippets.merge(found))

    def _stem_id(self, stem: str) -> int:
        known = self._stem_ids.get(stem)
        if known is None:
            known = self._stem_ids[stem] = len(self._stems)
            self._stems.append(stem)
        return known
