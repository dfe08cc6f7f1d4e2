"""The editors' private pages: where the site fails its readers, and signing in to see it.

    /editor                 the coverage report as a page (charts and tables)
    /editor/coverage.json   the same report, `{"ok": true, ...}` (the API's envelope)
    /editor/coverage.csv    its per-topic table, every row, as a download
    /editor/login, /logout  the password form; signing out (both POST with a CSRF token)

All three take `days` (30, 90 or 365; default 90) and `stale` (years, default 10)
and render one `searchapp.editorial.coverage_report`. Who may see them is
`editor_auth`'s business: without SCISEARCH_EDITOR_PASSWORD every editor URL
answers 404 "switched off" (404 rather than 403: the pages do not exist on
this site until switched on, and no sign-in would help). Anonymous visitors
are sent to the sign-in page, or get a 401 in the API's error shape for the
JSON and CSV. `headers.py` makes every /editor answer `no-store` and `noindex`.
"""

from __future__ import annotations

import math
import posixpath
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from indexer import evidence
from searchapp.editorial import CoverageReport, coverage_report
from searchapp.editorial.coverage import Collection
from searchapp.web.api import ok
from searchapp.web.charts import Chart, Series, bar_chart, column_chart
from searchapp.web.editor_auth import (
    CSRF_FIELD,
    access,
    csrf_ok,
    csrf_token,
    sign_in,
    sign_out,
    signed_in,
)
from searchapp.web.errors import error_json
from searchapp.web.params import ParameterError
from searchapp.web.state import live_index, query_log

bp = Blueprint("editor", __name__, url_prefix="/editor")

PERIODS = (30, 90, 365)
DEFAULT_DAYS, DEFAULT_STALE, MAX_STALE = 90, 10, 100
TOPIC_ROWS = 100  # rows of the per-topic table on the page (the CSV has all)
GAP_ROWS = 30  # rows of each list of gaps
DEMAND_TOPICS = 15  # topics in the demand and supply chart
DATA_ENDPOINTS = ("editor.coverage_json", "editor.coverage_csv")
OPEN_ENDPOINTS = ("editor.login", "editor.logout")


@bp.before_request
def guard() -> ResponseReturnValue | None:
    """Switched off, or not signed in: answer here, before any view runs."""
    editors = access()
    data = request.endpoint in DATA_ENDPOINTS
    if not editors.enabled:
        message = f"Editor pages are switched off: {editors.reason_off}"
        if data:
            return error_json(404, "editor_pages_off", message)
        return _message(404, "Editor pages are switched off", message + ".")
    if request.endpoint in OPEN_ENDPOINTS or signed_in():
        return None
    if data:
        return error_json(401, "sign_in_required",
                          "sign in to the editor pages first, at /editor/login")
    here = request.full_path.rstrip("?")
    return redirect(url_for("editor.login", next=here), 303)


def period(args: MultiDict[str, str], *, strict: bool) -> tuple[int, int, list[str]]:
    """`days` and `stale` from the query string, and notices about replaced values
    (the page forgives a bad value; the JSON and CSV raise ParameterError)."""
    notices = []
    raw = args.get("days") or str(DEFAULT_DAYS)
    days = int(raw) if raw.isdigit() and int(raw) in PERIODS else None
    if days is None:
        if strict:
            raise ParameterError("days", "days must be 30, 90 or 365")
        days = DEFAULT_DAYS
        notices.append(f"The period must be 30, 90 or 365 days: showing {DEFAULT_DAYS}.")
    raw = args.get("stale") or str(DEFAULT_STALE)
    stale = int(raw) if raw.isdigit() and 1 <= int(raw) <= MAX_STALE else None
    if stale is None:
        if strict:
            raise ParameterError("stale", f"stale must be a whole number of years, 1 to "
                                 f"{MAX_STALE}")
        stale = DEFAULT_STALE
        notices.append(f"Stale must be 1 to {MAX_STALE} years: showing {DEFAULT_STALE}.")
    return days, stale, notices


def _report(days: int, stale: int) -> CoverageReport:
    with live_index().use() as index:  # the worker's searches wait only for the copy
        collection = Collection.of(index)
    return coverage_report(collection, query_log(), days, stale)


@bp.get("")
def report_page() -> str:
    days, stale, notices = period(request.args, strict=False)
    report = _report(days, stale)
    return render_template(
        "editor_report.html", report=report, days=days, stale=stale, periods=PERIODS,
        notices=notices, logging_on=query_log() is not None, charts=charts(report),
        topic_rows=TOPIC_ROWS, gap_rows=GAP_ROWS, lay_mix=lay_mix, csrf_field=CSRF_FIELD,
        csrf=csrf_token(), signed_in=True)


@bp.get("/coverage.json")
def coverage_json() -> Response:
    days, stale, _ = period(request.args, strict=True)
    return ok(_report(days, stale).to_dict())


@bp.get("/coverage.csv")
def coverage_csv() -> Response:
    days, stale, _ = period(request.args, strict=True)
    report = _report(days, stale)
    name = f"coverage-{report.until.isoformat()}-{days}-days.csv"
    return Response(report.to_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if signed_in():
            return redirect(target, 303)
        return _login_form(target, signed_out=request.args.get("signed_out") == "1")
    if not csrf_ok():
        return _bad_form()
    editors = access()
    client = request.remote_addr or ""
    wait = editors.failures.wait(client)
    if wait > 0:
        seconds = math.ceil(wait)
        response = _message(429, "Too many wrong passwords", (
            f"Sign-in is paused for {seconds} second{'s' if seconds != 1 else ''} after "
            "several wrong passwords. Then try again."))
        response.headers["Retry-After"] = str(seconds)
        return response
    if not editors.password_matches(request.form.get("password", "")):
        editors.failures.failed(client)
        return _login_form(target, error=True), 200
    sign_in()
    return redirect(target, 303)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if not csrf_ok():
        return _bad_form()
    sign_out()
    return redirect(url_for("editor.login", signed_out=1), 303)


def safe_next(value: str | None) -> str:
    """Where to go after signing in: an editor page of this site, never elsewhere."""
    default = url_for("editor.report_page")
    if not value or not value.isprintable() or "\\" in value or value.startswith("//"):
        return default
    parts = urlsplit(value)
    path = posixpath.normpath(parts.path) if parts.path else ""  # "/editor/../x" is "/x"
    if parts.scheme or parts.netloc or not (path == default or path.startswith(default + "/")):
        return default
    return path + (f"?{parts.query}" if parts.query else "")


def _login_form(target: str, *, error: bool = False, signed_out: bool = False) -> str:
    return render_template("editor_login.html", next=target, error=error,
                           signed_out=signed_out, csrf_field=CSRF_FIELD, csrf=csrf_token())


def _message(status: int, title: str, text: str) -> Response:
    page = render_template("editor_message.html", title=title, text=text, status=status)
    return Response(page, status=status, mimetype="text/html")


def _bad_form() -> Response:
    if current_app.config["SECURE_COOKIES"] and not request.is_secure:
        # The browser keeps secure-only cookies for HTTPS alone: the form's token is
        # never sent back over plain HTTP, whatever the editor does.
        return _message(400, "Signing in needs HTTPS",
                        "This site's cookies are sent over HTTPS only, and this page came "
                        "over plain HTTP, so the browser did not keep them. Open the site "
                        "at its https:// address; for a test on your own machine, start "
                        "it with SCISEARCH_SECURE_COOKIES=off.")
    return _message(400, "That form could not be used",
                    "The form was out of date or did not come from this site, so nothing "
                    "was done. Go back, reload the page and try again.")


def lay_mix(mix: dict[str, int]) -> str:
    """A topic's evidence mix in lay words: "Trial in people: 2; Report on a few ...: 1"."""
    def lay(name: str) -> str:
        level = evidence.BY_NAME.get(name.lower())
        return level.label if level else name
    return "; ".join(f"{lay(name)}: {count}" for name, count in mix.items())


def charts(report: CoverageReport) -> dict[str, Chart]:
    """The report's charts, by name (a chart without data is left out)."""
    found: dict[str, Chart] = {}
    wanted = [t for t in report.topics if t.searches][:DEMAND_TOPICS]
    if wanted:
        found["demand"] = bar_chart(
            "chart-demand", "Searches and summaries per topic",
            f"The {len(wanted)} most searched topics: searches in the period on the left, "
            "summaries on the site on the right, each with its number.",
            [t.label for t in wanted],
            [Series("Searches", tuple(t.searches for t in wanted), "chart-bar"),
             Series("Summaries", tuple(t.summaries for t in wanted),
                    "chart-bar chart-bar--hatched")], "Topic")
    if report.by_year:
        found["years"] = column_chart(
            "chart-years", "Summaries per year published",
            f"Summaries by the year their study was published, {report.by_year[0][0]} to "
            f"{report.by_year[-1][0]}.", report.by_year, "Summaries", "Year")
    if report.by_category:
        found["categories"] = bar_chart(
            "chart-categories", "Summaries per category",
            "How many summaries each category has, most first.",
            [c for c, _ in report.by_category],
            [Series("Summaries", tuple(n for _, n in report.by_category))], "Category")
    if report.by_evidence:
        found["evidence"] = bar_chart(
            "chart-evidence", "Summaries per type of evidence",
            "How many summaries each type of evidence has, strongest evidence first.",
            [e for e, _ in report.by_evidence],
            [Series("Summaries", tuple(n for _, n in report.by_evidence))], "Type of evidence")
    return found
