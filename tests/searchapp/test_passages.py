"""Snippets from the compact body cache: the same passages and marks as from the full analysis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from searchapp.search import SearchIndex, SearchRequest, snippets


@pytest.mark.parametrize("q", ["leaks", "bladder training", "cooling injury", "spasticity",
                               "phone app reminder"])
def test_cached_snippet_is_the_full_analysis_snippet(built_index: Path, q: str) -> None:
    with SearchIndex(built_index) as index:
        first = index.search(SearchRequest(q=q))
        again = index.search(SearchRequest(q=q))
        assert [h.snippet for h in first.results] == [h.snippet for h in again.results]
        parsed = first.parsed
        assert parsed is not None
        for hit in first.results:
            docnum = next(d for d in range(index.doc_count)
                          if index._searcher.stored_fields(d)["id"] == hit.id)
            stored = index._searcher.stored_fields(docnum)
            record = json.loads(stored["record"])
            _, body = index._prepare(record)
            expanded = {e.concept_id for e in parsed.expansions} & set(hit.topics)
            full = snippets.snippet(index.matcher.prepare(body.text),
                                    parsed.highlight_terms, index.matcher, expanded)
            assert hit.snippet == (full or snippets.lead(
                record["simple_explanation"] or body.text))
