"""Benchmark: full searches of real lay queries over the bundled and the trials corpus.

    python bench/lay_queries.py [--index-root DIR] [--rounds 3]

Builds (or reuses, with --index-root) an index of the bundled sample corpus and
one of the 2,940 trials in ../shared/corpora, then runs the queries of
tests/eval through the same search function the site uses (query
understanding, facets, snippets) and prints p50 / p95 / max per corpus, for
the first round (each query's first run, in a fresh process that has only
opened the index, as a new worker) and the later ones (warm).
Not part of the test suite: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import atexit
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.build import build_index  # noqa: E402
from indexer.corpora import TRIALS_FIELD_MAP  # noqa: E402
from searchapp import evaluation  # noqa: E402
from searchapp.search import SearchIndex, SearchRequest  # noqa: E402
from synonyms import load  # noqa: E402
from synonyms.loader import shipped_dir  # noqa: E402

CORPORA = {
    "bundled": ([ROOT / "index_data" / "summaries"], None),
    "trials": ([ROOT.parent / "shared" / "corpora" / "ctgov_sci_trials.jsonl"], TRIALS_FIELD_MAP),
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    if sys.argv[1:2] == ["--search"]:
        search(Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-root", type=Path, default=None,
                        help="keep the indexes here (built when missing)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    root = args.index_root
    if root is None:  # a scratch folder, removed at the end
        root = Path(tempfile.mkdtemp(prefix="scisearch-bench-"))
        atexit.register(shutil.rmtree, root, True)
    thesaurus = load(shipped_dir())
    print(f"{'corpus':<8} {'docs':>5} {'round':<6} {'queries':>7} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'max ms':>7}", flush=True)
    for name, (paths, field_map) in CORPORA.items():
        index_dir = root / name
        build_index(paths, index_dir, field_map=field_map, thesaurus=thesaurus)
        # Searched in a new process: the build above warmed caches a worker lacks.
        subprocess.run([sys.executable, __file__, "--search", str(index_dir), name,
                        str(args.rounds)], check=True)


def search(index_dir: Path, name: str, rounds: int) -> None:
    queries = evaluation.load(ROOT / "tests" / "eval" / "dev" / f"{name}.queries.tsv",
                              ROOT / "tests" / "eval" / "dev" / f"{name}.qrels.tsv").queries
    with SearchIndex(index_dir) as index:
        for round_number in range(1, rounds + 1):
            timings = []
            for query in queries:
                started = time.perf_counter()
                json.dumps(index.search(SearchRequest(q=query.text)).to_dict())
                timings.append((time.perf_counter() - started) * 1000)
            label = "cold" if round_number == 1 else "warm"
            print(f"{name:<8} {index.doc_count:>5} {label:<6} {len(timings):>7} "
                  f"{statistics.median(timings):>7.1f} {percentile(timings, 0.95):>7.1f} "
                  f"{max(timings):>7.1f}", flush=True)


if __name__ == "__main__":
    main()
