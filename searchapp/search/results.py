"""The records a search is asked with and answers with, shared by every front end.

    SearchRequest (q, page, per_page, sort, facet filters) -> SearchIndex.search
    -> SearchResponse (total, Hits, facet values with counts, corrections, notices)

Request values are checked here (SearchRequestError names the parameter), so
the page, the API and the CLI reject or forgive the same things. `Document` is
one summary as its page shows it. Every record has `to_dict()`: the JSON the
API sends.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from indexer import analysis, evidence
from searchapp.search import query as query_mod

DISCLAIMER = ("These are plain-language summaries of research, not medical advice: "
              "talk to your care team before changing any treatment.")
MAX_PER_PAGE = 50
MAX_RESULTS = 1000
SORTS = ("relevance", "newest", "evidence")
# Facets: request parameter -> index field holding its values ("year" is a range
# facet: its values are spans of years, see `year_range`).
FACET_FIELDS = {"category": "categories", "evidence_level": "evidence", "topic": "concepts",
                "year": "year"}
# The year facet offers five-year spans from this year on, and one span before it.
YEAR_SPAN = 5
EARLY_YEARS = 2000
_YEAR_RANGE = re.compile(r"\s*(\d{4})?\s*(?:(-|\u2013|to)\s*(\d{4})?)?\s*")


class SearchRequestError(ValueError):
    """A request parameter is out of range; `parameter` names it."""

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        super().__init__(message)


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    page: int = 1
    per_page: int = 10
    sort: str = "relevance"
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    expand: bool = True  # lay words to clinical concepts
    correct: bool = True  # spelling correction
    meaning: bool = True  # matching by meaning too (when the index has vectors)
    words: bool = True  # matching by words and concepts (False: by meaning only)

    def __post_init__(self) -> None:
        if self.page < 1:
            raise SearchRequestError("page", "page must be 1 or more")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise SearchRequestError("per_page", f"per_page must be from 1 to {MAX_PER_PAGE}")
        if self.page * self.per_page > MAX_RESULTS + self.per_page - 1:
            raise SearchRequestError(
                "page", f"results beyond the first {MAX_RESULTS} are not shown: "
                "narrow the search with more words or a filter")
        if self.sort not in SORTS:
            raise SearchRequestError("sort", f"sort must be one of {', '.join(SORTS)}")
        for name, values in self.filters.items():
            if name not in FACET_FIELDS:
                raise SearchRequestError(name, f"unknown filter '{name}': use "
                                         + ", ".join(FACET_FIELDS))
            if name == "year":
                for value in values:
                    year_range(value)


def year_range(value: str) -> tuple[int, int]:
    """A year filter ("2019", "2015-2019", "2015-" or "-1999") as first and last year.

    Raises SearchRequestError naming the `year` parameter when it is neither.
    """
    found = _YEAR_RANGE.fullmatch(value)
    if found is None or not (found.group(1) or found.group(3)) \
            or (found.group(2) is None and found.group(3)):
        raise SearchRequestError("year", f"year '{value[:40]}' is not a year or a range of "
                                 "years such as 2015-2019, 2015- or -1999")
    first = int(found.group(1)) if found.group(1) else 0
    if found.group(2) is None:
        return first, first
    last = int(found.group(3)) if found.group(3) else 9999
    if last < first:
        raise SearchRequestError("year", f"year range '{value[:40]}' ends before it starts")
    return first, last


def year_span(year: int) -> str:
    """The year facet value holding `year`."""
    if year < EARLY_YEARS:
        return f"-{EARLY_YEARS - 1}"
    start = year - (year - EARLY_YEARS) % YEAR_SPAN
    return f"{start}-{start + YEAR_SPAN - 1}"


def year_label(value: str) -> str:
    first, last = year_range(value)
    if first == 0:
        return f"Before {last + 1}"
    if last == 9999:
        return f"{first} or later"
    return str(first) if first == last else f"{first}\u2013{last}"


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    title_html: str
    score: float
    snippet: str  # HTML: escaped text with <mark> around matched words
    category: str
    categories: tuple[str, ...]
    evidence_level: str
    evidence_label: str
    year: int | None
    journal: str
    doi: str
    url: str
    topics: tuple[str, ...] = ()  # concept ids the summary mentions
    # Reasons, each a clause: "it is about spinal metastasis, the term researchers use
    # for 'cancer spread to spine'", "it is close in meaning to your question"
    why: tuple[str, ...] = ()

    @property
    def why_text(self) -> str:
        """The reasons as one sentence a reader can follow; "" when there are none."""
        if not self.why:
            return ""
        *first, last = self.why
        return f"Shown because {', '.join(first) + ', and ' if first else ''}{last}."

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "title_html": self.title_html,
            "score": round(self.score, 4), "snippet": self.snippet,
            "category": self.category, "categories": list(self.categories),
            "evidence_level": self.evidence_level, "evidence_label": self.evidence_label,
            "year": self.year, "journal": self.journal, "doi": self.doi, "url": self.url,
            "topics": list(self.topics), "why": list(self.why),
        }


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    label: str
    selected: bool = False


@dataclass(frozen=True)
class Related:
    """A summary listed on another's page: what its link shows, no snippet."""

    id: str
    title: str
    evidence_label: str
    year: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "evidence_label": self.evidence_label,
                "year": self.year}


@dataclass(frozen=True)
class Document:
    """One summary as its page shows it: the record, its topics and related summaries."""

    record: Mapping[str, Any]  # the canonical fields (see indexer.record.Summary)
    evidence_label: str
    topics: tuple[FacetValue, ...]  # value: concept id; label: its name; count: summaries
    related: tuple[Related, ...]

    @property
    def id(self) -> str:
        return str(self.record["id"])

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.record, "evidence_label": self.evidence_label,
            "topics": [{"value": t.value, "label": t.label, "count": t.count}
                       for t in self.topics],
            "related": [r.to_dict() for r in self.related],
            "disclaimer": DISCLAIMER,
        }


@dataclass(frozen=True)
class SearchResponse:
    request: SearchRequest
    total: int
    results: tuple[Hit, ...]
    facets: Mapping[str, tuple[FacetValue, ...]]
    took_ms: float
    notices: tuple[str, ...] = ()
    parsed: query_mod.ParsedQuery | None = None
    did_you_mean: str = ""
    nearest_topics: tuple[FacetValue, ...] = ()  # when nothing was found
    unfound: tuple[str, ...] = ()  # words of the question no summary has, nor its meaning
    nothing_about: bool = False  # the collection has nothing on it: no results on purpose
    # ... and the words it has nothing about: the unfound ones, else those that no
    # summary holds together ("weight of people who drive")
    about: tuple[str, ...] = ()
    meaning: bool = False  # the search matched by meaning too
    # The question's content words, and the most of them one result on the page holds
    # (as typed, corrected or within a topic it is tagged with): the query log counts a
    # search whose results hold few of its words, and get no click, as a weak one.
    words: int = 0
    held: int = 0

    @property
    def found_words_query(self) -> str:
        """The question without its unfound words (what "search only ..." links to);
        "" when every word was found."""
        unfound = set(self.unfound)
        if not unfound:
            return ""
        return " ".join(w for w in self.request.q.split()
                        if not set(analysis.words(w)) & unfound).strip()

    @property
    def corrected(self) -> str:
        """The query as searched when its spelling was corrected, else ""."""
        return self.parsed.corrected_text if self.parsed else ""

    def to_dict(self) -> dict[str, Any]:
        parsed = self.parsed
        return {
            "query": self.request.q,
            "corrected": self.corrected,
            "corrections": [{"typed": c.typed, "corrected": c.corrected}
                            for c in (parsed.corrections if parsed else ())],
            "expansions": [e.to_dict() for e in (parsed.expansions if parsed else ())],
            "did_you_mean": self.did_you_mean,
            "words_not_found": list(self.unfound),
            "nothing_about": " ".join(self.about) if self.nothing_about else "",
            "meaning": self.meaning,
            "nearest_topics": [{"value": v.value, "label": v.label, "count": v.count}
                               for v in self.nearest_topics],
            "total": self.total,
            "page": self.request.page,
            "per_page": self.request.per_page,
            "sort": self.request.sort,
            "results": [hit.to_dict() for hit in self.results],
            "facets": {
                name: [{"value": v.value, "label": v.label, "count": v.count,
                        "selected": v.selected} for v in values]
                for name, values in self.facets.items()
            },
            "notices": list(self.notices),
            "disclaimer": DISCLAIMER,
            "took_ms": round(self.took_ms, 2),
        }


def facet_key(name: str, value: str) -> str:
    """A request's facet value as stored in the index (evidence levels by key)."""
    if name == "evidence_level":  # by name, key or the plain label the pages show
        wanted = value.strip()
        level = (evidence.BY_NAME.get(wanted.lower()) or evidence.BY_KEY.get(wanted)
                 or evidence.BY_LABEL.get(wanted.lower()))
        return level.key if level else value
    if name == "year":
        first, last = year_range(value)
        return (f"{first or ''}-{'' if last == 9999 else last}" if first != last
                else str(first))
    return value


def facet_value(name: str, key: str) -> str:
    return evidence.BY_KEY[key].name if name == "evidence_level" else key
