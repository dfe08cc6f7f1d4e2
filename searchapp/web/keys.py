"""The site's secret key: signs editors' session cookies and the click tokens of
result links (`clicks`).

    SECRET_KEY (SCISEARCH_SECRET_KEY), else a key file beside the query log's SQLite
    file (or beside the index folder), created once by whichever worker comes first

Every worker of one machine shares the key file. Several machines must be given the
same SECRET_KEY: a key file is one machine's own.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from flask import Flask

from searchapp.editorial import QueryLog

log = logging.getLogger(__name__)

KEY_FILE = "secret_key"


def init_key(app: Flask, querylog: QueryLog | None) -> bool:
    """Give the app a secret key (the setting's, else the key file's); False, with the
    reason logged, when there is none and no key file could be kept."""
    if app.config.get("SECRET_KEY"):
        return True
    folder = querylog.path.parent if querylog and querylog.path \
        else Path(app.config["INDEX_DIR"]).parent
    try:
        app.config["SECRET_KEY"] = shared_key(folder / KEY_FILE)
    except OSError as error:
        log.error("no secret key could be kept in %s (%s): set SCISEARCH_SECRET_KEY",
                  folder, error.strerror)
        return False
    if querylog is not None and querylog.path is None:
        log.warning("the query log is shared (%s) but SCISEARCH_SECRET_KEY is not set: "
                    "this server signs with its own key in %s, so a result link from "
                    "another server is not counted as a click here; give every server "
                    "the same SCISEARCH_SECRET_KEY", querylog.where, folder / KEY_FILE)
    return True


def shared_key(path: Path) -> str:
    """The key in `path`, created (mode 0600) by whichever worker comes first.

    The key is written to a temporary file and linked into place, so another worker
    never reads a half-written key, and a second key never replaces the first."""
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another worker was first: use its key
    finally:
        temporary.unlink(missing_ok=True)
    return _read_key(path)


def _read_key(path: Path) -> str:
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise OSError(0, f"the key file {path.name} is too short", str(path))
    return key
