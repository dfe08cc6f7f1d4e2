"""Building the index: incremental updates, bad input, the lock, and killed builds."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import filelock
import pytest

from indexer import IndexLockedError, IndexNotFoundError
from indexer.build import LOCK, MANIFEST, build_index, current_generation, open_index
from indexer.synthetic import write_corpus
from tests.conftest import REPO


def _ids(index_dir: Path) -> set[str]:
    with open_index(index_dir).searcher() as searcher:
        return {fields["id"] for fields in searcher.all_stored_fields()}


def test_first_build_adds_every_summary_and_writes_a_manifest(corpus: Path,
                                                               tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    report = build_index([corpus], index_dir)
    assert (report.added, report.updated, report.deleted, report.unchanged) == (4, 0, 0, 0)
    assert report.ok and report.documents == 4
    manifest = json.loads((index_dir / MANIFEST).read_text())
    assert manifest["documents"] == 4 and manifest["files"] == 3
    assert manifest["schema_version"] >= 1
    assert manifest["packages"]["whoosh3"] == "3.54.0"
    assert len(manifest["corpus_hash"]) == 64


def test_second_build_of_the_same_files_changes_nothing(built_index: Path, corpus: Path) -> None:
    generation = current_generation(built_index)
    report = build_index([corpus], built_index)
    assert (report.added, report.updated, report.deleted, report.unchanged) == (0, 0, 0, 4)
    assert current_generation(built_index) == generation


def test_changed_file_is_replaced_and_removed_file_deleted(built_index: Path,
                                                           corpus: Path) -> None:
    page = corpus / "page_full.txt"
    page.write_text(page.read_text().replace("phone app", "tablet app"), encoding="utf-8")
    (corpus / "summary.md").unlink()
    report = build_index([corpus], built_index)
    assert (report.added, report.updated, report.deleted, report.unchanged) == (0, 1, 1, 2)
    assert _ids(built_index) == {"10-5555-test-0001", "test-json-one", "10-5555-test-0003"}
    with open_index(built_index).searcher() as searcher:
        record = json.loads(searcher.document(id="10-5555-test-0001")["record"])
    assert "tablet app" in record["title"]


def test_record_removed_from_a_json_file_is_deleted(built_index: Path, corpus: Path) -> None:
    path = corpus / "summaries.json"
    records = json.loads(path.read_text())
    path.write_text(json.dumps(records[:1]), encoding="utf-8")
    report = build_index([corpus], built_index)
    assert (report.updated, report.deleted) == (1, 1)
    assert "10-5555-test-0003" not in _ids(built_index)


def test_indexing_another_folder_leaves_the_first_one_alone(built_index: Path,
                                                            tmp_path: Path,
                                                            data_dir: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(data_dir / "trials.jsonl", other / "trials.jsonl")
    report = build_index([other], built_index, field_map={"nct_id": "id"})
    assert (report.added, report.deleted) == (2, 0)
    assert len(_ids(built_index)) == 6


def test_broken_file_is_skipped_and_the_rest_indexed(corpus: Path, tmp_path: Path) -> None:
    (corpus / "broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    report = build_index([corpus], tmp_path / "index")
    assert not report.ok and report.skipped == 1
    assert "broken.md" in str(report.errors[0]) and "YAML" in str(report.errors[0])
    assert report.documents == 4


def test_file_broken_after_indexing_keeps_its_last_good_version(built_index: Path,
                                                               corpus: Path) -> None:
    page = corpus / "page_full.txt"
    page.write_text(page.read_text().replace("March 9, 2021", "Smarch 99, 2021"),
                    encoding="utf-8")
    report = build_index([corpus], built_index)
    assert report.kept == [page.resolve()]
    assert "field 'published'" in str(report.errors[0])
    assert "10-5555-test-0001" in _ids(built_index)
    manifest = json.loads((built_index / MANIFEST).read_text())
    assert manifest["sources"][str(page.resolve())]["status"] == "last good version kept"
    # Fixed again: the new version replaces the old one.
    page.write_text(page.read_text().replace("Smarch 99, 2021", "March 10, 2021"),
                    encoding="utf-8")
    report = build_index([corpus], built_index)
    assert report.ok and report.updated == 1


def test_a_rebuild_keeps_the_last_good_version_of_a_broken_file_too(built_index: Path,
                                                                    corpus: Path) -> None:
    before = sorted(_ids(built_index))
    page = corpus / "page_full.txt"
    page.write_text(page.read_text().replace("March 9, 2021", "Smarch 99, 2021"),
                    encoding="utf-8")
    records = json.loads((corpus / "summaries.json").read_text())
    records[1]["year"] = "last year"  # one bad record of several
    (corpus / "summaries.json").write_text(json.dumps(records), encoding="utf-8")
    report = build_index([corpus], built_index, rebuild=True)
    assert report.rebuilt and not report.ok
    assert sorted(report.kept) == sorted([page.resolve(), (corpus / "summaries.json").resolve()])
    assert sorted(_ids(built_index)) == before  # nothing lost
    manifest = json.loads((built_index / MANIFEST).read_text())
    assert manifest["sources"][str(page.resolve())]["status"] == "last good version kept"


def test_json_file_with_one_bad_record_keeps_that_records_old_version(built_index: Path,
                                                                      corpus: Path) -> None:
    path = corpus / "summaries.json"
    records = json.loads(path.read_text())
    records[1]["year"] = "last year"
    records[0]["title"] = records[0]["title"] + " (revised)"
    path.write_text(json.dumps(records), encoding="utf-8")
    report = build_index([corpus], built_index)
    assert report.skipped == 1 and report.updated == 1 and report.deleted == 0
    assert {"test-json-one", "10-5555-test-0003"} <= _ids(built_index)


def test_same_id_in_two_files_is_reported_not_overwritten(built_index: Path,
                                                          corpus: Path) -> None:
    (corpus / "copy.json").write_text(json.dumps({"id": "test-json-one", "title": "Impostor"}),
                                      encoding="utf-8")
    report = build_index([corpus], built_index)
    assert "id 'test-json-one' is already used by" in str(report.errors[0])
    with open_index(built_index).searcher() as searcher:
        assert "Impostor" not in searcher.document(id="test-json-one")["record"]


def test_rebuild_makes_a_new_generation_and_removes_the_old(built_index: Path,
                                                           corpus: Path) -> None:
    old = current_generation(built_index)
    report = build_index([corpus], built_index, rebuild=True)
    new = current_generation(built_index)
    assert report.rebuilt and report.added == 4
    assert old is not None and new is not None and new != old and not old.exists()


def test_schema_change_rebuilds_instead_of_mixing(built_index: Path, corpus: Path) -> None:
    generation = current_generation(built_index)
    assert generation is not None
    (generation / "generation.json").write_text('{"schema_version": 0}')
    report = build_index([corpus], built_index)
    assert report.rebuilt and report.added == 4


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="run|build one with `scisearch index`"):
        open_index(tmp_path / "nothing-here")


def test_second_build_while_one_runs_is_refused_and_harms_nothing(built_index: Path,
                                                                  corpus: Path) -> None:
    before = _ids(built_index)
    holder = filelock.FileLock(str(built_index / LOCK))
    with holder:
        with pytest.raises(IndexLockedError, match="another build.* is writing the index"):
            build_index([corpus], built_index, rebuild=True)
    assert _ids(built_index) == before


def test_cli_reports_the_lock_and_exits_non_zero(built_index: Path, corpus: Path) -> None:
    holder = filelock.FileLock(str(built_index / LOCK))
    with holder:
        result = subprocess.run(
            [sys.executable, "-m", "searchapp.cli", "index", str(corpus),
             "--index-dir", str(built_index)],
            capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 1
    assert "another build" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("rebuild", [False, True], ids=["incremental", "rebuild"])
def test_build_killed_at_any_moment_leaves_the_previous_index_whole(
    tmp_path: Path, rebuild: bool
) -> None:
    corpus = tmp_path / "corpus"
    first = write_corpus(corpus, 60, seed=7, words=300)
    index_dir = tmp_path / "index"
    assert build_index([corpus], index_dir).documents == 60
    before = _ids(index_dir)
    # A bigger change for the killed builds: 240 new pages and 20 edited ones.
    write_corpus(corpus / "more", 240, seed=8, words=300)
    for path in first[:20]:
        path.write_text(path.read_text().replace("Spinal", "Spine"), encoding="utf-8")

    def command(target: Path) -> list[str]:
        return [sys.executable, "-m", "searchapp.cli", "index", str(corpus),
                "--index-dir", str(target)] + (["--rebuild"] if rebuild else [])

    # Time the whole build on a copy, then kill real builds at points across that time.
    scratch = tmp_path / "scratch"
    shutil.copytree(index_dir, scratch)
    started = time.perf_counter()
    subprocess.run(command(scratch), check=True, capture_output=True, cwd=REPO)
    full = time.perf_counter() - started
    kills_mid_build = 0
    for fraction in (0.05, 0.2, 0.4, 0.6, 0.75, 0.85, 0.95):
        process = subprocess.Popen(command(index_dir), cwd=REPO, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(full * fraction)
        if process.poll() is None:
            kills_mid_build += 1
            process.send_signal(signal.SIGKILL)
        process.wait()
        ids = _ids(index_dir)  # readable after every kill...
        assert before <= ids  # ...with every document it had before
    assert kills_mid_build >= 3
    # A build killed while writing CURRENT or the manifest leaves its temporary file.
    (index_dir / ".CURRENT.99999.tmp").write_text("gen-x", encoding="utf-8")
    report = build_index([corpus], index_dir, rebuild=rebuild)
    assert report.ok and report.documents == 300
    assert len(_ids(index_dir)) == 300
    assert not list(index_dir.glob(".*.tmp"))  # the next build removes such leftovers


@pytest.mark.slow
def test_a_killed_build_leaves_no_writer_process_behind(tmp_path: Path) -> None:
    from indexer import build

    corpus = tmp_path / "corpus"
    pages = write_corpus(corpus, 1000, seed=3, words=400)
    assert sum(page.stat().st_size for page in pages) >= build.PARALLEL_BYTES  # forks writers
    process = subprocess.Popen(
        [sys.executable, "-m", "searchapp.cli", "index", str(corpus), "--index-dir",
         str(tmp_path / "index"), "--rebuild"], cwd=REPO, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, env={**os.environ, "SCISEARCH_SEMANTIC": "off"})
    deadline = time.monotonic() + 120
    while not (writers := _children(process.pid)):
        assert process.poll() is None and time.monotonic() < deadline, "no writer started"
        time.sleep(0.02)
    time.sleep(0.5)  # writing
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while alive := [pid for pid in writers if _running(pid)]:
        assert time.monotonic() < deadline, f"writer processes left running: {alive}"
        time.sleep(0.05)


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _running(pid: int) -> bool:
    """Whether the process exists and is not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_large_fresh_build_runs_on_several_processes_and_ranks_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer import build
    from searchapp.search import SearchIndex, SearchRequest

    corpus = tmp_path / "corpus"
    write_corpus(corpus, 250, seed=3, words=60)  # whoosh hands out batches of 100
    assert build_index([corpus], tmp_path / "one", embed=False).documents == 250
    monkeypatch.setattr(build, "PARALLEL_BYTES", 0)  # as if it were large
    monkeypatch.setattr(build.os, "cpu_count", lambda: 2)
    assert build_index([corpus], tmp_path / "two", embed=False).documents == 250
    generation = current_generation(tmp_path / "two")
    assert generation is not None and len(list(generation.glob("*.seg"))) == 2
    with SearchIndex(tmp_path / "one", semantic=False) as one, \
            SearchIndex(tmp_path / "two", semantic=False) as two:
        for question in ("walking", "stem cell transplantation", "bladder infection catheter",
                         "can stem cells help me walk again", '"spinal cord" pain'):
            first, second = (index.search(SearchRequest(q=question)) for index in (one, two))
            assert first.total == second.total
            # Every summary's score, by id (ties may come in another order).
            scores = []
            for index, answer in ((one, first), (two, second)):
                assert answer.parsed is not None and index._scorer is not None
                found = index._scorer.evaluate(index.match_query(answer.parsed))
                ids = {d: f["id"] for d, f in index._searcher.reader().iter_docs()}
                scores.append({ids[d]: round(float(found.score[d]), 9)
                               for d in found.matched().tolist()})
            assert scores[0] == scores[1]


def test_each_text_is_indexed_as_the_analysis_reads_it(tmp_path: Path) -> None:
    # The build reads each text once (for its concepts, terms and words): the terms
    # and their positions are what indexer.analysis makes of the text.
    from indexer import analysis
    from indexer.schema import TEXT_FIELDS

    title = "Won't walk? Robots & the patients' own steps: walking again after injuries"
    (tmp_path / "one.json").write_text(json.dumps([{
        "id": "robots", "title": title, "simple_explanation": "Exoskeletons help walking."}]),
        encoding="utf-8")
    build_index([tmp_path / "one.json"], tmp_path / "index", embed=False)
    with open_index(tmp_path / "index").searcher() as searcher:
        reader = searcher.reader()
        positions: dict[int, str] = {}
        for raw in reader.lexicon("title"):
            term = raw.decode("utf-8")
            for position in reader.postings("title", term).value_as("positions"):
                positions[position] = term
        assert [positions[k] for k in sorted(positions)] == analysis.analyze(title)
        assert sorted(positions) == list(range(len(analysis.analyze(title))))
        assert {raw.decode() for raw in reader.lexicon("simple_explanation")} == {
            "exoskeleton", "help", "walk"}
        assert not any(list(reader.lexicon(name)) for name in TEXT_FIELDS
                       if name not in ("title", "simple_explanation", "meta"))
        # The vocabulary for spelling: every word once, as written (folded).
        assert {raw.decode() for raw in reader.lexicon("words")} == {
            t.text for text in (title, "Exoskeletons help walking.")
            for t in analysis.tokens(text) if not analysis.is_stop(t.text) and t.text.isalpha()}


def test_files_nested_past_what_a_parser_can_read_are_skipped_one_line_each(
        tmp_path: Path) -> None:
    deep = 100_000
    summaries = tmp_path / "summaries"
    summaries.mkdir()
    (summaries / "good.json").write_text(json.dumps({"id": "good-one", "title": "Walking"}))
    (summaries / "array.json").write_text("[" * deep + "]" * deep)
    (summaries / "object.json").write_text('{"a":' * deep + "1" + "}" * deep)
    (summaries / "lines.jsonl").write_text(
        json.dumps({"id": "line-one", "title": "Bladder care"}) + "\n" + "[" * deep + "]" * deep)
    (summaries / "front.md").write_text(
        "---\ntitle: " + "[" * deep + "]" * deep + "\n---\n\nText\n")
    report = build_index([summaries], tmp_path / "index", embed=False)
    assert _ids(tmp_path / "index") == {"good-one", "line-one"}  # the rest of a JSONL file too
    problems = {(e.path.name, e.line): e.reason for e in report.errors}
    assert set(problems) == {("array.json", None), ("object.json", None), ("lines.jsonl", 2),
                             ("front.md", None)}
    assert all("nested too deeply" in message for message in problems.values())


def test_values_no_parser_can_make_are_skipped_with_a_short_line(tmp_path: Path) -> None:
    digits = "9" * 100_000  # past the 4,300 digits Python reads
    summaries = tmp_path / "summaries"
    summaries.mkdir()
    (summaries / "good.json").write_text(json.dumps({"id": "good-one", "title": "Walking"}))
    (summaries / "year.json").write_text('[{"id": "y", "title": "T", "year": ' + digits + "}]")
    (summaries / "lines.jsonl").write_text(
        '{"id": "n", "title": "T", "year": ' + digits + "}\n"
        + json.dumps({"id": "line-two", "title": "Bladder care"}) + "\n")
    (summaries / "number.md").write_text(f"---\ntitle: T\nyear: {digits}\n---\n\nText\n")
    (summaries / "date.md").write_text("---\ntitle: T\npublished: 2020-02-30\n---\n\nText\n")
    report = build_index([summaries], tmp_path / "index", embed=False)
    assert _ids(tmp_path / "index") == {"good-one", "line-two"}
    problems = {(e.path.name, e.line): str(e) for e in report.errors}
    assert set(problems) == {("year.json", 1), ("lines.jsonl", 1), ("number.md", None),
                             ("date.md", None)}
    assert all(len(message) < 300 for message in problems.values())
    assert "expected a four-digit year" in problems["year.json", 1]
    assert "(100,000 characters)" in problems["lines.jsonl", 1]
    assert "a number of more than 4,300 digits" in problems["number.md", None]
    assert "day is out of range for month" in problems["date.md", None]


def test_a_server_reading_fewer_digits_skips_a_long_number_the_same_way(
        tmp_path: Path) -> None:
    digits = "9" * 1000  # under Python's default 4,300, over this server's 640
    summaries = tmp_path / "summaries"
    summaries.mkdir()
    (summaries / "good.json").write_text(json.dumps({"id": "good-one", "title": "Walking"}))
    (summaries / "year.json").write_text('[{"id": "y", "title": "T", "year": ' + digits + "}]")
    (summaries / "number.md").write_text(f"---\ntitle: T\nyear: {digits}\n---\n\nText\n")
    default = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)  # as PYTHONINTMAXSTRDIGITS=640 would
    try:
        report = build_index([summaries], tmp_path / "index", embed=False)
    finally:
        sys.set_int_max_str_digits(default)
    assert _ids(tmp_path / "index") == {"good-one"}
    problems = {e.path.name: str(e) for e in report.errors}
    assert "expected a four-digit year" in problems["year.json"]
    assert "a number of more than 640 digits" in problems["number.md"]


def test_a_link_to_a_file_outside_the_summaries_folder_is_not_followed(tmp_path: Path) -> None:
    summaries, private = tmp_path / "summaries", tmp_path / "private"
    summaries.mkdir()
    private.mkdir()
    (summaries / "ours.json").write_text(json.dumps({"id": "ours", "title": "Walking"}))
    (private / "notes.json").write_text(json.dumps({"id": "private", "title": "Not for the web"}))
    (summaries / "notes.json").symlink_to(private / "notes.json")
    (summaries / "inside.json").symlink_to(summaries / "ours.json")  # inside: read once
    report = build_index([summaries], tmp_path / "index", embed=False)
    assert _ids(tmp_path / "index") == {"ours"}
    [skipped] = report.errors
    assert skipped.path == summaries / "notes.json"
    assert "outside the summaries folder: not followed" in skipped.reason


def test_a_summary_or_file_over_the_limits_is_skipped_with_a_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer.errors import SettingError

    summaries = tmp_path / "summaries"
    summaries.mkdir()
    (summaries / "two.json").write_text(json.dumps([
        {"id": "short", "title": "Walking"},
        {"id": "huge", "title": "Bladder care", "research_summary": "patients " * 20_000}]))
    (summaries / "big.jsonl").write_text(
        json.dumps({"id": "in-big", "title": "Pain"}) + "\n" + " " * 1_200_000)
    monkeypatch.setenv("SCISEARCH_MAX_FILE_MB", "1")
    report = build_index([summaries], tmp_path / "index", embed=False)
    assert _ids(tmp_path / "index") == {"short"}
    reasons = {(e.path.name, e.field): e.reason for e in report.errors}
    assert reasons[("two.json", "research_summary")] == (
        "180,000 characters, over the limit of 100,000 (SCISEARCH_MAX_FIELD_CHARS): "
        "the summary is skipped")
    assert reasons[("big.jsonl", None)] == (
        "1.2 MB, over the limit of 1 MB (SCISEARCH_MAX_FILE_MB): skipped")
    monkeypatch.setenv("SCISEARCH_MAX_FIELD_CHARS", "lots")
    with pytest.raises(SettingError, match="SCISEARCH_MAX_FIELD_CHARS='lots'"):
        build_index([summaries], tmp_path / "index", embed=False, rebuild=True)
    assert _ids(tmp_path / "index") == {"short"}  # the index served stays as it was
