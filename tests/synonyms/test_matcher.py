"""The concept matcher: multi-word, longest first, on analysed tokens, typo tolerant."""

from __future__ import annotations

import pytest

from indexer import analysis
from synonyms import Matcher, load
from tests.conftest import DATA


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load(DATA / "thesaurus"), analysis)


def _found(matcher: Matcher, text: str, **kwargs: bool) -> list[tuple[str, str]]:
    return [(m.concept.id, m.text) for m in matcher.find(text, **kwargs)]


@pytest.mark.parametrize(("text", "expected"), [
    ("the cancer has spread to my spine", [("spinal-metastasis", "cancer has spread to my spine")]),
    ("Spinal metastases were treated", [("spinal-metastasis", "Spinal metastases")]),
    ("bed sores that won't heal", [("pressure-injury", "bed sores")]),
    ("Pressure ulcers and spasticity", [("pressure-injury", "Pressure ulcers"),
                                        ("spasticity", "spasticity")]),
    ("I can't pee since my accident", [("neurogenic-bladder", "can't pee")]),
    ("Metastatic spinal cord compression", [("spinal-metastasis",
                                             "Metastatic spinal cord compression")]),
])
def test_finds_mentions_on_analysed_tokens(matcher: Matcher, text: str,
                                           expected: list[tuple[str, str]]) -> None:
    assert _found(matcher, text) == expected


def test_longest_term_wins(matcher: Matcher) -> None:
    [match] = matcher.find("a pounding headache with high blood pressure")
    assert match.concept.id == "autonomic-dysreflexia"
    assert match.term.text == "pounding headache with high blood pressure"


def test_negation_is_part_of_the_phrase(matcher: Matcher) -> None:
    assert _found(matcher, "my bladder doesn't work") == [
        ("neurogenic-bladder", "bladder doesn't work")]
    assert _found(matcher, "my bladder does work") == []


@pytest.mark.parametrize(("text", "concept", "typo"), [
    ("spastisity", "spasticity", ("spastisity", "spasticity")),
    ("presure ulcer", "pressure-injury", ("presure", "pressure")),
    ("metastasis of the spinal cordd", None, None),  # "spinal metastasis" needs that order
])
def test_typos_are_tolerated_in_queries(matcher: Matcher, text: str, concept: str | None,
                                        typo: tuple[str, str] | None) -> None:
    matches = matcher.find(text, fuzzy=True)
    if concept is None:
        assert matches == []
        return
    [match] = matches
    assert match.concept.id == concept and match.corrections == (typo,)


def test_typo_budget_by_word_length(matcher: Matcher) -> None:
    assert matcher.find("spasticty", fuzzy=True)  # one edit, 9 letters
    assert not matcher.find("spstcty", fuzzy=True)  # three edits
    assert not matcher.find("bed sor", fuzzy=True)  # "sor" is under 4 letters: no typo allowed
    assert not matcher.find("spastisity")  # documents are matched exactly


def test_known_words_are_not_corrected(matcher: Matcher) -> None:
    assert not matcher.find("spastisity", fuzzy=True, known={"spastisity"})


def test_abbreviations_match_as_written_in_documents(matcher: Matcher) -> None:
    assert _found(matcher, "Signs of AD were seen") == [("autonomic-dysreflexia", "AD")]
    assert _found(matcher, "an ad for a new drug") == []
    assert _found(matcher, "fatigue in MS") == [("multiple-sclerosis", "MS")]
    assert _found(matcher, "fatigue in ms", query=True) == [("multiple-sclerosis", "ms")]
    assert _found(matcher, "an ad for a new drug", query=True) == []


def test_match_offsets_point_into_the_text(matcher: Matcher) -> None:
    text = "Care of the bed sores."
    [match] = matcher.find(text)
    assert text[match.start:match.end] == "bed sores"
