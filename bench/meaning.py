"""Benchmark: matching by meaning, at index time and at query time.

    python bench/meaning.py [--limit N]

Embeds the passages of the 2,940 trials in ../shared/corpora (or the first N)
from scratch, as a first build does, and prints the rate (summaries/s and word
pieces/s); then the time to embed one query (p50 / p95 over the dev sets'
queries, each embedded once) and the resident memory of a process before and
after it opens the model and a trials index's vectors. Not part of the test
suite: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer import vectors  # noqa: E402
from indexer.corpora import TRIALS_FIELD_MAP  # noqa: E402
from indexer.embedding import Model  # noqa: E402
from searchapp import evaluation  # noqa: E402

TRIALS = ROOT.parent / "shared" / "corpora" / "ctgov_sci_trials.jsonl"


def rss_mb() -> float:
    with open("/proc/self/status", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="embed only the first N trials")
    args = parser.parse_args()
    before = rss_mb()
    model = Model()
    print(f"model loaded: {rss_mb() - before:.0f} MB more resident memory")
    records = []
    with TRIALS.open(encoding="utf-8") as handle:
        for line in handle:
            raw = json.loads(line)
            records.append({TRIALS_FIELD_MAP.get(k, k): v or "" for k, v in raw.items()})
            if args.limit and len(records) >= args.limit:
                break
    texts = [p for r in records for p in vectors.passages(r, model.tokenizer)]
    pieces = sum(len(model.tokenizer.encode(t)) for t in texts)
    started = time.perf_counter()
    model.embed(texts)
    seconds = time.perf_counter() - started
    print(f"index time: {len(records)} summaries, {len(texts)} passages, {pieces:,} word pieces "
          f"in {seconds:.1f} s: {len(records) / seconds:.1f} summaries/s, "
          f"{pieces / seconds:,.0f} word pieces/s")
    queries = [q.text for name in ("bundled", "trials") for q in evaluation.load(
        ROOT / "tests" / "eval" / "dev" / f"{name}.queries.tsv",
        ROOT / "tests" / "eval" / "dev" / f"{name}.qrels.tsv").queries]
    times = []
    for text in queries:
        started = time.perf_counter()
        model.embed([text])
        times.append((time.perf_counter() - started) * 1000)
    print(f"query time: {len(queries)} queries, p50 {statistics.median(times):.1f} ms, "
          f"p95 {percentile(times, 0.95):.1f} ms, max {max(times):.1f} ms")


if __name__ == "__main__":
    main()
