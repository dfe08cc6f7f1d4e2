"""Typo budget and costs shared by the matcher and the spelling correction."""

from __future__ import annotations

import pytest

from synonyms.fuzzy import Speller, WordIndex, budget, cost


@pytest.mark.parametrize(("word", "allowed"), [("pee", 0), ("sore", 1), ("spasms", 1),
                                               ("catheter", 2), ("spasticity", 2)])
def test_budget_grows_with_word_length(word: str, allowed: int) -> None:
    assert budget(word) == allowed


@pytest.mark.parametrize(("typed", "candidate", "edits"), [
    ("steriods", "steroids", 1),  # two letters swapped: one slip of the fingers
    ("spastisity", "spasticity", 1),
    ("pasticity", "spasticity", 2),  # a missing first letter costs one more
    ("sell", "cell", 1),  # ...unless the letters sound alike
    ("tell", "cell", 2),
])
def test_costs_count_edits_as_people_make_them(typed: str, candidate: str, edits: int) -> None:
    assert cost(typed, candidate) == edits


def test_speller_prefers_cheaper_then_domain_words_then_frequent_ones() -> None:
    domain = WordIndex({"brain", "bran", "cooling"})
    index = WordIndex({"calling", "brain", "bran", "serious", "steroids"})
    speller = Speller(domain, index, frequency={"brain": 40, "bran": 1, "calling": 30})
    assert speller.candidates("brian")[0] == "brain"  # same cost: the more frequent
    assert speller.candidates("colling")[0] == "cooling"  # same cost: the domain's word
    assert speller.candidates("steriods") == ["steroids"]  # a swap beats two edits
    assert speller.candidates("pee") == []  # too short to correct
    assert speller.is_known("serious") and not speller.is_known("brian")
