"""Spelling: every misspelled word is corrected; a real English word is left as typed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from indexer import analysis
from indexer.build import build_index
from searchapp.search import SearchIndex, SearchRequest
from synonyms import load
from synonyms.fuzzy import sound_alikes
from synonyms.loader import shipped_dir
from tests.conftest import REPO


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    folder = tmp_path_factory.mktemp("spelling")
    report = build_index([REPO / "index_data" / "summaries"], folder / "ix",
                         thesaurus=load(shipped_dir()), embed=False)
    assert report.ok
    with SearchIndex(folder / "ix", semantic=False) as index:
        yield index


@pytest.mark.parametrize(("typed", "searched"), [
    ("blader infecshun", "bladder infection"),
    ("presure sorez", "pressure sores"),
    ("stem sell injections for paralized legs", "stem cell injections for paralyzed legs"),
    ("spastisity", "spasticity"),
    ("nuropathic pain", "neuropathic pain"),
    ("newmonia after injury", "pneumonia after injury"),
    ("bowl accidents", "bowel accidents"),
])
def test_every_misspelled_word_is_corrected(bundled: SearchIndex, typed: str,
                                            searched: str) -> None:
    response = bundled.search(SearchRequest(q=typed))
    assert response.corrected == searched
    assert response.total > 0


@pytest.mark.parametrize("typed", [
    "will i ever walk again", "cant poop", "can i drive again", "my kids",
    "best wheelchair cushion", "feeling down", "poop", "stock market news",
    "sex after injury", "tired all the time", "new treatments", "hope",
])
def test_real_words_are_searched_as_typed(bundled: SearchIndex, typed: str) -> None:
    response = bundled.search(SearchRequest(q=typed))
    assert response.corrected == ""
    assert response.did_you_mean == ""


def test_the_english_word_list_ships_with_the_package() -> None:
    words = analysis.english_words()
    assert len(words) > 50_000
    assert {"ever", "poop", "kids", "drive", "again", "market"} <= words
    assert "infecshun" not in words and "spastisity" not in words


def test_words_spelled_by_their_sound_are_tried_again() -> None:
    assert "infection" in sound_alikes("infecshun")
    assert "pneumonia" in sound_alikes("newmonia")


def test_a_pasted_page_of_unknown_words_looks_up_corrections_for_its_first_few_only(
        bundled: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    from searchapp.search import respell
    from searchapp.search.query import MAX_CORRECTED
    from synonyms import fuzzy

    looked_up: list[str] = []
    original = fuzzy.Speller._candidates

    def counted(speller: fuzzy.Speller, word: str) -> list[str]:
        looked_up.append(word)
        return original(speller, word)

    monkeypatch.setattr(fuzzy.Speller, "_candidates", counted)
    unknown = [f"zqxj{chr(97 + n % 26)}{chr(97 + n // 26)}vwkq" for n in range(40)]
    pasted = " ".join(f"{word} bladder" for word in unknown)  # 80 words
    parsed = bundled.search(SearchRequest(q=pasted)).parsed
    assert parsed is not None
    # "Did you mean" (asked when nothing was corrected) reads the same words.
    respell.did_you_mean(pasted, parsed, bundled.vocabulary, bundled.speller, None,
                         bundled._holding_all)
    # Each word's corrections are looked up once (concepts, words, "did you mean"
    # share them), for the first MAX_CORRECTED unknown words only.
    assert len(looked_up) == len(set(looked_up)) <= MAX_CORRECTED
    assert set(looked_up) <= set(unknown[:MAX_CORRECTED])
