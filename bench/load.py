"""Load benchmark: the site under gunicorn, on loopback, at 1, 8, 32 and 64 clients.

    python bench/load.py [--index-dir DIR] [--workers 4] [--seconds 10] [--clients 1 8 32 64]

Starts gunicorn (the README's settings) on a free port of 127.0.0.1 only, serving
DIR (default: the bundled sample, indexed into a scratch folder), waits for
/healthz, then for each number of clients runs that many concurrent clients for
--seconds, each sending the trials' dev questions in turn, alternately to the
search page and the JSON API. Prints requests/s, p50, p95 and max latency, and
the errors (any answer but 200, or no answer); then the memory of the master,
the model process and the workers (PSS from /proc: shared pages split among
the processes that share them). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import atexit
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "eval" / "dev" / "trials.queries.tsv"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pss_mb(pid: int) -> float:
    """Proportional set size of one process (shared pages split among their users)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="ascii")
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


def holds_model(pid: int) -> bool:
    """Whether the process has ONNX Runtime loaded: the site's model process."""
    try:
        return "onnxruntime" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def ask(connection: http.client.HTTPConnection,
        path: str) -> tuple[bool, http.client.HTTPConnection]:
    """GET `path`: whether the answer was a 200, and the connection to go on with (a new
    one when this one failed)."""
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        answer.read()
        return answer.status == 200, connection
    except (OSError, http.client.HTTPException):
        connection.close()
        return False, http.client.HTTPConnection(connection.host, connection.port,
                                                 timeout=connection.timeout)


def run_clients(port: int, clients: int, seconds: float, paths: list[str],
                once: bool = False) -> tuple[int, int, list[float]]:
    """(answers, errors, latencies in ms) of `clients` clients for `seconds` (`once`:
    one request each)."""
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        turn = number * 7
        while once or time.monotonic() < deadline:
            path = paths[turn % len(paths)]
            turn += 1
            started = time.perf_counter()
            ok, connection = ask(connection, path)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1
            if once:
                break
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), errors[0], latencies


def verdict(broken: list[str], kept: str, promise: str = "") -> None:
    """End an attack script: what broke (`promise`: what was promised), exit 1; else
    `kept`, the promises kept."""
    if broken:
        print(f"BROKEN{f' ({promise})' if promise else ''}:\n  " + "\n  ".join(broken))
        sys.exit(1)
    print(kept)


def start_site(index_dir: Path | None, workers: int,
               extra: list[str] | None = None) -> tuple[subprocess.Popen[bytes], int]:
    """gunicorn with the README's settings (and `extra` arguments) on a free port of
    127.0.0.1, serving `index_dir` (None: the bundled sample, indexed into a scratch
    folder), once it answers /healthz; it is stopped when the script ends."""
    scratch = Path(tempfile.mkdtemp(prefix="scisearch-bench-"))
    atexit.register(shutil.rmtree, scratch, True)
    if index_dir is None:
        index_dir = scratch / "index"
        subprocess.run([sys.executable, "-m", "searchapp.cli", "index",
                        str(ROOT / "index_data" / "summaries"), "--index-dir", str(index_dir)],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    port = free_port()
    environment = {**os.environ, "SCISEARCH_INDEX_DIR": str(index_dir),
                   "SCISEARCH_QUERY_LOG": "off", "SCISEARCH_CACHE_SECONDS": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "-c", "python:searchapp.gunicorn_conf", *(extra or []),
         "searchapp:create_app()"],
        cwd=scratch, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)
    atexit.register(lambda: os.killpg(server.pid, signal.SIGTERM) if server.poll() is None
                    else None)
    started = time.monotonic()
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server, port
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() - started > 120:
            sys.exit("gunicorn did not start: " + (server.stderr.read().decode()[-2000:]
                                                   if server.stderr else ""))
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32, 64])
    args = parser.parse_args()
    server, port = start_site(args.index_dir, args.workers)
    questions = [line.split("\t")[1] for line in
                 QUESTIONS.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    paths = [("/?" if n % 2 else "/api/v1/search?") + urlencode({"q": q})
             for n, q in enumerate(questions)]
    print(f"gunicorn, {args.workers} workers, 127.0.0.1:{port}, {len(paths)} requests in turn, "
          f"{args.seconds:g} s per step", flush=True)
    # The first readers of the freshly started (and warmed) workers, one at a time,
    # each with a question no worker has seen.
    firsts = []
    for path in paths[:2 * args.workers]:
        firsts.extend(run_clients(port, 1, 0.0, [path], once=True)[2])
    print("first requests, one at a time: " + ", ".join(f"{ms:.0f}" for ms in firsts) + " ms",
          flush=True)
    print(f"{'clients':>7} {'answers':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'max ms':>7} {'errors':>6}", flush=True)
    for clients in args.clients:
        answers, errors, latencies = run_clients(port, clients, args.seconds, paths)
        if not latencies:
            print(f"{clients:>7} no answer, {errors} errors")
            continue
        print(f"{clients:>7} {answers:>8} {answers / args.seconds:>7.1f} "
              f"{statistics.median(latencies):>7.1f} {percentile(latencies, 0.95):>7.1f} "
              f"{max(latencies):>7.1f} {errors:>6}", flush=True)
    processes = children(server.pid)
    models = [pid for pid in processes if holds_model(pid)]
    workers = [pid for pid in processes if pid not in models]
    total = sum(pss_mb(pid) for pid in [server.pid, *processes])
    print(f"memory (PSS): {total:.0f} MB in all: master {pss_mb(server.pid):.0f} MB, "
          f"model process {sum(pss_mb(pid) for pid in models):.0f} MB, {len(workers)} "
          f"workers {', '.join(f'{pss_mb(pid):.0f}' for pid in workers)} MB")
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        print("gunicorn did not stop within 30 s of SIGTERM: killed")
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


if __name__ == "__main__":
    main()
