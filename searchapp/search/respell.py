"""Spelling beyond the typo budget: "did you mean", and real words typed for others.

    a rare word with a much more frequent neighbour ("bowl care") -> a respelling
    offered when many more summaries hold all its words ("did you mean")
    a real word no summary has ("leeks of urine") -> the respelled search, when the
    typed one finds nothing

Both leave a real English word alone unless the respelling brings the question
much closer in meaning to the collection: "will i ever walk again" is not about
"every". Without meaning they never respell a real word. The engine calls them
after `query.understand`, which corrects only words that are not real.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from indexer import analysis
from searchapp.search import query as query_mod
from searchapp.search.meaning import MeaningIndex
from synonyms.fuzzy import Speller, WordIndex

# Fewer summaries than this holding all the typed words, and a respelled query is
# looked for ("did you mean").
FEW_RESULTS = 3
# A real word is respelled only when the question gets at least this much closer
# in meaning to its nearest summary.
CLOSER_IN_MEANING = 0.05


def closer_in_meaning(meaning: MeaningIndex, typed: str, respelled: str) -> bool:
    """Whether `respelled` is much closer in meaning to the nearest summary."""
    before, after = meaning.embed_many([typed, respelled])
    return bool(meaning.similarities(after).max()
                >= meaning.similarities(before).max() + CLOSER_IN_MEANING)


def did_you_mean(text: str, parsed: query_mod.ParsedQuery, vocabulary: WordIndex,
                 speller: Speller, meaning: MeaningIndex | None,
                 holding_all: Callable[[str], int]) -> str:
    """A respelling of the query that fits many more summaries, or "".

    Words that exist in the index are not corrected by a search; when one of
    them is rare and a close word is much more common ("bowl" for "bowel"),
    the respelling is suggested if many more summaries hold all its words
    (`holding_all`). A word that named a concept ("poop") is not respelled.
    """
    english = analysis.english_words()
    named = {w for e in parsed.expansions for w in analysis.words(e.matched)}
    replacements = []
    looked_up = 0
    for token in analysis.tokens(text):
        word = token.text
        frequency = vocabulary.frequency.get(word, 0)
        if analysis.is_stop(word) or frequency > 2 or word in named:
            continue
        looked_up += 1
        if looked_up > query_mod.MAX_CORRECTED:  # a pasted page: as `understand` does
            break
        better = [c for c in speller.candidates(word)
                  if vocabulary.frequency.get(c, 0) >= max(5, 5 * frequency)
                  and (word not in english or meaning is not None)]
        if better:
            replacements.append((token.start, token.end, better[0], word in english))
    if not replacements:
        return ""
    respelled = text
    for start, end, word, _ in reversed(replacements):
        respelled = respelled[:start] + word + respelled[end:]
    before, after = holding_all(text), holding_all(respelled)
    if before >= FEW_RESULTS or after < max(3 * before, FEW_RESULTS):
        return ""
    if meaning is not None and any(real for *_, real in replacements) \
            and not closer_in_meaning(meaning, text, respelled):
        return ""
    return respelled


def real_word_fix(text: str, unfound: Sequence[str], vocabulary: WordIndex,
                  speller: Speller, meaning: MeaningIndex | None,
                  ) -> tuple[str, query_mod.Correction] | None:
    """The question with its one unfound real word respelled to a word of the
    collection ("leeks of urine" -> "leaks of urine"), when that brings it much
    closer in meaning; None otherwise (no such word, several: "stock market news"
    is not three typos, a question of one word, or no meaning)."""
    english = analysis.english_words()
    fixes = []
    for word in unfound:
        found = [c for c in speller.candidates(word) if c in vocabulary] \
            if word in english else []
        if found:
            fixes.append(query_mod.Correction(word, found[0]))
    words = [w for w in analysis.words(text) if w not in query_mod.FILLERS]
    if meaning is None or len(fixes) != 1 or len(words) < 2:
        return None
    [fix] = fixes
    respelled = re.sub(rf"(?i)\b{re.escape(fix.typed)}\b", fix.corrected, text)
    return (respelled, fix) if closer_in_meaning(meaning, text, respelled) else None
