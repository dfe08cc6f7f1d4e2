"""The web app: `create_app` is the only way to get one.

    create_app(config) -> Flask app with
      pages        /, /summaries/<id>          server-rendered, work without JavaScript
      api          /api/v1/search, suggest, summaries/<id>, openapi.json
      integration  /widget.js, /widget.css, /widget-demo, /opensearch.xml, /healthz
      editor       /editor, /editor/coverage.json|csv, /editor/login, /editor/logout
                   private: switched on by EDITOR_PASSWORD (see `editor_auth`)

Settings come from `searchapp.config` (defaults, SCISEARCH_* variables, then
`config`). Each worker opens the index once (`state.LiveIndex`) and picks up
a rebuilt index by itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_compress import Compress

from searchapp import config as config_mod
from searchapp.editorial import QueryLog, QueryLogError
from searchapp.search.results import DISCLAIMER
from searchapp.web import api, editor, editor_auth, errors, headers, integration, keys, pages
from searchapp.web.clicks import result_link
from searchapp.web.state import EXTENSION, QUERY_LOG, LiveIndex


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """A configured app serving the index in INDEX_DIR (see `searchapp.config`)."""
    app = Flask(__name__)
    app.config.update(config_mod.load(config))
    app.config.setdefault("COMPRESS_MIMETYPES", [
        "text/html", "text/css", "text/javascript", "application/javascript",
        "application/json", "application/x-suggestions+json",
        "application/opensearchdescription+xml"])
    app.config["COMPRESS_ALGORITHM"] = ["br", "gzip"]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION] = LiveIndex(app.config["INDEX_DIR"],
                                          app.config["RELOAD_SECONDS"],
                                          app.config["SEMANTIC"],
                                          app.config["RELOAD_STAGGER_SECONDS"])
    querylog = app.extensions[QUERY_LOG] = _query_log(app)
    # A key signs editors' sessions and the click tokens of result links.
    keyed = keys.init_key(app, querylog) if app.config.get("EDITOR_PASSWORD") or querylog \
        else False
    editor_auth.init_app(app, querylog, keyed)
    for blueprint in (pages.bp, api.bp, integration.bp, editor.bp):
        app.register_blueprint(blueprint)
    errors.register(app)
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = headers.STATIC_SECONDS
    headers.register_last(app)  # before Compress: runs after it
    Compress(app)
    headers.register(app)  # after Compress: it runs first, on the uncompressed body

    app.add_template_filter(http_url)
    app.add_template_global(result_link)

    @app.context_processor
    def site() -> dict[str, Any]:
        return {"site_name": app.config["SITE_NAME"], "disclaimer": DISCLAIMER}

    return app


def _query_log(app: Flask) -> QueryLog | None:
    """The query log the settings ask for. One that cannot be reached now is reported and
    tried again later; a setting that names no database is reported and logging is
    left off (searching matters more than counting searches)."""
    try:
        return QueryLog.from_setting(app.config["QUERY_LOG"], app.config["QUERY_LOG_DAYS"],
                                     unreachable_ok=True)
    except QueryLogError as error:
        app.logger.error("%s: searches are not logged", error)
        return None


def http_url(url: str) -> str:
    """`url` when it is a web address, else "" (a summary's "javascript:" link is dropped)."""
    return url if url.lower().startswith(("https://", "http://")) else ""
