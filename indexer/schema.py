"""The index schema, and the whoosh adapter of `indexer.analysis`.

Weighted text fields (title > key findings > simple explanation > research
summary > implications and limitations), an unstemmed `words` field whose
lexicon is the vocabulary for spelling and autocomplete, facet fields
(categories, evidence level, year) and the stored record for result cards.
Bump SCHEMA_VERSION whenever a field or the analysis changes: `scisearch
index` then rebuilds instead of mixing old and new terms.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh import fields
from whoosh.analysis import Composable, Filter, Token, Tokenizer

from indexer import analysis

# 3: ids kept as given ("NCT00771238"), evidence levels by the design named first.
SCHEMA_VERSION = 3

# What a match in each field is worth: applied at query time (so tuning them
# needs no rebuild), as boosts on each field's BM25 score.
TEXT_FIELDS: dict[str, float] = {
    "title": 4.0,
    "key_findings": 2.0,
    "simple_explanation": 1.6,
    "research_summary": 1.0,
    "details": 0.7,
    "meta": 0.5,
}


class SciTokenizer(Tokenizer):  # type: ignore[misc]
    """Folded, stop-word-free word tokens with positions and character offsets."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for tok in analysis.tokens(value) if tokenize else [analysis.Token(value, 0, len(value))]:
            if tokenize and analysis.is_stop(tok.text):
                continue
            token.text = tok.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[tok.start:tok.end]
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + tok.start
                token.endchar = start_char + tok.end
            pos += 1
            yield token


class StemFilter(Filter):  # type: ignore[misc]
    """Snowball stems (with the irregular-plural table), cached."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = analysis.stem(token.text)
            yield token


def stemming_analyzer() -> Composable:
    return SciTokenizer() | StemFilter()


def word_analyzer() -> Composable:
    return SciTokenizer()


def build_schema() -> fields.Schema:
    stemmed = stemming_analyzer()
    text_fields = {
        name: fields.TEXT(analyzer=stemmed, phrase=True) for name in TEXT_FIELDS
    }
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        words=fields.TEXT(analyzer=word_analyzer(), phrase=False),
        categories=fields.KEYWORD(stored=True, commas=True, scorable=False, lowercase=False),
        # Thesaurus concept ids, once per mention: scored (BM25 on mentions) and a facet.
        concepts=fields.KEYWORD(scorable=True, lowercase=False),
        concept_ids=fields.STORED(),
        category=fields.ID(stored=True, sortable=True),
        evidence=fields.ID(stored=True, sortable=True),
        evidence_rank=fields.NUMERIC(stored=True, sortable=True),
        year=fields.NUMERIC(stored=True, sortable=True),
        published=fields.NUMERIC(stored=True, sortable=True, bits=32),
        source=fields.ID(stored=True),
        source_hash=fields.STORED(),
        record=fields.STORED(),
        **text_fields,
    )
