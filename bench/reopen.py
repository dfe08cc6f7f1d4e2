"""A rebuild under load: how the site answers while its workers switch to the new index.

    python bench/reopen.py [--workers 4] [--clients 4] [--stagger 0 10] [--semantic]

Indexes the 2,940 trials of ../shared/corpora (the bundled sample if they are
missing), starts gunicorn as `load.py` does, and keeps --clients clients
searching. After 5 s it rebuilds the index (`scisearch index --rebuild`, a new
generation) beside the running site, waits until every worker serves the new
generation (/healthz), then goes on for 5 s. It does this once per --stagger
value (SCISEARCH_RELOAD_STAGGER_SECONDS). Prints p50, p95 and the slowest
answer before the rebuild, while it builds, while the workers open, warm and
swap in the new index in the background, and after; and how long the switch
took. Without --semantic the
site and the build match by words and concepts only (a build with the model
takes 90 s on 2 cores). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from load import QUESTIONS, ROOT, ask, percentile, start_site

TRIALS = ROOT.parent / "shared" / "corpora" / "ctgov_sci_trials.jsonl"
TRIAL_FIELDS = ["--map", "nct_id=id", "--map", "brief_summary=simple_explanation",
                "--map", "detailed_description=research_summary"]
BEFORE, AFTER, SWITCH_WITHIN = 5.0, 5.0, 90.0


def index_command(index_dir: Path, rebuild: bool = False) -> list[str]:
    sources = [str(TRIALS), *TRIAL_FIELDS] if TRIALS.exists() \
        else [str(ROOT / "index_data" / "summaries")]
    return [sys.executable, "-m", "searchapp.cli", "index", *sources,
            "--index-dir", str(index_dir), *(["--rebuild"] if rebuild else [])]


def served(port: int) -> str:
    """The generation the worker that answers serves."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/healthz")
    return str(json.loads(connection.getresponse().read())["generation"])


def generation(index_dir: Path) -> str:
    """The generation on disk."""
    return (index_dir / "CURRENT").read_text(encoding="utf-8").strip()


def searching(port: int, clients: int, paths: list[str], stop: threading.Event,
              timeline: list[tuple[float, float, bool]]) -> list[threading.Thread]:
    """Clients asking in turn until `stop`; each answer as (when, ms, ok)."""
    lock = threading.Lock()

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        turn = number * 11
        while not stop.is_set():
            started = time.perf_counter()
            ok, connection = ask(connection, paths[turn % len(paths)])
            turn += 1
            with lock:
                timeline.append((started, (time.perf_counter() - started) * 1000, ok))
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    return threads


def report(name: str, answers: list[tuple[float, float, bool]]) -> None:
    latencies = [ms for _, ms, ok in answers if ok]
    errors = sum(1 for _, _, ok in answers if not ok)
    if not latencies:
        print(f"  {name:<22} no answer, {errors} errors")
        return
    slow = sum(1 for ms in latencies if ms > 1000)
    print(f"  {name:<22} {len(latencies):>6} {statistics.median(latencies):>7.0f} "
          f"{percentile(latencies, 0.95):>7.0f} {max(latencies):>8.0f} {slow:>6} {errors:>6}")


def run(stagger: float, workers: int, clients: int, index_dir: Path,
        paths: list[str]) -> None:
    os.environ["SCISEARCH_RELOAD_STAGGER_SECONDS"] = str(stagger)
    server, port = start_site(index_dir, workers)
    old = served(port)
    print(f"\nSCISEARCH_RELOAD_STAGGER_SECONDS={stagger:g}, {workers} workers, "
          f"{clients} clients")
    print(f"  {'':<22} {'answers':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>8} "
          f"{'>1 s':>6} {'errors':>6}")
    stop = threading.Event()
    timeline: list[tuple[float, float, bool]] = []
    threads = searching(port, clients, paths, stop, timeline)
    time.sleep(BEFORE)
    build_started = time.perf_counter()
    subprocess.run(index_command(index_dir, rebuild=True), check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    built = time.perf_counter()
    new = generation(index_dir)
    switched = None
    while time.perf_counter() - built < SWITCH_WITHIN:
        time.sleep(0.5)
        # Several asks: gunicorn hands each to whichever worker is free.
        if {served(port) for _ in range(4 * workers)} == {new}:
            switched = time.perf_counter()
            break
    time.sleep(AFTER)
    stop.set()
    for thread in threads:
        thread.join()
    report("before the rebuild", [a for a in timeline if a[0] < build_started])
    report(f"building ({built - build_started:.0f} s)",
           [a for a in timeline if build_started <= a[0] < built])
    end = switched or time.perf_counter()
    report(f"switching ({end - built:.0f} s)", [a for a in timeline if built <= a[0] < end])
    report(f"{AFTER:.0f} s after", [a for a in timeline if a[0] >= end])
    print(f"  every worker served the new generation {end - built:.1f} s after the build"
          if switched else f"  NOT EVERY WORKER SWITCHED within {SWITCH_WITHIN:.0f} s "
          f"(served: {old}, built: {new})")
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--stagger", type=float, nargs="+", default=[0.0, 10.0])
    parser.add_argument("--semantic", action="store_true")
    args = parser.parse_args()
    if not args.semantic:
        os.environ["SCISEARCH_SEMANTIC"] = "off"
    scratch = Path(tempfile.mkdtemp(prefix="scisearch-reopen-"))
    try:
        index_dir = scratch / "index"
        subprocess.run(index_command(index_dir), check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        questions = [line.split("\t")[1] for line in
                     QUESTIONS.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
        paths = [("/?" if n % 2 else "/api/v1/search?") + urlencode({"q": q})
                 for n, q in enumerate(questions)]
        for stagger in args.stagger:
            run(stagger, args.workers, args.clients, index_dir, paths)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
