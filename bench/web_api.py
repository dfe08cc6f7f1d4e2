"""Benchmark: the JSON API as a site uses it: full searches and autocomplete.

    python bench/web_api.py [--index-root DIR] [--rounds 3] [--profile]

Builds (or reuses, with --index-root) an index of the bundled sample corpus and
one of the 2,940 trials in ../shared/corpora, then sends the evaluation sets'
lay queries to /api/v1/search, and every prefix a person types on the way to
them (each 2nd character) to /api/v1/suggest, through the whole Flask app
(parameters, search, JSON, headers, compression) with its test client: no
network. Prints p50 / p95 / max per corpus and endpoint for the first round
(cold caches) and the later ones (warm). --profile prints where a warm round
of searches spends its time. Not part of the test suite: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.build import build_index  # noqa: E402
from indexer.corpora import TRIALS_FIELD_MAP  # noqa: E402
from searchapp import create_app, evaluation  # noqa: E402
from synonyms import load  # noqa: E402
from synonyms.loader import shipped_dir  # noqa: E402

CORPORA = {
    "bundled": ([ROOT / "index_data" / "summaries"], None),
    "trials": ([ROOT.parent / "shared" / "corpora" / "ctgov_sci_trials.jsonl"], TRIALS_FIELD_MAP),
}
HEADERS = {"Accept-Encoding": "br, gzip"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def prefixes(text: str) -> list[str]:
    return [text[:end] for end in range(2, len(text) + 1, 2)]


def timed(client: object, urls: list[str]) -> list[float]:
    timings = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url, headers=HEADERS)  # type: ignore[attr-defined]
        assert response.status_code == 200, (url, response.status_code)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-root", type=Path, default=None,
                        help="keep the indexes here (built when missing)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true",
                        help="profile a warm round of searches per corpus")
    args = parser.parse_args()
    root = args.index_root
    if root is None:  # a scratch folder, removed at the end
        root = Path(tempfile.mkdtemp(prefix="scisearch-bench-"))
        atexit.register(shutil.rmtree, root, True)
    thesaurus = load(shipped_dir())
    print(f"{'corpus':<8} {'endpoint':<8} {'round':<6} {'requests':>8} {'p50 ms':>7} "
          f"{'p95 ms':>7} {'max ms':>7}")
    for name, (paths, field_map) in CORPORA.items():
        index_dir = root / name
        build_index(paths, index_dir, field_map=field_map, thesaurus=thesaurus)
        queries = [q.text for q in evaluation.load(
            ROOT / "tests" / "eval" / "dev" / f"{name}.queries.tsv",
            ROOT / "tests" / "eval" / "dev" / f"{name}.qrels.tsv").queries]
        client = create_app({"INDEX_DIR": index_dir, "RELOAD_SECONDS": 3600,
                             "QUERY_LOG": "off"}).test_client()
        client.get("/healthz")  # opens the index, as a worker's first request does
        searches = ["/api/v1/search?" + urlencode({"q": q}) for q in queries]
        suggests = ["/api/v1/suggest?" + urlencode({"q": p}) for q in queries
                    for p in prefixes(q)]
        for round_number in range(1, args.rounds + 1):
            label = "cold" if round_number == 1 else "warm"
            for endpoint, urls in (("search", searches), ("suggest", suggests)):
                timings = timed(client, urls)
                print(f"{name:<8} {endpoint:<8} {label:<6} {len(timings):>8} "
                      f"{statistics.median(timings):>7.1f} {percentile(timings, 0.95):>7.1f} "
                      f"{max(timings):>7.1f}", flush=True)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            timed(client, searches)
            profiler.disable()
            print(f"\nProfile of a warm round of {len(searches)} searches ({name}):")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
