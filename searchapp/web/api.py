"""The JSON API under /api/v1/: search, suggest, summaries, and its OpenAPI document.

Every answer is one JSON object: `{"ok": true, ...}` on success, and on failure
`{"ok": false, "error": {"code", "message", "parameter"}}` (see `errors.py`).
Search takes the same parameters as the search page and returns the same
`SearchResponse` the page renders. The search time goes in a Server-Timing
header, not the body, so that the same answer has the same ETag.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from searchapp.search import SearchRequestError
from searchapp.web import openapi
from searchapp.web.clicks import result_link
from searchapp.web.errors import ApiError
from searchapp.web.params import ParameterError, search_request
from searchapp.web.state import live_index, log_search

bp = Blueprint("api", __name__, url_prefix="/api/v1")
SUGGEST_DEFAULT, SUGGEST_MAX = 8, 20


def ok(data: dict[str, Any], took_ms: float | None = None) -> Response:
    response = jsonify({"ok": True, **data})
    if took_ms is not None:
        response.headers["Server-Timing"] = f"search;dur={took_ms:.1f}"
    return response


@bp.get("/search")
def search() -> Response:
    wanted, _ = search_request(request.args, strict=True)
    with live_index().use() as index:
        try:
            answer = index.search(wanted)
        except SearchRequestError as error:
            raise ParameterError(error.parameter, str(error)) from None
    log_search(answer)
    body = answer.to_dict()
    for hit in body["results"]:  # its page here, opened as a click on this search
        hit["link"] = result_link(hit["id"], wanted.q)
    return ok(body, body.pop("took_ms"))


@bp.get("/suggest")
def suggest() -> Response:
    text = request.args.get("q", "")
    limit = _int_param("limit", SUGGEST_DEFAULT, 1, SUGGEST_MAX)
    with live_index().use() as index:
        found = index.suggest(text, limit)
    answer_format = request.args.get("format", "")
    if answer_format not in ("", "opensearch"):
        raise ParameterError("format", f"'{answer_format[:40]}' is not a format of "
                             "suggestions: leave it out for JSON, or give 'opensearch'")
    if answer_format == "opensearch":
        # The OpenSearch suggestions format browsers ask for: [query, [completions]].
        response = jsonify([text, [s.text for s in found]])
        response.mimetype = "application/x-suggestions+json"
        return response
    return ok({"query": text, "suggestions": [s.to_dict() for s in found]})


@bp.get("/summaries/<summary_id>")
def summary(summary_id: str) -> Response | BaseResponse:
    with live_index().use() as index:
        document = index.get(summary_id)
        canonical = index.canonical_id(summary_id) if document is None else None
    if canonical is not None:  # the id in another case: its own address
        return redirect(url_for("api.summary", summary_id=canonical), 301)
    if document is None:
        raise ApiError(404, "not_found", f"there is no summary with the id '{summary_id[:80]}'",
                       "summary_id")
    return ok({"summary": document.to_dict()})


@bp.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(openapi.document())


def _int_param(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ParameterError(name, f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise ParameterError(name, f"{name} must be from {low} to {high}")
    return value
