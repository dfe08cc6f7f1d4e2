"""Benchmark: the project beside SQLite FTS5 and tantivy, on the same documents, in one run.

    python bench/side_by_side.py [--synthetic N] [--rounds 3] [--embed]
    (tantivy: .venv/bin/pip install -e '.[bench]')

Documents: the 2,940 registered trials in ../shared/corpora (default), or N
synthetic pages (indexer.synthetic). For each system it prints the build rate
(summaries/s) and the search latency (p50, p95, max in ms) of the trials' dev
questions (tests/eval/dev/trials.queries.tsv), warm (the best of --rounds rounds
after a first one), each answer the top 10 with snippets:

- sci-search: the search function the site uses (query understanding, concepts,
  spelling, facets, snippets), words and concepts (meaning too with --embed, whose
  build time is reported apart);
- SQLite FTS5: porter tokenizer, bm25 over title and text, snippet();
- tantivy: English stemming, BM25 over title and text, its snippet generator.

The other two do far less per query (no synonyms, spelling, facets or meaning):
they are the floor, not the target. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import atexit
import json
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer import read_file  # noqa: E402
from indexer.build import build_index  # noqa: E402
from indexer.corpora import TRIALS_FIELD_MAP  # noqa: E402
from indexer.synthetic import write_corpus  # noqa: E402
from searchapp.search import SearchIndex, SearchRequest  # noqa: E402
from synonyms import load  # noqa: E402
from synonyms.loader import shipped_dir  # noqa: E402

TRIALS = ROOT.parent / "shared" / "corpora" / "ctgov_sci_trials.jsonl"
QUESTIONS = ROOT / "tests" / "eval" / "dev" / "trials.queries.tsv"
WORD = re.compile(r"[a-z0-9]+")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def documents(source: Path, field_map: dict[str, str] | None) -> list[dict[str, str]]:
    """(id, title, text) of every summary, as our reader reads them."""
    files = [source] if source.is_file() else sorted(source.rglob("*.txt"))
    found = []
    for path in files:
        for summary in read_file(path, field_map).summaries:
            text = " ".join([summary.simple_explanation, *summary.key_findings,
                             summary.research_summary])
            found.append({"id": summary.id, "title": summary.title, "text": text})
    return found


def timed_rounds(search: Callable[[str], Any], questions: list[str],
                 rounds: int) -> tuple[float, float, float]:
    """p50, p95 and max in ms of the best of `rounds` rounds after a first (warming) one."""
    measured = []
    for _ in range(rounds + 1):
        times = []
        for question in questions:
            started = time.perf_counter()
            search(question)
            times.append((time.perf_counter() - started) * 1000)
        measured.append(times)
    best = min(measured[1:] or measured, key=lambda t: percentile(t, 0.95))
    return statistics.median(best), percentile(best, 0.95), max(best)


def sci_search(paths: list[Path], field_map: dict[str, str] | None, root: Path,
               embed: bool) -> tuple[float, Callable[[str], Any], str]:
    index_dir = root / "sci-search"
    report = build_index(paths, index_dir, field_map=field_map, thesaurus=load(shipped_dir()),
                         embed=embed)
    index = SearchIndex(index_dir, semantic=embed)
    note = "words, concepts and meaning (embedding included)" if embed else \
        "words and concepts, facets, spelling"
    return report.seconds, lambda q: index.search(SearchRequest(q=q)), note


def fts5(docs: list[dict[str, str]], root: Path) -> tuple[float, Callable[[str], Any], str]:
    db = sqlite3.connect(root / "fts5.sqlite3", check_same_thread=False)
    started = time.perf_counter()
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, text, "
               "tokenize='porter unicode61')")
    db.executemany("INSERT INTO docs VALUES (?, ?, ?)",
                   ((d["id"], d["title"], d["text"]) for d in docs))
    db.commit()
    seconds = time.perf_counter() - started

    def search(question: str) -> Any:
        words = WORD.findall(question.lower())
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        return db.execute("SELECT id, title, snippet(docs, 2, '<mark>', '</mark>', '...', 24) "
                          "FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 2.0, 1.0) "
                          "LIMIT 10", (match,)).fetchall()
    return seconds, search, "porter, OR of the words"


def tantivy_index(docs: list[dict[str, str]],
                  root: Path) -> tuple[float, Callable[[str], Any], str] | None:
    try:
        import tantivy
    except ImportError:
        return None
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("text", stored=True, tokenizer_name="en_stem")
    schema = builder.build()
    (root / "tantivy").mkdir()
    started = time.perf_counter()
    index = tantivy.Index(schema, path=str(root / "tantivy"))
    writer = index.writer(heap_size=128_000_000, num_threads=2)
    for doc in docs:
        writer.add_document(tantivy.Document(**doc))
    writer.commit()
    writer.wait_merging_threads()
    seconds = time.perf_counter() - started
    index.reload()
    searcher = index.searcher()

    def search(question: str) -> Any:
        words = WORD.findall(question.lower())
        if not words:
            return []
        query = index.parse_query(" ".join(words), ["title", "text"])
        hits = searcher.search(query, 10).hits
        snippets = tantivy.SnippetGenerator.create(searcher, query, schema, "text")
        found = []
        for _, address in hits:
            stored = searcher.doc(address)
            found.append((stored["id"][0], snippets.snippet_from_doc(stored).to_html()))
        return found
    return seconds, search, "en_stem, OR of the words"


def corpus(args: argparse.Namespace, root: Path) -> Iterator[tuple[list[Path],
                                                                 dict[str, str] | None]]:
    if args.synthetic:
        folder = root / "synthetic"
        write_corpus(folder, args.synthetic, seed=1, words=400)
        yield [folder], None
    else:
        if not TRIALS.exists():
            sys.exit(f"{TRIALS} is not there: run beside ../shared, or give --synthetic N")
        yield [TRIALS], TRIALS_FIELD_MAP


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=0, metavar="N",
                        help="N synthetic pages instead of the trials")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--embed", action="store_true",
                        help="sci-search matches by meaning too (embeds every summary)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="scisearch-bench-"))
    atexit.register(shutil.rmtree, root, True)
    questions = [line.split("\t")[1] for line in
                 QUESTIONS.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    for paths, field_map in corpus(args, root):
        docs = [d for p in paths for d in documents(p, field_map)]
        print(f"{len(docs)} summaries, {len(questions)} questions, warm: best of "
              f"{args.rounds} rounds after a first one", flush=True)
        print(f"{'system':<11} {'build s':>8} {'per s':>7} {'p50 ms':>7} {'p95 ms':>7} "
              f"{'max ms':>7}  notes", flush=True)
        systems: list[tuple[str, Callable[[], Any]]] = [
            ("sci-search", lambda p=paths, f=field_map: sci_search(p, f, root, args.embed)),
            ("FTS5", lambda d=docs: fts5(d, root)),
            ("tantivy", lambda d=docs: tantivy_index(d, root)),
        ]
        for name, make in systems:
            made = make()
            if made is None:
                print(f"{name:<11} not installed (.venv/bin/pip install -e '.[bench]')")
                continue
            seconds, search, note = made
            p50, p95, worst = timed_rounds(search, questions, args.rounds)
            print(f"{name:<11} {seconds:>8.1f} {len(docs) / seconds:>7.0f} {p50:>7.1f} "
                  f"{p95:>7.1f} {worst:>7.1f}  {note}", flush=True)
    print(json.dumps({"python": sys.version.split()[0]}))


if __name__ == "__main__":
    main()
