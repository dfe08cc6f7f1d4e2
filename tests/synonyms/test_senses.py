"""Senses: a word that also means something else tags only the concept it names there.

Each row comes from the audit of the bundled summaries and the trials corpus:
"drive" in "drive a stimulation sleeve", "sex" as the variable in "age and sex",
"met" in "met the criteria" named concepts they were not about.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer import analysis
from indexer.build import build_index
from searchapp.search import SearchIndex, SearchRequest
from synonyms import Matcher, ThesaurusError, check, load
from synonyms.loader import dump_concepts, shipped_dir
from synonyms.model import Thesaurus

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load(shipped_dir()), analysis)


def _tags(matcher: Matcher, text: str) -> set[str]:
    return {m.concept.id for m in matcher.find(text)}


def _query_concepts(matcher: Matcher, text: str) -> set[str]:
    return {m.concept.id for m in matcher.find(text, fuzzy=True, query=True)}


@pytest.mark.parametrize(("text", "concept"), [
    ("decoded to drive a high-resolution neuromuscular electrical stimulation sleeve", "driving"),
    ("what triggers a first ulcer is not the same as what drives an ulcer to worsen", "driving"),
    ("reduced descending corticospinal drive", "driving"),
    ("adjusted for age and sex", "sexual-dysfunction"),
    ("sex-matched able-bodied controls", "sexual-dysfunction"),
    ("sex differences in outcome", "sexual-dysfunction"),
    ("participants met the inclusion criteria", "metastatic-cancer"),
    ("approved by the Food and Drug Administration", "nutrition"),
    ("the surgical technique employed in both groups", "employment"),
    ("no alcohol intake within 24 hours", "alcohol-misuse"),
    ("heart rate and respiration were recorded", "mechanical-ventilation"),
    ("bed linens affecting moisture and shear", "skin-care"),
    ("infection with Propionibacterium acnes", "skin-care"),
    ("intestinal epithelial barrier", "wound-healing"),
    ("a slim plastic tube", "weight-management"),
    ("riding an adapted tricycle", "tricyclic-antidepressant"),
    ("the research council funded the trial", "psychotherapy"),
    ("an oval electrode", "female-fertility"),
    ("medical and paramedical staff", "emergency-care"),
    ("opioids may cause respiratory depression", "depression"),
    ("a pain thought to be controlled by the spinal cord", "brain-computer-interface"),
])
def test_a_word_in_another_sense_does_not_tag_a_summary(matcher: Matcher, text: str,
                                                         concept: str) -> None:
    assert concept not in _tags(matcher, text)


@pytest.mark.parametrize(("text", "concept"), [
    ("return to driving after spinal cord injury", "driving"),
    ("on-the-road driving performance", "driving"),
    ("sexual function after injury", "sexual-dysfunction"),
    ("his sex life changed", "sexual-dysfunction"),
    ("spine mets were treated with radiotherapy", "metastatic-cancer"),
    ("a food diary", "nutrition"),
    ("employment after injury", "employment"),
    ("collaboration between employers and services", "employment"),
    ("a history of alcoholism", "alcohol-misuse"),
    ("alcoholics were excluded", "alcohol-misuse"),
    ("patients on a respirator", "mechanical-ventilation"),
    ("apply a standard moisturizer", "skin-care"),
    ("acne is a side effect", "skin-care"),
    ("complete epithelialization of the wound", "wound-healing"),
    ("a tricyclic such as amitriptyline", "tricyclic-antidepressant"),
    ("the paramedic team", "emergency-care"),
    ("depression and anxiety after injury", "depression"),
])
def test_the_word_in_its_sense_still_tags_a_summary(matcher: Matcher, text: str,
                                                    concept: str) -> None:
    assert concept in _tags(matcher, text)


@pytest.mark.parametrize(("typed", "concept", "not_concept"), [
    ("can i drive again", "driving", None),
    ("sex after injury", "sexual-dysfunction", None),
    ("can I have kids after spinal injury", "parenting", "children"),
    ("can we have children after my injury", "parenting", "children"),
    ("kids with spinal cord injury", "children", "parenting"),
])
def test_a_question_reads_the_word_in_the_patients_sense(matcher: Matcher, typed: str,
                                                         concept: str,
                                                         not_concept: str | None) -> None:
    found = _query_concepts(matcher, typed)
    assert concept in found
    assert not_concept not in found


def test_query_only_words_never_tag_a_summary(matcher: Matcher) -> None:
    assert "parenting" not in _tags(matcher, "participants who have kids at home")
    assert "sexual-dysfunction" not in _tags(matcher, "sex")


# The format: errors name file and line.

def _write(tmp_path: Path, concept: str) -> Path:
    path = tmp_path / "t.yaml"
    path.write_text("group: Test\nconcepts:\n  - id: driving\n    preferred: driving\n"
                    "    lay: [driving a car]\n" + concept, encoding="utf-8")
    return path


@pytest.mark.parametrize(("extra", "message", "line"), [
    ("    exact: [drive]\n", "'drive' in 'exact' is not a term of 'driving'", 6),
    ("    not_near: {driving: force}\n", "give 'driving' a list of single words", 6),
    ("    after: {driving: [two words]}\n", "give 'driving' a list of single words", 6),
    ("    after: [driving]\n", "'after' of 'driving' must map terms", 6),
    ("    query_only: drive\n", "'query_only' of 'driving' must be a list", 6),
    ("    senses: [drive]\n", "unknown key 'senses'", 6),
])
def test_a_bad_sense_rule_is_reported_with_file_and_line(tmp_path: Path, extra: str,
                                                         message: str, line: int) -> None:
    path = _write(tmp_path, extra)
    _, problems = check(path)
    assert [(p.line, p.severity) for p in problems if message in p.message] == [(line, "error")]
    with pytest.raises(ThesaurusError, match=r"t\.yaml:6"):
        load(path)


def test_sense_rules_survive_the_index_copy_and_a_dump(tmp_path: Path) -> None:
    path = _write(tmp_path, "    query_only: [drive]\n    exact: [driving]\n"
                            "    not_near: {driving: [force]}\n    after: {drive: [can]}\n")
    loaded = load(path)
    again = Thesaurus.from_json(loaded.to_json())
    assert again.digest() == loaded.digest()
    [term] = [t for t in again.concepts[0].terms if t.text == "drive"]
    assert term.query_only and term.after == ("can",) and term.kind == "lay"
    (tmp_path / "dumped.yaml").write_text(dump_concepts(loaded.concepts, "Test"),
                                          encoding="utf-8")
    assert load(tmp_path / "dumped.yaml").digest() == loaded.digest()
    plain = load(_write(tmp_path, "    query_only: [drive]\n"))
    assert plain.digest() != loaded.digest()


# The bundled index: what users saw.

@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    index_dir = tmp_path_factory.mktemp("bundled") / "index"
    report = build_index([REPO / "index_data" / "summaries"], index_dir,
                         thesaurus=load(shipped_dir()))
    assert report.ok, report.errors
    with SearchIndex(index_dir) as index:
        yield index


def test_can_i_drive_again_finds_no_summary_tagged_driving_by_another_sense(
        bundled: SearchIndex) -> None:
    results = bundled.search(SearchRequest(q="can i drive again", per_page=50)).results
    assert results
    for hit in results:
        if "driving" not in hit.topics:
            continue
        # Tagged driving only when the summary speaks of driving (a car, a wheelchair),
        # never for a "drive" of nerves, ulcers or stimulation sleeves alone.
        document = bundled.get(hit.id)
        assert document is not None
        text = json.dumps(document.record).lower()
        assert re.search(r"\bdriv(ing|ers?)\b", text), hit.id
