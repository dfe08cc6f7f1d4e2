"""Facets: how many of the matching summaries hold each facet value.

The engine keeps, per facet, which summaries hold each value (`_facet_docs`);
`FacetTable` lays that out once as two NumPy arrays (document, value) so a
search counts every value of a facet with one bincount over the mask of
matching documents, instead of one set intersection per value (topics alone
have hundreds). Counts are exact: every matching summary, not only the top.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from searchapp.search.postings import BoolArray, IntArray


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
