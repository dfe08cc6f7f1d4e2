"""Search quality floors: a change cannot quietly make search worse.

Each floor sits a little under what the current pipeline reaches (the closing
notes of the issues give the measured figures); raise them when search improves.
The indexes are built once per test session with the shipped thesaurus.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from indexer.build import build_index
from indexer.corpora import TRIALS_FIELD_MAP, write_medquad_jsonl
from searchapp import evaluation
from searchapp.search import SearchIndex, SearchRequest
from searchapp.search.meaning import MATCH_SIMILARITY
from synonyms import load
from synonyms.loader import shipped_dir
from tests.conftest import REPO, SHARED

EVAL = Path(__file__).resolve().parent
DEV = EVAL / "dev"
pytestmark = pytest.mark.slow


def _open(tmp: Path, paths: list[Path], field_map: dict[str, str] | None = None) -> SearchIndex:
    report = build_index(paths, tmp / "index", field_map=field_map,
                         thesaurus=load(shipped_dir()))
    assert report.ok, report.errors[:3]
    return SearchIndex(tmp / "index")


def _shared(name: str) -> Path:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"{path} is not beside the repository")
    return path


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    with _open(tmp_path_factory.mktemp("bundled"), [REPO / "index_data" / "summaries"]) as ix:
        yield ix


@pytest.fixture(scope="module")
def trials(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    source = _shared("corpora/ctgov_sci_trials.jsonl")
    with _open(tmp_path_factory.mktemp("trials"), [source], TRIALS_FIELD_MAP) as ix:
        yield ix


@pytest.fixture(scope="module")
def medquad(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    tmp = tmp_path_factory.mktemp("medquad")
    write_medquad_jsonl(_shared("corpora/medquad_sci.jsonl"), tmp / "medquad.jsonl")
    with _open(tmp, [tmp / "medquad.jsonl"]) as ix:
        yield ix


@dataclass(frozen=True)
class Floors:
    ndcg: float  # nDCG@10 of the full pipeline
    over_baseline: float  # ... at least this many times plain BM25's
    mrr: float
    success_at_3: float
    twin: float  # misspelled queries' nDCG@10 over their correctly spelled twins'
    questions: float  # nDCG@10 of the queries phrased as questions


FLOORS = {
    # Measured: bundled 0.826 (1.21x), MRR 0.885, S@3 0.925, twins 0.994, questions 0.729;
    # trials 0.583 (1.30x), MRR 0.838, S@3 0.911, twins 1.01, questions 0.535.
    "bundled": Floors(0.81, 1.18, 0.86, 0.90, 0.95, 0.71),
    "trials": Floors(0.56, 1.26, 0.81, 0.88, 0.95, 0.51),
}


@pytest.mark.parametrize("name", FLOORS)
def test_lay_queries_stay_above_their_floors(request: pytest.FixtureRequest, name: str) -> None:
    index: SearchIndex = request.getfixturevalue(name)
    query_set = evaluation.load(DEV / f"{name}.queries.tsv", DEV / f"{name}.qrels.tsv")
    full = evaluation.run(index, query_set)
    baseline = evaluation.run(index, query_set, baseline=True).mean()
    floors, scores = FLOORS[name], full.mean()
    assert scores["ndcg@10"] >= floors.ndcg
    assert scores["ndcg@10"] >= floors.over_baseline * baseline["ndcg@10"]
    assert scores["mrr@10"] >= floors.mrr
    assert scores["success@3"] >= floors.success_at_3
    twin = evaluation.twin_ratio(query_set, full)
    assert twin is not None and twin >= floors.twin
    questions = evaluation.groups(query_set)["question"]
    assert full.mean(questions)["ndcg@10"] >= floors.questions


def test_medquad_known_item_questions(medquad: SearchIndex) -> None:
    query_set = evaluation.load(_shared("eval/medquad_known_item.tsv"))
    assert evaluation.run(medquad, query_set).mean()["mrr@10"] >= 0.82


def test_totals_count_every_matching_summary(bundled: SearchIndex) -> None:
    # Once the top 10 are full, whoosh may prune matchers that cannot reach them; the
    # total and the facet counts must still count every match. (They did not, for 133
    # of these 213 queries, before the search collector turned the pruning off.)
    # With meaning, the summaries close enough in meaning count too.
    query_set = evaluation.load(DEV / "bundled.queries.tsv", DEV / "bundled.qrels.tsv")
    meaning = bundled.meaning
    assert meaning is not None
    for query in query_set.queries:
        response = bundled.search(SearchRequest(q=query.text))
        parsed = response.parsed
        assert parsed is not None and not parsed.is_empty
        found = set(bundled._searcher.docs_for_query(bundled.match_query(parsed)))
        if not parsed.phrases:
            close = meaning.similarities(meaning.embed(parsed.corrected_text or query.text))
            found |= set(np.flatnonzero(close >= MATCH_SIMILARITY).tolist())
        matching = 0 if response.nothing_about else len(found)
        assert response.total == matching, query.text
        counted = sum(v.count for v in response.facets["evidence_level"])
        assert counted == matching, query.text


def test_eval_files_are_well_formed() -> None:
    for name in ("bundled", "trials"):
        query_set = evaluation.load(DEV / f"{name}.queries.tsv", DEV / f"{name}.qrels.tsv")
        assert all(max(judged.values()) >= 2 for judged in query_set.qrels.values())
        twins = [q for q in query_set.queries if q.twin]
        qids = {q.qid for q in query_set.queries}
        assert all(q.twin in qids for q in twins)
