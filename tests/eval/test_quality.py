"""Search quality floors: a change cannot quietly make search worse.

Each floor sits a little under what the current pipeline reaches (the closing
notes of the issues give the measured figures); raise them when search improves.
The indexes are built once per test session with the shipped thesaurus.
"""

from __future__ import annotations

import csv
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
HELDOUT = EVAL / "heldout"
pytestmark = pytest.mark.slow


def _open(tmp: Path, paths: list[Path], field_map: dict[str, str] | None = None,
          meaning: bool = True) -> SearchIndex:
    report = build_index(paths, tmp / "index", field_map=field_map,
                         thesaurus=load(shipped_dir()), embed=meaning)
    assert report.ok, report.errors[:3]
    return SearchIndex(tmp / "index", semantic=meaning)


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
    # Words and concepts only: embedding MedQuAD's 7,300 passages would take three
    # minutes of CI; the fused search's MRR (0.823 measured) is in the closing notes.
    with _open(tmp, [tmp / "medquad.jsonl"], meaning=False) as ix:
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
    # Measured (dev, fused): bundled 0.886 (1.30x BM25's 0.681), MRR 0.952, S@3 0.981,
    # twins 0.996, questions 0.831; trials 0.669 (1.50x 0.447), MRR 0.912, S@3 0.978,
    # twins 1.03, questions 0.654.
    "bundled": Floors(0.87, 1.27, 0.93, 0.96, 0.95, 0.80),
    "trials": Floors(0.65, 1.45, 0.89, 0.95, 0.95, 0.62),
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
    # Measured: MRR 0.846 by words and concepts (0.823 fused: templated questions
    # naming their page's focus gain little from meaning).
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


@pytest.mark.parametrize("folder", [DEV / "bundled", DEV / "trials", HELDOUT / "bundled",
                                    HELDOUT / "trials"],
                         ids=lambda path: f"{path.parent.name}/{path.name}")
def test_eval_files_are_well_formed(folder: Path) -> None:
    query_set = evaluation.load(folder.with_suffix(".queries.tsv"),
                                folder.with_suffix(".qrels.tsv"))
    relevant = [max(judged.values()) >= 2 for judged in query_set.qrels.values()]
    if folder.parent == DEV:
        assert all(relevant)
    else:  # judged from pools: a question none of the systems answered keeps its zeros
        assert sum(relevant) >= 0.95 * len(relevant)
    twins = [q for q in query_set.queries if q.twin]
    qids = {q.qid for q in query_set.queries}
    assert all(q.twin in qids for q in twins)


# Off-topic and near-miss questions written for tuning "Nothing about ..." (dev:
# its thresholds were chosen on these and on the dev queries). Measured: bundled 23
# of 30, trials 19 of 30; no dev query answered so.
NOTHING_ABOUT_DEV = {"bundled": 0.7, "trials": 0.6}


@pytest.mark.parametrize("name", NOTHING_ABOUT_DEV)
def test_questions_the_collection_does_not_cover_get_nothing_about(
        request: pytest.FixtureRequest, name: str) -> None:
    index: SearchIndex = request.getfixturevalue(name)
    with (DEV / "uncovered.tsv").open(encoding="utf-8", newline="") as handle:
        uncovered = [row["query"] for row in csv.DictReader(handle, delimiter="\t")]
    answered = [index.search(SearchRequest(q=q)).nothing_about for q in uncovered]
    assert sum(answered) / len(answered) >= NOTHING_ABOUT_DEV[name]
    covered = evaluation.load(DEV / f"{name}.queries.tsv", DEV / f"{name}.qrels.tsv")
    wrongly = [q.text for q in covered.queries
               if index.search(SearchRequest(q=q.text, per_page=1)).nothing_about]
    assert wrongly == []


@dataclass(frozen=True)
class HeldOutFloors:
    ndcg: float  # nDCG@10 of the fused search
    everyday: float  # ... on the everyday-word questions
    success_at_3: float
    nothing_about: float  # share of the questions the collection does not cover answered so


# The held-out sets only score: nothing was tuned on them (tests/eval/README.md).
HELDOUT_FLOORS: dict[str, HeldOutFloors] = {
    # Measured, every top 10 of the four systems judged (tests/eval/README.md):
    # bundled, 90 questions: fused nDCG@10 0.853 (words and concepts 0.794, meaning
    # 0.656, BM25 0.640), everyday 0.820, S@3 0.922; 7 of 10 uncovered questions
    # answered "Nothing about".
    "bundled": HeldOutFloors(0.83, 0.80, 0.90, 0.6),
    # trials, 162 questions: fused 0.722 (words and concepts 0.630, meaning 0.559,
    # BM25 0.468), everyday 0.673, S@3 0.870; 6 of 20 uncovered "Nothing about".
    "trials": HeldOutFloors(0.70, 0.65, 0.85, 0.25),
}


@pytest.mark.parametrize("name", HELDOUT_FLOORS)
def test_held_out_questions_stay_above_their_floors(request: pytest.FixtureRequest,
                                                    name: str) -> None:
    index: SearchIndex = request.getfixturevalue(name)
    query_set = evaluation.load(HELDOUT / f"{name}.queries.tsv", HELDOUT / f"{name}.qrels.tsv")
    comparison = evaluation.compare(index, query_set)
    table, floors = comparison.table(), HELDOUT_FLOORS[name]
    fused = table["fused"]
    assert fused["all"]["ndcg@10"] >= floors.ndcg
    assert fused["everyday"]["ndcg@10"] >= floors.everyday
    assert fused["all"]["success@3"] >= floors.success_at_3
    # The fused search is at least as good as each of its parts, on every kind of
    # question (a little noise allowed on the small groups).
    for kind in fused:
        for part in ("bm25", "words", "meaning"):
            assert fused[kind]["ndcg@10"] >= table[part][kind]["ndcg@10"] - 0.03, (kind, part)
    with (HELDOUT / f"{name}.uncovered.tsv").open(encoding="utf-8", newline="") as handle:
        uncovered = [row["query"] for row in csv.DictReader(handle, delimiter="\t")]
    answered = [index.search(SearchRequest(q=q)).nothing_about for q in uncovered]
    assert sum(answered) / len(answered) >= floors.nothing_about
