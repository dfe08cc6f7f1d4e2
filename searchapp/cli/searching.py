"""`scisearch search`: the site's search in a terminal, or as JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from indexer import IndexerError
from searchapp.cli.base import cli, indent, index_dir_option
from searchapp.search import SearchIndex, SearchRequest, SearchRequestError
from searchapp.search.results import DISCLAIMER, MAX_RESULTS
from searchapp.search.snippets import to_terminal


@cli.command()
@click.argument("query")
@index_dir_option
@click.option("--limit", default=10, show_default=True, type=int,
              help=f"How many results to show (1 to {MAX_RESULTS}).")
@click.option("--category", multiple=True, help="Only this category (repeatable).")
@click.option("--evidence", multiple=True,
              help="Only this evidence level, by its name or the label results show, e.g. "
                   "'Randomized Controlled Trial' or 'Trial in people' (repeatable).")
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
    except SearchRequestError as exc:  # a filter value this index does not know: exit 2
        option = "--evidence" if exc.parameter == "evidence_level" else f"--{exc.parameter}"
        raise click.BadParameter(str(exc), param_hint=option) from None
    except IndexerError as exc:
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
    if first.nothing_about:
        why = ("no summary mentions it" if first.unfound
               else "its words are in summaries only apart, on other things")
        click.echo(f"Nothing about \u201c{' '.join(first.about)}\u201d: {why}, and none is "
                   "close in meaning.")
        if first.found_words_query:
            click.echo(f"Search only for \u201c{first.found_words_query}\u201d.")
    noun = "summary" if first.total == 1 else "summaries"
    click.echo(f"{first.total} {noun} found for \u201c{query}\u201d "
               f"({first.took_ms:.0f} ms).")
    for number, hit in enumerate(hits, start=1):
        click.echo()
        click.echo(f"{number:>2}. {to_terminal(hit.title_html, bold)}")
        meta = " \u00b7 ".join(str(x) for x in (hit.category, hit.evidence_label, hit.year) if x)
        click.echo(f"    {meta}  [{hit.id}]")
        if hit.why:
            click.echo(f"    {hit.why_text}")
        click.echo(indent(to_terminal(hit.snippet, bold)))
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


