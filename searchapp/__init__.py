"""sci-search's application layer: search (no Flask), and the command line.

The web app arrives with `create_app`; `searchapp.search` is the one search
function every front end shares.
"""

from __future__ import annotations
