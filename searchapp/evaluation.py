"""Measuring search quality: query sets with graded judgments, and the usual metrics.

Query files are TSV with a header: `qid`, `query`, and optional `tags`
(comma-separated: `everyday`, `question`, `misspelled`, `twin=<qid>` ...).
Judgment files (qrels) are TSV with `qid`, `doc_id`, `grade` (0-3). A known-item
file (MedQuAD's: `qid`, `question`, ..., `relevant_doc_id(...)`) is both at once.
Document ids are compared as slugs, so `1_CancerGov_QA/0000006_2` and `NCT01234567`
match the ids the indexer derives.

Metrics at cut-off 10: nDCG (gain 2^grade - 1), MRR and Recall (relevant: grade
>= 2 on a 0-3 scale, >= 1 on a binary one), Success@3, and the share of the top
10 that is judged at all (unjudged results count as not relevant: a low share
means the scores are not to be trusted yet). Each can be computed for the
search's parts (MODES): plain BM25 on the typed words, words and concepts,
meaning only, and the fused search the site runs.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.record import slugify
from searchapp.search import SearchIndex, SearchRequest

METRICS = ("ndcg@10", "mrr@10", "recall@10", "success@3", "judged@10")
# The search's parts, as request options: what `scisearch eval --compare` scores.
MODES: dict[str, dict[str, Any]] = {
    "bm25": {"expand": False, "correct": False, "meaning": False},
    "words": {"meaning": False},
    "meaning": {"words": False},
    "fused": {},
}


class EvalFileError(ValueError):
    """A query or judgment file cannot be read; the message names file and line."""


@dataclass(frozen=True)
class Query:
    qid: str
    text: str
    tags: tuple[str, ...] = ()

    @property
    def twin(self) -> str | None:
        for tag in self.tags:
            if tag.startswith("twin="):
                return tag.split("=", 1)[1]
        return None


@dataclass
class QuerySet:
    name: str
    queries: list[Query]
    qrels: dict[str, dict[str, int]]

    @property
    def relevant_grade(self) -> int:
        top = max((g for judged in self.qrels.values() for g in judged.values()), default=1)
        return 2 if top >= 2 else 1


@dataclass
class Scores:
    per_query: dict[str, dict[str, float]] = field(default_factory=dict)

    def mean(self, qids: Iterable[str] | None = None) -> dict[str, float]:
        chosen = list(self.per_query if qids is None else qids)
        if not chosen:
            return {m: 0.0 for m in METRICS}
        return {m: sum(self.per_query[q][m] for q in chosen) / len(chosen) for m in METRICS}


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            return [(number, row) for number, row in enumerate(reader, start=2)]
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"{path}: cannot read ({exc})") from None


def load(queries_path: Path, qrels_path: Path | None = None) -> QuerySet:
    """Read a query set and its judgments (from `qrels_path`, or a known-item file)."""
    queries: list[Query] = []
    qrels: dict[str, dict[str, int]] = {}
    for number, row in _rows(queries_path):
        qid = (row.get("qid") or "").strip()
        text = (row.get("query") or row.get("question") or "").strip()
        if not qid or not text:
            raise EvalFileError(f"{queries_path}:{number}: needs a 'qid' and a 'query'")
        tags = tuple(t.strip() for t in (row.get("tags") or "").split(",") if t.strip())
        queries.append(Query(qid, text, tags))
        known = next((v for k, v in row.items() if k and k.startswith("relevant_doc_id")), None)
        if known and qrels_path is None:
            qrels[qid] = {slugify(known): 1}
    if qrels_path is not None:
        for number, row in _rows(qrels_path):
            try:
                grade = int(row["grade"])
                qrels.setdefault(row["qid"].strip(), {})[slugify(row["doc_id"])] = grade
            except (KeyError, TypeError, ValueError):
                raise EvalFileError(f"{qrels_path}:{number}: expected qid, doc_id and a whole "
                                    "number grade") from None
    missing = [q.qid for q in queries if q.qid not in qrels]
    if missing:
        raise EvalFileError(f"{qrels_path or queries_path}: no judgments for {len(missing)} "
                            f"queries (first: {missing[0]})")
    return QuerySet(queries_path.name.split(".")[0], queries, qrels)


def score_ranking(ranking: list[str], judged: Mapping[str, int], relevant: int) -> dict[str, float]:
    gains = [2 ** judged.get(doc, 0) - 1 for doc in ranking[:10]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((2 ** g - 1 for g in judged.values()), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    hits = [judged.get(doc, 0) >= relevant for doc in ranking[:10]]
    known = sum(1 for doc in ranking[:10] if doc in judged)
    wanted = sum(1 for g in judged.values() if g >= relevant)
    first = next((i for i, hit in enumerate(hits) if hit), None)
    return {
        "ndcg@10": dcg / idcg if idcg else 0.0,
        "mrr@10": 1.0 / (first + 1) if first is not None else 0.0,
        "recall@10": sum(hits) / wanted if wanted else 0.0,
        "success@3": 1.0 if first is not None and first < 3 else 0.0,
        "judged@10": known / len(ranking[:10]) if ranking else 1.0,
    }


def rankings(index: SearchIndex, query_set: QuerySet, mode: str = "fused",
             depth: int = 10) -> dict[str, list[str]]:
    """Each query's top `depth` document ids (as slugs) in one of the MODES."""
    options = MODES[mode]
    return {query.qid: [slugify(hit.id) for hit in index.search(
                SearchRequest(q=query.text, per_page=depth, **options)).results]
            for query in query_set.queries}


def run(index: SearchIndex, query_set: QuerySet, *, baseline: bool = False,
        mode: str = "fused") -> Scores:
    """Scores of one mode (`baseline`: plain BM25, as mode "bm25")."""
    scores = Scores()
    relevant = query_set.relevant_grade
    ranked = rankings(index, query_set, "bm25" if baseline else mode)
    for query in query_set.queries:
        ranking = ranked[query.qid]
        scores.per_query[query.qid] = score_ranking(ranking, query_set.qrels[query.qid],
                                                    relevant)
    return scores


def groups(query_set: QuerySet) -> dict[str, list[str]]:
    """Query ids per reporting group: all, and each tag (twin= tags aside)."""
    result: dict[str, list[str]] = {"all": [q.qid for q in query_set.queries]}
    for query in query_set.queries:
        for tag in query.tags:
            if not tag.startswith("twin="):
                result.setdefault(tag, []).append(query.qid)
    return result


def twin_ratio(query_set: QuerySet, scores: Scores, metric: str = "ndcg@10") -> float | None:
    """Mean `metric` of misspelled queries over that of their correctly spelled twins."""
    pairs = [(q.qid, q.twin) for q in query_set.queries if q.twin]
    pairs = [(a, b) for a, b in pairs if b in scores.per_query]
    if not pairs:
        return None
    typo = sum(scores.per_query[a][metric] for a, _ in pairs)
    right = sum(scores.per_query[b][metric] for _, b in pairs)
    return typo / right if right else None


@dataclass(frozen=True)
class Comparison:
    """The search's parts side by side on one query set (`scisearch eval --compare`)."""

    query_set: QuerySet
    scores: dict[str, Scores]  # per mode of MODES

    def table(self) -> dict[str, dict[str, dict[str, float]]]:
        """mode -> group (all, and each tag) -> metric -> mean, with "queries"."""
        return {mode: {group: {"queries": float(len(qids)), **scores.mean(qids)}
                       for group, qids in groups(self.query_set).items()}
                for mode, scores in self.scores.items()}

    def losses(self, mode: str = "fused", against: str = "bm25", by: float = 0.3) -> list[str]:
        """Queries whose nDCG@10 in `mode` is more than `by` below `against`'s."""
        mine, theirs = self.scores[mode].per_query, self.scores[against].per_query
        return [q for q in mine if theirs[q]["ndcg@10"] - mine[q]["ndcg@10"] > by]


def compare(index: SearchIndex, query_set: QuerySet,
            modes: Iterable[str] = tuple(MODES)) -> Comparison:
    """Score each of `modes` (default: bm25, words, meaning, fused) on `query_set`."""
    return Comparison(query_set, {mode: run(index, query_set, mode=mode) for mode in modes})
