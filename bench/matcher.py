"""Benchmark: concept matching of typical queries with the shipped thesaurus.

    python bench/matcher.py [--repeat 200]

Prints the thesaurus size, the time to build the matcher, and p50 / p95 per
query of `Matcher.find(query, fuzzy=True, query=True)`: typo tolerant, as a
search runs it, over a fixed mix of lay queries (a third of them misspelled).
Not part of the test suite: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer import analysis  # noqa: E402
from synonyms import Matcher, load  # noqa: E402
from synonyms.loader import shipped_dir  # noqa: E402

QUERIES = [
    "cancer spread to spine", "bed sores wont heal", "cant pee since my accident",
    "spastisity medicine", "is there anything for nerve pain after a spinal cord injury",
    "can stem cells help me walk again", "dizzy when I sit up", "pounding headache",
    "weak bones after paralysis", "breathing machine at night", "bowl accidents",
    "steriods right after the injury", "depresion after my accident",
    "my husband has stiff muscles and spazms in his legs", "exoskelton to walk",
    "wheelchair cushion for sitting all day", "cathater infections keep coming back",
    "sex after spinal cord injury", "how do I stop getting pressure sores",
    "I broke my leg sliding into my wheelchair and the doctor said my bones are thin",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    thesaurus = load(shipped_dir())
    started = time.perf_counter()
    matcher = Matcher(thesaurus, analysis)
    built = time.perf_counter() - started
    for query in QUERIES:  # warm the stemmer's cache, as a running server has it
        matcher.find(query, fuzzy=True, query=True)
    timings = []
    for _ in range(args.repeat):
        for query in QUERIES:
            started = time.perf_counter()
            matcher.find(query, fuzzy=True, query=True)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(f"thesaurus: {len(thesaurus)} concepts, {thesaurus.term_count} terms; "
          f"matcher built in {built:.2f} s")
    print(f"find (typo tolerant), {len(timings)} queries: p50 {statistics.median(timings):.3f} ms,"
          f" p95 {timings[int(0.95 * (len(timings) - 1))]:.3f} ms, max {timings[-1]:.3f} ms")


if __name__ == "__main__":
    main()
