"""Query-string parameters to a `SearchRequest`, for the search page and the JSON API.

Both take the same parameters: q, page, per_page, sort, exact, and each facet
(category, evidence_level, topic, year; repeat a parameter to select several
values). The API is strict: a bad value is a ParameterError naming the
parameter (a 400 answer). The page is forgiving, because a person should
never meet an error page for a mistyped URL: the bad value is replaced by the
nearest usable one and a notice says so.
"""

from __future__ import annotations

from collections.abc import Mapping

from werkzeug.datastructures import MultiDict

from searchapp.search import SearchRequest, SearchRequestError
from searchapp.search.results import FACET_FIELDS, MAX_PER_PAGE, MAX_RESULTS

FILTERS = tuple(FACET_FIELDS)
DEFAULTS = {"page": 1, "per_page": 10, "sort": "relevance"}
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class ParameterError(ValueError):
    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        super().__init__(message)


def search_request(args: MultiDict[str, str], *,
                   strict: bool) -> tuple[SearchRequest, tuple[str, ...]]:
    """The request the parameters ask for, and notices about values that were replaced
    (always empty when `strict`: a bad value raises ParameterError instead)."""
    exact = (args.get("exact") or "").lower()
    if strict and exact not in ("", *_TRUE, *_FALSE):
        raise ParameterError("exact", "exact must be true or false")
    values: dict[str, object] = {
        "q": args.get("q") or "",
        "sort": args.get("sort") or DEFAULTS["sort"],
        "correct": exact not in _TRUE,
    }
    notices: list[str] = []
    for name in ("page", "per_page"):
        raw = args.get(name)
        try:
            values[name] = int(raw) if raw not in (None, "") else DEFAULTS[name]
        except ValueError:
            if strict:
                raise ParameterError(name, f"{name} must be a whole number, not "
                                     f"'{_short(raw)}'") from None
            values[name] = DEFAULTS[name]
            notices.append(f"'{_short(raw)}' is not a page number: showing the first page.")
    filters = {name: tuple(v for v in args.getlist(name) if v.strip()) for name in FILTERS}
    values["filters"] = {name: chosen for name, chosen in filters.items() if chosen}
    for _ in range(len(values) + len(FILTERS)):
        try:
            return SearchRequest(**values), tuple(notices)  # type: ignore[arg-type]
        except SearchRequestError as error:
            if strict:
                raise ParameterError(error.parameter, str(error)) from None
            notices.append(_forgive(values, error.parameter))
    raise AssertionError("unreachable: every parameter has a usable default")


def _forgive(values: dict[str, object], parameter: str) -> str:
    """Replace the bad value of `parameter` with a usable one; say what was done."""
    if parameter == "per_page":
        wanted = values["per_page"]
        values["per_page"] = max(1, min(MAX_PER_PAGE, wanted if isinstance(wanted, int) else 10))
        return f"At most {MAX_PER_PAGE} results are shown on a page."
    if parameter == "page" and isinstance(values["page"], int) and values["page"] < 1:
        values["page"] = 1
        return "Pages are numbered from 1: showing the first page."
    if parameter == "page":
        per_page = values["per_page"]
        assert isinstance(per_page, int)
        last = max(1, -(-MAX_RESULTS // per_page))
        page = values["page"]
        values["page"] = max(1, min(last, page if isinstance(page, int) else 1))
        return (f"Only the first {MAX_RESULTS} results can be shown: add words or pick a "
                "filter to narrow the search.")
    if parameter == "sort":
        values["sort"] = DEFAULTS["sort"]
        return "That sort order is unknown: sorted by best match."
    filters = values["filters"]
    assert isinstance(filters, Mapping)
    values["filters"] = {k: v for k, v in filters.items() if k != parameter}
    return f"The {parameter.replace('_', ' ')} filter was not understood and was removed."


def _short(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= 40 else text[:40] + "\u2026"
