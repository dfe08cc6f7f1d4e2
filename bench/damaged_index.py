"""Damaged index: each file of a built index truncated, garbled or removed.

    python bench/damaged_index.py [--summaries DIR]

Indexes DIR (default: the bundled sample, with meaning) into a scratch folder,
then for each kind of damage: copies the index, damages the copy, and runs
`scisearch search`; asks the site (the Flask app in this process) for /healthz
and 30 of the trials' dev questions on the search page, the API's search and
its suggestions; starts `scisearch serve` on it (which first brings the index
up to date); and on a fresh damaged copy runs `scisearch index --rebuild`, after
which a search must find as much as before.

The promise: every command either says the index is damaged, naming
`scisearch index --rebuild` (exit 1), or answers whole (damaged vectors: words
and concepts go on without meaning); never a traceback or "This is a bug"; the
site answers 503 (the API: index_damaged), never a 500; the rebuild repairs it. Prints one
row per damage: what search, the site and serve did, and the rebuild's result.
Damage that nothing notices (a search still answers, with what it can read) is
printed as "not noticed": whoosh keeps no checksums. Exits 1 when a promise is
broken. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import collections
import logging
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from load import QUESTIONS, ROOT, free_port, verdict

sys.path.insert(0, str(ROOT))
from indexer.build import current_generation  # noqa: E402
from searchapp import create_app  # noqa: E402

SAMPLE = ROOT / "index_data" / "summaries"
QUERY = "bed sores"


def segment(generation: Path) -> Path:
    return max(generation.glob("*.seg"), key=lambda path: path.stat().st_size)


def toc(generation: Path) -> Path:
    return next(generation.glob("_MAIN_*.toc"))


def truncate(share: float) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        os.truncate(path, int(path.stat().st_size * share))
    return damage


def garble(path: Path) -> None:
    """64 KB of random bytes in the middle of the file (or the whole of a smaller one)."""
    size = path.stat().st_size
    length = min(size, 65_536)
    with path.open("r+b") as out:
        out.seek((size - length) // 2)
        out.write(random.Random(1).randbytes(length))


def remove(path: Path) -> None:
    path.unlink()


def write(text: str) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        path.write_text(text, encoding="utf-8")
    return damage


# (what, which file, the damage)
DAMAGE: list[tuple[str, Callable[[Path], Path], Callable[[Path], None]]] = [
    ("segment cut to half", segment, truncate(0.5)),
    ("segment cut to 0 bytes", segment, truncate(0.0)),
    ("segment: last byte cut", segment, lambda path: os.truncate(path, path.stat().st_size - 1)),
    ("segment: 64 KB garbled", segment, garble),
    ("segment removed", segment, remove),
    ("table of contents cut", toc, truncate(0.5)),
    ("table of contents garbled", toc, garble),
    ("table of contents removed", toc, remove),
    ("generation.json garbled", lambda g: g / "generation.json", write("{not json")),
    ("thesaurus.json cut", lambda g: g / "thesaurus.json", truncate(0.5)),
    ("vectors cut to half", lambda g: g / "vectors.npz", truncate(0.5)),
    ("CURRENT garbled", lambda g: g.parent / "CURRENT", write("\x00\xff garbage")),
    ("CURRENT names nothing", lambda g: g.parent / "CURRENT", write("gen-missing")),
]


def run(*args: str, timeout: float = 300.0) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-m", "searchapp.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "SCISEARCH_QUERY_LOG": "off"})
    return done.returncode, done.stdout + done.stderr


def said(status: int, output: str, found: str) -> tuple[str, bool]:
    """What a command did in a few words, and whether that kept the promise."""
    if "Traceback" in output or "This is a bug" in output:
        return f"exit {status}, A BUG", False
    if status == 1 and "damaged" in output and "scisearch index --rebuild" in output:
        return "exit 1, damaged", True
    if status == 0 and found in output:
        return "answers whole", True
    if status == 0:
        return "NOT NOTICED", True
    return f"exit {status}: {output.strip().splitlines()[-1][:60]}", False


def site(index_dir: Path, questions: list[str]) -> tuple[str, bool]:
    """The site's answers (the Flask app in this process) to /healthz and `questions`
    on the search page, the API's search and its suggestions: counts by status."""
    app = create_app({"INDEX_DIR": index_dir, "QUERY_LOG": "off", "TESTING": True})
    client = app.test_client()
    statuses: collections.Counter[str] = collections.Counter()
    for question in questions:
        for url in ("/?", "/api/v1/search?", "/api/v1/suggest?"):
            answer = client.get(url + urlencode({"q": question}))
            statuses[str(answer.status_code)] += 1
    shown = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    return (f"/healthz {client.get('/healthz').status_code}; {shown}",
            not any(status.startswith("5") and status != "503" for status in statuses))


def serve(index_dir: Path, summaries: Path) -> tuple[str, bool]:
    """What `scisearch serve` does with the index within 60 s: serves, or stops saying why."""
    log = index_dir.parent / f"{index_dir.name}.serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "searchapp.cli", "serve", "--port", str(free_port()),
             "--index-dir", str(index_dir), "--summaries", str(summaries)],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, "SCISEARCH_QUERY_LOG": "off"})
    deadline = time.monotonic() + 60
    while server.poll() is None and time.monotonic() < deadline \
            and "Serving" not in log.read_text():
        time.sleep(0.2)
    output = log.read_text()
    if server.poll() is None:
        server.terminate()
        server.wait()
        if "Serving" not in output:
            return "NO ANSWER in 60 s", False
        return ("serves, rebuilt" if "Rebuilt" in output else "serves"), True
    return said(server.returncode, output, "Serving")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--summaries", type=Path, default=SAMPLE)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # the site logs each damaged read: counted here
    questions = [line.split("\t")[1] for line in
                 QUESTIONS.read_text(encoding="utf-8").splitlines()[1:31]]
    scratch = Path(tempfile.mkdtemp(prefix="scisearch-damaged-"))
    broken: list[str] = []
    try:
        good = scratch / "good"
        status, output = run("index", str(args.summaries), "--index-dir", str(good))
        if status != 0:
            sys.exit(f"{args.summaries} did not build: {output[-1000:]}")
        status, output = run("search", QUERY, "--index-dir", str(good), "--limit", "1")
        found = output.strip().splitlines()[0]  # "12 summaries found for ..."
        found = found.split(" (")[0]
        print(f"built {args.summaries}: {found}", flush=True)
        print(f"site: {len(questions)} questions to /, /api/v1/search and /api/v1/suggest")
        print(f"{'damage':<26} {'scisearch search':<18} {'scisearch serve':<18} "
              f"{'--rebuild':<10} site", flush=True)
        for n, (what, which, damage) in enumerate(DAMAGE):
            copy = scratch / f"case-{n}"
            shutil.copytree(good, copy)
            generation = current_generation(copy)
            assert generation is not None
            damage(which(generation))
            search, search_ok = said(*run("search", QUERY, "--index-dir", str(copy)), found)
            answered, site_ok = site(copy, questions)
            served, serve_ok = serve(copy, args.summaries)
            shutil.rmtree(copy)  # serve may have repaired it: the rebuild gets a new copy
            shutil.copytree(good, copy)
            damage(which(generation))
            status, output = run("index", str(args.summaries), "--index-dir", str(copy),
                                 "--rebuild")
            again = run("search", QUERY, "--index-dir", str(copy))
            repaired = status == 0 and again[0] == 0 and found in again[1]
            print(f"{what:<26} {search:<18} {served:<18} "
                  f"{'repaired' if repaired else f'EXIT {status}':<10} {answered}", flush=True)
            for ok, part in ((search_ok, f"search: {search}"), (site_ok, f"site: {answered}"),
                             (serve_ok, f"serve: {served}"),
                             (repaired, f"rebuild: exit {status}, {output[-200:]}")):
                if not ok:
                    broken.append(f"{what}: {part}")
            shutil.rmtree(copy, ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    verdict(broken, "every damage named or harmless; no 500; every rebuild repaired it")


if __name__ == "__main__":
    main()
