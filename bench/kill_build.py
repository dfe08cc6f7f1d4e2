"""Kill during build: `scisearch index` killed with SIGKILL at random moments.

    python bench/kill_build.py [--times 30] [--corpus FILE] [--seed 1]

Indexes the trials (--corpus, default ../shared/corpora/ctgov_sci_trials.jsonl,
words and concepts: SCISEARCH_SEMANTIC=off) into a scratch folder, then --times
times: rewrites the corpus file as the other of two versions (all the trials, or
every tenth left out), starts `scisearch index` on it (every other time with
--rebuild: a new generation beside the live one; otherwise an update of the
live one) and sends it SIGKILL at a random moment within its usual build time
(so some builds finish first). After each, the index must open and hold exactly
the summaries of one version, the old or the new (never a mixture, never none),
and `scisearch search` must answer. A gunicorn (2 workers, reloading every
second) serves the folder throughout while a reader asks it a search every
quarter second: every answer must be a 200. At the end one build, not killed,
must finish.

Prints each round (mode, moment, killed or finished, what the index held, and
the build's processes still running 5 s after the kill, with their memory:
a build's writer processes, which are then killed), then the totals: builds
killed, old and new versions seen, broken indexes, the reader's answers and
errors, generation folders left and the index folder's size before and after
the final build. Exits 1 when a promise is broken (processes left running
count as broken). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from load import ROOT, start_site, verdict

sys.path.insert(0, str(ROOT))
from indexer.build import open_index  # noqa: E402

TRIALS = ROOT.parent / "shared" / "corpora" / "ctgov_sci_trials.jsonl"
MAP = ["--map", "nct_id=id", "--map", "brief_summary=simple_explanation",
       "--map", "detailed_description=research_summary"]


def index_command(corpus: Path, index_dir: Path, rebuild: bool) -> list[str]:
    return [sys.executable, "-m", "searchapp.cli", "index", str(corpus), "--index-dir",
            str(index_dir), *MAP, *(["--rebuild"] if rebuild else [])]


def ids_in(index_dir: Path) -> frozenset[str] | str:
    """The ids the live generation holds, or why it cannot be read."""
    try:
        index = open_index(index_dir)
        try:
            with index.searcher() as searcher:
                return frozenset(fields["id"] for fields in searcher.all_stored_fields())
        finally:
            index.close()
    except Exception as error:  # noqa: BLE001 - any failure is the finding
        return f"{type(error).__name__}: {error}"


def group_members(group: int) -> list[int]:
    """The live processes of a process group (the killed build's writer processes)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def left_running(group: int, seconds: float = 5.0) -> tuple[int, float]:
    """(processes, their MB of RSS) of the build's group still running `seconds` after
    the kill; then they are killed, so that the next round starts clean."""
    deadline = time.monotonic() + seconds
    while (members := group_members(group)) and time.monotonic() < deadline:
        time.sleep(0.2)
    rss = 0.0
    for pid in members:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            rss += int(status.split("VmRSS:")[1].split()[0]) / 1024
        except (OSError, IndexError):
            pass
    if members:
        os.killpg(group, signal.SIGKILL)
    return len(members), rss


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


class Reader(threading.Thread):
    """Asks the served site a search every quarter second; counts answers and errors."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port, self.answers, self.errors = port, 0, 0
        self.totals: set[int] = set()
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.25):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                connection.request("GET", "/api/v1/search?q=walking")
                answer = connection.getresponse()
                body = answer.read()
                connection.close()
            except (OSError, http.client.HTTPException):
                self.errors += 1
                continue
            if answer.status == 200:
                self.answers += 1
                self.totals.add(int(json.loads(body)["total"]))
            else:
                self.errors += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=30)
    parser.add_argument("--corpus", type=Path, default=TRIALS)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ.update(SCISEARCH_SEMANTIC="off", SCISEARCH_RELOAD_SECONDS="1")
    rng = random.Random(args.seed)
    lines = args.corpus.read_text(encoding="utf-8").splitlines(keepends=True)
    versions = ["".join(lines), "".join(line for n, line in enumerate(lines) if n % 10)]
    scratch = Path(tempfile.mkdtemp(prefix="scisearch-kill-"))
    corpus, index_dir = scratch / "trials.jsonl", scratch / "index"
    broken: list[str] = []
    try:
        expected: dict[int, frozenset[str]] = {}
        usual: dict[bool, float] = {}
        for version, rebuild in ((1, True), (0, False)):  # each version once, unkilled
            corpus.write_text(versions[version], encoding="utf-8")
            started = time.perf_counter()
            subprocess.run(index_command(corpus, index_dir, rebuild), cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            usual[rebuild] = time.perf_counter() - started
            held = ids_in(index_dir)
            assert isinstance(held, frozenset), held
            expected[version] = held
        print(f"versions: {len(expected[0])} and {len(expected[1])} summaries; usual build "
              f"{usual[True]:.1f} s with --rebuild, {usual[False]:.1f} s as an update",
              flush=True)
        server, port = start_site(index_dir, 2)
        reader = Reader(port)
        reader.start()
        version, killed, seen = 0, 0, {"old": 0, "new": 0}
        leaked: list[float] = []
        print(f"{'round':>5} {'mode':<8} {'at s':>5} {'outcome':<9} {'index holds':<12} "
              f"{'left running 5 s on':>20}", flush=True)
        for round_ in range(1, args.times + 1):
            old, version = version, 1 - version
            rebuild = round_ % 2 == 1
            corpus.write_text(versions[version], encoding="utf-8")
            moment = rng.uniform(0.0, 1.1 * usual[rebuild])
            build = subprocess.Popen(index_command(corpus, index_dir, rebuild), cwd=ROOT,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
            try:
                build.wait(timeout=moment)
                outcome = f"exit {build.returncode}"
            except subprocess.TimeoutExpired:
                build.send_signal(signal.SIGKILL)
                build.wait()
                killed += 1
                outcome = "killed"
            running, rss = left_running(build.pid)
            if running:
                leaked.append(rss)
            held = ids_in(index_dir)
            which = ("old" if held == expected[old] else "new" if held == expected[version]
                     else "BROKEN" if isinstance(held, str) else f"MIXED {len(held)}")
            if which in seen:
                seen[which] += 1
            else:
                broken.append(f"round {round_}: the index holds {which}: {held}"[:400])
            if outcome.startswith("exit") and (outcome != "exit 0" or which != "new"):
                broken.append(f"round {round_}: a build not killed ended with {outcome}, "
                              f"the index holds the {which} version")
            search = subprocess.run([sys.executable, "-m", "searchapp.cli", "search",
                                     "walking", "--index-dir", str(index_dir), "--limit", "1"],
                                    cwd=ROOT, capture_output=True, text=True)
            if search.returncode != 0:
                broken.append(f"round {round_}: scisearch search: exit {search.returncode}: "
                              f"{search.stderr.strip()[-300:]}")
            print(f"{round_:>5} {'rebuild' if rebuild else 'update':<8} {moment:>5.1f} "
                  f"{outcome:<9} {which:<12} {running:>9} ({rss:>4.0f} MB)", flush=True)
            version = version if which == "new" else old
        before = folder_mb(index_dir)
        leftovers = len(list(index_dir.glob("gen-*")))
        corpus.write_text(versions[0], encoding="utf-8")
        final = subprocess.run(index_command(corpus, index_dir, False), cwd=ROOT,
                               capture_output=True, text=True)
        held = ids_in(index_dir)
        if final.returncode != 0 or held != expected[0]:
            broken.append(f"the final build: exit {final.returncode}, "
                          f"{final.stderr.strip()[-300:]}")
        time.sleep(2.0)
        reader.stop.set()
        reader.join()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
        print(f"{killed} of {args.times} builds killed; the index then held the old version "
              f"{seen['old']} times, the new {seen['new']} times, neither "
              f"{args.times - seen['old'] - seen['new']} times")
        print(f"reader: {reader.answers} answers, {reader.errors} errors, totals seen for "
              f"'walking': {sorted(reader.totals)}")
        print(f"index folder: {leftovers} generation folders, {before:.0f} MB before the "
              f"final build; {len(list(index_dir.glob('gen-*')))} and "
              f"{folder_mb(index_dir):.0f} MB after it (exit {final.returncode})")
        print(f"builds whose processes ran on 5 s after the kill: {len(leaked)}, "
              f"{sum(leaked) / max(1, len(leaked)):.0f} MB each on average")
        if reader.errors:
            broken.append(f"the served site: {reader.errors} errors")
        if leaked:
            broken.append(f"{len(leaked)} killed builds left processes running (whoosh's "
                          "writer processes, orphaned; they do not end by themselves)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    verdict(broken, "every kill left a whole index, old or new; every answer a 200")


if __name__ == "__main__":
    main()
