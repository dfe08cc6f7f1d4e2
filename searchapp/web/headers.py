"""Response headers every answer gets: security, CORS, caching.

- Content-Security-Policy: scripts, styles and API calls from this site only,
  no inline script or style, no framing, no plugins.
- Referrer-Policy no-referrer: a reader's health question in the address must
  not travel to the journal or DOI sites the summaries link to.
- CORS: the API (and the widget's files) answer pages of the origins listed in
  CORS_ORIGINS, so other sites can embed the search.
- Caching: GET answers carry an ETag (a 304 when unchanged) and a short
  Cache-Control max-age; widget and static files a longer one.
- Private: the editor pages (/editor...) are never stored by a browser or
  proxy (`no-store`, no ETag) nor indexed by search engines (X-Robots-Tag).
"""

from __future__ import annotations

from flask import Flask, Response, request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
# Paths another site's page may fetch from the browser.
CROSS_ORIGIN = ("/api/", "/widget.js", "/widget.css")
STATIC_SECONDS = 3600
PRIVATE = "/editor"
NOT_COMPRESSED = "identity"
# Files sent whole up to this size (all of ours): see add_headers.
BUFFER_BYTES = 1 << 20


def register(app: Flask) -> None:
    origins = tuple(app.config["CORS_ORIGINS"])
    cache_seconds = int(app.config["CACHE_SECONDS"])
    hsts = bool(app.config["HSTS"])

    @app.after_request
    def add_headers(response: Response) -> Response:
        if response.direct_passthrough and 0 < (response.content_length or 0) <= BUFFER_BYTES:
            # A static file: read it now (the file is closed with the response). Otherwise
            # Flask-Compress streams it through its compressor and never closes the file.
            response.direct_passthrough = False
            response.make_sequence()
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "interest-cohort=(), browsing-topics=()")
        if hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        _cors(response, origins)
        if _private(request.path):
            headers["Cache-Control"] = "no-store"
            headers["X-Robots-Tag"] = "noindex, nofollow"
            # Not compressed: the page holds a CSRF token beside text readers typed
            # (logged queries), the mix compression attacks such as BREACH read.
            # Flask-Compress leaves a response with a Content-Encoding alone; the
            # marker is taken off again after it (register_last).
            headers["Content-Encoding"] = NOT_COMPRESSED
        elif request.method in ("GET", "HEAD") and response.status_code == 200:
            _cache(response, cache_seconds)
        return response


def register_last(app: Flask) -> None:
    """What must run after Flask-Compress: register it before Compress(app)."""

    @app.after_request
    def drop_marker(response: Response) -> Response:
        if response.headers.get("Content-Encoding") == NOT_COMPRESSED:
            del response.headers["Content-Encoding"]
        return response


def _cors(response: Response, origins: tuple[str, ...]) -> None:
    if not request.path.startswith(CROSS_ORIGIN):
        return
    if "*" not in origins:
        # The answer differs by Origin: shared caches must keep one copy per origin.
        response.vary.add("Origin")
    origin = request.headers.get("Origin", "").rstrip("/")
    if not origin:
        return
    if "*" in origins:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin in origins:
        response.headers["Access-Control-Allow-Origin"] = origin
    else:
        return
    if request.method == "OPTIONS":  # a preflight
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Server-Timing"


def _private(path: str) -> bool:
    return path == PRIVATE or path.startswith(PRIVATE + "/")


def _cache(response: Response, seconds: int) -> None:
    if "Cache-Control" not in response.headers:
        long_lived = request.path.startswith(("/static/", "/widget.", "/opensearch.xml",
                                              "/api/v1/openapi.json"))
        response.cache_control.public = True
        response.cache_control.max_age = STATIC_SECONDS if long_lived else seconds
    if not response.direct_passthrough and not response.is_streamed:
        response.add_etag()
        response.make_conditional(request)
