"""`scisearch synonyms`: check, export, import and try out the thesaurus."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from searchapp.cli.base import cli


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


