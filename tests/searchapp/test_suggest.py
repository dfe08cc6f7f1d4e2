"""Autocomplete, a summary's page data, related summaries and nearest topics."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.build import build_index
from searchapp.search import SearchIndex, SearchRequest
from searchapp.search.suggest import Suggester
from synonyms import load

THESAURUS = Path(__file__).resolve().parent.parent / "data" / "thesaurus"


@pytest.fixture(scope="module")
def suggester() -> Suggester:
    counts = {"pressure-injury": 7, "spinal-metastasis": 2, "spasticity": 4}
    titles = [("t1", "Pressure mapping in wheelchair users"),
              ("t2", "Stretching for spasms after injury")]
    return Suggester(load(THESAURUS), counts, titles)


def _labels(suggester: Suggester, text: str) -> list[str]:
    return [s.label for s in suggester.suggest(text)]


def test_half_typed_word_offers_topics_lay_terms_and_titles(suggester: Suggester) -> None:
    assert _labels(suggester, "pres") == [
        "pressure injury", "pressure ulcer (pressure injury)",
        "Pressure mapping in wheelchair users"]


def test_lay_term_shows_its_clinical_name(suggester: Suggester) -> None:
    [bed_sore] = suggester.suggest("bed so")
    assert (bed_sore.text, bed_sore.preferred, bed_sore.kind) == (
        "bed sore", "pressure injury", "term")
    assert bed_sore.to_dict()["concept"] == "pressure-injury"


@pytest.mark.parametrize("typed", ["spastisity", "spastis", "cancer sprd"])
def test_misspelt_words_still_get_suggestions(suggester: Suggester, typed: str) -> None:
    assert suggester.suggest(typed), typed


def test_topics_no_summary_is_tagged_with_are_not_offered(suggester: Suggester) -> None:
    assert suggester.suggest("multiple scl") == []  # in the thesaurus, in no summary


def test_title_suggestion_links_to_its_summary(suggester: Suggester) -> None:
    [title] = [s for s in suggester.suggest("stretching") if s.kind == "title"]
    assert title.summary == "t2"


@pytest.mark.parametrize("typed", ["", "   ", "?!", "x" * 5000, "a b c d e f g h i j"])
def test_odd_input_gives_no_suggestions_and_no_error(suggester: Suggester, typed: str) -> None:
    assert suggester.suggest(typed) == []


def _summary(summary_id: str, title: str, text: str) -> dict[str, object]:
    return {"id": summary_id, "title": title, "year": 2020, "category": "Skin",
            "evidence_level": "Cohort Study", "simple_explanation": text,
            "key_findings": [f"{title} was studied."]}


@pytest.fixture
def index(tmp_path: Path) -> Iterator[SearchIndex]:
    records = [
        _summary("ulcers", "Pressure ulcers in wheelchair users", "Bed sores heal slowly."),
        _summary("cushions", "Cushions against pressure ulcers", "Seat cushions for sores."),
        _summary("spine", "Spinal metastases and surgery", "Cancer in the spine was treated."),
        _summary("stiff", "Spasticity and stretching", "Stiff muscles were stretched."),
    ]
    (tmp_path / "s.json").write_text(json.dumps(records), encoding="utf-8")
    build_index([tmp_path / "s.json"], tmp_path / "ix")
    with SearchIndex(tmp_path / "ix") as opened:
        yield opened


def test_summary_page_data_has_its_sections_topics_and_related(index: SearchIndex) -> None:
    document = index.get("ulcers")
    assert document is not None
    assert document.record["key_findings"] and document.evidence_label.startswith("Study following")
    assert [(t.value, t.label, t.count) for t in document.topics] == [
        ("pressure-injury", "pressure injury", 2)]
    assert [h.id for h in document.related] == ["cushions"]  # shares its topic, not itself
    assert document.to_dict()["related"][0]["title"] == "Cushions against pressure ulcers"
    assert index.get("no-such-summary") is None


def test_nothing_found_offers_the_nearest_topics(index: SearchIndex) -> None:
    response = index.search(SearchRequest(q='"stiff muscles at night"'))
    assert response.total == 0
    assert [t.value for t in response.nearest_topics] == ["spasticity"]
    assert response.to_dict()["nearest_topics"][0]["label"] == "spasticity"
    assert index.search(SearchRequest(q="zzqx")).nearest_topics == ()


def test_index_suggests_from_its_own_topics_and_titles(index: SearchIndex) -> None:
    assert [s.label for s in index.suggest("cush")] == ["Cushions against pressure ulcers"]
    assert "spinal metastasis" in [s.label for s in index.suggest("spinal meta")]
