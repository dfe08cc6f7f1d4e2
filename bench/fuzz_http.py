"""Fuzzed HTTP: schemathesis against the JSON API under gunicorn, on loopback.

    python bench/fuzz_http.py [--index-dir DIR] [--max-examples 1000] [--seed 1]

Starts gunicorn (as `load.py` does, 2 workers, its access log reduced to each
answer's status and request line, in a scratch folder removed at the end)
serving DIR (default: the bundled sample), then runs the schemathesis command
on the API's OpenAPI document (/api/v1/openapi.json) twice: requests the
document allows, then requests it does not. Each time every phase (the
document's examples, its edge cases, generated requests, sequences), up to
--max-examples generated requests per operation, every check but "a request
the document allows is accepted" (two limits cannot be said in the document's
schema language: tests/searchapp/web/test_api.py). Compression is tested
elsewhere; requests ask for none.

Prints the cases schemathesis ran and the failures of its checks, then the
requests gunicorn answered, by path and status (from its log), and the time.
The promise: no answer is a 5xx. Exits 1 otherwise. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from load import start_site

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


# A line of the access log: the status, then the request line as sent (percent-encoded).
LINE = re.compile(r"^(\d{3}) [A-Z]+ (/[^?\s]*)\S* HTTP/[\d.]+$")


def answered(line: str) -> tuple[str, str]:
    """(status, path) of a line of the access log (query strings dropped, the summaries'
    ids as {id}); ("?", "unread") for a line that is not one."""
    match = LINE.match(line)
    if match is None:
        return "?", "unread"
    status, path = match.groups()
    if path.startswith("/api/v1/summaries/"):
        path = "/api/v1/summaries/{id}"
    return status, path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=None)
    parser.add_argument("--max-examples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="scisearch-fuzz-"))
    log = scratch / "access.log"
    try:
        server, port = start_site(args.index_dir, args.workers, [
            "--access-logfile", str(log), "--access-logformat", "%(s)s %(r)s"])
        started = time.perf_counter()
        failed = False
        for mode in ("positive", "negative"):
            run = subprocess.run(
                [str(SCHEMATHESIS), "--no-color", "run",
                 f"http://127.0.0.1:{port}/api/v1/openapi.json", "--mode", mode,
                 "--checks", "all", "--exclude-checks", "positive_data_acceptance",
                 "--max-examples", str(args.max_examples), "--seed", str(args.seed),
                 "--header", "Accept-Encoding: identity", "--workers", str(args.workers),
                 "--suppress-health-check", "all"],
                cwd=scratch, capture_output=True, text=True)
            cases = re.search(r"(\d+) generated", run.stdout)
            found = sorted({line.strip().lstrip("❌ ").strip() for line in
                            run.stdout[run.stdout.rfind("SUMMARY"):].splitlines()
                            if line.strip().startswith("❌ ST")})
            print(f"{mode}: {cases.group(1) if cases else '?'} cases, schemathesis exit "
                  f"{run.returncode}" + "".join(f"\n  {line}" for line in found), flush=True)
            failed = failed or cases is None
        seconds = time.perf_counter() - started
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
        answers = collections.Counter(answered(line) for line in
                                      log.read_text().splitlines() if line.strip())
        total = sum(answers.values())
        lines = log.read_text().splitlines()
        errors = sum(1 for line in lines if re.match(r"^5\d\d ", line))
        print(f"gunicorn answered {total} requests in {seconds:.0f} s ({total / seconds:.0f}/s):")
        for path in sorted({path for _, path in answers}):
            print(f"  {path}: " + ", ".join(f"{status}: {n}" for (status, where), n in
                                             sorted(answers.items()) if where == path))
        print(f"server errors (5xx): {errors}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if errors or total == 0 or failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
