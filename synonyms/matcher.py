"""Finding concept mentions in text: multi-word, longest match first, typo tolerant.

The matcher works on analysed tokens, handed to it by the caller (`Analysis`:
the indexer's tokenizer, stop-word test and stemmer), so "spreading" matches a
term written "spread" and "the" or "my" between words never breaks a phrase.
`synonyms` does not import the indexer: it is given the analysis it must use.

Used at index time (tag each summary with the concepts it mentions; exact) and
at query time (which concepts a person's words name; typo tolerant).
Abbreviations are matched in documents only as written (capitals: "AD", not
"ad"); in queries also in lower case, unless they are ordinary English words.

Senses (the thesaurus's `query_only`, `exact`, `after`, `not_near`) keep a word
from tagging its other meanings: a query-only term ("sex") is read in questions
but never tags a document; an exact term ("driving") tags documents only in its
written form, not in every word sharing its stem ("drive", "drives"); `after`
and `not_near` look at the words next to a mention, stop words included.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from synonyms.fuzzy import Speller, WordIndex
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
    words: tuple[str, ...]  # folded words of the term (its stop words left out)


class _Tok(NamedTuple):  # a tuple: a long summary has tens of thousands
    word: str  # folded surface word
    stem: str
    start: int
    end: int
    surface: str  # as written in the text
    # For a word not known, the corrections worth trying, best first, as (word, stem):
    # the one that completes a thesaurus term is taken ("pasing out" -> "passing out").
    corrections: tuple[tuple[str, str], ...] = ()
    # The words next to it, for senses: the word right before (a stop word or not) and
    # the nearest word before that is not a stop word; the same after.
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()

    def options(self) -> tuple[tuple[str, str], ...]:
        """The corrections first, then the word as typed (a listed misspelling may
        still name a concept)."""
        return (*self.corrections, (self.word, self.stem))


@dataclass(frozen=True)
class Prepared:
    """A text analysed once for matching (and for marking words in snippets)."""

    text: str
    tokens: tuple[_Tok, ...]

    def stems(self) -> Iterator[tuple[int, int, str]]:
        """(start, end, index term) of each word that is not a stop word."""
        return ((t.start, t.end, t.stem) for t in self.tokens)


class _Node:
    """A trie over term stems: each node's entries are the terms ending there."""

    __slots__ = ("children", "entries")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.entries: list[_Entry] = []


class Matcher:
    def __init__(self, thesaurus: Thesaurus, analysis: Analysis) -> None:
        self.analysis = analysis
        self.thesaurus = thesaurus
        self._root = _Node()
        words: set[str] = set()  # words of correctly spelled terms: what typos are fixed to
        self._correct_stems: set[str] = set()
        for concept in thesaurus:
            for term in concept.terms:
                toks = [t for t in analysis.tokens(term.text) if not analysis.is_stop(t.text)]
                if not toks:
                    continue
                stems = tuple(analysis.stem(t.text) for t in toks)
                abbreviation = term.text if term.kind == "abbreviation" else ""
                node = self._root
                for stem in stems:
                    node = node.children.setdefault(stem, _Node())
                entry = _Entry(stems, concept, term, abbreviation, tuple(t.text for t in toks))
                # A term needing a word before it is the narrower reading: tried first.
                node.entries.insert(0 if term.after else len(node.entries), entry)
                if term.kind != "misspelling":
                    words.update(t.text for t in toks)
                    self._correct_stems.update(stems)
        self.words = WordIndex(words)
        self._own_speller = Speller(self.words)

    def prepare(self, text: str, *, fuzzy: bool = False, known: Collection[str] = (),
                speller: Speller | None = None) -> Prepared:
        """Analyse `text` once; `find_prepared` can then be run on it any number of times."""
        return Prepared(text, tuple(self._tokens(text, fuzzy, known, speller)))

    def _tokens(self, text: str, fuzzy: bool, known: Collection[str],
                speller: Speller | None) -> list[_Tok]:
        speller = speller or self._own_speller
        result = []
        every = [(t.text, t.start, t.end) for t in self.analysis.tokens(text)]
        stop = [self.analysis.is_stop(word) for word, _, _ in every]
        for k, (word, start, end) in enumerate(every):
            if stop[k]:
                continue
            stem = self.analysis.stem(word)
            tok = _Tok(word, stem, start, end, text[start:end],
                       before=_neighbours(every, stop, range(k - 1, -1, -1)),
                       after=_neighbours(every, stop, range(k + 1, len(every))))
            # A word only known from a listed misspelling ("bowl") is still corrected.
            if fuzzy and stem not in self._correct_stems and word not in known \
                    and not word.isdigit():
                options = tuple((c, self.analysis.stem(c)) for c in speller.candidates(word))
                if options:
                    tok = tok._replace(corrections=options)
            result.append(tok)
        return result

    def find(self, text: str, *, fuzzy: bool = False, query: bool = False,
             known: Collection[str] = (), speller: Speller | None = None) -> list[Match]:
        """Concept mentions in `text`, left to right, the longest term winning at each place.

        `fuzzy` tries corrections of words within their typo budget (from
        `speller`, by default the thesaurus's own words), except for words in
        `known` (real words of the index, say). `query` reads lower-case
        abbreviations too.
        """
        prepared = self.prepare(text, fuzzy=fuzzy, known=known, speller=speller)
        return self.find_prepared(prepared, query=query or fuzzy)

    def find_prepared(self, prepared: Prepared, *, query: bool = False) -> list[Match]:
        return list(self._find(prepared.tokens, prepared.text, query))

    def _find(self, toks: tuple[_Tok, ...], text: str, query: bool) -> Iterator[Match]:
        i = 0
        while i < len(toks):
            best = self._walk(toks, i, i, self._root, (), query)
            if best is None:
                i += 1
                continue
            entry, j, corrections = best
            start, end = toks[i].start, toks[j - 1].end
            yield Match(entry.concept, entry.term, start, end, text[start:end], corrections)
            i = j

    def _walk(self, toks: tuple[_Tok, ...], start: int, j: int, node: _Node,
              corrections: tuple[tuple[str, str], ...], query: bool,
              ) -> tuple[_Entry, int, tuple[tuple[str, str], ...]] | None:
        """The longest term from toks[start] through this trie node, trying corrections."""
        if j >= len(toks):
            return None
        best: tuple[_Entry, int, tuple[tuple[str, str], ...]] | None = None
        tok = toks[j]
        for word, stem in tok.options():
            child = node.children.get(stem)
            if child is None:
                continue
            fixed = corrections + (((tok.word, word),) if word != tok.word else ())
            window = toks[start:j + 1]
            here = next((e for e in child.entries if (not e.abbreviation or (
                not fixed and self._abbreviation_ok(e, window, query)))
                and _in_sense(e, window, query)), None)
            found = self._walk(toks, start, j + 1, child, fixed, query)
            if found is None and here is not None:
                found = (here, j + 1, fixed)
            if found is not None and (best is None or found[1] > best[1]):
                best = found  # longer wins; at equal length the better correction
        return best

    @staticmethod
    def _abbreviation_ok(entry: _Entry, window: tuple[_Tok, ...], query: bool) -> bool:
        written = " ".join(t.surface for t in window)
        if written == entry.abbreviation:
            return True
        return query and written.lower() not in _ENGLISH_SHORT


def _neighbours(every: list[tuple[str, int, int]], stop: list[bool],
                steps: range) -> tuple[str, ...]:
    """The next word in `steps` order, and the nearest one that is not a stop word."""
    found: list[str] = []
    for k in steps:
        if not found or not stop[k]:
            found.append(every[k][0])
        if not stop[k]:
            break
    return tuple(found)


def _as_written(word: str, written: str) -> bool:
    """`word` is the term's word `written`, or its plural."""
    return word in (written, written + "s", written + "es")


def _in_sense(entry: _Entry, window: tuple[_Tok, ...], query: bool) -> bool:
    """Whether a mention of `entry` in `window` is in the concept's sense (the senses rules)."""
    term = entry.term
    if term.query_only and not query:
        return False
    if term.exact and not query and not (
            len(window) == len(entry.words)
            and all(_as_written(t.word, w) for t, w in zip(window, entry.words, strict=True))
            and all(window[k].before[:1] == (window[k - 1].word,)
                    for k in range(1, len(window)))):
        return False  # as written: the term's words, no other word between them
    if term.after and not set(term.after) & set(window[0].before[:1]):
        return False
    near = {*window[0].before, *window[-1].after}
    return not (term.not_near and near & set(term.not_near))
