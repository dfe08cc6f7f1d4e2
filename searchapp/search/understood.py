"""Query understanding, second pass: what the collection knows of the question.

    ParsedQuery (concepts by thesaurus, corrections) -> the question's leftover
    phrases linked to concepts by meaning ("feeling really down" -> depression)
    -> the words that carry its meaning found neither in the collection nor by
    meaning ("lasagne recipe"): `Reach`

When most of those words are unknown, the engine answers "Nothing about ..."
instead of a list matched on the one ordinary word left ("best"). The words not
found are always reported, never dropped silently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from indexer import analysis
from searchapp.search import query as query_mod
from searchapp.search.meaning import MeaningIndex
from synonyms.fuzzy import WordIndex
from synonyms.model import Concept

# A phrase linked by meaning has at most this many words; a question with more
# than MAX_LEFTOVER words the thesaurus did not know is a sentence, not a list of
# names, and its meaning ranking covers it (each span is a text to embed).
MAX_PHRASE_WORDS = 4
# Stop words that end a phrase's meaning ("feeling down", "throwing up"); other
# stop words at the end of a linked phrase ("headache and") are not shown as the
# reader's words.
PARTICLES = frozenset({"down", "up", "out", "off", "over", "back", "on", "in", "away"})
MAX_LEFTOVER = 12
MAX_SPANS = 8
# ... and is not linked when a generic concept, or another concept, is this close
# to it too.
MARGIN = 0.03
# How close in meaning the nearest summary must be for a question naming no topic
# to be answered: off-topic questions scored 0.09-0.25 on the bundled corpus and
# 0.16-0.28 on the trials; the dev sets' questions, over 0.30 and 0.41 once their
# typos are fixed. With a word no summary has, a little closer; with half its
# words unfound, closer still ("hair loss" is 0.25 from a summary on bone loss;
# "leaks of urine", 0.39 from one on incontinence that never says "urine").
UNRELATED_SIMILARITY = 0.25
SOME_UNFOUND_SIMILARITY = 0.30
RELATED_SIMILARITY = 0.35
# A question naming no topic whose words found in the collection no summary holds
# together ("shingles vaccine side effects") is answered only when a summary is
# this close: the dev sets' such questions scored 0.41 and over, off-topic ones
# written for tuning (not the held-out ones) 0.25-0.40 on the trials.
APART_SIMILARITY = 0.40
# ... when one of those words is rare here (in this share of the summaries or
# fewer, or in one): the question is about something the collection barely
# mentions. Without one, its words are ordinary ones ("wont talk to anyone since
# her accident") and the summaries closest in meaning are the answer.
RARE_SHARE = 0.005
# A word in more than this share of the summaries says little of what a question is
# about ("works", "help").
COMMON_SHARE = 0.3


@dataclass(frozen=True)
class Reach:
    """The content words of a question and which of them the collection lacks."""

    words: tuple[str, ...]  # as typed (folded), filler and stop words aside
    unfound: tuple[str, ...]
    topic: bool = False  # the question names a concept some summary is about
    loose: tuple[str, ...] = ()  # the words outside the concepts it names

    @property
    def found_loose(self) -> tuple[str, ...]:
        """The words outside the concepts it names that some summary has."""
        return tuple(w for w in self.loose if w not in self.unfound)

    def nothing_about(self, best: float | None,
                      together: Callable[[tuple[str, ...]], bool],
                      holding: Callable[[str], int], total: int) -> bool:
        """Whether the collection has nothing about the question: no summary is even
        loosely close in meaning (`best`, the highest similarity, under
        UNRELATED_SIMILARITY) and none holds all its words outside the concepts it
        names (`together`, whether some summary holds all the words given): they
        are there only apart, in other senses ("stock market news", "dog food");
        or, when it names no topic of the collection, no summary holds the words of
        it that the collection has together, one of them is rare (`holding`: how
        many of the `total` summaries hold a word) and none is close
        (APART_SIMILARITY, "shingles vaccine side effects"), it has unfound words
        and none is close (SOME_UNFOUND_SIMILARITY, "taylor swift tickets"), or
        half its words or more
        are unfound and none is near (RELATED_SIMILARITY, "hair loss"). Without
        meaning (`best` None): half its words or more are unfound and it names no
        topic."""
        if not self.words:
            return False
        half = bool(self.unfound) and 2 * len(self.unfound) >= len(self.words)
        if best is None:
            return half and not self.topic
        if best < UNRELATED_SIMILARITY and not together(self.loose) and not (
                # ... unless it names a topic and its other known words, not all common
                # ones, are together in some summary ("my sister wont talk to anyone
                # since her accident").
                self.topic and any(holding(w) <= COMMON_SHARE * total
                                   for w in self.found_loose)
                and together(self.found_loose)):
            return True
        if self.topic:
            return False
        rare = max(1.0, RARE_SHARE * total)  # one summary, in a small collection
        if best < APART_SIMILARITY and any(holding(w) <= rare for w in self.found_loose) \
                and not together(self.found_loose):
            return True
        if half:
            return best < RELATED_SIMILARITY
        return bool(self.unfound) and best < SOME_UNFOUND_SIMILARITY


_STOP_TYPOS = WordIndex(analysis.STOP_WORDS | query_mod.FILLERS)


def content(word: str) -> bool:
    """A word that may carry the question's meaning: not a stop or filler word, nor a
    negation or a number."""
    return not (analysis.is_stop(word) or word in query_mod.FILLERS
                or word in analysis.NEGATIONS or word.isdigit())


def _leftover_phrases(parsed: query_mod.ParsedQuery) -> list[list[str]]:
    """Runs of typed words outside quotes and concept matches."""
    loose = query_mod.PHRASE.sub(" ", parsed.text).replace('"', " ")
    covered = {w for e in parsed.expansions for w in analysis.words(e.matched)}
    runs: list[list[str]] = [[]]
    for token in analysis.tokens(loose):
        if token.text in covered:
            runs.append([])
        else:
            runs[-1].append(token.text)
    return [run for run in runs if any(content(w) for w in run)]


def _candidates(run: list[str], known: Callable[[str], bool]) -> list[tuple[int, int]]:
    """Spans (start, end) of a run that may name a concept: stretches of two to
    MAX_PHRASE_WORDS words from a word that carries meaning ("feeling really down"),
    and single words the collection does not have."""
    spans = [(i, j) for i in range(len(run)) if content(run[i])
             for j in range(i + 2, min(len(run), i + MAX_PHRASE_WORDS) + 1)
             if run[j - 1] not in query_mod.FILLERS]
    spans += [(i, i + 1) for i, w in enumerate(run) if content(w) and not known(w)]
    # The shortest first, at most MAX_SPANS of them: each is a text to embed.
    return sorted(spans, key=lambda span: (span[1] - span[0], span))[:MAX_SPANS]


def _narrower(words: list[str], name: str) -> bool:
    """Whether a concept's `name` is one word of the reader's with more said: "meds"
    is close to "ED meds", "pills" to "pain pills", "flare" to "ms flare", but the
    word alone names none of them."""
    if len(words) != 1:
        return False
    named = [w for w in analysis.words(name) if content(w)]
    return len(named) > 1 and analysis.stem(words[0]) in {analysis.stem(w) for w in named}


def by_meaning(parsed: query_mod.ParsedQuery, meaning: MeaningIndex,
               concepts: dict[str, Concept], tagged: Callable[[str], bool],
               generic: Callable[[str], bool], known: Callable[[str], bool],
               ) -> query_mod.ParsedQuery:
    """`parsed` with each leftover phrase linked to its nearest concept, when one is
    close enough. A phrase of words all in the collection is linked only when it has
    two or more of them: a single known word is searched as itself. A phrase about as
    close to a generic concept (spinal cord injury, on this site) names nothing more
    specific ("after spinal injury" is not rehabilitation)."""
    found = []
    named = {e.concept_id for e in parsed.expansions}
    runs = _leftover_phrases(parsed)
    if sum(len(run) for run in runs) > MAX_LEFTOVER:
        return parsed
    for run in runs:
        spans = _candidates(run, known)
        texts = [" ".join(run[i:j]) for i, j in spans]
        # The closest spans first; a span overlapping one taken is skipped.
        best = []
        for span, nearest in zip(spans, meaning.nearest_concepts(texts, limit=3),
                                 strict=True):
            # A span about as close to a generic concept, or to a second concept,
            # names nothing in particular ("since my accident": acute or chronic?).
            if nearest and not any((generic(c) or k > 0) and s >= nearest[0][2] - MARGIN
                                   for k, (c, _, s) in enumerate(nearest)) \
                    and not _narrower(run[span[0]:span[1]], nearest[0][1]):
                best.append((nearest[0][2], span, nearest[0][0]))
        taken: set[int] = set()
        for _, (i, j), concept_id in sorted(best, reverse=True):
            concept = concepts.get(concept_id)
            if (concept is None or concept_id in named or not tagged(concept_id)
                    or taken & set(range(i, j))):
                continue
            named.add(concept_id)
            taken.update(range(i, j))
            shown = run[i:j]
            while len(shown) > 1 and not content(shown[-1]) and shown[-1] not in PARTICLES:
                shown = shown[:-1]
            words = [w for w in shown if content(w)]
            names = concept.clinical_terms
            found.append(query_mod.Expansion(
                concept_id, concept.preferred, concept.group, " ".join(shown),
                tuple(names),
                tuple(dict.fromkeys(s for s in (tuple(analysis.analyze(n)) for n in names)
                                    if s)),
                tuple(analysis.stem(w) for w in words), by_meaning=True))
    if not found:
        return parsed
    return dataclasses.replace(parsed, expansions=parsed.expansions + tuple(found))


def reach(parsed: query_mod.ParsedQuery, known: Callable[[str], bool],
          tagged: Callable[[str], bool]) -> Reach:
    """Which content words of the question are `known` to the collection (as typed or
    as corrected), inside a concept's words, or linked by meaning."""
    loose = query_mod.PHRASE.sub(" ", parsed.text).replace('"', " ")
    covered = {w for e in parsed.expansions for w in analysis.words(e.matched)}
    fixed = {c.typed: c.corrected for c in parsed.corrections}
    words = list(dict.fromkeys(w for w in analysis.words(loose) if content(w)))
    # An unknown word one typo from a stop word is that word ("agian"): it says nothing.
    unfound = [w for w in words if w not in covered and not known(w)
               and not (w in fixed and known(fixed[w]))]
    typos = {w for w in unfound if _STOP_TYPOS.candidates(w, limit=1)}
    words = [w for w in words if w not in typos]
    unfound = [w for w in unfound if w not in typos]
    return Reach(tuple(words), tuple(unfound),
                 any(tagged(e.concept_id) for e in parsed.expansions),
                 tuple(w for w in words if w not in covered))
