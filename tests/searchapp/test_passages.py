"""Snippets from the compact body cache: the same passages and marks as from the full analysis."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from searchapp.search import SearchIndex, SearchRequest, passages, snippets


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
            _, body = index._analyses.of(record)
            expanded = {e.concept_id for e in parsed.expansions} & set(hit.topics)
            full = snippets.snippet(index.matcher.prepare(body.text),
                                    parsed.highlight_terms, index.matcher, expanded)
            assert hit.snippet == (full or snippets.lead(
                record["simple_explanation"] or body.text))


def _cards(index: SearchIndex, q: str) -> list[tuple[str, str, str]]:
    return [(h.id, h.title_html, h.snippet) for h in index.search(SearchRequest(q=q)).results]


def test_summaries_analysed_before_the_workers_start_need_no_analysis_when_shown(
        built_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    questions = ["leaks", "bladder training", "cooling injury", "spasticity"]
    with SearchIndex(built_index, semantic=False) as fresh:
        expected = [_cards(fresh, q) for q in questions]
    # gunicorn's master, before it forks the workers:
    with SearchIndex(built_index, semantic=False) as master:
        assert master.analyse_ahead(30) == master.doc_count
        # Not for the same generation updated in place since (its frequencies differ).
        assert passages.handed_down(master.generation, master.version + 1) is None
    with SearchIndex(built_index, semantic=False) as worker:
        analysed: list[str] = []
        prepare = worker.matcher.prepare

        def spy(text: str, **options: Any) -> Any:
            analysed.append(text)
            return prepare(text, **options)

        monkeypatch.setattr(worker.matcher, "prepare", spy)
        assert [_cards(worker, q) for q in questions] == expected
        # Only the questions were analysed, no summary's title or body.
        titles = {json.loads(f["record"])["title"]
                  for f in worker._searcher.reader().all_stored_fields()}
        assert analysed and not [t for t in analysed if t in titles or len(t) > 100]
    # Handed down once: an index opened later (a rebuilt one, say) analyses afresh.
    with SearchIndex(built_index, semantic=False) as later:
        assert passages.handed_down(later.generation, later.version) is None
        assert [_cards(later, q) for q in questions] == expected


def test_a_huge_summary_costs_a_result_card_a_bounded_part_of_its_text(tmp_path: Path) -> None:
    from indexer.build import build_index

    words = " ".join(f"wheelchair cushion trial {n}" for n in range(3300))  # ~98,000 chars
    (tmp_path / "huge.json").write_text(json.dumps([{
        "id": "huge", "title": words, "year": 2020, "category": "Skin",
        "simple_explanation": words, "research_summary": words}]), encoding="utf-8")
    assert build_index([tmp_path / "huge.json"], tmp_path / "index").added == 1
    with SearchIndex(tmp_path / "index") as index:
        [hit] = index.search(SearchRequest(q="wheelchair cushion")).results
    shown = hit.title_html.replace("<mark>", "").replace("</mark>", "")
    assert len(shown) <= passages.TITLE_CHARS + 1 and shown.endswith("\u2026")
    assert hit.title_html.startswith("<mark>wheelchair</mark> <mark>cushion</mark> trial 0")
    assert hit.title == words  # the API still gives the whole title
    assert "<mark>" in hit.snippet and len(hit.snippet) < 1000
