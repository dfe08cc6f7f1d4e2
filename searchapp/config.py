"""The web app's settings: defaults, then `SCISEARCH_*` environment variables, then
the mapping given to `create_app`, each overriding the one before.

Every setting is listed in SETTINGS with its type and what it does; the README's
"Settings" table is checked against it by a test. Values from the environment
are text and are converted here; a value that cannot be converted raises
ConfigError naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_PREFIX = "SCISEARCH_"


class ConfigError(ValueError):
    """A setting has a value that cannot be used; the message names it."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    parse: Callable[[str], Any]
    help: str


def _origins(text: str) -> tuple[str, ...]:
    origins = tuple(o.strip().rstrip("/") for o in text.split(",") if o.strip())
    for origin in origins:
        if origin != "*" and not origin.startswith(("http://", "https://")):
            raise ValueError(f"'{origin}' is not an origin such as https://example.org")
    return origins


def _site_url(text: str) -> str:
    url = text.strip().rstrip("/")
    if url and not url.startswith(("http://", "https://")):
        raise ValueError(f"'{url}' is not an address such as https://search.example.org")
    return url


def _seconds(text: str) -> float:
    value = float(text)
    if value < 0:
        raise ValueError("must be 0 or more")
    return value


def _days(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("must be 1 or more")
    return value


def _flag(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("must be true or false")


# The editors' password guards the report of what readers searched for: a word or
# two, not a letter (wrong sign-ins are also limited, see `signins`).
MIN_PASSWORD = 12


def _password(text: str) -> str:
    if text and len(text) < MIN_PASSWORD:
        raise ValueError(f"must be at least {MIN_PASSWORD} characters (a few words will "
                         "do), or empty to switch the editor pages off")
    return text


SETTINGS = (
    Setting("INDEX_DIR", Path("index_data/index"), Path,
            "Folder of the search index the site serves."),
    Setting("SUMMARIES_DIR", Path("index_data/summaries"), Path,
            "Summaries that `scisearch serve` brings the index up to date with before "
            "serving; unset, those the index was built from (for a new index, "
            "index_data/summaries)."),
    Setting("CORS_ORIGINS", (), _origins,
            "Comma-separated origins (https://example.org) whose pages may call the JSON "
            "API from the browser, as the widget does; `*` allows any."),
    Setting("SITE_URL", "", _site_url,
            "The site's public address (https://search.example.org), used in the "
            "OpenSearch description and the widget's embed code. Without it they are "
            "built from each request's Host and kept out of shared caches."),
    Setting("SITE_NAME", "SCI Research Search", str,
            "Name shown in page titles, the header and the browser's search bar."),
    Setting("RELOAD_SECONDS", 2.0, _seconds,
            "How often (at most) a worker checks whether the index was rebuilt, and "
            "switches to the new one."),
    Setting("RELOAD_STAGGER_SECONDS", 10.0, _seconds,
            "After a rebuild, each worker opens and warms the new index in the background "
            "after a random wait of up to this many seconds (so that they do not all "
            "open it at once), then switches to it."),
    Setting("CACHE_SECONDS", 60.0, _seconds,
            "How long browsers and proxies may reuse a search answer (Cache-Control max-age)."),
    Setting("HSTS", False, _flag,
            "Send Strict-Transport-Security (only when the site is served over HTTPS)."),
    Setting("SEMANTIC", True, _flag,
            "Match by meaning too (the embedding model beside words and concepts); `off` "
            "searches by words and concepts only. `scisearch index` reads it too: off, it "
            "embeds nothing."),
    Setting("QUERY_LOG", "index_data/querylog.sqlite3", str,
            "Where searches are counted for the editors' report, and editors' wrong "
            "passwords for every worker: a SQLite file path or sqlite:///path URL, or a "
            "postgresql://user:password@host/database URL shared by several servers; `off` "
            "switches logging off."),
    Setting("QUERY_LOG_DAYS", 365, _days,
            "Days the query log keeps its counts; older ones are removed."),
    Setting("EDITOR_PASSWORD", "", _password,
            f"Password of the editor pages (/editor), at least {MIN_PASSWORD} characters; "
            "without one they are switched off."),
    Setting("SECRET_KEY", "", str,
            "Signs editors' session cookies and the click tokens of result links; set "
            "the same value on every worker and server (without it, a key is kept in a "
            "file beside the query log)."),
    Setting("SECURE_COOKIES", True, _flag,
            "Send the editors' session cookie over HTTPS only (turn off only for local "
            "testing over plain HTTP)."),
)
BY_NAME = {s.name: s for s in SETTINGS}


def load(overrides: Mapping[str, Any] | None = None,
         environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings: defaults, then SCISEARCH_* variables of `environ`, then `overrides`."""
    environ = os.environ if environ is None else environ
    config = {s.name: s.default for s in SETTINGS}
    for setting in SETTINGS:
        raw = environ.get(ENV_PREFIX + setting.name)
        if raw is not None:
            config[setting.name] = _parse(setting, raw, ENV_PREFIX + setting.name)
    for name, value in (overrides or {}).items():
        known = BY_NAME.get(name)
        config[name] = _parse(known, value, name) if known and isinstance(value, str) \
            else value
    return config


def _parse(setting: Setting, raw: str, where: str) -> Any:
    try:
        return setting.parse(raw)
    except ValueError as error:
        raise ConfigError(f"{where}={raw!r}: {error}") from None
