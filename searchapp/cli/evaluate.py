"""`scisearch eval`: search quality on judged query sets."""

from __future__ import annotations

import json
from pathlib import Path

import click

from indexer import IndexerError
from searchapp.cli.base import cli, index_dir_option
from searchapp.search import SearchIndex


@cli.command("eval")
@click.argument("queries", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("qrels", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@index_dir_option
@click.option("--baseline", is_flag=True,
              help="Also score plain BM25 on the typed words (no synonyms, no spelling).")
@click.option("--compare", is_flag=True,
              help="Score the search's parts side by side: plain BM25 (bm25), words and "
                   "concepts (words), meaning only (meaning) and the fused search (fused).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def eval_command(queries: Path, qrels: Path | None, index_dir: Path, baseline: bool,
                 compare: bool, as_json: bool) -> None:
    """Score search quality on QUERIES with judgments QRELS (TSV; see tests/eval/README.md).

    Prints nDCG@10, MRR@10, Recall@10, Success@3 and the share of the top 10
    that is judged, for all queries and per tag; a known-item file (qid,
    question, relevant_doc_id) needs no QRELS.
    """
    from searchapp import evaluation

    try:
        query_set = evaluation.load(queries, qrels)
        with SearchIndex(index_dir) as index_:
            if compare:
                comparison = evaluation.compare(index_, query_set)
                runs = comparison.scores
            else:
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
    losses = comparison.losses() if compare else None
    if as_json:
        click.echo(json.dumps({"set": query_set.name, "scores": report,
                               "misspelled_vs_twin_ndcg": ratios,
                               **({"fused_loses_0.3_against_bm25": losses}
                                  if losses is not None else {})}, indent=2))
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
    if losses is not None:
        click.echo(f"fused: {len(losses)} queries lose more than 0.3 nDCG@10 against bm25"
                   + (f" ({', '.join(losses)})" if losses else ""))


