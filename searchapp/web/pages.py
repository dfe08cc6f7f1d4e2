"""The pages people read: the search page and one page per summary.

Server-rendered and complete without JavaScript: facets, sorting and paging
are plain links that add or remove one URL parameter, so they work with a
keyboard, a screen reader, voice control and the back button alike.
`/widget.js` only adds suggestions as a person types.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from searchapp.search import SearchIndex, SearchRequest, SearchRequestError, SearchResponse
from searchapp.search.results import FACET_FIELDS, MAX_RESULTS, SORTS, facet_key
from searchapp.web.clicks import count_click
from searchapp.web.errors import ApiError
from searchapp.web.params import search_request
from searchapp.web.state import live_index, log_search

bp = Blueprint("pages", __name__)

FACET_TITLES = {"category": "Category", "evidence_level": "Type of evidence",
                "year": "Year published", "topic": "Topic"}
SORT_LABELS = {"relevance": "Best match", "newest": "Newest", "evidence": "Strongest evidence"}
assert set(SORT_LABELS) == set(SORTS) and set(FACET_TITLES) == set(FACET_FIELDS)
# Topics shown before "More topics" (the rest sit in a <details> element).
TOPICS_SHOWN = 8
PAGES_AROUND = 2


@dataclass(frozen=True)
class Links:
    """URLs for the controls of a results page: each changes one thing of this search."""

    args: MultiDict[str, str]

    def _url(self, args: MultiDict[str, str]) -> str:
        query = urlencode(list(args.items(multi=True)))
        return url_for("pages.search_page") + (f"?{query}" if query else "")

    def with_(self, **changes: Any) -> str:
        args = self.args.copy()
        for name, value in changes.items():
            if value in (None, "", False):
                args.poplist(name)
            else:
                args.setlist(name, [str(value)])  # in place: the URL keeps its order
        if "page" not in changes:
            args.poplist("page")
        return self._url(args)

    def toggle(self, name: str, value: str) -> str:
        """This search with the facet value selected, or unselected if it was."""
        args = self.args.copy()
        chosen = args.getlist(name)
        args.setlist(name, [v for v in chosen if v != value] if value in chosen
                     else [*chosen, value])
        args.poplist("page")
        return self._url(args)

    def without_filters(self) -> str:
        return self.with_(**{name: None for name in FACET_FIELDS})

    def page(self, number: int) -> str:
        return self.with_(page=number if number > 1 else None)


@dataclass(frozen=True)
class Chip:
    """A filter in force, shown above the results with a link that removes it."""

    facet: str
    label: str
    remove: str


def _chips(answer: SearchResponse, links: Links) -> list[Chip]:
    chips = []
    for name, values in answer.request.filters.items():
        labels = {facet_key(name, v.value): v.label for v in answer.facets.get(name, ())}
        chips += [Chip(FACET_TITLES[name], labels.get(facet_key(name, raw), raw),
                       links.toggle(name, raw)) for raw in values]
    return chips


def _ideas(index: SearchIndex, answer: SearchResponse) -> dict[str, bool]:
    """Which ways out of a search that found nothing would find something: only those
    are offered (searching only the words found, without the filters, without quotes)."""
    wanted = answer.request

    def finds(q: str, filters: bool = True) -> bool:
        other = dataclasses.replace(wanted, q=q, page=1, per_page=1,
                                    filters=wanted.filters if filters else {})
        return index.search(other).total > 0

    return {
        "found_words": bool(answer.nothing_about and answer.found_words_query
                            and finds(answer.found_words_query)),
        "without_filters": any(wanted.filters.values()) and finds(wanted.q, filters=False),
        "without_quotes": '"' in wanted.q and finds(wanted.q.replace('"', "")),
    }


def _pages(answer: SearchResponse) -> list[int | None]:
    """Page numbers to link: first, last and those around the current (None: a gap)."""
    per_page = answer.request.per_page
    last = max(1, -(-min(answer.total, MAX_RESULTS) // per_page))
    current = answer.request.page
    shown = sorted({1, last, *range(max(1, current - PAGES_AROUND),
                                    min(last, current + PAGES_AROUND) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


@bp.get("/")
def search_page() -> str:
    wanted, notices = search_request(request.args, strict=False)
    home = not wanted.q.strip() and not any(wanted.filters.values()) and "q" not in request.args
    with live_index().use() as index:
        try:
            answer = index.search(wanted if not home else SearchRequest(per_page=5))
        except SearchRequestError:  # forgiving: unknown filter values are dropped
            unknown = index.facets.unknown(wanted)
            notices += tuple(f"{FACET_TITLES[n]} \u2018{v[:40]}\u2019 is not a filter "
                             "here: it was removed." for n, v in unknown)
            wanted = dataclasses.replace(wanted, filters={
                n: tuple(v for v in values if (n, v) not in unknown)
                for n, values in wanted.filters.items()})
            answer = index.search(wanted)
        pages = _pages(answer)
        if answer.total and not answer.results:  # a page past the last one
            answer = index.search(dataclasses.replace(wanted, page=pages[-1] or 1))
            notices += (f"There are only {pages[-1]} pages of results: showing the last.",)
            pages = _pages(answer)
        count = index.doc_count
        ideas = _ideas(index, answer) if not answer.total and not home else {}
    if not home:
        log_search(answer)
    links = Links(MultiDict(request.args))
    return render_template(
        "home.html" if home else "search.html", answer=answer, notices=notices,
        links=links, chips=_chips(answer, links), pages=pages, summary_count=count,
        facet_titles=FACET_TITLES, sort_labels=SORT_LABELS, topics_shown=TOPICS_SHOWN,
        last_page=pages[-1], quoted='"' in wanted.q, filtered=any(wanted.filters.values()),
        ideas=ideas)


@bp.get("/summaries/<summary_id>")
def summary_page(summary_id: str) -> str | Response:
    with live_index().use() as index:
        document = index.get(summary_id)
        canonical = index.canonical_id(summary_id) if document is None else None
    if canonical is not None:  # the id in another case: its own address
        query = request.query_string.decode("latin-1")
        return redirect(url_for("pages.summary_page", summary_id=canonical)
                        + (f"?{query}" if query else ""), 301)
    if document is None:
        raise ApiError(404, "not_found", "no such summary")
    count_click(request.args.get("q", ""), document.id, request.args.get("c", ""))
    return render_template("summary.html", document=document, record=document.record,
                           back=request.args.get("q", ""))
