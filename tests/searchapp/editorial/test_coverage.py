"""The coverage report over real traffic: a few hundred searches replayed through the
API and the pages, and the report's numbers checked against what was sent."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from indexer.build import build_index
from searchapp import create_app
from searchapp.cli import cli
from searchapp.editorial import QueryLog, coverage_report
from searchapp.search import SearchIndex
from synonyms import load
from tests.conftest import DATABASES, log_database

DATA = Path(__file__).resolve().parent.parent.parent / "data"
# (query, times sent): lay words, clinical words, misspellings, topics with no
# summary, and nonsense in several spellings.
TRAFFIC = [
    ("bed sores", 40), ("pressure ulcer", 25), ("bed soar", 10),  # pressure-injury
    ("cancer spread to spine", 30), ("spinal metastases", 12),  # spinal-metastasis
    ("stiff muscles", 20), ("spastisity", 8),  # spasticity
    ("multiple sclerosis", 15), ("MS", 6),  # a topic no summary is tagged with
    ("pounding headache with high blood pressure", 9),  # autonomic-dysreflexia
    ("qwzx blorf", 11), ("qwzx blorff", 4),  # nonsense, one group
    ("hovercraft therapy", 7),
    ("caregiver stress", 20),
    # Weak: results shown, but none holds more than 2 of the 4 or 5 words; the second
    # had a click, so it is not.
    ("stiff muscles after swimming in cold lakes", 3),
    ("caregiver stress at christmas with grandchildren visiting", 2),
]
CLICKS = [("bed sores", "web-sores-cushions", 12), ("stiff muscles", "web-spasticity-stretch", 5),
          ("caregiver stress at christmas with grandchildren visiting", "web-caregivers", 1)]


@pytest.fixture(scope="module", params=DATABASES)
def replayed(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("coverage")
    with log_database(request.param, root) as setting:
        yield replay(root, setting)


def replay(root: Path, log_setting: str) -> dict[str, Any]:
    build_index([DATA / "web"], root / "index", thesaurus=load(DATA / "thesaurus"))
    app = create_app({"INDEX_DIR": root / "index", "QUERY_LOG": log_setting})
    client = app.test_client()
    totals: dict[str, int] = {}
    for number, (query, times) in enumerate(TRAFFIC):
        for time in range(times):
            # Alternate the page, the API and the widget's API calls.
            if (number + time) % 2:
                answer = client.get("/api/v1/search", query_string={"q": query}).get_json()
                totals[query] = answer["total"]
            else:
                assert client.get("/", query_string={"q": query}).status_code == 200
    # Not searches: later pages, browsing, autocomplete keystrokes.
    client.get("/api/v1/search", query_string={"q": "bed sores", "page": 2, "per_page": 1})
    client.get("/?q=")
    for prefix in ("b", "be", "bed", "bed s"):
        client.get("/api/v1/suggest", query_string={"q": prefix})
    for query, summary, times in CLICKS:  # the result's link, as the API gave it
        hits = client.get("/api/v1/search", query_string={"q": query, "sort": "newest",
                                                           "per_page": 50}).get_json()
        [link] = [hit["link"] for hit in hits["results"] if hit["id"] == summary]
        for _ in range(times):
            client.get(link)
    client.get("/summaries/web-caregivers")  # not from a search: no click
    client.get("/summaries/web-caregivers?q=bed+sores")  # not shown by one: no click
    log = QueryLog(log_setting)
    with SearchIndex(root / "index") as index:
        report = coverage_report(index, log, days=30)
    return {"report": report, "totals": totals, "root": root, "log": log_setting}


def _topic(report: Any, concept: str) -> Any:
    [row] = [t for t in report.topics if t.concept == concept]
    return row


def test_every_search_sent_is_counted_once(replayed: dict[str, Any]) -> None:
    report = replayed["report"]
    assert report.searches == sum(times for _, times in TRAFFIC) == 222
    nothing = sum(times for query, times in TRAFFIC if replayed["totals"][query] == 0)
    assert report.no_result_searches == nothing


def test_searches_and_clicks_are_counted_per_topic(replayed: dict[str, Any]) -> None:
    report = replayed["report"]
    pressure = _topic(report, "pressure-injury")
    assert pressure.searches == 40 + 25 + 10 and pressure.summaries == 3
    assert pressure.clicks == 12 and pressure.click_through == pytest.approx(12 / 75)
    assert _topic(report, "spinal-metastasis").searches == 42
    assert _topic(report, "spasticity").clicks == 5
    assert pressure.newest_year == 2021
    assert pressure.evidence == {"Randomized Controlled Trial": 1, "Cohort Study": 1,
                                 "Expert Opinion": 1}


def test_gaps_are_ranked_by_demand(replayed: dict[str, Any]) -> None:
    report = replayed["report"]
    assert [(t.concept, t.searches) for t in report.missing] == [("multiple-sclerosis", 21)]
    assert report.missing[0].no_results == 21
    # Thin topics (1 or 2 summaries), most searched first.
    assert [(t.concept, t.summaries, t.searches) for t in report.thin][:2] == [
        ("spinal-metastasis", 2, 42), ("spasticity", 2, 31)]
    assert "autonomic-dysreflexia" in [t.concept for t in report.stale]  # only 1998


def test_unknown_queries_are_grouped_with_a_suggested_concept(
        replayed: dict[str, Any]) -> None:
    unknown = {u.query: u for u in replayed["report"].unknown}
    assert unknown["qwzx blorf"].searches == 15
    assert unknown["qwzx blorf"].variants == ("qwzx blorff",)
    assert unknown["hovercraft therapy"].searches == 7
    assert "bed sores" not in unknown  # found summaries


def test_weak_searches_are_listed_and_counted_per_topic(replayed: dict[str, Any]) -> None:
    report = replayed["report"]
    [weak] = report.weak
    assert (weak.query, weak.searches, weak.words, weak.held) == (
        "stiff muscles after swimming in cold lakes", 3, 4, 2)
    assert weak.results == replayed["totals"][weak.query] > 0
    assert weak.topics == ("spasticity",)
    assert report.weak_searches == 3
    assert _topic(report, "spasticity").weak_results == 3
    assert _topic(report, "pressure-injury").weak_results == 0  # its words found
    table = CliRunner().invoke(cli, [
        "coverage", "--index-dir", str(replayed["root"] / "index"), "--log",
        replayed["log"], "--days", "30"]).output
    assert "222 searches, 43 found nothing, 3 weak" in table
    assert "stiff muscles after swimming in cold lakes  (2 of 4 words in the best result" in table


def test_collection_spread(replayed: dict[str, Any]) -> None:
    report = replayed["report"]
    assert dict(report.by_category)["Skin"] == 3 and report.summaries == 12
    assert sum(n for _, n in report.by_year) == 12
    assert report.by_evidence[0][1] == 1  # strongest first: one systematic review


def test_csv_and_json_hold_the_same_numbers(replayed: dict[str, Any]) -> None:
    report = replayed["report"]
    rows = report.to_csv().splitlines()
    assert rows[0].startswith("concept,topic,group,summaries")
    assert any(r.startswith("pressure-injury,pressure injury,") and ",75," in r for r in rows)
    data = report.to_dict()
    assert data["searches"] == 222 and data["missing"][0]["concept"] == "multiple-sclerosis"


def test_scisearch_coverage_reads_the_same_log(replayed: dict[str, Any]) -> None:
    root = replayed["root"]
    args = ["coverage", "--index-dir", str(root / "index"), "--log",
            replayed["log"], "--days", "30"]
    table = CliRunner().invoke(cli, args)
    assert table.exit_code == 0, table.output
    assert "222 searches" in table.output
    assert "21 searches     0 summaries" in table.output and "multiple sclerosis" in table.output
    assert "qwzx blorf (+1 spellings)" in table.output
    as_json = CliRunner().invoke(cli, [*args, "--json"])
    assert '"searches": 222' in as_json.output
    counts = Counter(line.split(",")[0] for line in
                     CliRunner().invoke(cli, [*args, "--csv"]).output.splitlines()[1:])
    assert counts["pressure-injury"] == 1


def test_the_report_period_leaves_older_searches_out(replayed: dict[str, Any]) -> None:
    log = QueryLog(replayed["log"])
    log.record_search("bed sores", 3, ["pressure-injury"], False, day=date(2020, 1, 1))
    with SearchIndex(replayed["root"] / "index") as index:
        assert coverage_report(index, log, days=30).searches == 222


def test_csv_cells_cannot_become_spreadsheet_formulas() -> None:
    from searchapp.editorial.coverage import _cell

    assert [_cell(t) for t in ("=HYPERLINK(1)", "+1", "-x", "@a", "pressure injury")] == [
        "'=HYPERLINK(1)", "'+1", "'-x", "'@a", "pressure injury"]


def test_unknown_queries_are_capped_to_the_most_searched(
        replayed: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from searchapp.editorial import coverage
    from searchapp.editorial.coverage import Collection

    monkeypatch.setattr(coverage, "MAX_UNKNOWN", 1)
    log = QueryLog(replayed["log"])
    with SearchIndex(replayed["root"] / "index") as index:
        collection = Collection.of(index)
    report = coverage_report(collection, log, days=30)  # no index held open
    assert [u.query for u in report.unknown] == ["qwzx blorf"]


def test_a_topic_is_suggested_only_for_a_search_close_to_it(
        replayed: dict[str, Any], tmp_path: Path) -> None:
    log = QueryLog(tmp_path / "log.sqlite3")
    for query in ("pressure cooker recipes", "cancer star sign", "sores from siting",
                  "stiff mucsles"):
        log.record_search(query, 0, (), corrected=False)
    with SearchIndex(replayed["root"] / "index") as index:
        report = coverage_report(index, log, days=30)
    suggested = {u.query: u.nearest_concept for u in report.unknown}
    # Misspelled names of a topic are suggested as its synonyms; searches that merely
    # share a word with some name are not ("pressure cooker" is no pressure ulcer).
    assert suggested == {"pressure cooker recipes": None, "cancer star sign": None,
                         "sores from siting": "pressure-injury",
                         "stiff mucsles": "spasticity"}
