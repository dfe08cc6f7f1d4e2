"""Search without the web: query understanding, ranking, facets, snippets.

The HTML page, the JSON API and the CLI's `search` all call
`SearchIndex.search` and render its `SearchResponse`.
"""

from __future__ import annotations

from searchapp.search.engine import (
    FacetValue,
    Hit,
    SearchIndex,
    SearchRequest,
    SearchRequestError,
    SearchResponse,
)

__all__ = [
    "FacetValue",
    "Hit",
    "SearchIndex",
    "SearchRequest",
    "SearchRequestError",
    "SearchResponse",
]
