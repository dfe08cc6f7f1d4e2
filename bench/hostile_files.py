"""Hostile summary files: huge, deeply nested, or with values no parser should take.

    python bench/hostile_files.py [--timeout 300]

Copies the bundled sample into a scratch folder and indexes it, then adds one
hostile file at a time and runs `scisearch index` on the folder (words and
concepts: SCISEARCH_SEMANTIC=off). The promise for each: the build goes on,
says in one line that the file (or its bad record) was skipped, exits 1
("something was skipped"), and the index still holds the sample (and a hostile
JSONL file's good line). Then all of them at once: one build, `scisearch search`,
and `scisearch serve` (which reads the folder again) must answer /healthz; when a file stopped the
build, again without the files that did.

Prints, per file, its size, the build's time and exit status, whether a line
named the file, and that line; then the build with all of them, and how long
`serve` took to answer.
Exits 1 when a promise is broken. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from load import ROOT, free_port, verdict

sys.path.insert(0, str(ROOT))
from indexer.build import open_index  # noqa: E402

SAMPLE = ROOT / "index_data" / "summaries"
DEEP = 100_000
FIELD_LIMIT = 100_000  # SCISEARCH_MAX_FIELD_CHARS's default
FILE_LIMIT_MB = 100  # SCISEARCH_MAX_FILE_MB's default
WORDS = ("walking after injury improved with daily training in the clinic and at home "
         "while bladder care and skin checks went on as before ").split()


def prose(chars: int) -> str:
    """Plain words, `chars` characters long (a real summary's text, only longer)."""
    text = " ".join(WORDS)
    return (text + " ") * (chars // (len(text) + 1)) + "x" * (chars % (len(text) + 1))


def record(ident: str, **fields: object) -> dict[str, object]:
    return {"id": ident, "title": f"Hostile file test record {ident}", "year": 2020,
            "simple_explanation": "A record beside a hostile one.", **fields}


def huge_file(path: Path) -> None:
    """Just over the file limit, of ordinary records: read whole, it would be 50,000."""
    line = json.dumps(record("bulk", research_summary=prose(2_000))) + "\n"
    with path.open("w", encoding="utf-8") as out:
        for _ in range(FILE_LIMIT_MB * 1024 * 1024 // len(line) + 2):
            out.write(line)


def laughs() -> str:
    """YAML front matter whose aliases expand to 9^10 strings ("billion laughs")."""
    lines = ["---", 'title: "Laughs"', "a0: &a0 [" + ", ".join(['"lol"'] * 9) + "]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 10)]
    return "\n".join([*lines, "key_findings: *a9", "---", "", "## Simple Explanation", "",
                      "Text.", ""])


@dataclass(frozen=True)
class Hostile:
    name: str
    what: str
    write: Callable[[Path], None]
    keeps: str | None = None  # the id of a good record in the same file, still indexed


def _text(content: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_text(content, encoding="utf-8")
    return write


GOOD_LINE = json.dumps(record("good-line")) + "\n"
HOSTILE = [
    Hostile("huge-field.json", f"a field of {FIELD_LIMIT + 1:,} characters",
            _text(json.dumps([record("huge-field", research_summary=prose(FIELD_LIMIT + 1))]))),
    Hostile("huge-list.json", "key findings: 20,000 items, 1,000,000 characters",
            _text(json.dumps([record("huge-list", key_findings=[prose(50)] * 20_000)]))),
    Hostile("huge-file.jsonl", f"{FILE_LIMIT_MB} MB and a bit, of ordinary records",
            huge_file),
    Hostile("nested-array.json", f"{DEEP:,} levels of [", _text("[" * DEEP + "]" * DEEP)),
    Hostile("nested-object.json", f'{DEEP:,} levels of {{"a":',
            _text('{"a":' * DEEP + "1" + "}" * DEEP)),
    Hostile("nested-line.jsonl", f"a good line, then {DEEP:,} levels of [",
            _text(GOOD_LINE + "[" * DEEP + "]" * DEEP + "\n"), keeps="good-line"),
    Hostile("nested-front-matter.md", f"YAML front matter, {DEEP:,} levels of [",
            _text("---\ntitle: " + "[" * DEEP + "]" * DEEP + "\n---\n\nText\n")),
    Hostile("nested-mapping.md", f"YAML front matter, {DEEP:,} levels of {{a:",
            _text("---\ntitle: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n---\n\nText\n")),
    Hostile("laughs.md", "YAML aliases expanding to 9^10 strings", _text(laughs())),
    Hostile("long-number.json", "a year of 100,000 digits",
            _text('[{"id": "long-number", "title": "Long number", "year": '
                  + "1" * 100_000 + "}]")),
    Hostile("long-number-line.jsonl", "a good line, then a year of 100,000 digits",
            _text(GOOD_LINE + '{"id": "long-number-line", "year": ' + "1" * 100_000 + "}\n"),
            keeps="good-line"),
    Hostile("long-number.md", "YAML front matter, a year of 100,000 digits",
            _text("---\ntitle: Long number\nyear: " + "1" * 100_000
                  + "\n---\n\n## Simple Explanation\n\nText.\n")),
]


def environment() -> dict[str, str]:
    return {**os.environ, "SCISEARCH_SEMANTIC": "off", "SCISEARCH_QUERY_LOG": "off"}


def scisearch(*args: str, timeout: float) -> tuple[int | None, str, float]:
    """(exit status, or None when killed at `timeout`; stdout and stderr; seconds)."""
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "searchapp.cli", *args], cwd=ROOT,
                              env=environment(), capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "", time.perf_counter() - started
    return done.returncode, done.stdout + done.stderr, time.perf_counter() - started


def has(index_dir: Path, ident: str) -> bool:
    index = open_index(index_dir)
    try:
        with index.searcher() as searcher:
            return searcher.document_number(id=ident) is not None
    finally:
        index.close()


def doc_count(index_dir: Path) -> int:
    index = open_index(index_dir)
    try:
        return int(index.doc_count())
    finally:
        index.close()


def serve_answers(index_dir: Path, summaries: Path, timeout: float) -> tuple[float | None, str]:
    """Seconds until `scisearch serve` answers /healthz (None: it never did), and why not."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "searchapp.cli", "serve", "--port", str(port),
         "--index-dir", str(index_dir), "--summaries", str(summaries)],
        cwd=ROOT, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True, text=True)
    started = time.monotonic()
    try:
        while server.poll() is None and time.monotonic() - started < timeout:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return time.monotonic() - started, ""
            except OSError:
                pass
            time.sleep(0.2)
        if server.poll() is None:
            return None, f"no answer in {timeout:g} s"
        return None, first_error(server.stdout.read() if server.stdout else "")
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        server.wait()
        if server.stdout:
            server.stdout.close()


def first_error(output: str) -> str:
    """The line saying why a command failed (its last line, when none begins "Error")."""
    lines = output.strip().splitlines() or [""]
    return next((line for line in lines if line.startswith("Error")), lines[-1])[:300]


def together(label: str, group: list[Hostile], summaries: Path, store: Path, index_dir: Path,
             timeout: float) -> list[str]:
    """One new index of the sample and `group`, a search in it, `serve` on it: what broke."""
    for hostile in group:
        shutil.copy(store / hostile.name, summaries / hostile.name)
    broken = []
    status, output, seconds = scisearch("index", str(summaries), "--index-dir", str(index_dir),
                                        timeout=timeout)
    named = sum(any(h.name in line for line in output.splitlines()) for h in group)
    print(f"{label} ({len(group)}) at once, a new index: {seconds:.1f} s, exit {status}, "
          f"{named} of {len(group)} named" + ("" if status == 1 else
                                              f": {first_error(output)}"), flush=True)
    if status != 1 or named != len(group):
        broken.append(f"{label} at once: exit {status}, {named} of {len(group)} named: "
                      f"{first_error(output)}")
    status, output, _ = scisearch("search", "bed sores", "--index-dir", str(index_dir),
                                  timeout=60)
    said = output.strip().splitlines()[0] if status == 0 and output.strip() else \
        first_error(output)
    print(f"  scisearch search in it: exit {status}: {said[:100]}")
    if status != 0:
        broken.append(f"{label} at once, then search: exit {status}: {first_error(output)}")
    answered, said = serve_answers(index_dir, summaries, timeout)
    print("  scisearch serve (reads the folder again): "
          + (f"answered /healthz after {answered:.1f} s" if answered is not None
             else f"never answered /healthz: {said}"), flush=True)
    if answered is None:
        broken.append(f"{label} at once, then serve: {said}")
    for hostile in group:
        (summaries / hostile.name).unlink()
    return broken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds a build may take before it counts as hung")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="scisearch-hostile-"))
    broken: list[str] = []
    try:
        summaries, index_dir, store = scratch / "summaries", scratch / "index", scratch / "files"
        shutil.copytree(SAMPLE, summaries)
        store.mkdir()
        status, output, seconds = scisearch("index", str(summaries), "--index-dir",
                                            str(index_dir), timeout=args.timeout)
        if status != 0:
            sys.exit(f"the bundled sample did not build: {output[-2000:]}")
        sample = doc_count(index_dir)
        print(f"bundled sample: {sample} summaries, built in {seconds:.1f} s", flush=True)
        print(f"{'file':<24} {'size':>9} {'build s':>8} {'exit':>4} {'named':>5}  line")
        for hostile in HOSTILE:
            hostile.write(store / hostile.name)
            path = summaries / hostile.name
            shutil.copy(store / hostile.name, path)
            status, output, seconds = scisearch("index", str(summaries), "--index-dir",
                                                str(index_dir), timeout=args.timeout)
            lines = [line for line in output.splitlines() if hostile.name in line]
            size = path.stat().st_size
            print(f"{hostile.name:<24} {size / 1e6:>7.2f}MB {seconds:>8.1f} "
                  f"{'hung' if status is None else status:>4} {'yes' if lines else 'NO':>5}  "
                  f"{(lines or [first_error(output)])[0][:150]}",
                  flush=True)
            kept = status is not None and doc_count(index_dir) >= sample and (
                hostile.keeps is None or has(index_dir, hostile.keeps))
            if status != 1 or len(lines) != 1 or not kept:
                broken.append(f"{hostile.name} ({hostile.what}): exit {status}, "
                              f"{len(lines)} lines naming it, sample and good lines kept: "
                              f"{kept}")
            path.unlink()
        stopped = {h.name for h in HOSTILE if any(b.startswith(h.name) for b in broken)}
        groups = [("all", HOSTILE)]
        if stopped:
            groups.append(("the others", [h for h in HOSTILE if h.name not in stopped]))
        for n, (label, group) in enumerate(groups):
            broken += together(label, group, summaries, store, scratch / f"together-{n}",
                               args.timeout)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    verdict(broken, "every hostile file skipped with one line; search and serve work")


if __name__ == "__main__":
    main()
