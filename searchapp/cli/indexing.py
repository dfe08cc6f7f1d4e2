"""`scisearch inspect`, `index` and `serve`: summary files in, an index out, a site up."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from indexer import IndexerError, read_file
from indexer.build import BuildReport, build_index, current_generation, read_manifest
from searchapp.cli.base import (
    DEFAULT_SUMMARIES,
    cli,
    index_dir_option,
    parse_field_map,
)
from synonyms import ThesaurusError


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
    mapping = parse_field_map(field_map)
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
    mapping = parse_field_map(field_map)
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
    except ThesaurusError as exc:
        raise click.ClickException(f"{exc}; `scisearch synonyms check` lists every problem. "
                                   "The index is unchanged.") from None
    except OSError as exc:
        where = exc.filename or index_dir
        raise click.ClickException(f"cannot write the index in {where}: "
                                   f"{exc.strerror or exc}; the last good index is unchanged"
                                   ) from None


@contextlib.contextmanager
def _said_plainly(action: str, where: object) -> Iterator[None]:
    """An index or file problem as one line of the command's error (exit 1)."""
    try:
        yield
    except IndexerError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot {action} {exc.filename or where}: "
                                   f"{exc.strerror or exc}") from None


@cli.command()
@index_dir_option
@click.argument("dest")
def publish(index_dir: Path, dest: str) -> None:
    """Publish the live index to DEST for replicas (`scisearch pull`, `serve --follow`).

    DEST is a folder (a mounted share), a file:// URL or an s3://bucket/prefix URL
    (S3 or S3-compatible: `pip install -e '.[s3]'`; credentials and AWS_ENDPOINT_URL
    as the AWS tools read them). The generation is copied with its manifest and a
    sha256 of every file, then DEST/CURRENT is pointed at it; the last three
    publications are kept.
    """
    from indexer.publish import publish as publish_index

    started = time.perf_counter()
    with _said_plainly("publish to", dest):
        ident = publish_index(index_dir, dest)
    click.echo(f"Published {ident} to {dest} in {time.perf_counter() - started:.2f} s.")


@cli.command()
@click.argument("source")
@click.argument("local", type=click.Path(file_okay=False, path_type=Path))
def pull(source: str, local: Path) -> None:
    """Bring the index in LOCAL to the generation SOURCE publishes (for cron).

    SOURCE is what `scisearch publish` was given: a folder, a file:// URL or an
    s3://bucket/prefix URL.

    Copies it, checks every file's sha256 against the publisher's, then switches
    LOCAL to it at once; a site serving LOCAL picks it up within
    SCISEARCH_RELOAD_SECONDS plus SCISEARCH_RELOAD_STAGGER_SECONDS. Keeps the last
    two generations.
    """
    from indexer.publish import pull as pull_index

    with _said_plainly("pull into", local):
        pulled = pull_index(source, local)
    if pulled.changed:
        click.echo(f"Pulled {pulled.generation}: {pulled.files} files, "
                   f"{pulled.bytes / 1e6:.1f} MB in {pulled.seconds:.2f} s.")
    else:
        click.echo(f"Up to date: {pulled.generation}.")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every network interface).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@index_dir_option
@click.option("--summaries", type=click.Path(path_type=Path), default=None,
              envvar="SCISEARCH_SUMMARIES_DIR",
              help="Summaries to bring the index up to date with before serving (or set "
                   "SCISEARCH_SUMMARIES_DIR). Default: the folders and files the index was "
                   f"built from; for a new index, the bundled sample ({DEFAULT_SUMMARIES}).")
@click.option("--follow", "follow", default=None, metavar="SOURCE",
              help="Serve what SOURCE publishes (`scisearch publish`), pulled into the "
                   "index folder now and every --follow-seconds; nothing is built here.")
@click.option("--follow-seconds", default=30.0, show_default=True,
              type=click.FloatRange(0.1, 86_400), help="How often --follow looks for a new "
              "publication.")
def serve(host: str, port: int, index_dir: Path, summaries: Path | None,
          follow: str | None, follow_seconds: float) -> None:
    """Serve the search site, its JSON API and widget.

    First brings the index up to date with the summaries it was built from, or
    those given (builds it when it is missing; only changed files are read again),
    then serves on HOST:PORT with a development server. For a public site, run it
    under gunicorn (README).
    """
    from werkzeug.serving import run_simple

    from searchapp import create_app
    from searchapp.config import ConfigError

    if not _port_free(host, port):
        raise click.ClickException(
            f"port {port} is in use by another program: stop it, or choose another port "
            f"with --port (for example --port {port + 1 if port < 65535 else port - 1})")
    if follow is not None and summaries is not None:
        raise click.UsageError("give --follow or --summaries, not both: a follower "
                               "serves what its source publishes")
    try:  # a bad setting is said before any build or pull
        # One process: nothing to stagger, a rebuilt index is opened at once.
        app = create_app({"INDEX_DIR": index_dir, "RELOAD_STAGGER_SECONDS": 0})
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if follow is not None:
        _start_following(follow, index_dir, follow_seconds)
    for paths, field_map in [] if follow else _sources(index_dir, summaries):
        report = _build(paths, index_dir, field_map=field_map)
        if report.added or report.updated or report.deleted or not report.ok:
            _print_report(report)
    from searchapp.web.state import live_index

    try:
        with app.app_context():  # the server keeps it open, warmed
            live_index().warm()
            with live_index().use() as index:
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


def _start_following(source: str, index_dir: Path, seconds: float) -> None:
    """Pull once now (failing loudly), then every `seconds` in a background thread
    (failures logged, the served generation kept)."""
    from indexer.publish import Follower

    follower = Follower(source, index_dir, seconds)
    try:
        first = follower.pull()
    except IndexerError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Following {source}: serving {first.generation}, looking for a new one "
               f"every {seconds:g} s.")
    follower.start()


def _sources(index_dir: Path, given: Path | None) -> list[tuple[list[Path], dict[str, str]]]:
    """What `serve` updates the index from, grouped by field map: the summaries given,
    else those the index was built from (its manifest says), else, for a new index,
    the bundled sample. Never the sample into an index built from something else."""
    if given is not None:
        if not given.exists():
            raise click.BadParameter(f"{given}: no such file or folder", param_hint="--summaries")
        return [([given], {})]
    if current_generation(index_dir) is None:
        if not DEFAULT_SUMMARIES.exists():
            raise click.ClickException(
                f"there is no index in {index_dir} and no summaries in {DEFAULT_SUMMARIES} "
                "to build one from: run `scisearch index PATH`, or give --summaries")
        return [([DEFAULT_SUMMARIES], {})]
    manifest = read_manifest(index_dir)
    if manifest.get("published_from"):
        click.echo(f"note: the index in {index_dir} was pulled from "
                   f"{manifest['published_from']}: it is served as it is (use --follow to "
                   "keep pulling, or --summaries to build from summaries here)", err=True)
        return []
    roots = manifest.get("roots")
    if not isinstance(roots, list):
        click.echo(f"note: the index in {index_dir} does not say which summaries it was built "
                   "from (an older version built it): it is served as it is; give "
                   "--summaries to update it", err=True)
        return []
    groups: dict[str, tuple[list[Path], dict[str, str]]] = {}
    for root in roots:
        path = Path(root["path"])
        if not path.exists():
            click.echo(f"note: {path}, which the index was built from, is gone: the "
                       "summaries it gave are served as they are", err=True)
            continue
        field_map = dict(root.get("field_map") or {})
        groups.setdefault(json.dumps(field_map, sort_keys=True), ([], field_map))[0].append(path)
    return list(groups.values())


def _port_free(host: str, port: int) -> bool:
    """Whether the server could listen on host:port (as it will: reusing the address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


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


