"""The scisearch command line, as a person at a terminal uses it."""

from __future__ import annotations

import json
import re
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from searchapp.cli import cli
from tests.conftest import REPO


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_inspect_prints_the_seed_page_as_canonical_json(runner: CliRunner,
                                                        seed_page: Path) -> None:
    result = runner.invoke(cli, ["inspect", str(seed_page)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["doi"] == "10.1186/s13018-023-03975-3"
    assert record["published"] == "2023-07-03"
    assert record["evidence_level"] == "Systematic Review"
    assert [i["heading"] for i in record["practical_implications"]][0] == (
        "Personalized Treatment Plans")


def test_inspect_of_a_broken_file_names_it_and_exits_1(runner: CliRunner,
                                                      tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("[{", encoding="utf-8")
    result = runner.invoke(cli, ["inspect", str(path)])
    assert result.exit_code == 1
    assert f"error: {path}: line 1: not valid JSON" in result.stderr


def test_index_then_search_from_the_terminal(runner: CliRunner, corpus: Path,
                                             tmp_path: Path) -> None:
    index_dir = str(tmp_path / "ix")
    result = runner.invoke(cli, ["index", str(corpus), "--index-dir", index_dir])
    assert result.exit_code == 0, result.output
    assert re.search(r"Rebuilt .* in [\d.]+ s: 4 added, 0 updated, 0 deleted, 0 unchanged, "
                     r"0 skipped; 4 summaries in the index", result.stdout)
    again = runner.invoke(cli, ["index", str(corpus), "--index-dir", index_dir])
    assert "0 added, 0 updated, 0 deleted, 4 unchanged" in again.stdout

    found = runner.invoke(cli, ["search", "wheelchair skills", "--index-dir", index_dir])
    assert found.exit_code == 0
    assert "1 summary found" in found.stdout
    assert "Wheelchair skills practice" in found.stdout
    assert "Rehabilitation \u00b7 Study following people over time \u00b7 2019" in found.stdout
    assert "<mark>" not in found.stdout
    assert "Category: Assistive Technology (1), Rehabilitation (1)" in found.stdout
    assert "not medical advice" in found.stdout


def test_search_json_has_total_results_and_facets(runner: CliRunner,
                                                  built_index: Path) -> None:
    result = runner.invoke(cli, ["search", "leaks", "--json", "--index-dir", str(built_index)])
    data = json.loads(result.stdout)
    assert data["total"] == 1
    hit = data["results"][0]
    assert set(hit) >= {"id", "title", "score", "snippet"}
    assert "not medical advice" in data["disclaimer"]
    assert "<mark>leaks</mark>" in hit["snippet"]
    assert data["facets"]["category"] == [
        {"value": "Quality of Life", "label": "Quality of Life", "count": 1, "selected": False},
        {"value": "Urology", "label": "Urology", "count": 1, "selected": False},
    ]


def test_search_limit_and_filters(runner: CliRunner, built_index: Path) -> None:
    result = runner.invoke(cli, ["search", "", "--json", "--limit", "2",
                                 "--index-dir", str(built_index)])
    assert len(json.loads(result.stdout)["results"]) == 2
    result = runner.invoke(cli, ["search", "", "--json", "--category", "Acute Care",
                                 "--index-dir", str(built_index)])
    assert [h["id"] for h in json.loads(result.stdout)["results"]] == ["test-json-one"]


@pytest.mark.parametrize("q", ['"', "AND", "*:*", "title:(", "~~", "🦽", "x" * 5000])
def test_odd_queries_answer_without_a_traceback(runner: CliRunner, built_index: Path,
                                                q: str) -> None:
    result = runner.invoke(cli, ["search", q, "--index-dir", str(built_index)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["search", "x", "--limit", "0"], "Invalid value for --limit: must be from 1 to 1000"),
    (["search", "x", "--limit", "5000"], "Invalid value for --limit: must be from 1 to 1000"),
    (["search", "x", "--index-dir", "/nonexistent/ix"], "no search index in /nonexistent/ix"),
    (["index", "/nonexistent/summaries"], "/nonexistent/summaries: no such file or folder"),
    (["index", "--map", "nonsense"], "'nonsense' should look like SOURCE=FIELD"),
])
def test_bad_options_are_named_in_one_line(runner: CliRunner, args: list[str],
                                           message: str) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_index_exits_1_and_names_the_skipped_file(runner: CliRunner, corpus: Path,
                                                  tmp_path: Path) -> None:
    (corpus / "bad.txt").write_text("nothing like a summary page\n", encoding="utf-8")
    result = runner.invoke(cli, ["index", str(corpus), "--index-dir", str(tmp_path / "ix")])
    assert result.exit_code == 1
    assert f"skipped: {(corpus / 'bad.txt').resolve()}: no journal line" in result.stderr
    assert "4 added" in result.stdout and "1 skipped" in result.stdout


def test_every_command_has_help_and_is_in_the_readme(runner: CliRunner) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():  # type: ignore[attr-defined]
        assert command.help, f"{name} has no help text"
        assert runner.invoke(cli, [name, "--help"]).exit_code == 0
        assert f"scisearch {name}" in readme, f"README does not show `scisearch {name}`"


def test_synonyms_check_reports_problems_with_file_and_line(runner: CliRunner,
                                                             tmp_path: Path) -> None:
    ok = runner.invoke(cli, ["synonyms", "check"])  # the test thesaurus (conftest)
    assert ok.exit_code == 0
    assert "6 concepts, 24 terms in 1 group(s): 0 error(s), 0 warning(s)." in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("group: G\nconcepts:\n  - id: a\n    preferred: x\n    lay: [y]\n"
                   "  - id: b\n    preferred: z\n    lay: [y]\n", encoding="utf-8")
    result = runner.invoke(cli, ["synonyms", "check", "--thesaurus", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:8: error: 'y' is claimed by 'b' and by 'a'" in result.stderr


def test_synonyms_export_import_and_match(runner: CliRunner, tmp_path: Path) -> None:
    exported = runner.invoke(cli, ["synonyms", "export", "--format", "solr"])
    assert exported.exit_code == 0
    assert "bed sore, sores from sitting, bed soar => pressure injury" in exported.stdout
    solr = tmp_path / "synonyms.txt"
    solr.write_text(exported.stdout, encoding="utf-8")
    imported = runner.invoke(cli, ["synonyms", "import", str(solr)])
    assert imported.exit_code == 0 and "id: pressure-injury" in imported.stdout
    matched = runner.invoke(cli, ["synonyms", "match", "cancer spred to my spine"])
    assert "spinal metastasis [spinal-metastasis]" in matched.stdout
    assert "(corrected spred -> spread)" in matched.stdout
    nothing = runner.invoke(cli, ["synonyms", "match", "the weather today"])
    assert nothing.stdout.strip() == "No concept found."


def test_search_offers_did_you_mean_for_a_rare_real_word(runner: CliRunner,
                                                         tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    records = [{"id": "kitchen", "title": "A bowl of soup after rehabilitation"}]
    records += [{"id": f"bowel-{n}", "title": f"Bowel care routine {n}"} for n in range(6)]
    (folder / "r.json").write_text(json.dumps(records), encoding="utf-8")
    index_dir = str(tmp_path / "ix")
    assert runner.invoke(cli, ["index", str(folder), "--index-dir", index_dir]).exit_code == 0
    result = runner.invoke(cli, ["search", "bowl care", "--index-dir", index_dir])
    assert "Did you mean \u201cbowel care\u201d?" in result.stdout


def test_serve_builds_a_missing_index_then_serves_it(
        runner: CliRunner, corpus: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[Any] = []
    monkeypatch.setattr("werkzeug.serving.run_simple",
                        lambda host, port, app, **kw: served.append((host, port, app)))
    index_dir = tmp_path / "ix"
    free = _free_port()
    result = runner.invoke(cli, ["serve", "--port", str(free), "--index-dir", str(index_dir),
                                 "--summaries", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "4 added" in result.output and f"Serving 4 summaries at http://localhost:{free}/" \
        in result.output
    [(host, port, app)] = served
    assert (host, port) == ("127.0.0.1", free)
    assert app.test_client().get("/healthz").get_json()["summaries"] == 4
    # Up to date: the second start reads nothing again and says nothing about it.
    again = runner.invoke(cli, ["serve", "--port", str(_free_port()), "--index-dir",
                                str(index_dir), "--summaries",
                                str(corpus)])
    assert "added" not in again.output and "Serving 4 summaries" in again.output


def test_serve_without_index_or_summaries_says_what_to_do(
        runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = runner.invoke(cli, ["serve", "--port", str(_free_port()), "--index-dir",
                                 str(tmp_path / "ix"), "--summaries", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert f"Invalid value for --summaries: {tmp_path / 'none'}: no such file" in result.output
    monkeypatch.chdir(tmp_path)  # no bundled sample here
    result = runner.invoke(cli, ["serve", "--port", str(_free_port()), "--index-dir",
                                 str(tmp_path / "ix")])
    assert result.exit_code == 1
    assert "run `scisearch index PATH`, or give --summaries" in result.output


def test_serve_updates_an_index_only_from_what_it_was_built_from(
        runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("werkzeug.serving.run_simple", lambda *args, **kw: None)
    monkeypatch.chdir(REPO)  # where the bundled sample is the default
    trials = tmp_path / "trials"
    trials.mkdir()
    record = {"nct_id": "NCT00000001", "brief_title": "Walking after injury"}
    (trials / "a.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    index_dir = str(tmp_path / "ix")
    assert runner.invoke(cli, ["index", str(trials), "--index-dir", index_dir, "--map",
                               "nct_id=id", "--map", "brief_title=title"]).exit_code == 0
    # A trial added to the folder: serve reads it with the same field map, and nothing
    # of the bundled sample.
    record = {"nct_id": "NCT00000002", "brief_title": "Bladder care at home"}
    (trials / "b.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["serve", "--port", str(_free_port()), "--index-dir",
                                 index_dir])
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output and "Serving 2 summaries" in result.output
    # The folder gone: said so, and its summaries stay.
    shutil.rmtree(trials)
    result = runner.invoke(cli, ["serve", "--port", str(_free_port()), "--index-dir",
                                 index_dir])
    assert f"note: {trials}, which the index was built from, is gone" in result.output
    assert "Serving 2 summaries" in result.output


def _free_port() -> int:
    """A port nothing listens on now (the default 8000 may be taken on the machine)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_search_filters_by_year_range_and_names_a_bad_one(runner: CliRunner, corpus: Path,
                                                          tmp_path: Path) -> None:
    index_dir = str(tmp_path / "ix")
    assert runner.invoke(cli, ["index", str(corpus), "--index-dir", index_dir]).exit_code == 0
    result = runner.invoke(cli, ["search", "", "--year", "2018-2019", "--json",
                                 "--index-dir", index_dir])
    assert sorted(h["year"] for h in json.loads(result.output)["results"]) == [2018, 2019]
    bad = runner.invoke(cli, ["search", "", "--year", "recently", "--index-dir", index_dir])
    assert bad.exit_code == 2 and "year 'recently' is not a year" in bad.output
    unknown = runner.invoke(cli, ["search", "", "--evidence", "RCT", "--index-dir", index_dir])
    assert unknown.exit_code == 2
    assert "Invalid value for --evidence: evidence_level 'RCT' is not a value" in unknown.output


def test_serve_refuses_a_bad_setting_before_building_anything(
        runner: CliRunner, corpus: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCISEARCH_EDITOR_PASSWORD", "short")
    result = runner.invoke(cli, ["serve", "--port", str(_free_port()), "--index-dir",
                                 str(tmp_path / "ix"), "--summaries", str(corpus)])
    assert result.exit_code == 1
    assert "SCISEARCH_EDITOR_PASSWORD" in result.output and "at least" in result.output
    assert "added" not in result.output and not (tmp_path / "ix").exists()


def test_serve_on_a_busy_port_says_to_choose_another_with_port(runner: CliRunner,
                                                               tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(cli, ["serve", "--port", str(port), "--index-dir",
                                     str(tmp_path / "ix")])
    assert result.exit_code == 1
    assert f"port {port} is in use by another program" in result.output
    assert f"--port {port + 1}" in result.output
    assert not (tmp_path / "ix").exists()  # nothing built before saying so
