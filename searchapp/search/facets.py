"""Facets: how many of the matching summaries hold each facet value.

`Facets` keeps, per facet, which summaries hold each value (read once from the
index), turns a request's filters into sets of summaries, and counts every
value over a search's matches, disjunctively within a facet and conjunctively
across facets. `FacetTable` lays each facet out once as two NumPy arrays (document, value) so a
search counts every value of a facet with one bincount over the mask of
matching documents, instead of one set intersection per value (topics alone
have hundreds). Counts are exact: every matching summary, not only the top.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from indexer import evidence
from searchapp.search.postings import BoolArray, IntArray
from searchapp.search.results import (
    FACET_FIELDS,
    FacetValue,
    SearchRequest,
    SearchRequestError,
    facet_key,
    facet_value,
    year_label,
    year_range,
    year_span,
)
from searchapp.search.scoring import Matches

# Values listed per facet (the most frequent; topics run to hundreds on a broad search).
FACET_VALUES = 40


class FacetTable:
    """The (document, value) pairs of one facet."""

    def __init__(self, by_value: Mapping[str, Iterable[int]]) -> None:
        self.values = list(by_value)
        self.index = {value: i for i, value in enumerate(self.values)}
        docs = [np.fromiter(by_value[v], dtype=np.int64) for v in self.values]
        self.docs: IntArray = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
        self.value_of: IntArray = np.repeat(np.arange(len(self.values), dtype=np.int64),
                                            [len(d) for d in docs])

    def counts(self, base: BoolArray) -> dict[str, int]:
        """How many documents of `base` hold each value (values held by none left out)."""
        counted = np.bincount(self.value_of[base[self.docs]], minlength=len(self.values))
        return {self.values[i]: int(counted[i]) for i in np.flatnonzero(counted)}


    def in_order(self, values: Iterable[str]) -> list[str]:
        """`values` in the facet's own order (the order ties are shown in)."""
        return sorted(values, key=self.index.__getitem__)


def mask(docs: Iterable[int], size: int) -> BoolArray:
    """A boolean mask of `size` documents, true at `docs`."""
    result = np.zeros(size, dtype=np.bool_)
    ids = np.fromiter(docs, dtype=np.int64)
    if len(ids):
        result[ids] = True
    return result


class Facets:
    """The index's facet values and the summaries holding each (years by span)."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self.docs = {name: self._postings(fieldname)
                     for name, fieldname in FACET_FIELDS.items() if name != "year"}
        self._year_docs = self._years()
        self.docs["year"] = self._year_spans()
        self._tables = {name: FacetTable(by_value) for name, by_value in self.docs.items()}
        self._size = reader.doc_count_all()

    def _postings(self, fieldname: str) -> dict[str, frozenset[int]]:
        reader = self._reader
        docs: dict[str, frozenset[int]] = {}
        for raw in reader.lexicon(fieldname):
            value = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
            ids = reader.postings(fieldname, value).all_ids()
            live = frozenset(d for d in ids if not reader.is_deleted(d))
            if live:
                docs[value] = live
        return docs

    def _years(self) -> dict[int, frozenset[int]]:
        """Live documents by year (summaries without a year are left out)."""
        reader = self._reader
        column = reader.column_reader("year")
        by_year: dict[int, set[int]] = {}
        for docnum in range(reader.doc_count_all()):
            year = column[docnum]
            if year and not reader.is_deleted(docnum):
                by_year.setdefault(int(year), set()).add(docnum)
        return {year: frozenset(docs) for year, docs in by_year.items()}

    def _year_spans(self) -> dict[str, frozenset[int]]:
        spans: dict[str, set[int]] = {}
        for year, docs in self._year_docs.items():
            spans.setdefault(year_span(year), set()).update(docs)
        return {span: frozenset(docs) for span, docs in spans.items()}

    def docs_for(self, name: str, value: str) -> frozenset[int]:
        if name != "year":
            return self.docs[name].get(facet_key(name, value), frozenset())
        known = self.docs["year"].get(value)
        if known is not None:
            return known
        first, last = year_range(value)
        docs: set[int] = set()
        for year, with_year in self._year_docs.items():
            if first <= year <= last:
                docs |= with_year
        return frozenset(docs)

    def check(self, request: SearchRequest) -> None:
        """Raise SearchRequestError naming the filter and its accepted values when a
        filter value is unknown here (years are checked by SearchRequest)."""
        unknown = self.unknown(request)
        if unknown:
            name, value = unknown[0]
            raise SearchRequestError(
                name, f"{name} '{value[:40]}' is not a value of this filter: use "
                f"{_accepted(name, self.docs[name])}")

    def unknown(self, request: SearchRequest) -> list[tuple[str, str]]:
        """The (filter, value) pairs of `request` that are not values here."""
        return [(name, value) for name, values in request.filters.items()
                for value in values if not self.knows(name, value)]

    def knows(self, name: str, value: str) -> bool:
        """Whether `value` is one of filter `name`'s: any evidence level (by name, key
        or label), a category or topic some summary has, any year or range."""
        if name == "year":
            return True
        key = facet_key(name, value)
        return key in (evidence.BY_KEY if name == "evidence_level" else self.docs[name])

    def allowed(self, request: SearchRequest) -> dict[str, set[int]]:
        allowed: dict[str, set[int]] = {}
        for name, values in request.filters.items():
            if values:
                docs: set[int] = set()
                for value in values:
                    docs |= self.docs_for(name, value)
                allowed[name] = docs
        return allowed

    def counts(
        self, matched: set[int], request: SearchRequest, topic_name: Callable[[str], str],
        allowed: Mapping[str, set[int]] | None = None,
    ) -> dict[str, tuple[FacetValue, ...]]:
        """Each facet's values with their counts among `matched`: a facet's own
        selection does not narrow its counts, the others' do."""
        allowed = allowed or {}
        size = self._size
        matched_mask = matched.mask if isinstance(matched, Matches) \
            else mask(matched, size)
        allowed_masks = {name: mask(docs, size) for name, docs in allowed.items()}
        facets: dict[str, tuple[FacetValue, ...]] = {}
        for name, table in self._tables.items():
            # Disjunctive: a facet's counts ignore its own selection, not the others'.
            base = matched_mask
            for other, docs in allowed_masks.items():
                if other != name:
                    base = base & docs
            chosen = {facet_key(name, v) for v in request.filters.get(name, ())}
            counts = table.counts(base)
            values = [
                FacetValue(facet_value(name, key), counts.get(key, 0),
                           _label(name, key, topic_name), key in chosen)
                for key in table.in_order(counts.keys() | (chosen & table.index.keys()))
            ]
            # A year range typed into the URL is shown, selected, beside the spans; an
            # evidence level no summary has is listed with 0, so it can be removed.
            values += [
                FacetValue(key, int(np.count_nonzero(
                    base & mask(self.docs_for(name, key), size))),
                           year_label(key), True)
                if name == "year" else FacetValue(facet_value(name, key), 0,
                                                  _label(name, key, topic_name), True)
                for key in chosen if key not in table.index]
            if name == "evidence_level":
                values.sort(key=lambda v: _evidence_rank(v.value))
            elif name == "year":
                values.sort(key=lambda v: year_range(v.value), reverse=True)
            else:
                values.sort(key=lambda v: (-v.count, v.value.lower()))
            facets[name] = tuple(values)
        return facets

def _label(name: str, key: str, topic_name: Callable[[str], str]) -> str:
    if name == "evidence_level":
        return evidence.BY_KEY[key].label
    if name == "topic":
        return topic_name(key)
    if name == "year":
        return year_label(key)
    return key


def _accepted(name: str, docs: Mapping[str, frozenset[int]], shown: int = 12) -> str:
    """The values a filter accepts, as an error message lists them."""
    if name == "evidence_level":
        return "one of " + ", ".join(f"'{level.label}' ('{level.name}')"
                                      for level in evidence.LEVELS)
    values = sorted(docs, key=lambda v: (-len(docs[v]), v))
    listed = ", ".join(f"'{v}'" for v in values[:shown])
    more = f" and {len(values) - shown} more" if len(values) > shown else ""
    return f"one of {listed}{more}" + (" (topic ids, as /api/v1/suggest gives them)"
                                       if name == "topic" else "")


def _evidence_rank(name: str) -> int:
    level = evidence.BY_NAME.get(name.lower())
    return level.rank if level else len(evidence.LEVELS)


def topics_first(values: tuple[FacetValue, ...], asked: list[str],
                 generic: Callable[[str], bool]) -> tuple[FacetValue, ...]:
    """The topic facet with the question's topics (`asked`) first and `generic` ones
    (on most summaries) last, each part in its order (by count)."""
    return tuple(sorted(values, key=lambda v: (
        asked.index(v.value) if v.value in asked else len(asked), generic(v.value))))


def shown(values: tuple[FacetValue, ...]) -> tuple[FacetValue, ...]:
    """The first FACET_VALUES values of a facet, and any selected one beyond them."""
    return values[:FACET_VALUES] + tuple(v for v in values[FACET_VALUES:] if v.selected)


