"""Putting the search into other sites and browsers.

    /widget.js, /widget.css   the embeddable search box (no framework); a page adds
                              <div data-scisearch></div> and one <script> tag
    /widget-demo              the widget on a page, as a site owner would use it
    /opensearch.xml           OpenSearch description: browsers offer the site search
                              in their address bar, with suggestions
    /healthz                  for load balancers: 200 with the summary count and the
                              generation served (its age), or 503
"""

from __future__ import annotations

import time
from datetime import datetime

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from indexer.build import read_manifest
from searchapp.web.headers import STATIC_SECONDS
from searchapp.web.state import live_index

bp = Blueprint("integration", __name__)


@bp.get("/widget.js")
def widget() -> Response:
    return current_app.send_static_file("widget.js")


@bp.get("/widget.css")
def widget_css() -> Response:
    return current_app.send_static_file("widget.css")


def _site_root() -> tuple[str, bool]:
    """The site's public address, and whether it came from the request's Host header."""
    configured = str(current_app.config["SITE_URL"])
    return (configured, False) if configured else (request.host_url.rstrip("/"), True)


def _absolute(response: Response, from_request: bool) -> Response:
    """An answer holding the site's address: when the address came from the Host
    header, shared caches must not keep it (a forged Host would stay in them)."""
    if from_request:
        response.cache_control.private = True
        response.cache_control.max_age = STATIC_SECONDS
    return response


@bp.get("/widget-demo")
def widget_demo() -> Response:
    root, from_request = _site_root()
    return _absolute(Response(render_template("widget_demo.html", origin=root),
                              mimetype="text/html"), from_request)


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    root, from_request = _site_root()
    xml = render_template(
        "opensearch.xml", root=root,
        search=root + url_for("pages.search_page") + "?q={searchTerms}",
        suggest=root + url_for("api.suggest") + "?format=opensearch&q={searchTerms}")
    return _absolute(Response(xml, mimetype="application/opensearchdescription+xml"),
                     from_request)


@bp.get("/healthz")
def health() -> Response:
    """The summary count and which generation is served, built (or published) when: a
    load balancer can take a replica whose index is too old out of service."""
    with live_index().use() as index:
        count = index.doc_count
        generation = index.generation.name if index.generation else ""
        version = index.version
    manifest = read_manifest(live_index().index_dir)
    built = str(manifest.get("built_at") or "")
    try:
        age: float | None = round(time.time() - datetime.fromisoformat(built).timestamp(), 1)
    except ValueError:
        age = None
    return jsonify({"ok": True, "summaries": count, "generation": generation,
                    "version": version, "built_at": built or None, "age_seconds": age,
                    "published_from": manifest.get("published_from")})
