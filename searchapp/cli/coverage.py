"""`scisearch coverage`: the editors' coverage report in a terminal, as JSON or CSV."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from indexer import IndexerError
from searchapp.cli.base import cli, index_dir_option
from searchapp.search import SearchIndex


@cli.command()
@index_dir_option
@click.option("--log", "log_path", default="index_data/querylog.sqlite3", show_default=True,
              envvar="SCISEARCH_QUERY_LOG",
              help="The query log the site writes: a SQLite file or sqlite:///path, or a "
                   "postgresql://user:password@host/database URL (or set SCISEARCH_QUERY_LOG).")
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 3650),
              help="Report on the searches of this many days, up to today.")
@click.option("--stale-years", default=10, show_default=True, type=click.IntRange(1, 100),
              help="A topic whose newest summary is older than this is stale.")
@click.option("--limit", default=15, show_default=True, type=click.IntRange(1, 10_000),
              help="Rows per list in the table.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the per-topic table as CSV.")
def coverage(index_dir: Path, log_path: str, days: int, stale_years: int, limit: int,
             as_json: bool, as_csv: bool) -> None:
    """Where the collection fails its readers: gaps by demand, unknown words, spread.

    Reads the index and the query log the site writes: topics searched for with
    no, few or only old summaries, searches that found nothing (with the nearest
    thesaurus concept), weak searches (results shown and not clicked, holding few of
    the words searched), and the collection by category, evidence and year.
    """
    from searchapp.editorial import QueryLog, QueryLogError, coverage_report
    from searchapp.editorial.database import url_of

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    try:
        url = url_of(log_path)
        # A SQLite file the site never wrote is not made here: no log, no searches.
        log = QueryLog.from_setting(log_path, retention_days=3650) if url and (
            not url.startswith("sqlite:") or Path(url.removeprefix("sqlite:///")).exists()) \
            else None
        with SearchIndex(index_dir) as index:
            report = coverage_report(index, log, days=days, stale_years=stale_years)
    except (IndexerError, QueryLogError) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    if as_csv:
        click.echo(report.to_csv(), nl=False)
        return
    _print_coverage(report, limit, log is not None)


def _print_coverage(report: Any, limit: int, logged: bool) -> None:
    click.echo(f"Coverage {report.since} to {report.until}: {report.searches} searches, "
               f"{report.no_result_searches} found nothing, {report.weak_searches} weak; "
               f"{report.summaries} summaries.")
    if not logged:
        click.echo("No query log found: only the collection is shown.")
    sections = (
        ("Searched for, no summary", report.missing),
        ("Thin topics (1-2 summaries), most searched first", report.thin),
        (f"Stale topics (newest before {report.stale_before}), most searched first",
         report.stale),
    )
    for title, rows in sections:
        click.echo(f"\n{title}:")
        for t in rows[:limit]:
            click.echo(f"  {t.searches:>6} searches  {t.summaries:>4} summaries  "
                       f"{t.newest_year or '':>4}  {t.label}")
        if not rows:
            click.echo("  (none)")
    click.echo("\nSearches that found nothing and named no topic:")
    for u in report.unknown[:limit]:
        hint = f"  -> a synonym of {u.nearest_label}?" if u.nearest_label else ""
        more = f" (+{len(u.variants)} spellings)" if u.variants else ""
        click.echo(f"  {u.searches:>6}  {u.query}{more}{hint}")
    if not report.unknown:
        click.echo("  (none)")
    click.echo("\nWeak searches: results shown, none clicked, few of the words found:")
    for w in report.weak[:limit]:
        topics = f"  [{', '.join(w.topics)}]" if w.topics else ""
        click.echo(f"  {w.searches:>6}  {w.query}  ({w.held} of {w.words} words in the "
                   f"best result, {w.results} results){topics}")
    if not report.weak:
        click.echo("  (none)")
    click.echo("\nCollection by category: " + ", ".join(
        f"{name} {n}" for name, n in report.by_category))
    click.echo("By evidence: " + ", ".join(f"{name} {n}" for name, n in report.by_evidence))
    click.echo("By year: " + ", ".join(f"{year}: {n}" for year, n in report.by_year))


