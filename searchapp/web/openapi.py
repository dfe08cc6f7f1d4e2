"""The OpenAPI 3 description of the JSON API, served at /api/v1/openapi.json.

Tests validate real answers against these schemas and run generated requests
against the app, so the document cannot drift from what the API does.
"""

from __future__ import annotations

from typing import Any

from searchapp.search.results import FACET_FIELDS, MAX_PER_PAGE, SORTS

_STRING_LIST = {"type": "array", "items": {"type": "string"}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _query(name: str, schema: dict[str, Any], description: str,
           array: bool = False) -> dict[str, Any]:
    parameter = {"name": name, "in": "query", "required": False,
                 "description": description, "schema": schema}
    if array:
        parameter.update(style="form", explode=True)
    return parameter


_SEARCH_PARAMETERS = [
    _query("q", {"type": "string"}, "What the reader typed: any text, in everyday words. "
           "Quotes make a phrase that must appear. Empty: browse everything, newest first."),
    _query("page", {"type": "integer", "minimum": 1, "default": 1},
           "Page of results (results beyond the first 1,000 are not shown)."),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                        "default": 10}, "Results per page."),
    _query("sort", {"type": "string", "enum": list(SORTS), "default": "relevance"},
           "relevance (best match), newest, or evidence (strongest evidence first)."),
    _query("exact", {"type": "boolean", "default": False},
           "Search the words exactly as typed: no spelling correction."),
    _query("category", {"type": "array", "items": {"type": "string"}},
           "Only these categories (repeat for several: any of them). A category no "
           "summary has is a 400 that lists the accepted ones.", array=True),
    _query("evidence_level", {"type": "array", "items": {"type": "string"}},
           "Only these evidence levels, by name (\"Randomized Controlled Trial\") or by "
           "the label results show (\"Trial in people\"). Another value is a 400 that "
           "lists the accepted ones.", array=True),
    _query("topic", {"type": "array", "items": {"type": "string"}},
           "Only summaries on these topics, by concept id (\"pressure-injury\"). A topic "
           "no summary has is a 400.", array=True),
    _query("year", {"type": "array", "items": {
        "type": "string", "pattern": r"^\s*\d{0,4}\s*(-|\u2013|to)?\s*\d{0,4}\s*$"}},
           "Only these years: 2019, 2015-2019, 2015- or -1999.", array=True),
]

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object", "required": ["ok", "error"],
        "properties": {
            "ok": {"type": "boolean", "enum": [False]},
            "error": {"type": "object", "required": ["code", "message", "parameter"],
                      "properties": {"code": {"type": "string"},
                                     "message": {"type": "string"},
                                     "parameter": {"type": "string", "nullable": True}}},
        },
    },
    "Hit": {
        "type": "object",
        "required": ["id", "title", "title_html", "score", "snippet", "category",
                     "categories", "evidence_level", "evidence_label", "year", "journal",
                     "doi", "url", "topics", "why", "link"],
        "properties": {
            "id": {"type": "string"}, "title": {"type": "string"},
            "title_html": {"type": "string", "description": "Escaped HTML, matches in <mark>"},
            "score": {"type": "number"},
            "snippet": {"type": "string", "description": "Escaped HTML, matches in <mark>"},
            "category": {"type": "string"}, "categories": _STRING_LIST,
            "evidence_level": {"type": "string"},
            "evidence_label": {"type": "string", "description": "The level in plain words"},
            "year": {"type": "integer", "nullable": True},
            "journal": {"type": "string"}, "doi": {"type": "string"}, "url": {"type": "string"},
            "topics": _STRING_LIST,
            "why": {**_STRING_LIST, "description": "Why the summary is shown, as clauses "
                    "to join into a sentence ('Shown because ... and ...'): 'it is about "
                    "<topic>, the term researchers use for <the reader's words>', and 'it "
                    "is close in meaning to your question' when it was found by meaning"},
            "link": {"type": "string", "description": "The summary's page on this site, "
                     "as a path with the search's words and a click token valid for an "
                     "hour or two: open it for the reader so that the click counts in "
                     "the editors' report (`url` is the study's own page elsewhere)"},
        },
    },
    "FacetValue": {
        "type": "object", "required": ["value", "label", "count", "selected"],
        "properties": {"value": {"type": "string"}, "label": {"type": "string"},
                       "count": {"type": "integer", "minimum": 0},
                       "selected": {"type": "boolean"}},
    },
    "SearchResponse": {
        "type": "object",
        "required": ["ok", "query", "corrected", "corrections", "expansions", "did_you_mean",
                     "words_not_found", "nothing_about", "meaning", "nearest_topics", "total",
                     "page", "per_page", "sort", "results",
                     "facets", "notices", "disclaimer"],
        "properties": {
            "ok": {"type": "boolean", "enum": [True]},
            "query": {"type": "string"},
            "corrected": {"type": "string", "description": "The query as searched, when "
                          "its spelling was corrected; else empty"},
            "corrections": {"type": "array", "items": {
                "type": "object", "required": ["typed", "corrected"],
                "properties": {"typed": {"type": "string"}, "corrected": {"type": "string"}}}},
            "expansions": {"type": "array", "items": {
                "type": "object", "required": ["concept", "preferred", "group", "matched",
                                               "terms"],
                "properties": {"concept": {"type": "string"}, "preferred": {"type": "string"},
                               "group": {"type": "string"}, "matched": {"type": "string"},
                               "terms": _STRING_LIST,
                               "found_by": {"type": "string", "enum": ["thesaurus", "meaning"],
                                            "description": "How the reader's words were "
                                            "linked to the concept"}}}},
            "did_you_mean": {"type": "string"},
            "words_not_found": {**_STRING_LIST, "description": "Words of the query that no "
                                "summary has, nor a concept close in meaning"},
            "nothing_about": {"type": "string", "description": "When the collection has "
                              "nothing on the query, no results on purpose and the words it "
                              "has nothing about: its unfound words, else the words no "
                              "summary holds together; else empty"},
            "meaning": {"type": "boolean", "description": "Whether summaries were matched "
                        "by meaning too (off: words and concepts only)"},
            "nearest_topics": {"type": "array", "items": {
                "type": "object", "required": ["value", "label", "count"],
                "properties": {"value": {"type": "string"}, "label": {"type": "string"},
                               "count": {"type": "integer"}}}},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "sort": {"type": "string", "enum": list(SORTS)},
            "results": {"type": "array", "items": _ref("Hit")},
            "facets": {"type": "object", "required": list(FACET_FIELDS),
                       "properties": {name: {"type": "array", "items": _ref("FacetValue")}
                                      for name in FACET_FIELDS}},
            "notices": _STRING_LIST,
            "disclaimer": {"type": "string"},
        },
    },
    "Suggestion": {
        "type": "object", "required": ["text", "kind", "label", "concept", "preferred",
                                       "summary", "count"],
        "properties": {
            "text": {"type": "string", "description": "What goes into the search box"},
            "kind": {"type": "string", "enum": ["topic", "term", "title"]},
            "label": {"type": "string"},
            "concept": {"type": "string", "nullable": True},
            "preferred": {"type": "string", "nullable": True},
            "summary": {"type": "string", "nullable": True},
            "count": {"type": "integer", "minimum": 0},
        },
    },
    "SuggestResponse": {
        "type": "object", "required": ["ok", "query", "suggestions"],
        "properties": {"ok": {"type": "boolean", "enum": [True]}, "query": {"type": "string"},
                       "suggestions": {"type": "array", "items": _ref("Suggestion")}},
    },
    "Summary": {
        "type": "object",
        "required": ["id", "title", "url", "journal", "year", "published", "doi", "category",
                     "categories", "evidence_level", "evidence_label", "simple_explanation",
                     "key_findings", "research_summary", "practical_implications",
                     "limitations", "topics", "related", "disclaimer"],
        "properties": {
            "id": {"type": "string"}, "title": {"type": "string"}, "url": {"type": "string"},
            "journal": {"type": "string"}, "year": {"type": "integer", "nullable": True},
            "published": {"type": "string", "nullable": True, "description": "YYYY-MM-DD"},
            "doi": {"type": "string"}, "category": {"type": "string"},
            "categories": _STRING_LIST, "evidence_level": {"type": "string"},
            "evidence_label": {"type": "string"}, "evidence_note": {"type": "string"},
            "study_duration": {"type": "string"}, "participants": {"type": "string"},
            "simple_explanation": {"type": "string"}, "key_findings": _STRING_LIST,
            "research_summary": {"type": "string"},
            "practical_implications": {"type": "array", "items": {
                "type": "object", "required": ["heading", "text"],
                "properties": {"heading": {"type": "string"}, "text": {"type": "string"}}}},
            "limitations": _STRING_LIST,
            "topics": {"type": "array", "items": {
                "type": "object", "required": ["value", "label", "count"],
                "properties": {"value": {"type": "string"}, "label": {"type": "string"},
                               "count": {"type": "integer"}}}},
            "related": {"type": "array", "items": {
                "type": "object", "required": ["id", "title", "evidence_label", "year"],
                "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                               "evidence_label": {"type": "string"},
                               "year": {"type": "integer", "nullable": True}}}},
            "disclaimer": {"type": "string"},
        },
    },
    "SummaryResponse": {
        "type": "object", "required": ["ok", "summary"],
        "properties": {"ok": {"type": "boolean", "enum": [True]},
                       "summary": _ref("Summary")},
    },
}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": _ref(schema)}}}


_ERRORS = {"400": _json("Error", "A parameter is wrong; error.parameter names it."),
           "503": _json("Error", "The search index is not built yet.")}


def document() -> dict[str, Any]:
    """The OpenAPI 3.0 document of /api/v1."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "sci-search API",
            "version": "1.0.0",
            "description": "Search plain-language summaries of spinal cord injury research. "
                           "The summaries are research information, not medical advice.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/search": {"get": {
                "operationId": "search", "summary": "Ranked, faceted search with snippets",
                "parameters": _SEARCH_PARAMETERS,
                "responses": {"200": _json("SearchResponse", "One page of results"),
                              **_ERRORS},
            }},
            "/suggest": {"get": {
                "operationId": "suggest",
                "summary": "Autocomplete: topics (lay and clinical names) and titles",
                "parameters": [
                    _query("q", {"type": "string"}, "What has been typed so far."),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 20,
                                     "default": 8}, "At most this many suggestions."),
                    _query("format", {"type": "string", "enum": ["opensearch"]},
                           "opensearch: the [query, [completions]] array browsers use."),
                ],
                "responses": {"200": {
                    "description": "Suggestions, best first",
                    "content": {
                        "application/json": {"schema": _ref("SuggestResponse")},
                        "application/x-suggestions+json": {"schema": {"type": "array"}},
                    }}, **_ERRORS},
            }},
            "/summaries/{summary_id}": {"get": {
                "operationId": "summary", "summary": "One summary with topics and related",
                "parameters": [{"name": "summary_id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": _json("SummaryResponse", "The summary"),
                              "404": _json("Error", "No summary has this id."),
                              **_ERRORS},
            }},
        },
        "components": {"schemas": _SCHEMAS},
    }
