"""The index schema: what whoosh keeps of each summary.

Weighted text fields (title > key findings > simple explanation > research
summary > implications and limitations), an unstemmed `words` field whose
lexicon is the vocabulary for spelling and autocomplete (each summary's
distinct words, read when it is tagged: no positions, no frequencies), facet fields
(categories, evidence level, year) and the stored record for result cards.
The text fields are given analysed (`analysed`): whoosh's writer only splits them.
Bump SCHEMA_VERSION whenever a field or the analysis changes: `scisearch
index` then rebuilds instead of mixing old and new terms.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from whoosh import fields
from whoosh.analysis import Token, Tokenizer

# 3: ids kept as given ("NCT00771238"), evidence levels by the design named first.
# 4: text fields given as their analysed terms, `words` as each summary's distinct
#    words (a keyword field): each text is analysed once, by the build.
SCHEMA_VERSION = 4

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


def analysed(terms: Iterable[str]) -> str:
    """A text field's value: its index terms in order (`indexer.analysis`: folded,
    stop words out, stemmed), as `TermsTokenizer` reads them back."""
    return " ".join(terms)  # a term never holds a space


class TermsTokenizer(Tokenizer):  # type: ignore[misc]
    """The index terms of a text analysed before (`analysed`), with their positions.

    The build reads each text once, with the thesaurus matcher, which analyses
    it the way `indexer.analysis.analyze` does: its terms come from there, and
    whoosh's writer processes only split them (half of their work before)."""

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
        if not value:
            return
        for pos, term in enumerate(value.split(" ") if tokenize else [value], start_pos):
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = pos
            yield token


def build_schema() -> fields.Schema:
    terms = TermsTokenizer()
    text_fields = {
        name: fields.TEXT(analyzer=terms, phrase=True) for name in TEXT_FIELDS
    }
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        words=fields.KEYWORD(lowercase=False, scorable=False),
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
