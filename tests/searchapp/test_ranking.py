"""Ranking from cached postings: the same matches, scores and counts as whoosh's matchers."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from whoosh import collectors
from whoosh import query as wq

from indexer.build import build_index
from indexer.synthetic import write_corpus
from searchapp.search import SearchIndex, SearchRequest
from searchapp.search import query as query_mod
from searchapp.search.meaning import MATCH_SIMILARITY
from synonyms import load
from synonyms.loader import shipped_dir

QUERIES = [
    "walking", "stem cell transplantation", "bladder infection catheter",
    "pressure injury wound healing", "neuropathic pain pregabalin",
    "can stem cells help me walk again after my spinal cord injury",
    '"spinal cord" walking', "depression anxiety quality of life", "zzzz walking",
    '"spinal cord injury"', '"stem cell" "walking"', '"walking spinal"', '"zzzz walking"',
]


def _build(tmp: Path, *, segments: bool) -> SearchIndex:
    corpus = tmp / "corpus"
    paths = write_corpus(corpus, 60, seed=7, words=120)
    thesaurus = load(shipped_dir())
    assert build_index([corpus], tmp / "index", thesaurus=thesaurus).ok
    if segments:
        # A second build adds a segment; a removed page leaves a deleted document.
        write_corpus(tmp / "more", 25, seed=8, words=120)
        for path in (tmp / "more").iterdir():
            path.rename(corpus / f"more-{path.name}")
        assert build_index([corpus], tmp / "whole", thesaurus=thesaurus).ok
        paths[3].unlink()
        assert build_index([corpus], tmp / "index", thesaurus=thesaurus).ok
        # The same summaries in one segment, the same one deleted (whoosh counts a
        # deleted document until segments merge): what the scores must be.
        assert build_index([corpus], tmp / "whole", thesaurus=thesaurus).ok
    return SearchIndex(tmp / "index")


@pytest.fixture(scope="module", params=["one segment", "segments and deletions"])
def index(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    with _build(tmp_path_factory.mktemp("ranking"),
                segments=request.param != "one segment") as opened:
        yield opened


@pytest.fixture(scope="module")
def whole(index: SearchIndex) -> Iterator[SearchIndex]:
    """The index in one segment: itself, or the same summaries built at once."""
    other = index.index_dir.parent / "whole"
    if not other.exists():
        yield index
        return
    with SearchIndex(other) as opened:
        yield opened


def _parsed(index: SearchIndex, text: str, expand: bool) -> query_mod.ParsedQuery:
    parsed = query_mod.understand(text, index.matcher, index.speller, expand=expand,
                                  correct=expand, generic=index._generic)
    return dataclasses.replace(parsed, expansions=tuple(index._prune(e)
                                                        for e in parsed.expansions))


def _whoosh_scores(index: SearchIndex, query: wq.Query) -> dict[int, float]:
    collector = collectors.TopCollector(limit=100_000, usequality=False)
    collector.replace = 0
    index._searcher.search_with_collector(query, collector)
    return {hit.docnum: hit.score for hit in collector.results()}


def test_index_has_the_shape_the_test_wants(index: SearchIndex,
                                            request: pytest.FixtureRequest) -> None:
    assert index._scorer is not None
    segments = index._scorer.cache.segments
    if request.node.callspec.params["index"] == "one segment":
        assert len(segments) == 1 and segments[0].live.all()
    else:
        assert len(segments) == 2 and not all(s.live.all() for s in segments)
        whole = SearchIndex(index.index_dir.parent / "whole")
        assert whole._scorer is not None
        [segment] = whole._scorer.cache.segments
        assert segment.size == sum(s.size for s in segments) and not segment.live.all()
        whole.close()


def _ids(index: SearchIndex) -> dict[int, str]:
    return {docnum: stored["id"] for docnum, stored in index._searcher.reader().iter_docs()}


@pytest.mark.parametrize("expand", [True, False])
@pytest.mark.parametrize("text", QUERIES)
def test_every_match_scores_as_whoosh_scores_it_in_one_segment(
        index: SearchIndex, whole: SearchIndex, text: str, expand: bool) -> None:
    parsed = _parsed(index, text, expand)
    if parsed.is_empty:
        pytest.skip("nothing to search")
    # whoosh's own scores, on the same summaries in one segment (by summary id).
    whole_ids = _ids(whole)
    expected = {whole_ids[d]: s for d, s in
                _whoosh_scores(whole, whole.match_query(_parsed(whole, text, expand))).items()}
    assert index._scorer is not None
    found = index._scorer.evaluate(index.match_query(parsed))
    ids = _ids(index)
    assert {ids[d] for d in found.matched().tolist()} == set(expected)
    for docnum in found.matched().tolist():
        assert found.score[docnum] == pytest.approx(expected[ids[docnum]], rel=1e-9)


@pytest.mark.parametrize("text", QUERIES)
def test_total_and_facet_counts_cover_every_match(index: SearchIndex, text: str) -> None:
    response = index.search(SearchRequest(q=text))
    parsed = response.parsed
    assert parsed is not None
    matching = set(_whoosh_scores(index, index.match_query(parsed))) \
        if not parsed.is_empty else set()
    if index.meaning is not None and not parsed.phrases and not parsed.is_empty:
        # Summaries close enough in meaning count too (and none when most of the
        # question is found nowhere: "nothing about").
        vector = index.meaning.embed(parsed.corrected_text or text)
        close = index.meaning.similarities(vector) >= MATCH_SIMILARITY
        matching |= set(np.flatnonzero(close).tolist())
    if response.nothing_about:
        matching = set()
    assert response.total == len(matching)
    for facet in ("category", "evidence_level", "year"):
        for value in response.facets[facet]:
            holding = index.facets.docs_for(facet, value.value)
            assert value.count == len(matching & holding), (facet, value.value)


def test_a_filter_counts_the_other_facets_within_it(index: SearchIndex) -> None:
    everything = index.search(SearchRequest(q="walking"))
    category = everything.facets["category"][0].value
    narrowed = index.search(SearchRequest(q="walking", filters={"category": (category,)}))
    assert narrowed.total == everything.facets["category"][0].count
    assert sum(v.count for v in narrowed.facets["evidence_level"]) == narrowed.total
    # A facet's own values still count as if it were not selected (disjunctive).
    assert narrowed.facets["category"] == tuple(
        dataclasses.replace(v, selected=v.value == category)
        for v in everything.facets["category"])
