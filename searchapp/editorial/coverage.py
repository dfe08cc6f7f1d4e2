"""The coverage report: where the collection fails its readers.

    index (what summaries exist, by topic) + query log (what readers asked for)
    -> per topic: summaries, newest year, evidence mix, searches, searches with
       no or few results, weak searches, clicks
    -> gaps ranked by demand: topics searched for with no summary, thin topics
       (one or two summaries), stale topics (newest summary too old)
    -> queries that found nothing and named no topic, grouped (rapidfuzz), each
       with the closest thesaurus concept: a synonym the thesaurus may lack
    -> weak searches: results shown, none clicked in the period, and no result on the
       first page holding more than half the question's words
    -> the collection by category, evidence level and year

`coverage_report` is the one function behind `/editor`, `scisearch coverage`
and their JSON and CSV.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from rapidfuzz import fuzz, process

from indexer import analysis, evidence
from searchapp.editorial.querylog import QueryLog
from searchapp.search import SearchIndex
from searchapp.search.meaning import MeaningIndex
from synonyms import Thesaurus
from synonyms.model import Concept

FEW_RESULTS = 3  # a search with 1 to 3 results found "few"
# Readers can make any number of different queries that find nothing: the report
# groups the most searched MAX_UNKNOWN of them, and looks up the nearest concept for
# the first MAX_NEAREST groups (each look-up compares with every thesaurus term).
MAX_UNKNOWN = 500
MAX_NEAREST = 100
THIN = 2  # a topic with 1 or 2 summaries is thin
GROUP_SIMILARITY = 85  # queries this alike (token sort ratio) are one group
# A topic is suggested for a search that found nothing only when its name is that
# search misspelled (whole-string ratio, "bladdr infecshun" 81 to "bladder
# infecton") or close in meaning (the query understanding's own threshold);
# otherwise "no close topic" (a ratio of 60 had lasagne -> lidocaine, tatoo -> cant poo).
NEAREST_SIMILARITY = 80


@dataclass(frozen=True)
class TopicRow:
    concept: str
    label: str
    group: str
    summaries: int
    newest_year: int | None
    evidence: dict[str, int]  # evidence level name -> summaries
    searches: int
    no_results: int  # searches that found nothing
    few_results: int  # searches that found 1 to FEW_RESULTS
    clicks: int
    weak_results: int = 0  # weak searches (see WeakQuery)

    @property
    def click_through(self) -> float | None:
        return self.clicks / self.searches if self.searches else None


@dataclass(frozen=True)
class UnknownQuery:
    """Searches that found nothing and named no topic, grouped by spelling."""

    query: str  # the most searched spelling
    variants: tuple[str, ...]  # the other spellings merged into it
    searches: int
    nearest_concept: str | None  # where it might belong, as a new synonym
    nearest_label: str | None


@dataclass(frozen=True)
class WeakQuery:
    """A search whose results were shown but hold few of its words, and got no click."""

    query: str
    searches: int
    results: int  # at its last search
    words: int  # content words of the question
    held: int  # the most of them one result on the first page holds
    topics: tuple[str, ...]  # names of the topics it named


@dataclass(frozen=True)
class CoverageReport:
    since: date
    until: date
    searches: int
    no_result_searches: int
    summaries: int
    stale_before: int  # a topic whose newest summary is older than this year is stale
    topics: tuple[TopicRow, ...]  # every topic with summaries or searches, most searched first
    missing: tuple[TopicRow, ...]
    thin: tuple[TopicRow, ...]
    stale: tuple[TopicRow, ...]
    unknown: tuple[UnknownQuery, ...]
    weak: tuple[WeakQuery, ...]  # most searched first
    by_category: tuple[tuple[str, int], ...]
    by_evidence: tuple[tuple[str, int], ...]  # lay label, strongest first
    by_year: tuple[tuple[int, int], ...]

    def to_dict(self) -> dict[str, Any]:
        def rows(items: tuple[TopicRow, ...]) -> list[dict[str, Any]]:
            return [{**asdict(t), "click_through": t.click_through} for t in items]
        return {
            "since": self.since.isoformat(), "until": self.until.isoformat(),
            "searches": self.searches, "no_result_searches": self.no_result_searches,
            "weak_searches": self.weak_searches,
            "summaries": self.summaries, "stale_before": self.stale_before,
            "topics": rows(self.topics), "missing": rows(self.missing),
            "thin": rows(self.thin), "stale": rows(self.stale),
            "unknown": [{**asdict(u), "variants": list(u.variants)} for u in self.unknown],
            "weak": [{**asdict(w), "topics": list(w.topics)} for w in self.weak],
            "by_category": [list(x) for x in self.by_category],
            "by_evidence": [list(x) for x in self.by_evidence],
            "by_year": [list(x) for x in self.by_year],
        }

    @property
    def weak_searches(self) -> int:
        return sum(w.searches for w in self.weak)

    def to_csv(self) -> str:
        """One row per topic (the per-topic table), for spreadsheets."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["concept", "topic", "group", "summaries", "newest_year", "searches",
                         "no_results", "few_results", "weak_results", "clicks", "click_through",
                         "evidence"])
        for t in self.topics:
            writer.writerow([_cell(t.concept), _cell(t.label), _cell(t.group), t.summaries,
                             t.newest_year or "",
                             t.searches, t.no_results, t.few_results, t.weak_results, t.clicks,
                             "" if t.click_through is None else f"{t.click_through:.2f}",
                             "; ".join(f"{k}: {v}" for k, v in t.evidence.items())])
        return out.getvalue()


def _cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula (a thesaurus label is editors' text)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@dataclass(frozen=True)
class Collection:
    """What the report needs of an index, copied out of it: the web app takes it under
    the worker's search lock, then builds the report without holding searches up."""

    summaries: tuple[dict[str, Any], ...]
    concepts: Mapping[str, Concept]
    thesaurus: Thesaurus
    meaning: MeaningIndex | None = None  # read-only: safe beside the searches

    @classmethod
    def of(cls, index: SearchIndex) -> Collection:
        return cls(tuple(index.documents()), index.concepts, index.thesaurus, index.meaning)

    def documents(self) -> Iterator[dict[str, Any]]:
        return iter(self.summaries)


def coverage_report(index: SearchIndex | Collection, log: QueryLog | None, days: int = 90,
                    stale_years: int = 10, today: date | None = None) -> CoverageReport:
    """The report over the searches of the last `days` days (none when `log` is None)."""
    today = today or date.today()
    since = today - timedelta(days=days - 1)
    searches = log.searches(since) if log else []
    clicks = log.clicks(since) if log else []

    supply: dict[str, list[dict[str, Any]]] = defaultdict(list)
    categories: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    years: Counter[int] = Counter()
    count = 0
    for document in index.documents():
        count += 1
        for concept in document["concept_ids"] or ():
            supply[concept].append(document)
        categories.update(c for c in (document["categories"] or "").split(",") if c)
        levels[document["evidence"]] += 1
        if document["year"]:
            years[int(document["year"])] += 1

    demand: Counter[str] = Counter()
    nothing: Counter[str] = Counter()
    few: Counter[str] = Counter()
    weak: Counter[str] = Counter()
    query_concepts: dict[str, set[str]] = defaultdict(set)
    clicked_queries = {click.query for click in clicks if click.clicks}
    weak_rows = [row for row in searches if row.weak and row.query not in clicked_queries]
    for row in searches:
        query_concepts[row.query].update(row.concepts)
        for concept in row.concepts:
            demand[concept] += row.searches
            if row.results == 0:
                nothing[concept] += row.searches
            elif row.results <= FEW_RESULTS:
                few[concept] += row.searches
    for row in weak_rows:
        for concept in row.concepts:
            weak[concept] += row.searches
    clicked: Counter[str] = Counter()
    for click in clicks:
        for concept in query_concepts.get(click.query, ()):
            clicked[concept] += click.clicks

    concepts = index.concepts
    topics = []
    for concept_id in set(supply) | set(demand):
        concept = concepts.get(concept_id)
        tagged = supply.get(concept_id, [])
        mix = Counter(evidence.BY_KEY[d["evidence"]].name for d in tagged
                      if d["evidence"] in evidence.BY_KEY)
        newest = max((int(d["year"]) for d in tagged if d["year"]), default=None)
        topics.append(TopicRow(
            concept_id, concept.preferred if concept else concept_id,
            concept.group if concept else "", len(tagged), newest,
            {level.name: mix[level.name] for level in evidence.LEVELS if mix[level.name]},
            demand[concept_id], nothing[concept_id], few[concept_id], clicked[concept_id],
            weak[concept_id]))
    topics.sort(key=lambda t: (-t.searches, -t.summaries, t.label.lower()))
    stale_before = today.year - stale_years
    return CoverageReport(
        since=since, until=today,
        searches=sum(r.searches for r in searches),
        no_result_searches=sum(r.searches for r in searches if r.results == 0),
        summaries=count, stale_before=stale_before, topics=tuple(topics),
        missing=tuple(t for t in topics if t.searches and not t.summaries),
        thin=tuple(t for t in topics if 0 < t.summaries <= THIN),
        stale=tuple(t for t in topics if t.newest_year and t.newest_year < stale_before),
        unknown=tuple(_unknown(searches, index)),
        weak=tuple(_weak(weak_rows, concepts)),
        by_category=tuple(sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_evidence=tuple((level.label, levels[level.key]) for level in evidence.LEVELS
                          if levels[level.key]),
        by_year=tuple(sorted(years.items())),
    )


def _unknown(searches: list[Any], index: SearchIndex | Collection) -> list[UnknownQuery]:
    """Zero-result searches that named no topic, merged by spelling, most searched first."""
    counts: Counter[str] = Counter()
    for row in searches:
        if row.results == 0 and not row.concepts:
            counts[row.query] += row.searches
    groups: list[tuple[str, list[str], int]] = []
    most = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_UNKNOWN]
    for query, searched in most:
        found = process.extractOne(query, [g[0] for g in groups], scorer=fuzz.token_sort_ratio,
                                   score_cutoff=GROUP_SIMILARITY) if groups else None
        if found is None:
            groups.append((query, [], searched))
        else:
            head, variants, total = groups[found[2]]
            groups[found[2]] = (head, [*variants, query], total + searched)
    by_name = {analysis.fold(term.text): concept.id
               for concept in index.thesaurus for term in concept.terms}
    names = list(by_name)
    unknown = []
    for number, (query, variants, searched) in enumerate(
            sorted(groups, key=lambda g: (-g[2], g[0]))):
        concept_id = _nearest(index.meaning, query, by_name, names) \
            if number < MAX_NEAREST else None
        label = index.concepts[concept_id].preferred if concept_id else None
        unknown.append(UnknownQuery(query, tuple(variants), searched, concept_id, label))
    return unknown


def _weak(rows: list[Any], concepts: Mapping[str, Concept]) -> list[WeakQuery]:
    """Weak searches merged over the days of the period, most searched first; the
    result and word counts are those of the latest day."""
    merged: dict[str, WeakQuery] = {}
    for row in sorted(rows, key=lambda r: r.day):
        before = merged.get(row.query)
        merged[row.query] = WeakQuery(
            row.query, row.searches + (before.searches if before else 0), row.results,
            row.words, row.held,
            tuple(sorted(concepts[c].preferred if c in concepts else c for c in row.concepts)))
    return sorted(merged.values(), key=lambda w: (-w.searches, w.query))[:MAX_UNKNOWN]


def _nearest(meaning: MeaningIndex | None, query: str, by_name: dict[str, str],
             names: list[str]) -> str | None:
    """The concept a search that found nothing may belong to, or None."""
    spelled = process.extractOne(analysis.fold(query), names, scorer=fuzz.ratio,
                                 score_cutoff=NEAREST_SIMILARITY)
    if spelled is not None:
        return by_name[spelled[0]]
    if meaning is not None:
        [close] = meaning.nearest_concepts([query], limit=1)
        if close:
            return close[0][0]
    return None
