"""The `scisearch` command line: thin shells over the indexer and the search function.

Each command validates its options, calls one library function and turns the
library's errors into one readable line (never a traceback). Logging is
configured here and nowhere else. One module per command (or group):
`indexing` (inspect, index, serve), `searching` (search), `coverage`,
`evaluate` (eval) and `thesaurus` (synonyms); this one holds the group, the
options they share and `main`.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

DEFAULT_SUMMARIES = Path("index_data/summaries")
DEFAULT_INDEX = Path("index_data/index")

index_dir_option = click.option(
    "--index-dir", type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_INDEX, envvar="SCISEARCH_INDEX_DIR", show_default=True,
    help="Folder of the search index (or set SCISEARCH_INDEX_DIR).")



@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log what happens (timings, counts).")
@click.version_option(package_name="sci-search")
def cli(verbose: bool) -> None:
    """Search plain-language summaries of spinal cord injury research."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def indent(text: str, width: int = 88) -> str:
    import textwrap

    return textwrap.fill(text, width=width, initial_indent="    ", subsequent_indent="    ")


def parse_field_map(items: Sequence[str]) -> dict[str, str]:
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


