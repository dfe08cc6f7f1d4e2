"""Search without the web: query understanding, ranking, facets, snippets.

The HTML page, the JSON API and the CLI's `search` all call
`SearchIndex.search` and render its `SearchResponse`.
"""

from __future__ import annotations

from searchapp.search.engine import SearchIndex
from searchapp.search.results import (
    Document,
    FacetValue,
    Hit,
    SearchRequest,
    SearchRequestError,
    SearchResponse,
)

__all__ = [
    "Document",
    "FacetValue",
    "Hit",
    "SearchIndex",
    "SearchRequest",
    "SearchRequestError",
    "SearchResponse",
]
