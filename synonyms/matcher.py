"""Finding concept mentions in text: multi-word, longest match first, typo tolerant.

The matcher works on analysed tokens, handed to it by the caller (`Analysis`:
the indexer's tokenizer, stop-word test and stemmer), so "spreading" matches a
term written "spread" and "the" or "my" between words never breaks a phrase.
`synonyms` does not import the indexer: it is given the analysis it must use.

Used at index time (tag each summary with the concepts it mentions; exact) and
at query time (which concepts a person's words name; typo tolerant).
Abbreviations are matched in documents only as written (capitals: "AD", not
"ad"); in queries also in lower case, unless they are ordinary English words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from synonyms.fuzzy import WordIndex
from synonyms.model import Concept, Term, Thesaurus

# Two- and three-letter words that are also abbreviations in the thesaurus: in a
# query typed in lower case they are read as words, not abbreviations.
_ENGLISH_SHORT = frozenset(
    "ad ads am an as at be by do go he hi ho if in is it me my no of oh ok on or pi so to up "
    "us we ache act add age ago aid aim air all and any arm art ask bad bag bed big bit box "
    "boy bus but buy can car cat cut day did die dog dry due ear eat egg end eye far fat few "
    "fit fix fly for fun get got gut had has hat her him hip his hit hot how ice ill its job "
    "key kid lab lay leg let lie lot low mad man map may men mix mom new nor not now odd off "
    "old one our out own pad pay pen per pet pot put ran raw red rid row run sad sat saw say "
    "sea see set she sit six son sun tap tea ten the tie tip toe too top toy try two use van "
    "war was way web wet who why win won yes yet you".split())


class TokenLike(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


class Analysis(Protocol):
    """What the matcher needs from the indexer's analysis chain."""

    def tokens(self, text: str) -> Iterable[TokenLike]: ...
    def is_stop(self, word: str) -> bool: ...
    def stem(self, word: str) -> str: ...


@dataclass(frozen=True)
class Match:
    """One mention of a concept in a text."""

    concept: Concept
    term: Term  # the thesaurus term that matched
    start: int  # character offsets of the mention in the text
    end: int
    text: str  # the mention as written
    corrections: tuple[tuple[str, str], ...] = ()  # (typed word, thesaurus word) pairs

    @property
    def corrected(self) -> bool:
        return bool(self.corrections)


@dataclass(frozen=True)
class _Entry:
    stems: tuple[str, ...]
    concept: Concept
    term: Term
    abbreviation: str  # the abbreviation as written, when the term is one


@dataclass(frozen=True)
class _Tok:
    word: str  # folded surface word
    stem: str
    start: int
    end: int
    surface: str  # as written in the text
    typed: str = ""  # the word typed, when `word` is a correction of it


class Matcher:
    def __init__(self, thesaurus: Thesaurus, analysis: Analysis) -> None:
        self.analysis = analysis
        self.thesaurus = thesaurus
        self._entries: dict[str, list[_Entry]] = defaultdict(list)
        words: set[str] = set()
        for concept in thesaurus:
            for term in concept.terms:
                toks = [t for t in analysis.tokens(term.text) if not analysis.is_stop(t.text)]
                if not toks:
                    continue
                stems = tuple(analysis.stem(t.text) for t in toks)
                abbreviation = term.text if term.kind == "abbreviation" else ""
                self._entries[stems[0]].append(_Entry(stems, concept, term, abbreviation))
                words.update(t.text for t in toks)
        for entries in self._entries.values():
            entries.sort(key=lambda e: -len(e.stems))  # longest first
        self._stems = {stem for entries in self._entries.values() for e in entries
                       for stem in e.stems}
        self.words = WordIndex(words)

    def _tokens(self, text: str, fuzzy: bool, known: Collection[str]) -> list[_Tok]:
        result = []
        for token in self.analysis.tokens(text):
            word = token.text
            if self.analysis.is_stop(word):
                continue
            stem = self.analysis.stem(word)
            surface = text[token.start:token.end]
            if fuzzy and stem not in self._stems and word not in known:
                fixed = self.words.closest(word)
                if fixed is not None:
                    result.append(_Tok(fixed[0], self.analysis.stem(fixed[0]), token.start,
                                       token.end, surface, typed=word))
                    continue
            result.append(_Tok(word, stem, token.start, token.end, surface))
        return result

    def find(self, text: str, *, fuzzy: bool = False, query: bool = False,
             known: Collection[str] = ()) -> list[Match]:
        """Concept mentions in `text`, left to right, the longest term winning at each place.

        `fuzzy` corrects words within their typo budget towards thesaurus words,
        except words in `known` (real words of the index, say). `query` reads
        lower-case abbreviations too.
        """
        return list(self._find(self._tokens(text, fuzzy, known), text, query or fuzzy))

    def _find(self, toks: list[_Tok], text: str, query: bool) -> Iterator[Match]:
        i = 0
        while i < len(toks):
            for entry in self._entries.get(toks[i].stem, ()):
                n = len(entry.stems)
                window = toks[i:i + n]
                if len(window) < n or any(t.stem != s for t, s in zip(window, entry.stems,
                                                                       strict=True)):
                    continue
                if entry.abbreviation and not self._abbreviation_ok(entry, window, query):
                    continue
                start, end = window[0].start, window[-1].end
                corrections = tuple((t.typed, t.word) for t in window if t.typed)
                yield Match(entry.concept, entry.term, start, end, text[start:end], corrections)
                i += n
                break
            else:
                i += 1

    @staticmethod
    def _abbreviation_ok(entry: _Entry, window: list[_Tok], query: bool) -> bool:
        written = " ".join(t.surface for t in window)
        if written == entry.abbreviation:
            return True
        return query and written.lower() not in _ENGLISH_SHORT and not any(
            t.typed for t in window)
