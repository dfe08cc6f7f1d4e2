"""Benchmark: index build rate and search latency on a synthetic corpus.

    python bench/index_and_search.py [--sizes 1000 10000] [--words 500] [--queries 200]

For each size N it writes N deterministic synthetic pages in the site's text
format (indexer.synthetic), builds a fresh index (timed, docs/s), updates it
once with nothing changed (timed), then runs a fixed mix of queries through
the same search function the CLI uses (query parsing, facets, snippets, JSON)
and prints p50 / p95 latency. Not part of the test suite: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.build import build_index  # noqa: E402
from indexer.synthetic import write_corpus  # noqa: E402
from searchapp.search import SearchIndex, SearchRequest  # noqa: E402

QUERIES = [
    "stem cell transplantation", "walking", "bladder infection catheter",
    "pressure injury wound healing", "neuropathic pain pregabalin", "spasticity baclofen",
    "epidural stimulation walking recovery", "depression anxiety quality of life",
    "\"spinal cord injury\"", "children", "exoskeleton robotic training gait",
    "blood pressure autonomic dysreflexia", "bone density osteoporosis fracture",
    "can stem cells help me walk again after my spinal cord injury",
    "wheelchair", "metastasis tumor radiotherapy surgery",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(size: int, words: int, queries: int, workdir: Path) -> dict[str, float]:
    corpus = workdir / f"corpus-{size}"
    write_corpus(corpus, size, seed=size, words=words)
    index_dir = workdir / f"index-{size}"
    started = time.perf_counter()
    report = build_index([corpus], index_dir)
    build = time.perf_counter() - started
    assert report.ok and report.documents == size
    started = time.perf_counter()
    build_index([corpus], index_dir)
    noop = time.perf_counter() - started

    rng = random.Random(42)
    timings = []
    with SearchIndex(index_dir) as index:
        for query in QUERIES:  # warm caches once
            index.search(SearchRequest(q=query))
        for _ in range(queries):
            query = rng.choice(QUERIES)
            started = time.perf_counter()
            json.dumps(index.search(SearchRequest(q=query)).to_dict())
            timings.append((time.perf_counter() - started) * 1000)
    return {
        "docs": size, "build_s": build, "docs_per_s": size / build, "noop_update_s": noop,
        "search_p50_ms": statistics.median(timings), "search_p95_ms": percentile(timings, 0.95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--words", type=int, default=500, help="words per summary")
    parser.add_argument("--queries", type=int, default=200, help="timed searches per size")
    args = parser.parse_args()
    print(f"{'docs':>7} {'build s':>8} {'docs/s':>8} {'no-op s':>8} {'p50 ms':>7} {'p95 ms':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            r = run(size, args.words, args.queries, Path(tmp))
            print(f"{r['docs']:>7} {r['build_s']:>8.1f} {r['docs_per_s']:>8.0f} "
                  f"{r['noop_update_s']:>8.2f} {r['search_p50_ms']:>7.1f} "
                  f"{r['search_p95_ms']:>7.1f}", flush=True)


if __name__ == "__main__":
    main()
