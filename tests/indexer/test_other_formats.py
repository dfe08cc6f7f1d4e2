"""Markdown with front matter, JSON and JSON Lines."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from indexer.formats import read_file
from indexer.record import FIELDS


def test_markdown_front_matter_and_sections(data_dir: Path) -> None:
    result = read_file(data_dir / "summary.md")
    assert not result.errors and not result.warnings
    [summary] = result.summaries
    assert summary.title == "Wheelchair skills practice in a made-up test study"
    assert summary.published == dt.date(2019, 11, 2)
    assert summary.doi == "10.5555/test.0002"
    assert summary.categories == ("Rehabilitation", "Assistive Technology")
    assert summary.evidence_level == "Cohort Study"
    assert summary.key_findings == ("Skills scores rose after training.",
                                    "Falls from the chair became rarer.")
    assert [(i.heading, i.text) for i in summary.practical_implications] == [
        ("Practise With a Spotter",
         "Learning hard skills is safer with someone standing behind the chair."),
        ("Keep Practising", "Skills fade without practice."),
    ]
    assert summary.simple_explanation == ("A pretend group of wheelchair users practised skills "
                                          "such as popping a wheelie. They became more confident.")


def test_markdown_with_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_text('---\ntitle: "ok"\nyear: [2019\n---\n## Simple Explanation\nx\n',
                    encoding="utf-8")
    [error] = read_file(path).errors
    assert "front matter is not valid YAML" in str(error)
    assert error.line is not None and error.line >= 3


def test_markdown_unknown_field_is_a_warning_with_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "typo.md"
    path.write_text('---\ntitle: "A title"\njournl: "Spinal Cord"\n---\n', encoding="utf-8")
    result = read_file(path)
    assert len(result.summaries) == 1
    assert result.warnings == ["unknown field 'journl' ignored (did you mean 'journal'?)"]


def test_json_list_reads_each_record_with_its_id(data_dir: Path) -> None:
    result = read_file(data_dir / "summaries.json")
    assert not result.errors
    first, second = result.summaries
    assert first.id == "test-json-one"
    assert first.practical_implications[0].heading == "Not Standard Care"
    assert second.id == "10-5555-test-0003"  # derived from the DOI
    assert second.year == 2018
    assert second.key_findings == ("One finding given as plain text.",)
    assert second.evidence_level == "Cohort Study"


def test_json_single_object_takes_its_id_from_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "Stem Cells Pilot.json"
    path.write_text(json.dumps({"title": "A pilot"}), encoding="utf-8")
    [summary] = read_file(path).summaries
    assert summary.id == "stem-cells-pilot"
    assert summary.key_findings == () and summary.year is None


def test_inspect_output_reads_back_as_json_input(tmp_path: Path, data_dir: Path) -> None:
    [original] = read_file(data_dir / "page_full.txt").summaries
    path = tmp_path / "roundtrip.json"
    path.write_text(json.dumps(original.to_dict()), encoding="utf-8")
    [again] = read_file(path).summaries
    assert again == original
    assert list(original.to_dict()) == list(FIELDS)


def test_jsonl_with_field_map_reads_another_sites_export(data_dir: Path) -> None:
    result = read_file(data_dir / "trials.jsonl",
                       {"nct_id": "id", "brief_summary": "simple_explanation"})
    assert not result.errors and not result.warnings
    assert [s.id for s in result.summaries] == ["NCT99999901", "NCT99999902"]  # as given
    assert result.summaries[1].simple_explanation.startswith("Daily skin checks")


def test_jsonl_without_field_map_warns_about_unknown_fields_and_needs_ids(data_dir: Path) -> None:
    result = read_file(data_dir / "trials.jsonl")
    assert result.summaries == []
    assert len(result.errors) == 2
    assert "record on line" not in str(result.errors[0])  # jsonl errors carry the line number
    assert "line 1: field 'id': no id, and no DOI to derive one from" in str(result.errors[0])


# The file is written with an indent of 2: the bad record starts on line 6, its
# "id" is on line 7, "title" on 8 and the next field on 9.
@pytest.mark.parametrize(("record", "line", "message"), [
    ({"id": "x"}, 6, "field 'title': a title is required"),
    ({"id": "x", "title": "t", "year": "twenty"}, 9, "field 'year': expected a four-digit year"),
    ({"id": "x", "title": "t", "year": 1066}, 9, "field 'year': 1066 is not a plausible"),
    ({"id": "x", "title": "t", "key_findings": [1, 2]}, 9,
     "field 'key_findings': item 1 should be"),
    ({"id": "x", "title": "t", "practical_implications": [{"head": "h"}]}, 9,
     "field 'practical_implications': item 1 has unknown keys ['head']"),
    ({"id": "x", "title": ["a", "list"]}, 8, "field 'title': expected text, got list"),
    ({"id": "x", "title": "t", "published": "yesterday"}, 9, "field 'published': cannot read"),
])
def test_bad_json_records_name_record_line_field_and_problem(
    tmp_path: Path, record: dict[str, object], line: int, message: str
) -> None:
    path = tmp_path / "bad.json"
    good = {"id": "fine", "title": "A fine record"}
    path.write_text(json.dumps([good, record], indent=2), encoding="utf-8")
    result = read_file(path)
    assert [s.id for s in result.summaries] == ["fine"]  # the good record still counts
    [error] = result.errors
    assert f"{path}: record 2, line {line}: {message}" in str(error)


def test_a_mapped_field_is_found_under_the_name_the_file_gives_it(tmp_path: Path) -> None:
    path = tmp_path / "trial.json"
    path.write_text('{\n  "nct_id": "NCT01",\n\n  "brief_title": ["not", "text"]\n}',
                    encoding="utf-8")
    [error] = read_file(path, {"nct_id": "id", "brief_title": "title"}).errors
    assert str(error) == f"{path}: line 4: field 'title': expected text, got list"


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "title": "x",\n  oops\n}', encoding="utf-8")
    [error] = read_file(path).errors
    assert error.line == 3 and "not valid JSON" in str(error)


def test_duplicate_ids_inside_one_file_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "dupes.json"
    path.write_text(json.dumps([{"id": "a", "title": "one"}, {"id": "a", "title": "two"}]),
                    encoding="utf-8")
    result = read_file(path)
    assert [s.title for s in result.summaries] == ["one"]
    assert "id 'a' is used twice in this file" in str(result.errors[0])


def test_unknown_extension_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.docx"
    path.write_bytes(b"PK")
    [error] = read_file(path).errors
    assert "unknown file type '.docx'" in str(error)


def test_windows_1252_text_is_read_with_a_warning(tmp_path: Path, data_dir: Path) -> None:
    text = (data_dir / "page_full.txt").read_text(encoding="utf-8").replace("·", "|")
    text = text.replace("made-up test study", "made-up test study café").replace("•", "-")
    path = tmp_path / "cp1252.txt"
    path.write_bytes(text.replace("|", "\u00b7").encode("cp1252"))
    result = read_file(path)
    assert not result.errors
    assert result.summaries[0].title.endswith("café")
    assert any("Windows-1252" in w for w in result.warnings)


def test_utf8_with_one_bad_byte_stays_utf8_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "one-bad-byte.json"
    record = {"id": "cafe", "title": "Café meetings after spinal cord injury \u2013 a study",
              "simple_explanation": "People met in a café, naïvely at first."}
    data = json.dumps(record, ensure_ascii=False).encode("utf-8")
    path.write_bytes(data.replace(b"first", b"fir\xffst"))  # one byte no UTF-8 has
    result = read_file(path)
    assert not result.errors
    [summary] = result.summaries
    assert summary.title == record["title"]  # not "CafÃ©", not "\u00e2\u20ac\u201c"
    assert summary.simple_explanation == "People met in a café, naïvely at fir\ufffdst."
    assert any("not UTF-8 at 1 place(s)" in w and "read as UTF-8" in w
               for w in result.warnings)


def test_a_markdown_file_that_is_not_a_summary_is_said_to_be_so(tmp_path: Path) -> None:
    # Like the README: headings of its own, and a summary's only inside a code block.
    path = tmp_path / "README.md"
    path.write_text("# Notes\n\n## Quick start\n\nRun it.\n\n```markdown\n## Simple Explanation\n"
                    "Example text.\n```\n", encoding="utf-8")
    result = read_file(path)
    assert result.summaries == [] and result.warnings == []
    [error] = result.errors
    assert "no front matter and no section such as '## Simple Explanation'" in str(error)
    assert str(path) in str(error)
