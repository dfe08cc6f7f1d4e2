"""Autocomplete: what a person may be about to search for.

Built once per open index (by `SearchIndex.suggester`) from three sources:
the topics the summaries are tagged with (a concept's preferred name, with its
number of summaries), the thesaurus's other names for those topics (each shown
with the clinical name beside it: "bed sores (pressure injury)") and the
summaries' titles. Only topics that some summary is tagged with are offered,
so a suggestion never leads to an empty page.

A suggestion fits when every word typed is one of its words and the last,
perhaps half-typed, word begins one of them. Misspelt words are tolerated
within the thesaurus's typo budget ("spastis" still offers spasticity).
Suggestions are ranked: those that start as typed first, then by how many
summaries they lead to.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from indexer import analysis
from synonyms import Thesaurus
from synonyms.fuzzy import WordIndex, budget

KINDS = ("topic", "term", "title")
# The same topic under more names than this would crowd out other topics.
PER_CONCEPT = 2
MAX_LIMIT = 20


@dataclass(frozen=True)
class Suggestion:
    text: str  # what goes into the search box
    kind: str  # one of KINDS
    label: str  # what is shown: the text, with the clinical name for a lay term
    concept: str = ""  # the topic's concept id (topics and terms)
    preferred: str = ""  # the topic's clinical name (topics and terms)
    summary: str = ""  # the summary's id (titles)
    count: int = 0  # summaries on the topic

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "kind": self.kind, "label": self.label,
                "concept": self.concept or None, "preferred": self.preferred or None,
                "summary": self.summary or None, "count": self.count}


class Suggester:
    """Suggestions for a prefix, from topics, their names and titles."""

    def __init__(self, thesaurus: Thesaurus, topic_counts: Mapping[str, int],
                 titles: Iterable[tuple[str, str]]) -> None:
        self.entries: list[Suggestion] = []
        self._folded: list[str] = []
        by_word: dict[str, set[int]] = {}
        for suggestion in _entries(thesaurus, topic_counts, titles):
            number = len(self.entries)
            self.entries.append(suggestion)
            words = [t.text for t in analysis.tokens(suggestion.text)]
            self._folded.append(" ".join(words))
            for word in words:
                by_word.setdefault(word, set()).add(number)
        self._by_word = {word: frozenset(numbers) for word, numbers in by_word.items()}
        # The topics' names (folded) and their concepts, for "nearest topics".
        named = [(self._folded[n], s.concept) for n, s in enumerate(self.entries) if s.concept]
        self.names = [name for name, _ in named]
        self.name_concepts = [concept for _, concept in named]
        self._vocabulary = sorted(self._by_word)
        self._words = WordIndex(self._vocabulary)
        self._prefixes: dict[int, list[str]] = {}

    def suggest(self, text: str, limit: int = 8) -> list[Suggestion]:
        """At most `limit` suggestions for what has been typed so far, best first."""
        typed = [t.text for t in analysis.tokens(text)]
        if not typed or len(typed) > 8:
            return []
        *whole, last = typed
        partial = not text[-1:].isspace()  # "back " has a whole last word
        found: frozenset[int] | None = None
        for word in whole + ([] if partial else [last]):
            numbers = self._having(word)
            if not numbers and analysis.is_stop(word):
                continue  # "can i", "tips for": small words need not be in a suggestion
            found = numbers if found is None else found & numbers
        if partial:
            numbers = self._starting(last)
            found = numbers if found is None else found & numbers
        if not found:
            return []
        start = " ".join(typed)
        ranked = sorted(found, key=lambda n: (
            not self._folded[n].startswith(start), -self.entries[n].count,
            KINDS.index(self.entries[n].kind), len(self.entries[n].text), n))
        chosen: list[Suggestion] = []
        per_concept: dict[str, int] = {}
        for number in ranked:
            suggestion = self.entries[number]
            if suggestion.concept:
                seen = per_concept.get(suggestion.concept, 0)
                if seen >= PER_CONCEPT:
                    continue
                per_concept[suggestion.concept] = seen + 1
            chosen.append(suggestion)
            if len(chosen) >= min(limit, MAX_LIMIT):
                break
        return chosen

    def _having(self, word: str) -> frozenset[int]:
        """Suggestions with `word`, or with its closest spellings when none has it."""
        numbers = self._by_word.get(word)
        if numbers is not None:
            return numbers
        return _union(self._by_word[w] for w, _ in self._words.candidates(word, limit=3))

    def _starting(self, prefix: str) -> frozenset[int]:
        """Suggestions with a word that begins with `prefix` (or a close spelling of it)."""
        found = self._beginning_with(prefix)
        if found:
            return found
        allowed = budget(prefix)
        if not allowed:
            return frozenset()
        # Compare with the beginnings of the words, as long as what was typed.
        beginnings = self._beginnings(len(prefix))
        close = [begin for begin, _, _ in process.extract(
            prefix, beginnings, scorer=OSA.distance, score_cutoff=allowed, limit=5)
            if begin[:1] == prefix[:1]]
        return _union(self._beginning_with(begin) for begin in close)

    def _beginning_with(self, prefix: str) -> frozenset[int]:
        """Suggestions with a word that begins with `prefix` exactly."""
        first = bisect.bisect_left(self._vocabulary, prefix)
        last = bisect.bisect_left(self._vocabulary, prefix + "\uffff")
        return _union(self._by_word[w] for w in self._vocabulary[first:last])

    def _beginnings(self, length: int) -> list[str]:
        cached = self._prefixes.get(length)
        if cached is None:
            cached = sorted({w[:length] for w in self._vocabulary if len(w) >= length})
            self._prefixes[length] = cached
        return cached


def _entries(thesaurus: Thesaurus, topic_counts: Mapping[str, int],
             titles: Iterable[tuple[str, str]]) -> Iterable[Suggestion]:
    for concept in thesaurus:
        count = topic_counts.get(concept.id, 0)
        if not count:
            continue
        yield Suggestion(concept.preferred, "topic", concept.preferred, concept.id,
                         concept.preferred, count=count)
        seen = {analysis.fold(concept.preferred)}
        for term in concept.terms:
            folded = analysis.fold(term.text)
            if term.kind == "misspelling" or folded in seen:
                continue
            seen.add(folded)
            yield Suggestion(term.text, "term", f"{term.text} ({concept.preferred})",
                             concept.id, concept.preferred, count=count)
    for summary_id, title in titles:
        yield Suggestion(title, "title", title, summary=summary_id)


def _union(sets: Iterable[frozenset[int]]) -> frozenset[int]:
    result: set[int] = set()
    for numbers in sets:
        result |= numbers
    return frozenset(result)
