"""Phrase bonuses for the best candidates: words in order, within the slop, scored as whoosh."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from whoosh import query as wq

from indexer.build import build_index
from searchapp.search import SearchIndex

TEXTS = {
    "adjacent": "Bladder training helped many people.",
    "reversed": "Training the bladder helped many people.",
    "gap": "Bladder care and daily training helped.",
    "far": "Bladder care was studied for a long time before any training began.",
    "twice": "Training first. Bladder training later, then bladder work.",
    "neither": "Walking practice helped many people.",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    tmp = tmp_path_factory.mktemp("bonuses")
    (tmp / "s").mkdir()
    (tmp / "s" / "a.json").write_text(json.dumps([
        {"id": name, "title": f"Summary {name}", "research_summary": text}
        for name, text in TEXTS.items()]), encoding="utf-8")
    assert build_index([tmp / "s"], tmp / "ix").ok
    with SearchIndex(tmp / "ix") as opened:
        yield opened


def _docnums(index: SearchIndex) -> dict[str, int]:
    return {index._searcher.stored_fields(d)["id"]: d for d in range(index.doc_count)}


def _whoosh(index: SearchIndex, query: wq.Query, docnum: int) -> float | None:
    matcher = query.matcher(index._searcher)
    if matcher.is_active() and matcher.id() < docnum:
        matcher.skip_to(docnum)
    return float(matcher.score()) if matcher.is_active() and matcher.id() == docnum else None


def _bonuses(index: SearchIndex, query: wq.Query) -> dict[str, float]:
    assert index._bonuses is not None
    names = {d: name for name, d in _docnums(index).items()}
    return {names[d]: s for d, s in index._bonuses.scores(query, names).items()}


@pytest.mark.parametrize(("slop", "holding"), [
    (1, {"adjacent", "twice"}),
    (3, {"adjacent", "twice", "gap"}),
])
def test_phrase_needs_its_words_in_order_within_the_slop(index: SearchIndex, slop: int,
                                                         holding: set[str]) -> None:
    phrase = wq.Phrase("research_summary", ["bladder", "train"], slop=slop, boost=0.5)
    assert set(_bonuses(index, phrase)) == holding


@pytest.mark.parametrize("query", [
    wq.Phrase("research_summary", ["bladder", "train"], slop=4, boost=0.8),
    wq.Or([wq.Phrase("research_summary", ["train", "bladder"], slop=1),
           wq.Term("title", "summari", boost=2.0),
           wq.Phrase("research_summary", ["help", "mani", "peopl"], slop=1)], boost=1.5),
    wq.Or([wq.Phrase("research_summary", ["bladder", "train"], slop=1)]),
])
def test_bonus_scores_are_whooshs(index: SearchIndex, query: wq.Query) -> None:
    found = _bonuses(index, query)
    for name, docnum in _docnums(index).items():
        expected = _whoosh(index, query, docnum)
        assert found.get(name) == (pytest.approx(expected) if expected is not None else None)


def test_best_of_several_names_is_one_the_summary_holds(index: SearchIndex) -> None:
    walking = wq.Term("research_summary", "walk")
    bladder = wq.Phrase("research_summary", ["bladder", "train"], slop=1)
    best = _bonuses(index, wq.DisjunctionMax([walking, bladder], boost=2.0))
    assert set(best) == {"adjacent", "twice", "neither"}
    assert best["neither"] == pytest.approx(2.0 * _bonuses(index, walking)["neither"])
    assert best["adjacent"] == pytest.approx(2.0 * _bonuses(index, bladder)["adjacent"])
