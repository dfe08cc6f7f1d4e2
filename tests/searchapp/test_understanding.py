"""Lay words find clinical research: concepts, spelling, fillers, snippets, explanations."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.build import build_index
from searchapp.search import SearchIndex, SearchRequest, SearchResponse
from searchapp.search.query import understand
from tests.conftest import DATA


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    from synonyms import load

    folder = tmp_path_factory.mktemp("concepts")
    shutil.copy(DATA / "concepts.json", folder / "concepts.json")
    build_index([folder], folder / "ix", thesaurus=load(DATA / "thesaurus"))
    with SearchIndex(folder / "ix") as opened:
        yield opened


def _search(index: SearchIndex, q: str, **kwargs: bool) -> SearchResponse:
    return index.search(SearchRequest(q=q, **kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize(("q", "expected"), [
    ("cancer spread to spine", "test-metastasis"),
    ("my cancer has spread to my spine", "test-metastasis"),
    ("bed sores wont heal", "test-pressure"),
    ("stiff muscles", "test-spasticity"),
    ("cant pee since my accident", "test-bladder"),
])
def test_lay_words_find_the_clinical_summary_first(index: SearchIndex, q: str,
                                                   expected: str) -> None:
    response = _search(index, q)
    assert response.results[0].id == expected


def test_the_baseline_without_synonyms_misses_them(index: SearchIndex) -> None:
    response = _search(index, "bed sores", expand=False, correct=False)
    assert response.total == 0


def test_typo_in_lay_phrase_still_finds_metastasis(index: SearchIndex) -> None:
    response = _search(index, "cancer spred to spine")
    assert response.results[0].id == "test-metastasis"
    assert response.to_dict()["corrections"] == [{"typed": "spred", "corrected": "spread"}]
    assert response.corrected == "cancer spread to spine"


def test_misspelled_clinical_word_is_corrected(index: SearchIndex) -> None:
    response = _search(index, "spastisity")
    assert response.results[0].id == "test-spasticity"
    assert response.corrected == "spasticity"


def test_word_outside_the_thesaurus_is_corrected_from_the_index(index: SearchIndex) -> None:
    response = _search(index, "radiotherapyy")
    assert response.corrected == "radiotherapy"
    assert response.results[0].id == "test-metastasis"


def test_searching_exactly_as_typed_corrects_nothing(index: SearchIndex) -> None:
    response = _search(index, "radiotherapyy", correct=False)
    assert response.total == 0 and response.corrected == ""


def test_explanation_names_concept_words_and_terms(index: SearchIndex) -> None:
    data = _search(index, "is there anything for bed sores please").to_dict()
    [expansion] = data["expansions"]
    assert expansion["concept"] == "pressure-injury"
    assert expansion["matched"] == "bed sores"
    assert "pressure ulcer" in expansion["terms"]
    hit = data["results"][0]
    assert hit["why"] == [
        "it is about pressure injury, the term researchers use for \u2018bed sores\u2019"]
    assert "pressure-injury" in hit["topics"]


def test_snippet_marks_clinical_terms_found_through_the_synonym(index: SearchIndex) -> None:
    [hit, *_] = _search(index, "cancer spread to spine").results
    assert "<mark>spinal metastasis</mark>" in hit.snippet
    assert "<mark>spinal metastases</mark>" in hit.title_html


def test_filler_words_are_not_searched(index: SearchIndex) -> None:
    parsed = understand("is there anything that could help please")
    assert parsed.is_empty


def test_quoted_phrase_is_searched_as_typed(index: SearchIndex) -> None:
    response = _search(index, '"bed sores"')
    assert response.total == 0  # no summary says "bed sores"; the phrase is not expanded
    assert _search(index, '"pressure ulcer"').results[0].id == "test-pressure"


def test_exact_match_of_the_typed_words_still_counts(index: SearchIndex) -> None:
    # "wounds from sitting" is in the simple explanation of the pressure summary only.
    assert _search(index, "wounds from sitting").results[0].id == "test-pressure"


def test_topics_facet_shows_concepts_by_preferred_name(index: SearchIndex) -> None:
    topics = {v.value: v for v in _search(index, "").facets["topic"]}
    assert topics["pressure-injury"].label == "pressure injury"
    assert topics["pressure-injury"].count == 1
    filtered = index.search(SearchRequest(q="", filters={"topic": ("spasticity",)}))
    assert [h.id for h in filtered.results] == ["test-spasticity"]


def test_did_you_mean_when_a_rare_real_word_has_a_common_neighbour(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    records = [{"id": "kitchen", "title": "A bowl of soup after rehabilitation"}]
    records += [{"id": f"bowel-{n}", "title": f"Bowel care routine number {n}"}
                for n in range(6)]
    (folder / "r.json").write_text(json.dumps(records), encoding="utf-8")
    build_index([folder], tmp_path / "ix")
    with SearchIndex(tmp_path / "ix") as index:
        response = index.search(SearchRequest(q="bowl care"))
        assert response.corrected == ""  # "bowl" is a real word of the index
        assert response.did_you_mean == "bowel care"
        assert response.to_dict()["did_you_mean"] == "bowel care"
        assert index.search(SearchRequest(q="bowel care")).did_you_mean == ""


def test_snippet_passages_are_separated_by_one_ellipsis(index: SearchIndex) -> None:
    from searchapp.search import snippets

    long_sentence = "Walking " + "with a frame and some help each day " * 12 + "improved."
    text = f"{long_sentence} Other words follow here. {long_sentence}"
    marked = snippets.snippet(index.matcher.prepare(text), {"walk", "improv"}, index.matcher,
                              max_chars=120)
    assert marked.count("\u2026") >= 1
    assert "\u2026 \u2026" not in marked and "\u2026\u2026" not in marked
    assert marked.count("<mark>") >= 2


def test_a_long_quoted_paste_is_cut_to_its_first_words_and_says_so() -> None:
    from searchapp.search.query import MAX_PHRASE_WORDS

    parsed = understand('"' + "spinal cord injury rehabilitation outcomes " * 60 + '"')
    [phrase] = parsed.phrases
    assert len(phrase) == MAX_PHRASE_WORDS and parsed.truncated
    assert not understand('"pressure injury"').truncated


@pytest.mark.parametrize(("text", "expected"), [
    ("bed sores wont heal", "bed sores wont heal"),
    ("walking " * 70 + "tail", ("walking " * 62).strip()),  # 500 characters, at a word's end
    ("a " * 100, ("a " * 80).strip()),  # 80 words
    ("x" * 600, "x" * 500),  # one long word: cut anyway
])
def test_a_search_is_cut_to_its_first_characters_and_words(text: str, expected: str) -> None:
    from searchapp.search.query import MAX_QUERY_CHARS, bounded

    assert bounded(text) == expected and len(bounded(text)) <= MAX_QUERY_CHARS


def test_a_long_paste_of_unknown_words_costs_a_few_corrections_and_says_so(
        index: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    from searchapp.search.query import MAX_CORRECTED, MAX_QUERY_CHARS

    tried: list[str] = []
    candidates = index.speller.candidates

    def counting(word: str, limit: int = 5) -> list[str]:
        tried.append(word)
        return candidates(word, limit)

    monkeypatch.setattr(index.speller, "candidates", counting)
    made_up = " ".join(f"zq{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}xv" for i in range(600))
    answer = _search(index, made_up)  # 4 KB: a 3.9 KB paste took 6.4 s on a site
    assert answer.parsed is not None and len(answer.parsed.text) <= MAX_QUERY_CHARS
    assert any(n.startswith("Only part of a long search is used") for n in answer.notices)
    assert len(set(tried)) <= MAX_CORRECTED
    # A short question with a typo is still corrected.
    assert _search(index, "presure sores").corrected


def test_a_mark_running_past_a_full_stop_still_gives_a_snippet() -> None:
    from searchapp.search import snippets

    # A matched phrase may run on across a sentence end ("... period. When ..."):
    # the snippet is its sentence, marked as far as the phrase goes, not a crash.
    text = ("Patients were followed in the postoperative period. When pain interfered "
            "with walking, doses were raised. " + "Other text follows here. " * 20)
    start = text.index("period")
    marked = snippets.passage(text, [(start, start + len("period. When"), "menstruation")])
    assert marked.startswith("Patients were followed in the postoperative <mark>period.")
    assert marked.count("<mark>") == 1
