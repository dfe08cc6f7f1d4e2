"""The thesaurus shipped with sci-search: valid, big enough, and it knows patients' words."""

from __future__ import annotations

from collections import Counter

import pytest

from indexer import analysis
from synonyms import Matcher, check
from synonyms.loader import shipped_dir
from synonyms.model import Thesaurus

GROUPS = {
    "Injury Levels & Types", "Acute Care", "Surgery", "Diagnosis & Children",
    "Spine Conditions", "Spinal Tumours & Oncology", "Regeneration & Repair",
    "Neuromodulation", "Rehabilitation & Mobility", "Assistive Technology",
    "Bladder & Kidneys", "Bowel", "Sexual Health & Fertility", "Skin & Pressure Injuries",
    "Pain", "Spasticity", "Autonomic & Cardiovascular", "Breathing", "Bone Health",
    "Mental Health", "Daily Life & Care",
}


@pytest.fixture(scope="module")
def thesaurus() -> Thesaurus:
    loaded, problems = check(shipped_dir())
    assert [str(p) for p in problems] == []
    return loaded


@pytest.fixture(scope="module")
def matcher(thesaurus: Thesaurus) -> Matcher:
    return Matcher(thesaurus, analysis)


def test_at_least_300_concepts_and_3000_terms_across_sci_life(thesaurus: Thesaurus) -> None:
    assert len(thesaurus) >= 300 and thesaurus.term_count >= 3000
    assert {c.group for c in thesaurus} == GROUPS
    assert min(Counter(c.group for c in thesaurus).values()) >= 10


def test_every_concept_has_lay_and_clinical_words(thesaurus: Thesaurus) -> None:
    for concept in thesaurus:
        assert len(concept.terms) >= 6, concept.id
        assert concept.of_kind("lay", "misspelling"), concept.id


def test_terms_from_reference_vocabularies_name_their_source(thesaurus: Thesaurus) -> None:
    sources = Counter(t.source.split(":")[0] for c in thesaurus for t in c.terms if t.source)
    assert sources["MeSH"] >= 50 and sources["MedQuAD"] >= 100 and sources["CHV"] >= 10


@pytest.mark.parametrize(("typed", "concept"), [
    ("cancer spread to spine", "spinal-metastasis"),
    ("bed sores wont heal", "pressure-injury"),
    ("cant pee since my accident", "neurogenic-bladder"),
    ("spastisity medicine", "spasticity"),
    ("is there anything for nerve pain", "neuropathic-pain"),
    ("can stem cells help me", "stem-cell-therapy"),
    ("dizzy when I sit up", "orthostatic-hypotension"),
    ("pounding headache", "autonomic-dysreflexia"),
    ("weak bones", "osteoporosis"),
    ("breathing machine", "mechanical-ventilation"),
    ("bowl accidents", "faecal-incontinence"),
    ("steriods right after the injury", "corticosteroids"),
])
def test_patients_words_name_the_right_concept(matcher: Matcher, typed: str,
                                               concept: str) -> None:
    found = [m.concept.id for m in matcher.find(typed, fuzzy=True, query=True)]
    assert concept in found


def test_exports_to_solr_format(thesaurus: Thesaurus) -> None:
    from synonyms.solr import export

    lines = [line for line in export(thesaurus).splitlines() if line and line[0] != "#"]
    assert len(lines) >= len(thesaurus)
