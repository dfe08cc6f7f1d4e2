"""Slow clients (slowloris): the site under gunicorn alone, then behind nginx.

    python bench/slow_clients.py [--attackers 10] [--seconds 60] [--workers 4]

Starts gunicorn with the README's settings on 127.0.0.1 (as `load.py` does),
then, for each setup, opens --attackers connections that send a request's
headers one byte a second and never finish them, and meanwhile asks /healthz
and a search every 2 seconds like a reader (5 s to answer). Prints how many of
those answered. gunicorn's sync workers read a request's headers themselves,
one connection per worker: a few slow clients hold them all. nginx (the README's
configuration, written here to a scratch folder; needs `nginx` on PATH) reads
the whole request first, drops a client that stalls, and hands gunicorn only
complete requests. Loopback only. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from load import ROOT, free_port, start_site

# The README's nginx settings ("Running it for real"), with the scratch folder's paths.
NGINX = """
worker_processes 1;
pid {scratch}/nginx.pid;
error_log {scratch}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {scratch}/body;
    proxy_temp_path {scratch}/proxy;
    fastcgi_temp_path {scratch}/fastcgi;
    uwsgi_temp_path {scratch}/uwsgi;
    scgi_temp_path {scratch}/scgi;
{settings}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""
SETTINGS = (ROOT / "bench" / "nginx-settings.conf").read_text(encoding="utf-8")


def attack(port: int, attackers: int, stop: threading.Event) -> None:
    """`attackers` connections sending headers a byte a second, never ending them."""
    sockets = []
    for _ in range(attackers):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            sockets.append(sock)
        except OSError:
            pass
    while not stop.wait(1.0):
        for n, sock in enumerate(list(sockets)):
            try:
                sock.sendall(b"X")
            except OSError:  # dropped by the server: come back, as an attacker would
                sock.close()
                try:
                    sockets[n] = socket.create_connection(("127.0.0.1", port), timeout=5)
                    sockets[n].sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ")
                except OSError:
                    pass
    for sock in sockets:
        sock.close()


def probe(port: int, seconds: float) -> tuple[int, int]:
    """(answered, asked): a reader's /healthz and search every 2 s, 5 s to answer."""
    answered = asked = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in ("/healthz", "/?q=bed+sores"):
            asked += 1
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", path)
                answered += connection.getresponse().status == 200
                connection.close()
            except (OSError, http.client.HTTPException):
                pass
        time.sleep(2.0)
    return answered, asked


def under_attack(name: str, port: int, attackers: int, seconds: float) -> None:
    stop = threading.Event()
    attacker = threading.Thread(target=attack, args=(port, attackers, stop), daemon=True)
    attacker.start()
    time.sleep(1.0)
    answered, asked = probe(port, seconds)
    stop.set()
    attacker.join()
    print(f"{name:<22} {attackers:>9} {answered:>4} of {asked:<4}", flush=True)


def start_nginx(upstream: int) -> tuple[subprocess.Popen[bytes], int]:
    scratch = Path(tempfile.mkdtemp(prefix="scisearch-nginx-"))
    port = free_port()
    config = scratch / "nginx.conf"
    config.write_text(NGINX.format(scratch=scratch, port=port, upstream=upstream,
                                   settings=SETTINGS), encoding="utf-8")
    server = subprocess.Popen(["nginx", "-c", str(config), "-p", str(scratch), "-g",
                               "daemon off;"], stderr=subprocess.PIPE)
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, port
        except OSError:
            time.sleep(0.1)
    sys.exit("nginx did not start: " + (server.stderr.read().decode()[-2000:]
                                        if server.stderr else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attackers", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    server, port = start_site(None, args.workers)
    print(f"{'setup':<22} {'attackers':>9} answered", flush=True)
    under_attack("none (baseline)", port, 0, min(args.seconds, 10.0))
    under_attack("gunicorn alone", port, args.attackers, args.seconds)
    time.sleep(3.0)  # the attack's connections closed: let the workers come back
    if shutil.which("nginx") is None:
        print("nginx is not installed: behind nginx not measured")
        return
    proxy, proxy_port = start_nginx(port)
    try:
        under_attack("behind nginx", proxy_port, args.attackers, args.seconds)
        under_attack("behind nginx", proxy_port, args.attackers * 10, args.seconds)
    finally:
        proxy.terminate()
        proxy.wait()
    server.terminate()


if __name__ == "__main__":
    main()
