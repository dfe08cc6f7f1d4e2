"""Loading, validating, exporting and importing the thesaurus."""

from __future__ import annotations

from pathlib import Path

import pytest

from synonyms import ThesaurusError, check, load
from synonyms.loader import dump_concepts
from synonyms.model import Thesaurus
from synonyms.solr import export, import_text
from tests.conftest import DATA


def test_loads_concepts_terms_kinds_and_sources() -> None:
    thesaurus = load(DATA / "thesaurus")
    concept = thesaurus.by_id()["pressure-injury"]
    assert concept.preferred == "pressure injury" and concept.group == "Test Group"
    assert [(t.text, t.kind, t.source) for t in concept.terms][:2] == [
        ("pressure injury", "preferred", ""), ("pressure ulcer", "clinical", "MeSH:D003668")]
    assert concept.clinical_terms == ["pressure injury", "pressure ulcer", "decubitus ulcer"]
    assert len(thesaurus) == 6 and thesaurus.term_count == 24


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_problem_is_reported_with_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, """group: G
concepts:
  - id: one
    preferred: first thing
    lay: [thing one, Thing One]
  - id: two
    preferred: second thing
    clinical:
      - thing one
  - id: three
    preferred: empty concept
  - id: Bad_Id
    preferred: x
    lay: [y]
    colour: red
""")
    _, problems = check(path)
    found = {(p.line, p.severity, p.message) for p in problems}
    assert (5, "warning", "'Thing One' is listed twice in 'one' (also line 5)") in found
    assert any(line == 9 and "'thing one' is claimed by 'two' and by 'one'" in message
               for line, _, message in found)
    assert (10, "error", "concept 'three' has no terms besides its preferred one") in found
    assert (12, "error", "id 'Bad_Id' should be lower-case words joined by hyphens") in found
    assert any(line == 15 and "unknown key 'colour'" in message for line, _, message in found)
    with pytest.raises(ThesaurusError, match=r"t.yaml:9: error:"):
        load(path)


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "group: G\nconcepts:\n  - id: a\n    lay: [unclosed\n")
    _, problems = check(path)
    assert problems[0].line is not None and "not valid YAML" in problems[0].message


def test_solr_export_and_import_round_trip() -> None:
    thesaurus = load(DATA / "thesaurus")
    text = export(thesaurus)
    assert "# pressure-injury | Test Group" in text
    assert ("bed sore, sores from sitting, bed soar => pressure injury, pressure ulcer, "
            "decubitus ulcer") in text
    back = import_text(text, Path("x.txt"))
    assert [c.id for c in back] == [c.id for c in thesaurus]
    original = thesaurus.by_id()["pressure-injury"]
    again = {c.id: c for c in back}["pressure-injury"]
    assert {t.text for t in again.terms} == {t.text for t in original.terms}
    assert again.clinical_terms == original.clinical_terms


def test_import_of_a_plain_solr_file_and_dump_as_yaml(tmp_path: Path) -> None:
    concepts = import_text("# comment\nhypertension, high blood pressure\n"
                           "wheelie chair, wheel chair => wheelchair\n", tmp_path / "s.txt",
                           group="Imported")
    assert [(c.id, c.preferred) for c in concepts] == [("hypertension", "hypertension"),
                                                       ("wheelchair", "wheelchair")]
    assert [t.kind for t in concepts[1].terms] == ["preferred", "lay", "lay"]
    path = tmp_path / "imported.yaml"
    path.write_text(dump_concepts(concepts, "Imported"), encoding="utf-8")
    assert [c.id for c in load(path)] == ["hypertension", "wheelchair"]


def test_digest_changes_with_content() -> None:
    thesaurus = load(DATA / "thesaurus")
    smaller = Thesaurus(thesaurus.concepts[1:])
    assert thesaurus.digest() != smaller.digest()
    assert thesaurus.digest() == load(DATA / "thesaurus").digest()


def test_our_own_export_imported_beside_the_thesaurus_names_each_concept_once(
        tmp_path: Path) -> None:
    """The README's import step done wrong: a second copy of every concept."""
    from click.testing import CliRunner

    from searchapp.cli import cli

    folder = tmp_path / "thesaurus"
    folder.mkdir()
    (folder / "test-terms.yaml").write_bytes((DATA / "thesaurus" / "test-terms.yaml").read_bytes())
    thesaurus = load(DATA / "thesaurus")
    (folder / "imported.yaml").write_text(
        dump_concepts(import_text(export(thesaurus), Path("x.txt")), "Imported"), encoding="utf-8")
    problems = [p for p in check(folder)[1] if p.severity == "error"]
    assert len(problems) == len(thesaurus.concepts)  # one per concept, no term repeated
    assert all("is also used at" in p.message for p in problems)
    runner = CliRunner()
    (tmp_path / "s.md").write_text("---\nid: a\ntitle: Bed sores\n---\n", encoding="utf-8")
    result = runner.invoke(cli, ["index", str(tmp_path / "s.md"), "--index-dir",
                                 str(tmp_path / "ix")], env={"SCISEARCH_THESAURUS": str(folder)})
    assert result.exit_code == 1
    assert "the thesaurus has" in result.output and "synonyms check` lists every" in result.output
