"""Errors as the reader sees them: an HTML page with a way on, or the API's one shape.

Exception tree the views raise (anything else is a 500, logged, never shown):

    ParameterError (web.params)   a query parameter is wrong        -> 400
    ApiError                      an API answer other than success   -> its status
    IndexerError (indexer)        no readable index yet              -> 503
    werkzeug HTTPException        not found, method not allowed, ... -> its status

Under /api/ (and for the editors' /editor/coverage.json and .csv) every error is
`{"ok": false, "error": {"code", "message", "parameter"}}`; elsewhere it is the
error page, with the search box and the site's links.
No message ever carries a stack trace or a path on the server.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask.globals import request_ctx
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from indexer import IndexDamagedError, IndexerError
from searchapp.web.params import ParameterError

log = logging.getLogger(__name__)
# Paths answered with the API's error shape rather than the error page.
JSON_PATHS = ("/api/", "/editor/coverage.", "/healthz")

# Plain words for the error page, by status.
PAGE_TEXT = {
    400: ("That request could not be understood",
          "Something in the web address is not right. Try a new search below."),
    404: ("Page not found",
          "There is no page at this address. It may have moved, or the link may be mistyped."),
    405: ("That is not possible here", "This page cannot be used that way."),
    503: ("Search is not ready yet",
          "The search index is being built or is missing. Please try again in a minute."),
    500: ("Something went wrong on our side",
          "The page could not be shown. Please try again; if it keeps happening, tell the "
          "site's editors."),
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, parameter: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.parameter = status, code, message, parameter


def error_json(status: int, code: str, message: str, parameter: str | None = None) -> Response:
    response = jsonify({"ok": False, "error": {"code": code, "message": message,
                                               "parameter": parameter}})
    response.status_code = status
    return response


def _answer(status: int, code: str, message: str, parameter: str | None = None) -> Response:
    if request.path.startswith(JSON_PATHS):
        return error_json(status, code, message, parameter)
    title, text = PAGE_TEXT.get(status, PAGE_TEXT[500 if status >= 500 else 400])
    if request_ctx.url_adapter is None:
        # A Host header no address can be made for (a label over 63 characters): the
        # page's links cannot be written either, so a page without them.
        page = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>'
                f"{escape(title)}</title></head><body><main><h1>{escape(title)}</h1><p>"
                "The site name this request was sent to is not a valid one.</p></main>"
                "</body></html>")
    else:
        page = render_template("error.html", status=status, title=title, text=text)
    return Response(page, status=status, mimetype="text/html")


def register(app: Flask) -> None:
    @app.errorhandler(ParameterError)
    def bad_parameter(error: ParameterError) -> Response:
        return _answer(400, "bad_parameter", str(error), error.parameter)

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        return _answer(error.status, error.code, error.message, error.parameter)

    @app.errorhandler(IndexerError)
    def no_index(error: IndexerError) -> Response:
        log.error("no readable index: %s", error)
        response = _answer(503, "index_damaged", "the search index cannot be read right now; "
                           "the site's log says why; try again later") \
            if isinstance(error, IndexDamagedError) else \
            _answer(503, "index_unavailable", "the search index is not ready; try again in a "
                    "minute")
        response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        code = (error.name or "error").lower().replace(" ", "_")
        response = _answer(status, code, PAGE_TEXT.get(status, (error.name or "Error", ""))[0])
        allowed = getattr(error, "valid_methods", None)  # 405: the methods that work
        if allowed:
            response.headers["Allow"] = ", ".join(allowed)
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unexpected error answering %s", request.path)
        return _answer(500, "internal_error", "something went wrong on our side")
