"""Who may see the editor pages: one shared password, a signed session cookie, CSRF tokens.

    EDITOR_PASSWORD (SCISEARCH_EDITOR_PASSWORD)   without it the pages are switched off
    the site's secret key (`keys`: SECRET_KEY, else a key file made once)
        -> Flask's signed session cookie, only sent to /editor: HttpOnly,
           SameSite=Strict, Secure unless SECURE_COOKIES is off, 8 hours
    every form (sign in, sign out) carries the session's CSRF token

A signed-in session holds a fingerprint of the password, so changing the
password signs everybody out. The cookie is the whole session (nothing is kept
on the server): signing out clears it in the browser, and a copy taken before
stays valid until it expires. Wrong passwords are counted per client address in
the query log's database, so every worker and machine sharing it sees them
(`searchapp.editorial.signins`): past five a minute from one address, it waits
the rest of the minute. Waiting is a 429 answered at once, never a sleeping
worker.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from flask import Flask, current_app, request, session

from searchapp.editorial import QueryLog
from searchapp.editorial.signins import SignInFailures

log = logging.getLogger(__name__)

SESSION_HOURS = 8
CSRF_FIELD = "csrf_token"
EXTENSION = "scisearch.editor"


class EditorAccess:
    """The editor pages' password and the count of recent wrong passwords."""

    def __init__(self, password: str, reason_off: str | None,
                 failures: SignInFailures | None = None) -> None:
        self.password = password
        self.reason_off = reason_off  # None when the pages are on
        self.failures = failures or SignInFailures("")

    @property
    def enabled(self) -> bool:
        return self.reason_off is None

    def password_matches(self, given: str) -> bool:
        return hmac.compare_digest(given.encode("utf-8"), self.password.encode("utf-8"))

    def fingerprint(self) -> str:
        """What a signed-in session holds: changes when the password (or key) does."""
        key = str(current_app.secret_key).encode("utf-8")
        return hmac.new(key, b"editor:" + self.password.encode("utf-8"),
                        hashlib.sha256).hexdigest()

def init_app(app: Flask, querylog: QueryLog | None, keyed: bool) -> None:
    """Set up sessions for the editor pages, or switch them off (see the module doc).
    `keyed`: the app has its secret key (`keys.init_key`)."""
    app.config.update(
        SESSION_COOKIE_NAME="scisearch_editor", SESSION_COOKIE_PATH="/editor",
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=bool(app.config["SECURE_COOKIES"]),
        # 8 hours from signing in, not from the last page seen.
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        SESSION_REFRESH_EACH_REQUEST=False)
    password = str(app.config.get("EDITOR_PASSWORD") or "")
    reason = None if password else "set SCISEARCH_EDITOR_PASSWORD"
    if password and not keyed:
        log.error("editor pages switched off: the site has no secret key")
        reason = "set SCISEARCH_SECRET_KEY (no key file could be written)"
    failures = SignInFailures(str(app.config.get("SECRET_KEY") or ""),
                              querylog.database if querylog else None)
    app.extensions[EXTENSION] = EditorAccess(password, reason, failures)


def access() -> EditorAccess:
    found: EditorAccess = current_app.extensions[EXTENSION]
    return found


def signed_in() -> bool:
    held = session.get("editor")
    return (isinstance(held, str) and access().enabled
            and hmac.compare_digest(held.encode(), access().fingerprint().encode()))


def sign_in() -> None:
    """A fresh session for an editor who gave the password (new CSRF token too)."""
    session.clear()
    session.permanent = True
    session["editor"] = access().fingerprint()
    session["csrf"] = secrets.token_urlsafe(32)


def sign_out() -> None:
    session.clear()


def csrf_token() -> str:
    """The session's CSRF token for a form's hidden field (created on first use)."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_ok() -> bool:
    """Whether the posted form carries the session's CSRF token."""
    held = session.get("csrf")
    given = request.form.get(CSRF_FIELD, "")
    return isinstance(held, str) and hmac.compare_digest(given.encode(), held.encode())

