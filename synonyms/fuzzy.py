"""Typo tolerance shared by the concept matcher and the query's spelling correction.

A word may be corrected only within its typo budget: none under 4 letters, 1
edit from 4 letters, 2 from 8. Edits are counted as people make them: a swap
of two neighbouring letters ("steriods") is one edit (optimal string alignment
distance). A different first letter costs one edit more: people rarely get
the first letter wrong, so such a correction is a weaker bet; except between
letters that sound alike ("sell" for "cell", "nee" for "knee" aside).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from rapidfuzz import process
from rapidfuzz.distance import OSA


def budget(word: str) -> int:
    if len(word) < 4:
        return 0
    return 1 if len(word) < 8 else 2


# First letters that people swap because they sound alike.
_SOUND_ALIKE = {frozenset(pair) for pair in ("cs", "ck", "kq", "gj", "iy", "ei", "fv", "sz")}


def cost(typed: str, candidate: str) -> int:
    """Edits from `typed` to `candidate`, plus one when the first letters differ
    (unless they sound alike)."""
    distance: int = OSA.distance(typed, candidate)
    first, other = typed[:1], candidate[:1]
    penalty = 0 if first == other or frozenset((first, other)) in _SOUND_ALIKE else 1
    return distance + penalty


class WordIndex:
    """A vocabulary ready for typo look-ups: words grouped by length, so that a look-up
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

    def candidates(self, word: str, limit: int = 8) -> list[tuple[str, int]]:
        """Corrections of `word` within its budget, as (word, cost), cheapest first."""
        allowed = budget(word)
        if not allowed:
            return []
        found: list[tuple[str, int]] = []
        for length in range(len(word) - allowed, len(word) + allowed + 1):
            pool = self._by_length.get(length)
            if not pool:
                continue
            for candidate, _, _ in process.extract(word, pool, scorer=OSA.distance,
                                                   score_cutoff=allowed, limit=limit):
                edits = cost(word, candidate)
                if candidate != word and edits <= allowed:
                    found.append((candidate, edits))
        found.sort(key=lambda c: (c[1], -self.frequency.get(c[0], 0), c[0]))
        return found[:limit]


# Sounds people spell as they hear them: a word with none of its corrections within
# budget is tried again with each of these rewritten ("infecshun" -> "infection").
_SOUNDS = (("shun", "tion"), ("shen", "tion"), ("chun", "tion"), ("sion", "tion"),
           ("ph", "f"), ("f", "ph"), ("nu", "neu"), ("new", "pneu"), ("k", "c"), ("c", "k"),
           ("z", "s"), ("ee", "ea"), ("ite", "ight"), ("er", "ur"), ("ur", "er"))


def sound_alikes(word: str) -> list[str]:
    """`word` with one kind of sound spelled another way, each way once."""
    return [word.replace(heard, spelled) for heard, spelled in _SOUNDS if heard in word]


CACHED_LOOKUPS = 20_000  # words whose corrections a Speller keeps


class Speller:
    """Corrections from several vocabularies: the cheapest first; at equal cost, words of
    the first vocabulary (the thesaurus: the domain's words) before the others, then the
    more frequent (by `frequency`)."""

    def __init__(self, *vocabularies: WordIndex, frequency: Mapping[str, int] | None = None,
                 known: Iterable[str] = ()) -> None:
        self.vocabularies = vocabularies
        self.frequency = dict(frequency or {})
        self.known = frozenset(known).union(*(v.words for v in vocabularies))
        # A question's unknown words are looked up twice (concepts, then words), and
        # often again by the next reader: a few milliseconds each.
        self._found: dict[str, list[str]] = {}

    def is_known(self, word: str) -> bool:
        return word in self.known

    def candidates(self, word: str, limit: int = 5) -> list[str]:
        """The best corrections of `word`: all those at the lowest cost, best first."""
        found = self._found.get(word)
        if found is None:
            if len(self._found) >= CACHED_LOOKUPS:
                self._found.clear()
            found = self._found[word] = self._candidates(word)
        return found[:limit]

    def _candidates(self, word: str) -> list[str]:
        """All the corrections of `word` at the lowest cost, best first."""
        ranked: dict[str, tuple[int, int, int]] = {}
        for priority, vocabulary in enumerate(self.vocabularies):
            for candidate, edits in vocabulary.candidates(word):
                rank = (edits, priority, -self.frequency.get(candidate, 0))
                if candidate not in ranked or rank < ranked[candidate]:
                    ranked[candidate] = rank
        if not ranked:
            ranked = self._by_sound(word)
        if not ranked:
            return []
        best = min(r[0] for r in ranked.values())
        chosen = sorted((r, c) for c, r in ranked.items() if r[0] == best)
        return [c for _, c in chosen]

    def _by_sound(self, word: str) -> dict[str, tuple[int, int, int]]:
        """Corrections of the word spelled by its sound: exact words first (one edit),
        then those within the budget of the rewritten word (one edit more)."""
        ranked: dict[str, tuple[int, int, int]] = {}
        for variant in sound_alikes(word):
            for priority, vocabulary in enumerate(self.vocabularies):
                found = [(variant, 0)] if variant in vocabulary else \
                    vocabulary.candidates(variant)
                for candidate, edits in found:
                    rank = (edits + 1, priority, -self.frequency.get(candidate, 0))
                    if candidate not in ranked or rank < ranked[candidate]:
                        ranked[candidate] = rank
        return ranked
