"""The thesaurus's records: concepts and their terms."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

KINDS = ("preferred", "clinical", "abbreviation", "lay", "misspelling")
CLINICAL_KINDS = ("preferred", "clinical", "abbreviation")


@dataclass(frozen=True)
class Term:
    text: str
    kind: str  # one of KINDS
    source: str = ""  # the reference vocabulary it came from, e.g. "MeSH:D003668"
    line: int | None = None
    # Senses: where the term names its concept (see the loader's docstring).
    query_only: bool = False  # read in a person's question, never used to tag a summary
    exact: bool = False  # in summaries, matched only as written (no other word endings)
    after: tuple[str, ...] = ()  # counts only right after one of these words
    not_near: tuple[str, ...] = ()  # does not count next to one of these words

    @property
    def senses(self) -> str:
        """The sense rules in one line ("" when none): part of the digest and the JSON."""
        parts = [*(["query_only"] if self.query_only else []), *(["exact"] if self.exact else []),
                 *([f"after={','.join(self.after)}"] if self.after else []),
                 *([f"not_near={','.join(self.not_near)}"] if self.not_near else [])]
        return ";".join(parts)


@dataclass(frozen=True)
class Concept:
    id: str
    preferred: str
    group: str
    terms: tuple[Term, ...]  # the preferred term first
    file: str = ""
    line: int | None = None

    def of_kind(self, *kinds: str) -> list[Term]:
        return [t for t in self.terms if t.kind in kinds]

    @property
    def clinical_terms(self) -> list[str]:
        """What a search for this concept expands to: the clinicians' names for it."""
        return [t.text for t in self.of_kind(*CLINICAL_KINDS)]


@dataclass(frozen=True)
class Thesaurus:
    concepts: tuple[Concept, ...]

    def __iter__(self) -> Iterator[Concept]:
        return iter(self.concepts)

    def __len__(self) -> int:
        return len(self.concepts)

    def by_id(self) -> dict[str, Concept]:
        return {c.id: c for c in self.concepts}

    @property
    def term_count(self) -> int:
        return sum(len(c.terms) for c in self.concepts)

    def digest(self) -> str:
        """A hash of the content: it changes whenever a concept or term does."""
        h = hashlib.sha256()
        for c in sorted(self.concepts, key=lambda c: c.id):
            h.update(f"{c.id}\t{c.preferred}\t{c.group}\n".encode())
            for t in c.terms:
                senses = f"\t{t.senses}" if t.senses else ""
                h.update(f"\t{t.kind}\t{t.text}{senses}\n".encode())
        return h.hexdigest()

    def to_json(self) -> list[dict[str, Any]]:
        """A compact, fast-to-load form (the index keeps the thesaurus it was built with)."""
        return [{"id": c.id, "preferred": c.preferred, "group": c.group,
                 "terms": [[t.text, t.kind, t.source, *([t.senses] if t.senses else [])]
                           for t in c.terms]} for c in self.concepts]

    @classmethod
    def from_json(cls, data: list[dict[str, Any]]) -> Thesaurus:
        return cls(tuple(
            Concept(c["id"], c["preferred"], c["group"],
                    tuple(_term_from_json(*t) for t in c["terms"]))
            for c in data))


def _term_from_json(text: str, kind: str, source: str, senses: str = "") -> Term:
    fields: dict[str, Any] = {}
    for part in filter(None, senses.split(";")):
        name, _, words = part.partition("=")
        fields[name] = tuple(words.split(",")) if words else True
    return Term(text, kind, source, **fields)
