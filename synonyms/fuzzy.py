"""Typo tolerance shared by the concept matcher and the query's spelling correction.

A word may be corrected only within its typo budget: none under 4 letters, 1
edit from 4 letters, 2 from 8. A different first letter costs one edit more:
people rarely get the first letter wrong, so such a correction is a weaker bet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein


def budget(word: str) -> int:
    if len(word) < 4:
        return 0
    return 1 if len(word) < 8 else 2


def cost(typed: str, candidate: str) -> int:
    """Edits from `typed` to `candidate`, plus one when the first letters differ."""
    distance: int = Levenshtein.distance(typed, candidate)
    return distance + (1 if typed[:1] != candidate[:1] else 0)


def closest(
    word: str,
    vocabulary: Collection[str],
    frequency: Mapping[str, int] | None = None,
    limit: int = 8,
) -> tuple[str, int] | None:
    """The best correction of `word` in `vocabulary` within budget, as (word, cost), or None.

    Ties go to the more frequent word (by `frequency`), then alphabetical order.
    """
    allowed = budget(word)
    if not allowed or not vocabulary:
        return None
    found = process.extract(word, vocabulary, scorer=Levenshtein.distance,
                            score_cutoff=allowed, limit=limit)
    best: tuple[int, int, str] | None = None
    for candidate, _, _ in found:
        if candidate == word or abs(len(candidate) - len(word)) > allowed:
            continue
        edits = cost(word, candidate)
        if edits > allowed:
            continue
        rank = (edits, -(frequency or {}).get(candidate, 0), candidate)
        if best is None or rank < best:
            best = rank
    return (best[2], best[0]) if best else None


class WordIndex:
    """A vocabulary ready for `closest` look-ups: words grouped by length, so a look-up
    compares only with words whose length is within the typo budget."""

    def __init__(self, words: Iterable[str], frequency: Mapping[str, int] | None = None) -> None:
        self.words = frozenset(words)
        self.frequency = dict(frequency or {})
        by_length: dict[int, list[str]] = defaultdict(list)
        for word in self.words:
            by_length[len(word)].append(word)
        self._by_length = {n: tuple(sorted(ws)) for n, ws in by_length.items()}

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def __len__(self) -> int:
        return len(self.words)

    def closest(self, word: str) -> tuple[str, int] | None:
        allowed = budget(word)
        if not allowed:
            return None
        candidates = [w for n in range(len(word) - allowed, len(word) + allowed + 1)
                      for w in self._by_length.get(n, ())]
        return closest(word, candidates, self.frequency)
