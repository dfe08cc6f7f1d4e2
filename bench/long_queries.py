"""Long queries: the longest search the site reads, beside a reader's questions.

    python bench/long_queries.py [--index-dir DIR] [--workers 4] [--attackers 3] [--seconds 90]

The site reads at most 500 characters and 80 words of a search (longer ones are
cut before analysis: searchapp.search.query.bounded). Starts gunicorn on a free
port of 127.0.0.1 (as `load.py` does) serving DIR (default: the bundled sample),
then, one request at a time, sends the trials' dev questions once each and as
many searches of that greatest length, each one new: 80 of the questions' words;
the same words misspelled (every word a correction to look for); 80 nonsense
words; one quoted phrase of 80 words; words among AND, OR, NOT, *, : and
brackets; a 3,000-character paste. Half to the search page, half to the JSON API.
Then --attackers connections send new 3,000-character pastes of nonsense, one
after another, for --seconds, while one reader asks the questions and long
searches in turn.

Prints p50, p95 and max latency of each kind, quiet and under attack, and each
kind's p95 as a multiple of the questions' p95: quiet, and (under attack) at the
same time. The promise: every long kind's p95 at most 3 times the questions' p95
at the same time, quiet and under attack, and every answer a 200. Exits 1
otherwise. (Under attack every search waits for the cores the attackers use: on
2 cores, the questions' own p95 doubles.) Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import string
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from load import QUESTIONS, percentile, run_clients, start_site, verdict

MAX_CHARS, MAX_WORDS = 500, 80  # searchapp.search.query.MAX_QUERY_CHARS, MAX_QUERY_WORDS
PROMISE = 3.0
PASTE_CHARS = 3_000  # gunicorn reads request lines of at most 4,094 bytes


def fit(words: list[str]) -> str:
    """As many of `words` as the site reads: 80 words, 500 characters."""
    text = ""
    for word in words[:MAX_WORDS]:
        if len(text) + len(word) + 1 > MAX_CHARS:
            break
        text = f"{text} {word}" if text else word
    return text


def misspelled(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    n = rng.randrange(1, len(word) - 2)
    return word[:n] + word[n + 1] + word[n] + word[n + 2:]


def nonsense(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))


def long_kinds(vocabulary: list[str]) -> dict[str, Callable[[random.Random], str]]:
    """Each kind of longest search, as a function of a random source (each one new)."""
    def words(rng: random.Random) -> list[str]:
        return [rng.choice(vocabulary) for _ in range(MAX_WORDS + 20)]

    def operators(rng: random.Random) -> str:
        marks = ["AND", "OR", "NOT", "*", ":", "(", ")", '"']
        return fit([rng.choice(marks) if n % 2 else word for n, word in enumerate(words(rng))])

    return {
        "80 words": lambda rng: fit(words(rng)),
        "80 misspelled": lambda rng: fit([misspelled(w, rng) for w in words(rng)]),
        "80 nonsense": lambda rng: fit([nonsense(rng) for _ in range(MAX_WORDS + 20)]),
        "quoted phrase": lambda rng: '"' + fit(words(rng))[:MAX_CHARS - 2] + '"',
        "operators": operators,
        "3,000-char paste": lambda rng: paste(rng, vocabulary),
    }


def paste(rng: random.Random, vocabulary: list[str]) -> str:
    text = ""
    while len(text) < PASTE_CHARS:
        text += " " + (rng.choice(vocabulary) if rng.random() < 0.5 else nonsense(rng))
    return text[:PASTE_CHARS].strip()


def path(query: str, n: int) -> str:
    return ("/?" if n % 2 else "/api/v1/search?") + urlencode({"q": query})


def timed(port: int, paths: list[str]) -> tuple[list[float], int]:
    """(latencies in ms, errors) of `paths`, one request at a time."""
    latencies: list[float] = []
    errors = 0
    for one in paths:
        answers, failed, took = run_clients(port, 1, 0.0, [one], once=True)
        latencies += took
        errors += failed
    return latencies, errors


def row(name: str, latencies: list[float], errors: int, baselines: list[float]) -> float:
    """Print one kind's figures, its p95 as a multiple of each baseline; return its p95."""
    p95 = percentile(latencies, 0.95) if latencies else float("inf")
    ratios = "".join(f" {p95 / baseline:>9.2f}x" for baseline in baselines)
    print(f"{name:<20} {len(latencies):>5} {statistics.median(latencies) if latencies else 0:>7.1f}"
          f" {p95:>7.1f} {max(latencies) if latencies else 0:>7.1f} {errors:>6}{ratios}",
          flush=True)
    return p95


def attack(port: int, vocabulary: list[str], seed: int, stop: threading.Event,
           counts: list[int]) -> None:
    """New nonsense pastes, one after another, until `stop`; counts[0] answers, [1] errors."""
    rng = random.Random(seed)
    n = 0
    while not stop.is_set():
        query = " ".join(nonsense(rng) for _ in range(PASTE_CHARS // 6))[:PASTE_CHARS]
        answers, errors, _ = run_clients(port, 1, 0.0, [path(query, n)], once=True)
        counts[0] += answers
        counts[1] += errors
        n += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--attackers", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=90.0)
    args = parser.parse_args()
    questions = [line.split("\t")[1] for line in
                 QUESTIONS.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    vocabulary = sorted({word.lower().strip("?,.'") for q in questions for word in q.split()})
    kinds = long_kinds(vocabulary)
    server, port = start_site(args.index_dir, args.workers)
    print(f"gunicorn, {args.workers} workers, 127.0.0.1:{port}; {len(questions)} questions, "
          f"{len(questions)} searches of each long kind, one at a time", flush=True)
    header = f"{'kind':<20} {'sent':>5} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'errors':>6}"
    print("quiet\n" + header + " questions' p95 x", flush=True)
    latencies, errors = timed(port, [path(q, n) for n, q in enumerate(questions)])
    baseline = row("questions", latencies, errors, [])
    broken = [f"questions: {errors} errors"] if errors else []
    for seed, (name, make) in enumerate(kinds.items()):
        rng = random.Random(seed)
        latencies, errors = timed(port, [path(make(rng), n) for n in range(len(questions))])
        p95 = row(name, latencies, errors, [baseline])
        if errors or p95 > PROMISE * baseline:
            broken.append(f"quiet, {name}: p95 {p95:.0f} ms ({p95 / baseline:.1f}x), "
                          f"{errors} errors")

    stop = threading.Event()
    counts = [[0, 0] for _ in range(args.attackers)]
    attackers = [threading.Thread(target=attack, args=(port, vocabulary, 100 + n, stop,
                                                       counts[n]))
                 for n in range(args.attackers)]
    for thread in attackers:
        thread.start()
    time.sleep(2.0)
    sent: dict[str, tuple[list[float], int]] = {"questions": ([], 0), **{k: ([], 0)
                                                                        for k in kinds}}
    rng = random.Random(1000)
    deadline = time.monotonic() + args.seconds
    n = 0
    while time.monotonic() < deadline:
        name = list(sent)[n % len(sent)]
        query = questions[n // len(sent) % len(questions)] if name == "questions" \
            else kinds[name](rng)
        took, failed = timed(port, [path(query, n // len(sent))])
        sent[name] = (sent[name][0] + took, sent[name][1] + failed)
        n += 1
    stop.set()
    for thread in attackers:
        thread.join()
    answered, failed = sum(c[0] for c in counts), sum(c[1] for c in counts)
    print(f"under attack: {args.attackers} connections sending {PASTE_CHARS:,}-character "
          f"nonsense ({answered} answered, {failed} errors, "
          f"{answered / (args.seconds + 2):.1f}/s), one reader for {args.seconds:g} s")
    print(header + "  x quiet's  x attacked", flush=True)
    attacked = percentile(sent["questions"][0], 0.95) if sent["questions"][0] else baseline
    for name, (latencies, errors) in sent.items():
        p95 = row(name, latencies, errors, [baseline, attacked])
        if errors or p95 > PROMISE * attacked:
            broken.append(f"under attack, {name}: p95 {p95:.0f} ms "
                          f"({p95 / attacked:.1f}x), {errors} errors")
    if failed:
        broken.append(f"the attackers' searches: {failed} errors")
    os.killpg(server.pid, signal.SIGTERM)
    server.wait()
    verdict(broken, f"every long kind within {PROMISE:g}x the questions' p95, every answer "
            "a 200", f"promise: every answer a 200, long p95 at most {PROMISE:g}x the "
            "questions' p95 at the same time")


if __name__ == "__main__":
    main()
