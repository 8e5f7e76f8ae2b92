"""Requests per second under gunicorn: the tracker's pages against a hello-world.

Both apps run under the same gunicorn settings (deploy/gunicorn.conf.py, 2 sync
workers) and are driven by the same load generator: CLIENTS processes, each
sending one request per connection (a sync worker closes every connection) for a
fixed time. The generator shares the machine's cores with the workers, as it did
for the hello-world it is compared with, so the share is the figure to read.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 2
CLIENTS = 4


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving `target` on a free port, stopped on exit."""

    def __init__(self, target: str, env: dict[str, str] | None = None):
        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
             "-w", str(WORKERS), "-b", f"127.0.0.1:{self.port}", "--log-level",
             "warning", target],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
        )  # fmt: skip

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.process.kill()
        raise RuntimeError(f"gunicorn did not start: {self.process.args}")

    def __exit__(self, *_) -> None:
        self.process.terminate()
        self.process.wait(10)


def _request(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(raw)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _client(port: int, raw: bytes, seconds: float, answers) -> None:
    """Put (200 answers, the first other answer's status line or None)."""
    count, wrong = 0, None
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline and wrong is None:
        answer = _request(port, raw)
        if answer.startswith(b"HTTP/1.1 200"):
            count += 1
        else:
            wrong = answer.split(b"\r\n", 1)[0].decode("latin-1")
    answers.put((count, wrong))


def requests_per_second(port: int, path: str, cookie: str, seconds: float) -> float:
    """Completed 200 answers per second from CLIENTS processes over `seconds`."""
    raw = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + (f"Cookie: session={cookie}\r\n" if cookie else "")
        + "\r\n"
    ).encode()
    _request(port, raw)  # warm: the first answer may fill a cache
    answers = multiprocessing.Queue()
    clients = [
        multiprocessing.Process(target=_client, args=(port, raw, seconds, answers))
        for _ in range(CLIENTS)
    ]
    started = time.perf_counter()
    for client in clients:
        client.start()
    results = [answers.get(timeout=seconds + 60) for _ in clients]
    elapsed = time.perf_counter() - started
    for client in clients:
        client.join()
    wrong = [status for _, status in results if status]
    if wrong:
        raise RuntimeError(f"GET {path} answered {wrong[0]}")
    return sum(count for count, _ in results) / elapsed


def rps_table(
    env: dict[str, str], cookie: str, paths: dict[str, str], seconds: float, target
) -> bool:
    """Print each page's requests per second and its share of hello-world's,
    hello-world measured before and after the pages (the machine drifts)."""
    with Server("benchmarks.hello:app") as hello:
        before = requests_per_second(hello.port, "/", "", seconds)
    with Server("benchmarks.bench_app:app", env) as tracker:
        pages = {
            name: requests_per_second(tracker.port, path, cookie, seconds)
            for name, path in paths.items()
        }
    with Server("benchmarks.hello:app") as hello:
        after = requests_per_second(hello.port, "/", "", seconds)
    baseline = (before + after) / 2
    print(f"\nUnder gunicorn ({WORKERS} workers, {CLIENTS} client processes):")
    print(
        f"hello-world: {baseline:,.0f} requests/s "
        f"({before:,.0f} before the pages, {after:,.0f} after)\n"
    )
    print("| page | requests/s | share of hello-world |")
    print("|---|---|---|")
    ok = True
    for name, rps in pages.items():
        share = rps / baseline
        if "dashboard" in name or "experiments" in name:
            ok = ok and share >= target
        print(f"| {name} | {rps:,.0f} | {share:.1%} |")
    return ok
