"""sci-search's application layer: search (no Flask), the web app, and the command line.

`searchapp.search` is the one search function every front end shares;
`create_app` builds the web app that serves it.
"""

from __future__ import annotations

from searchapp.web.app import create_app

__all__ = ["create_app"]
