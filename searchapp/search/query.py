"""Query understanding: what a person typed, turned into a safe whoosh query and an explanation.

    typed text -> quoted phrases (kept as typed) + loose words
    loose words -> concept mentions (synonyms.Matcher, typo tolerant: "spastisity",
                   "cancer spred to my spine") -> spelling of the remaining words against
                   the index vocabulary -> filler words dropped ("is there", "please")
    -> whoosh query: the person's own words and each concept's tag decide what
       matches; ranked by BM25 per field with field weights and a bonus for
       matching more of the query; then, for the best candidates, bonuses for a
       concept's clinical names and for the typed words standing close together.

User text is never parsed as query syntax: `AND`, `*`, `~`, `:` are characters.
`understand(..., expand=False, correct=False)` gives the plain baseline (the
typed words only); `correct=False` alone searches the words exactly as typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq

from indexer import analysis
from indexer.schema import TEXT_FIELDS
from synonyms import Match, Matcher
from synonyms.fuzzy import Speller

# Long pastes are cut to this many distinct words: beyond it more words only
# slow the search down without changing which summaries come first.
MAX_TERMS = 64
# A quoted phrase is checked word by word in every summary holding its words: a
# pasted paragraph in quotes would take seconds. Its first words are kept.
MAX_PHRASE_WORDS = 12
MAX_PHRASES = 8
# Before any analysis a search is cut to its first this many characters and words:
# spelling and concepts cost time for each word (a 3.9 KB paste of made-up words
# took 6.4 s, 480 of them 1.4 s on one process). And of the words neither the
# index nor the thesaurus knows, only the first few are tried for corrections
# (each is compared with the whole vocabulary).
MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 80
MAX_CORRECTED = 8
PHRASE = re.compile(r'"([^"]+)"')
_PROXIMITY_FIELDS = ("title", "key_findings", "simple_explanation", "research_summary")
# Words of a question that say nothing about its topic (stop words are dropped anyway).
FILLERS = frozenset("""
anything anyone anybody someone somebody something please thanks thank tell know knows
information info looking wondering question questions hi hello help helps helping helped
get gets getting got really actually also thing things stuff like lot lots kind sort maybe
possible say says said think thinks problem problems issue issues
""".split())
# How much a concept's clinical names count, against the person's own words (1.0).
EXPANSION_WEIGHT = 0.6
CONCEPT_TAG_WEIGHT = 2.0


@dataclass(frozen=True)
class Correction:
    typed: str
    corrected: str


@dataclass(frozen=True)
class Expansion:
    """One concept the query names, and what it was widened to."""

    concept_id: str
    preferred: str
    group: str
    matched: str  # the person's words that named it
    terms: tuple[str, ...]  # the clinical names searched for
    stems: tuple[tuple[str, ...], ...]  # each name's index terms
    typed_stems: tuple[str, ...]  # index terms of the person's words
    by_meaning: bool = False  # linked by the embedding model, not by a thesaurus term

    def to_dict(self) -> dict[str, Any]:
        return {"concept": self.concept_id, "preferred": self.preferred, "group": self.group,
                "matched": self.matched, "terms": list(self.terms),
                "found_by": "meaning" if self.by_meaning else "thesaurus"}


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    terms: tuple[str, ...] = ()  # index terms of the loose words not part of a concept
    phrases: tuple[tuple[str, ...], ...] = ()
    expansions: tuple[Expansion, ...] = ()
    corrections: tuple[Correction, ...] = ()
    truncated: bool = False
    highlight_terms: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.phrases and not self.expansions

    @property
    def corrected_text(self) -> str:
        """The query as searched, with corrections applied ("" when nothing was corrected)."""
        if not self.corrections:
            return ""
        text = self.text
        for c in self.corrections:
            text = re.sub(rf"(?i)\b{re.escape(c.typed)}\b", c.corrected, text, count=1)
        return text


def bounded(text: str) -> str:
    """`text` cut to MAX_QUERY_CHARS characters and MAX_QUERY_WORDS words, at a word's
    end (a quoted phrase cut short keeps its closing quote)."""
    cut = text
    if len(cut) > MAX_QUERY_CHARS:
        cut = cut[:MAX_QUERY_CHARS]
        if not text[MAX_QUERY_CHARS].isspace() and re.search(r"\s", cut):
            cut = re.sub(r"\S+$", "", cut)  # not half a word
    words = [m.end() for m in re.finditer(r"\S+", cut)]
    if len(words) > MAX_QUERY_WORDS:
        cut = cut[:words[MAX_QUERY_WORDS - 1]]
    if cut != text:
        cut = cut.rstrip()
        if cut.count('"') % 2:  # a quoted phrase cut short is still a phrase
            cut += '"'
    return cut


def cut_notice() -> str:
    return (f"Only part of a long search is used: its first {MAX_QUERY_CHARS} characters "
            f"and {MAX_QUERY_WORDS} words, of them the first {MAX_TERMS} different words, "
            f"the first {MAX_PHRASE_WORDS} words of a quoted phrase and the first "
            f"{MAX_PHRASES} phrases.")


class _Known:
    """Words not to correct: the speller's, and those past the correction budget."""

    def __init__(self, known: Collection[str], more: Collection[str]) -> None:
        self._known, self._more = known, more

    def __contains__(self, word: object) -> bool:
        return word in self._more or word in self._known

    def __iter__(self) -> Iterator[str]:
        yield from self._known
        yield from self._more

    def __len__(self) -> int:
        return len(self._known) + len(self._more)


def understand(
    text: str,
    matcher: Matcher | None = None,
    speller: Speller | None = None,
    *,
    expand: bool = True,
    correct: bool = True,
    generic: Callable[[str], bool] = lambda concept_id: False,
) -> ParsedQuery:
    """Parse what a person typed: concepts (`expand`), spelling (`correct`), phrases.

    Concepts for which `generic` is true (named by most of the collection) are
    not expanded: their words are searched as plain words. A long text is cut
    first (`bounded`), and `truncated` says so.
    """
    whole = text
    text = bounded(text)
    phrases = []
    cut = text != whole
    for found in PHRASE.finditer(text):
        phrase = tuple(analysis.analyze(found.group(1)))
        cut = cut or len(phrase) > MAX_PHRASE_WORDS
        if phrase:
            phrases.append(phrase[:MAX_PHRASE_WORDS])
    cut = cut or len(phrases) > MAX_PHRASES
    phrases = phrases[:MAX_PHRASES]
    loose = PHRASE.sub(" ", text).replace('"', " ")
    if not expand and not correct:
        plain = list(dict.fromkeys(analysis.analyze(loose)))
        return ParsedQuery(text, tuple(plain[:MAX_TERMS]), tuple(phrases), (), (),
                           cut or len(plain) > MAX_TERMS,
                           frozenset(plain[:MAX_TERMS]) | {t for p in phrases for t in p})

    tokens = list(analysis.tokens(loose))
    known: Collection[str] = speller.known if speller is not None else ()
    # The words tried for corrections: those no one knows (not the index, not the
    # thesaurus, not English), the first MAX_CORRECTED of them; the rest stay as typed.
    to_correct: frozenset[str] = frozenset()
    if correct and speller is not None:
        unknown = [w for w in dict.fromkeys(t.text for t in tokens)
                   if not analysis.is_stop(w) and not w.isdigit() and not speller.is_known(w)
                   and w not in analysis.english_words()]
        to_correct = frozenset(unknown[:MAX_CORRECTED])
        if len(unknown) > MAX_CORRECTED:
            known = _Known(known, frozenset(unknown[MAX_CORRECTED:]))
    matches = matcher.find(loose, fuzzy=correct, query=True, known=known, speller=speller) \
        if matcher is not None and expand else []
    corrections = [Correction(typed, fixed) for m in matches for typed, fixed in m.corrections]
    matches = [m for m in matches if not generic(m.concept.id)]
    expansions = _expansions(matches)
    covered = [(m.start, m.end) for m in matches]
    terms: list[str] = []
    for token in tokens:
        word = token.text
        if analysis.is_stop(word) or any(s <= token.start < e for s, e in covered):
            continue
        if word in FILLERS or word in analysis.NEGATIONS:
            # A negation alone matches nearly every summary; it counts inside phrases
            # and thesaurus terms ("can't pee"), not as a search word of its own.
            continue
        fixed_here = [c.corrected for c in corrections if c.typed == word]
        if fixed_here:
            terms.append(analysis.stem(fixed_here[0]))
        elif speller is not None and word in to_correct:
            fixed = speller.candidates(word, limit=1)
            if fixed:
                corrections.append(Correction(word, fixed[0]))
                terms.append(analysis.stem(fixed[0]))
        terms.append(analysis.stem(word))  # the typed word counts too
    terms = list(dict.fromkeys(terms))
    truncated = cut or len(terms) > MAX_TERMS
    terms = terms[:MAX_TERMS]
    highlight = set(terms) | {t for p in phrases for t in p}
    for expansion in expansions:
        highlight.update(expansion.typed_stems)
    return ParsedQuery(text, tuple(terms), tuple(phrases), tuple(expansions),
                       tuple(dict.fromkeys(corrections)), truncated, frozenset(highlight))


def _expansions(matches: list[Match]) -> list[Expansion]:
    by_concept: dict[str, Expansion] = {}
    for match in matches:
        concept = match.concept
        if concept.id in by_concept:
            continue
        names = concept.clinical_terms
        stems = tuple(dict.fromkeys(s for s in (tuple(analysis.analyze(n)) for n in names) if s))
        fixed = dict(match.corrections)
        typed = [analysis.stem(fixed.get(t.text, t.text)) for t in analysis.tokens(match.text)
                 if not analysis.is_stop(t.text)]
        by_concept[concept.id] = Expansion(
            concept.id, concept.preferred, concept.group, match.text, tuple(names), stems,
            tuple(typed))
    return list(by_concept.values())


def any_field(terms: tuple[str, ...], boost: float = 1.0, slop: int = 1,
              fields: tuple[str, ...] = tuple(TEXT_FIELDS)) -> wq.Query:
    """A word (or phrase) in any of `fields`, each weighted as TEXT_FIELDS says."""
    if len(terms) == 1:
        return wq.Or([wq.Term(name, terms[0], boost=TEXT_FIELDS[name] * boost)
                      for name in fields])
    return wq.Or([wq.Phrase(name, list(terms), slop=slop, boost=TEXT_FIELDS[name] * boost)
                  for name in fields])


def words_of(parsed: ParsedQuery) -> list[str]:
    """Index terms of every loose word typed, those naming a concept included."""
    return list(dict.fromkeys([*parsed.terms,
                               *(t for e in parsed.expansions for t in e.typed_stems)]))


def to_whoosh(parsed: ParsedQuery, common: Collection[str] = ()) -> Any:
    """The whoosh query that decides which summaries match `parsed` (not empty), and
    scores them: each word in any field (weighted by field), each concept's tag.

    Words in `common` (found in most summaries: "spinal", "injury" on an SCI site)
    add to the score of summaries that match the rest of the query, but do not
    make a summary match on their own, unless the query has nothing else; their
    long posting lists are then skipped through instead of scored for every
    summary. The phrase bonuses (`bonus_query`) are left out: phrases are costly
    to check in every summary, so the engine adds them for the best candidates.
    """
    words = words_of(parsed)
    rare = [w for w in words if w not in common]
    optional: list[wq.Query] = [any_field((t,)) for t in rare]
    optional += [wq.Term("concepts", e.concept_id, boost=CONCEPT_TAG_WEIGHT)
                 for e in parsed.expansions]
    frequent = [any_field((t,)) for t in words if t in common]
    if not optional:
        optional, frequent = frequent, []
    loose = wq.Or(optional, scale=0.9) if optional else None
    if loose is not None and frequent:
        loose = wq.AndMaybe(loose, wq.Or(frequent))
    if not parsed.phrases:
        assert loose is not None
        return loose
    required = wq.And([any_field(p) for p in parsed.phrases])
    return wq.AndMaybe(required, loose) if loose is not None else required


def _proximity(words: list[str]) -> wq.Query | None:
    """Words typed together score more when they stand together in the text."""
    if not 2 <= len(words) <= 6:
        return None
    return wq.Or([wq.Phrase(name, words, slop=4, boost=TEXT_FIELDS[name] * 0.5)
                  for name in _PROXIMITY_FIELDS])


def bonus_query(parsed: ParsedQuery) -> Any | None:
    """What `to_whoosh(phrases=False)` leaves out: each concept's clinical names (its
    tag is already counted) and the closeness of the typed words. None when empty."""
    parts: list[wq.Query] = []
    for expansion in parsed.expansions:
        names = [any_field(stems, EXPANSION_WEIGHT, fields=_PROXIMITY_FIELDS)
                 for stems in expansion.stems if stems != expansion.typed_stems]
        if names:
            weight = 0.5 if expansion.typed_stems in expansion.stems else 1.0
            parts.append(wq.DisjunctionMax(names, tiebreak=0.3, boost=weight))
    proximity = _proximity(words_of(parsed))
    if proximity is not None:
        parts.append(proximity)
    return wq.Or(parts) if parts else None
