"""Putting the search into other sites and browsers.

    /widget.js, /widget.css   the embeddable search box (no framework); a page adds
                              <div data-scisearch></div> and one <script> tag
    /widget-demo              the widget on a page, as a site owner would use it
    /opensearch.xml           OpenSearch description: browsers offer the site search
                              in their address bar, with suggestions
    /healthz                  for load balancers: 200 with the summary count, or 503
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from searchapp.web.state import live_index

bp = Blueprint("integration", __name__)


@bp.get("/widget.js")
def widget() -> Response:
    return current_app.send_static_file("widget.js")


@bp.get("/widget.css")
def widget_css() -> Response:
    return current_app.send_static_file("widget.css")


@bp.get("/widget-demo")
def widget_demo() -> str:
    return render_template("widget_demo.html", origin=request.host_url.rstrip("/"))


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    root = request.host_url.rstrip("/")
    xml = render_template(
        "opensearch.xml", root=root,
        search=root + url_for("pages.search_page") + "?q={searchTerms}",
        suggest=root + url_for("api.suggest") + "?format=opensearch&q={searchTerms}")
    return Response(xml, mimetype="application/opensearchdescription+xml")


@bp.get("/healthz")
def health() -> Response:
    with live_index().use() as index:
        count = index.doc_count
    return jsonify({"ok": True, "summaries": count})
