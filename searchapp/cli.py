"""The `scisearch` command line: thin shells over the indexer and the search function.

Each command validates its options, calls one library function and turns the
library's errors into one readable line (never a traceback). Logging is
configured here and nowhere else.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from indexer import IndexerError, read_file
from indexer.build import BuildReport, build_index, current_generation
from searchapp.search import SearchIndex, SearchRequest, SearchRequestError
from searchapp.search.results import DISCLAIMER, MAX_RESULTS
from searchapp.search.snippets import to_terminal

DEFAULT_SUMMARIES = Path("index_data/summaries")
DEFAULT_INDEX = Path("index_data/index")

index_dir_option = click.option(
    "--index-dir", type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_INDEX, envvar="SCISEARCH_INDEX_DIR", show_default=True,
    help="Folder of the search index (or set SCISEARCH_INDEX_DIR).")


class _Bar:
    """`indexer.build.Progress` as a click progress bar on a terminal (stderr)."""

    def __init__(self) -> None:
        self._bar: Any = None

    def start(self, total: int) -> None:
        if sys.stderr.isatty() and total > 1:
            self._bar = click.progressbar(length=total, label="Indexing", file=sys.stderr)
            self._bar.__enter__()

    def advance(self) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log what happens (timings, counts).")
@click.version_option(package_name="sci-search")
def cli(verbose: bool) -> None:
    """Search plain-language summaries of spinal cord injury research."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@cli.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--map", "field_map", multiple=True, metavar="SOURCE=FIELD",
              help="JSON input: read field SOURCE as canonical FIELD (repeatable), "
                   "e.g. --map nct_id=id.")
def inspect(files: Sequence[Path], field_map: Sequence[str]) -> None:
    """Print the record(s) parsed from FILES as JSON, with the canonical field names.

    Problems go to standard error, one line each; exit status 1 if any file
    or record could not be read.
    """
    mapping = _parse_field_map(field_map)
    records: list[dict[str, Any]] = []
    failed = False
    for path in files:
        result = read_file(path, mapping)
        records.extend(s.to_dict() for s in result.summaries)
        for warning in result.warnings:
            click.echo(f"warning: {path}: {warning}", err=True)
        for error in result.errors:
            click.echo(f"error: {error}", err=True)
            failed = True
    output: Any = records[0] if len(records) == 1 else records
    click.echo(json.dumps(output, indent=2, ensure_ascii=False))
    if failed:
        sys.exit(1)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_dir_option
@click.option("--rebuild", is_flag=True, help="Build the whole index anew instead of updating.")
@click.option("--map", "field_map", multiple=True, metavar="SOURCE=FIELD",
              help="JSON input: read field SOURCE as canonical FIELD (repeatable), "
                   "e.g. --map nct_id=id --map brief_summary=simple_explanation.")
def index(paths: Sequence[Path], index_dir: Path, rebuild: bool,
          field_map: Sequence[str]) -> None:
    """Index the summaries in PATHS (files or folders; default index_data/summaries).

    Incremental: unchanged files are skipped, changed ones replaced, removed
    ones deleted. A file that cannot be read is reported and skipped (its last
    good version stays searchable). Exit status: 0 all indexed, 1 something
    was skipped, 2 nothing could be built (bad option, index busy).
    """
    mapping = _parse_field_map(field_map)
    chosen = list(paths) or [DEFAULT_SUMMARIES]
    for path in chosen:
        if not path.exists():
            raise click.BadParameter(f"{path}: no such file or folder", param_hint="PATHS")
    report = _build(chosen, index_dir, rebuild, mapping)
    _print_report(report)
    if not report.ok:
        sys.exit(1)


def _build(paths: list[Path], index_dir: Path, rebuild: bool = False,
           field_map: dict[str, str] | None = None) -> BuildReport:
    try:
        return build_index(paths, index_dir, rebuild=rebuild, field_map=field_map,
                           progress=_Bar())
    except IndexerError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        where = exc.filename or index_dir
        raise click.ClickException(f"cannot write the index in {where}: "
                                   f"{exc.strerror or exc}; the last good index is unchanged"
                                   ) from None


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every network interface).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@index_dir_option
@click.option("--summaries", type=click.Path(path_type=Path), default=DEFAULT_SUMMARIES,
              envvar="SCISEARCH_SUMMARIES_DIR", show_default=True,
              help="Summaries to index first when the index is missing or out of date "
                   "(or set SCISEARCH_SUMMARIES_DIR).")
def serve(host: str, port: int, index_dir: Path, summaries: Path) -> None:
    """Serve the search site, its JSON API and widget.

    First brings the index up to date with the summaries (builds it when it is
    missing; only changed files are read again), then serves on HOST:PORT with
    a development server. For a public site, run it under gunicorn (README).
    """
    from werkzeug.serving import run_simple

    from searchapp import create_app
    from searchapp.config import ConfigError

    if summaries.exists():
        report = _build([summaries], index_dir)
        if report.added or report.updated or report.deleted or not report.ok:
            _print_report(report)
    elif current_generation(index_dir) is None:
        raise click.ClickException(f"there is no index in {index_dir} and no summaries in "
                                   f"{summaries} to build one from: run `scisearch index PATH`")
    try:
        app = create_app({"INDEX_DIR": index_dir, "SUMMARIES_DIR": summaries})
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    from searchapp.web.state import live_index

    try:
        with app.app_context(), live_index().use() as index:  # the server keeps it open
            count = index.doc_count
    except IndexerError as exc:
        raise click.ClickException(str(exc)) from None
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    click.echo(f"Serving {count} {'summary' if count == 1 else 'summaries'} at "
               f"http://{shown}:{port}/ (press Ctrl+C to stop)")
    # The development server's request log would record readers' questions with
    # their addresses: it is left off (errors are still logged).
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    run_simple(host, port, app, threaded=True)


def _print_report(report: BuildReport) -> None:
    for path, warning in report.warnings:
        click.echo(f"warning: {path}: {warning}", err=True)
    for error in report.errors:
        click.echo(f"skipped: {error}", err=True)
    for path in report.kept:
        click.echo(f"kept: {path}: could not be read now, its last good version stays "
                   "searchable", err=True)
    how = "Rebuilt" if report.rebuilt else "Updated"
    click.echo(
        f"{how} {report.index_dir} in {report.seconds:.2f} s: {report.added} added, "
        f"{report.updated} updated, {report.deleted} deleted, {report.unchanged} unchanged, "
        f"{report.skipped} skipped; {report.documents} "
        f"{'summary' if report.documents == 1 else 'summaries'} in the index.")


@cli.command()
@click.argument("query")
@index_dir_option
@click.option("--limit", default=10, show_default=True, type=int,
              help=f"How many results to show (1 to {MAX_RESULTS}).")
@click.option("--category", multiple=True, help="Only this category (repeatable).")
@click.option("--evidence", multiple=True,
              help="Only this evidence level, e.g. 'Randomized Controlled Trial' (repeatable).")
@click.option("--topic", multiple=True,
              help="Only summaries on this topic, by concept id, e.g. pressure-injury "
                   "(repeatable).")
@click.option("--year", multiple=True,
              help="Only these years: 2019, 2015-2019, 2015- or -1999 (repeatable).")
@click.option("--sort", type=click.Choice(["relevance", "newest", "evidence"]),
              default="relevance", show_default=True, help="Order of the results.")
@click.option("--exact", is_flag=True, help="Search the words exactly as typed: no spelling "
              "correction (lay words are still matched to clinical terms).")
@click.option("--json", "as_json", is_flag=True, help="Print the full answer as JSON.")
def search(query: str, index_dir: Path, limit: int, category: Sequence[str],
           evidence: Sequence[str], topic: Sequence[str], year: Sequence[str], sort: str,
           exact: bool, as_json: bool) -> None:
    """Search the index for QUERY and show the best matches with marked snippets.

    Everyday words find clinical research ("bed sores" finds pressure injuries),
    misspellings are corrected, and each result says why it matched.
    """
    if not 1 <= limit <= MAX_RESULTS:
        raise click.BadParameter(f"must be from 1 to {MAX_RESULTS}", param_hint="--limit")
    filters = {k: tuple(v) for k, v in (("category", category), ("evidence_level", evidence),
                                        ("topic", topic), ("year", year)) if v}
    try:
        with SearchIndex(index_dir) as index_:
            responses = []
            page = 1
            while True:
                # Pages of at most 50 give any --limit up to the 1,000-result cap.
                per_page = min(50, limit)
                response = index_.search(SearchRequest(q=query, page=page, per_page=per_page,
                                                       sort=sort, filters=filters,
                                                       correct=not exact))
                responses.append(response)
                shown = sum(len(r.results) for r in responses)
                if shown >= min(limit, response.total) or not response.results:
                    break
                page += 1
    except (IndexerError, SearchRequestError) as exc:
        raise click.ClickException(str(exc)) from None
    hits = [hit for r in responses for hit in r.results][:limit]
    first = responses[0]
    if as_json:
        data = first.to_dict()
        data["results"] = [hit.to_dict() for hit in hits]
        data["per_page"] = limit
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    color = sys.stdout.isatty()
    bold = ("\x1b[1m", "\x1b[0m") if color else ("", "")
    for notice in first.notices:
        click.echo(notice)
    if first.corrected:
        click.echo(f"Showing results for \u201c{first.corrected}\u201d (search exactly as "
                   "typed with --exact).")
    if first.did_you_mean:
        click.echo(f"Did you mean \u201c{first.did_you_mean}\u201d?")
    noun = "summary" if first.total == 1 else "summaries"
    click.echo(f"{first.total} {noun} found for \u201c{query}\u201d "
               f"({first.took_ms:.0f} ms).")
    for number, hit in enumerate(hits, start=1):
        click.echo()
        click.echo(f"{number:>2}. {to_terminal(hit.title_html, bold)}")
        meta = " \u00b7 ".join(str(x) for x in (hit.category, hit.evidence_label, hit.year) if x)
        click.echo(f"    {meta}  [{hit.id}]")
        for reason in hit.why:
            click.echo(f"    Matched {reason}")
        click.echo(_indent(to_terminal(hit.snippet, bold)))
    if first.nearest_topics:
        click.echo("Close topics: " + ", ".join(
            f"{t.label} (--topic {t.value}, {t.count})" for t in first.nearest_topics))
    for name, title in (("category", "Category"), ("evidence_level", "Evidence"),
                        ("year", "Years"), ("topic", "Topics")):
        values = first.facets.get(name, ())[:12]
        if values:
            click.echo()
            click.echo(f"{title}: " + ", ".join(f"{v.label} ({v.count})" for v in values))
    click.echo()
    click.echo(DISCLAIMER)


@cli.command()
@index_dir_option
@click.option("--log", "log_path", default="index_data/querylog.sqlite3", show_default=True,
              envvar="SCISEARCH_QUERY_LOG",
              help="The query log the site writes (or set SCISEARCH_QUERY_LOG).")
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
    thesaurus concept), and the collection by category, evidence and year.
    """
    from searchapp.editorial import QueryLog, QueryLogError, coverage_report

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    try:
        log = None
        if log_path.strip().lower() not in ("", "off", "none") and \
                Path(log_path.removeprefix("sqlite:///")).exists():
            log = QueryLog.from_setting(log_path, retention_days=3650)
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
               f"{report.no_result_searches} found nothing; {report.summaries} summaries.")
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
    click.echo("\nCollection by category: " + ", ".join(
        f"{name} {n}" for name, n in report.by_category))
    click.echo("By evidence: " + ", ".join(f"{name} {n}" for name, n in report.by_evidence))
    click.echo("By year: " + ", ".join(f"{year}: {n}" for year, n in report.by_year))


@cli.command("eval")
@click.argument("queries", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("qrels", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@index_dir_option
@click.option("--baseline", is_flag=True,
              help="Also score plain BM25 on the typed words (no synonyms, no spelling).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def eval_command(queries: Path, qrels: Path | None, index_dir: Path, baseline: bool,
                 as_json: bool) -> None:
    """Score search quality on QUERIES with judgments QRELS (TSV; see tests/eval/README.md).

    Prints nDCG@10, MRR@10, Recall@10 and Success@3 for all queries and per tag;
    a known-item file (qid, question, relevant_doc_id) needs no QRELS.
    """
    from searchapp import evaluation

    try:
        query_set = evaluation.load(queries, qrels)
        with SearchIndex(index_dir) as index_:
            runs = {"full": evaluation.run(index_, query_set)}
            if baseline:
                runs["baseline"] = evaluation.run(index_, query_set, baseline=True)
    except (IndexerError, evaluation.EvalFileError) as exc:
        raise click.ClickException(str(exc)) from None
    report = {
        mode: {group: {"queries": len(qids), **scores.mean(qids)}
               for group, qids in evaluation.groups(query_set).items()}
        for mode, scores in runs.items()
    }
    ratios = {mode: evaluation.twin_ratio(query_set, scores) for mode, scores in runs.items()}
    if as_json:
        click.echo(json.dumps({"set": query_set.name, "scores": report,
                               "misspelled_vs_twin_ndcg": ratios}, indent=2))
        return
    click.echo(f"{query_set.name}: {len(query_set.queries)} queries")
    header = f"{'mode':<9} {'group':<12} {'n':>4} " + " ".join(f"{m:>10}" for m in
                                                                 evaluation.METRICS)
    click.echo(header)
    for mode, by_group in report.items():
        for group, values in by_group.items():
            click.echo(f"{mode:<9} {group:<12} {values['queries']:>4} "
                       + " ".join(f"{values[m]:>10.3f}" for m in evaluation.METRICS))
    if baseline:
        full, base = report["full"]["all"], report["baseline"]["all"]
        click.echo("full / baseline: " + ", ".join(
            f"{m} {full[m] / base[m]:.2f}x" if base[m] else f"{m} n/a"
            for m in evaluation.METRICS))
    for mode, ratio in ratios.items():
        if ratio is not None:
            click.echo(f"{mode}: misspelled queries reach {ratio:.1%} of their twins' nDCG@10")


@cli.group()
def synonyms() -> None:
    """Check, export, import and try out the thesaurus (lay words to clinical concepts)."""


thesaurus_option = click.option(
    "--thesaurus", "thesaurus_path", type=click.Path(exists=True, path_type=Path),
    default=None, help="A thesaurus folder or file (default: the one shipped with sci-search).")


@synonyms.command("check")
@thesaurus_option
def synonyms_check(thesaurus_path: Path | None) -> None:
    """Validate the thesaurus: every problem with its file and line. Exit 1 on errors."""
    from synonyms import check

    thesaurus, problems = check(thesaurus_path)
    for problem in problems:
        click.echo(str(problem), err=True)
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    click.echo(f"{len(thesaurus)} concepts, {thesaurus.term_count} terms in "
               f"{len({c.group for c in thesaurus})} group(s): {errors} error(s), "
               f"{warnings} warning(s).")
    if errors:
        sys.exit(1)


@synonyms.command("export")
@thesaurus_option
@click.option("--format", "fmt", type=click.Choice(["solr"]), default="solr", show_default=True,
              help="Output format (Solr/Elasticsearch synonyms text).")
def synonyms_export(thesaurus_path: Path | None, fmt: str) -> None:
    """Print the thesaurus in the Solr/Elasticsearch synonyms format."""
    from synonyms import ThesaurusError, load
    from synonyms.solr import export

    try:
        click.echo(export(load(thesaurus_path)))
    except ThesaurusError as exc:
        raise click.ClickException(str(exc)) from None


@synonyms.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--group", default="Imported", show_default=True,
              help="Topic group for concepts whose file does not name one.")
def synonyms_import(file: Path, group: str) -> None:
    """Convert a Solr/Elasticsearch synonyms FILE into thesaurus YAML (printed)."""
    from synonyms import ThesaurusError
    from synonyms.loader import dump_concepts
    from synonyms.solr import import_text

    try:
        concepts = import_text(file.read_text(encoding="utf-8"), file, group)
    except ThesaurusError as exc:
        raise click.ClickException(str(exc)) from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{file}: not UTF-8 text") from None
    click.echo(dump_concepts(concepts, group), nl=False)


@synonyms.command("match")
@click.argument("text")
@thesaurus_option
@click.option("--fuzzy/--exact", default=True, show_default=True,
              help="Tolerate typos, as in a search (--exact: as for documents).")
def synonyms_match(text: str, thesaurus_path: Path | None, fuzzy: bool) -> None:
    """Show which concepts TEXT mentions, and through which terms."""
    from indexer import analysis
    from synonyms import Matcher, ThesaurusError, load

    try:
        matcher = Matcher(load(thesaurus_path), analysis)
    except ThesaurusError as exc:
        raise click.ClickException(str(exc)) from None
    matches = matcher.find(text, fuzzy=fuzzy, query=fuzzy)
    if not matches:
        click.echo("No concept found.")
    for match in matches:
        fixed = ", ".join(f"{a} -> {b}" for a, b in match.corrections)
        click.echo(f"{match.text!r}: {match.concept.preferred} [{match.concept.id}] via "
                   f"{match.term.kind} term {match.term.text!r}"
                   + (f" (corrected {fixed})" if fixed else ""))


def _indent(text: str, width: int = 88) -> str:
    import textwrap

    return textwrap.fill(text, width=width, initial_indent="    ", subsequent_indent="    ")


def _parse_field_map(items: Sequence[str]) -> dict[str, str]:
    mapping = {}
    for item in items:
        source, sep, target = item.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise click.BadParameter(f"{item!r} should look like SOURCE=FIELD",
                                     param_hint="--map")
        mapping[source.strip()] = target.strip()
    return mapping


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI; an unexpected error is one line, not a traceback."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="scisearch",
                 standalone_mode=True)
    except Exception as exc:  # noqa: BLE001 - last line of defence for users
        if os.environ.get("SCISEARCH_DEBUG"):
            raise
        click.echo(f"Error: unexpected {type(exc).__name__}: {exc}. This is a bug in "
                   "sci-search; run again with SCISEARCH_DEBUG=1 to see the details.", err=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
