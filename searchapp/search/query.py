"""Query understanding: what a person typed, turned into a safe whoosh query.

User text is never parsed as query syntax: `AND`, `*`, `~`, `:` and brackets
are just characters, and every word goes through the same analysis chain as
the index. Text in balanced double quotes is a phrase that must appear; the
other words are optional, ranked by BM25 per field (weights from
`indexer.schema.TEXT_FIELDS`) with a bonus for documents matching more of
them and for words that stand close together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq

from indexer import analysis
from indexer.schema import TEXT_FIELDS

# Long pastes are cut to this many distinct terms: beyond it more words only
# slow the search down without changing which summaries come first.
MAX_TERMS = 64
_PHRASE = re.compile(r'"([^"]+)"')
_PROXIMITY_FIELDS = ("title", "key_findings", "simple_explanation", "research_summary")


@dataclass(frozen=True)
class ParsedQuery:
    """The analysed query: index terms of the loose words, and the quoted phrases."""

    text: str
    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    truncated: bool = False
    highlight_terms: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.phrases


def parse(text: str) -> ParsedQuery:
    phrases = []
    for match in _PHRASE.finditer(text):
        phrase = tuple(analysis.analyze(match.group(1)))
        if phrase:
            phrases.append(phrase)
    loose = _PHRASE.sub(" ", text).replace('"', " ")
    terms = list(dict.fromkeys(analysis.analyze(loose)))
    truncated = len(terms) > MAX_TERMS
    terms = terms[:MAX_TERMS]
    highlight = set(terms) | {t for phrase in phrases for t in phrase}
    return ParsedQuery(text, tuple(terms), tuple(phrases[:8]), truncated, frozenset(highlight))


def _term_any_field(term: str) -> wq.Query:
    return wq.Or([wq.Term(name, term, boost=weight) for name, weight in TEXT_FIELDS.items()])


def _phrase_any_field(terms: tuple[str, ...], slop: int = 1, boost: float = 1.0) -> wq.Query:
    if len(terms) == 1:
        return _term_any_field(terms[0])
    return wq.Or([wq.Phrase(name, list(terms), slop=slop, boost=weight * boost)
                  for name, weight in TEXT_FIELDS.items()])


def to_whoosh(parsed: ParsedQuery) -> Any:
    """The whoosh query for `parsed` (which must not be empty)."""
    optional: list[wq.Query] = [_term_any_field(t) for t in parsed.terms]
    if 2 <= len(parsed.terms) <= 6:
        # Words typed together score more when they stand together in the text.
        optional.append(wq.Or([
            wq.Phrase(name, list(parsed.terms), slop=4, boost=TEXT_FIELDS[name] * 0.5)
            for name in _PROXIMITY_FIELDS
        ]))
    loose = wq.Or(optional, scale=0.9) if optional else None
    if not parsed.phrases:
        assert loose is not None
        return loose
    required = wq.And([_phrase_any_field(p) for p in parsed.phrases])
    return wq.AndMaybe(required, loose) if loose is not None else required
