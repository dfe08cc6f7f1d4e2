from __future__ import annotations

import pytest

from indexer import evidence


@pytest.mark.parametrize(("text", "name", "keeps_note"), [
    ("Systematic Review", "Systematic Review", False),
    ("Systematic review and meta-analysis", "Systematic Review", False),
    ("Meta-analysis of 12 trials", "Systematic Review", True),
    ("RCT", "Randomized Controlled Trial", False),
    ("Randomised controlled trial", "Randomized Controlled Trial", False),
    ("Randomized Controlled Trial, double-blind", "Randomized Controlled Trial", True),
    ("Non-randomized controlled trial", "Non-randomized Trial", False),
    ("Open-label phase 2 trial", "Non-randomized Trial", True),
    ("Prospective cohort study", "Cohort Study", True),
    ("Level III, for retrospective cohort study", "Cohort Study", True),
    ("Level IV", "Case Series or Case Report", True),
    ("Case-control study", "Case-Control Study", False),
    ("Cross-sectional survey", "Cross-Sectional Study", True),
    ("Qualitative study", "Qualitative Study", False),
    ("Retrospective case series", "Case Series or Case Report", True),
    ("Animal study", "Animal or Laboratory Study", False),
    ("Randomized controlled trial in rats", "Animal or Laboratory Study", True),
    ("Narrative review", "Expert Opinion", True),
    ("Clinical practice guideline", "Expert Opinion", True),
    ("Not specified", "Not specified", False),
    ("", "Not specified", False),
    ("Diagnostic accuracy study", "Other", True),
])
def test_usual_spellings_map_to_one_level(text: str, name: str, keeps_note: bool) -> None:
    level, note = evidence.normalise(text)
    assert level.name == name
    assert bool(note) is keeps_note
    assert note in ("", text)


def test_levels_are_ordered_strongest_first_with_other_and_unspecified_last() -> None:
    names = [level.name for level in evidence.LEVELS]
    assert names[0] == "Systematic Review"
    assert names[-3:] == ["Expert Opinion", "Other", "Not specified"]
    assert [level.rank for level in evidence.LEVELS] == list(range(len(names)))


def test_every_level_has_a_distinct_plain_language_label() -> None:
    labels = [level.label for level in evidence.LEVELS]
    assert len(set(labels)) == len(labels)
    assert evidence.BY_KEY["rct"].label == "Trial in people"
    assert evidence.BY_KEY["systematic_review"].label == "Review of many studies"
