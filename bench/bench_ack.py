"""Ack latency of `/qwen usage last-month` with 50 commands in flight at once (goal: p99 <= 50 ms).

The bot is served like production: gunicorn per the Procfile (gthread; `--workers`, `--threads`), or
`qwen-bot serve --no-worker` with `--serve`. Each round sends 50 signed slash commands at once and times
each HTTP round trip (Slack's 3 s budget is for exactly this) and, with gunicorn, the server's own time
per request from its access log (request parsed -> response written). The lazy half (QwenCloud calls
with 100 ms simulated latency, the answer through response_url) runs meanwhile in the bot, so the acks
compete with real work.

The load generator is a separate process (the simulator and the fake Slack in this process must not
delay its clock readings): requests are built and signed beforehand, sent on pre-connected sockets from a
pool of threads released by one barrier. Usage: python bench/bench_ack.py [--rounds 10] [--workers 1]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_e2e_stack import SECRET, Stack, machine, median, pct, stack

from bot.devtools.localslack import GENERAL
from bot.devtools.localslack.sender import sign

CONCURRENCY = 50
TEXT = "usage last-month"


def burst(port: int, raws: list[bytes]) -> list[float]:
    """In the client process: send every request at once; the round trip of each, in seconds."""
    barrier = threading.Barrier(len(raws))

    def one(raw: bytes) -> float:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            barrier.wait()
            started = time.perf_counter()
            sock.sendall(raw)
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
            elapsed = time.perf_counter() - started
        if not reply.startswith((b"HTTP/1.0 200", b"HTTP/1.1 200")):
            raise RuntimeError(reply[:80])
        return elapsed

    with ThreadPoolExecutor(max_workers=len(raws)) as pool:
        return list(pool.map(one, raws))


def signed(s: Stack, user: str, text: str) -> tuple[bytes, str]:
    form, token = s.slack.sender.payloads.slash(user, GENERAL, text, "/qwen")
    body = urlencode(form).encode()
    headers = sign(SECRET, body.decode())
    raw = (
        "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        + f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    return raw, token


def server_times(access_log: Path, skip: int) -> list[float]:
    """Seconds per /slack/events POST from gunicorn's access log, after the first `skip` (warm-up)."""
    times = []
    for line in access_log.read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] == "POST" and parts[3] == "/slack/events":
            times.append(int(parts[0]) / 1e6)
    return times[skip:]


def cpu_seconds(master_pid: int) -> float:
    """User + system CPU seconds of gunicorn's worker processes (children of the master)."""
    total = 0.0
    for task in Path(f"/proc/{master_pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": pct(values, 50) * 1000,
        "p99_ms": pct(values, 99) * 1000,
        "max_ms": max(values) * 1000,
        "median_ms": median(values) * 1000,
    }


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--pythonpath", default="")
    parser.add_argument("--text", default=TEXT)
    parser.add_argument("--serve", action="store_true", help="qwen-bot serve --no-worker, not gunicorn")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn gthread threads per worker")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker class (Procfile: gthread)")
    parser.add_argument("--database-url", default=None, help="e.g. PostgreSQL (default: a SQLite file)")
    args = parser.parse_args(argv)
    users = [f"UB{i:03d}" for i in range(args.concurrency)]
    acks: list[float] = []
    extra = {"PYTHONPATH": args.pythonpath} if args.pythonpath else {}
    client = multiprocessing.get_context("spawn").Pool(1)
    with stack(latency_ms=args.latency_ms, cache_ttl=0, extra_env=extra, database_url=args.database_url) as s:
        s.link(users)
        access_log = s.workdir / "access.log"
        warm = 1
        if args.serve:
            proc = s.start_web()
        else:
            proc = s.start_gunicorn(
                workers=args.workers,
                threads=args.threads,
                access_log=access_log,
                worker_class=args.worker_class,
            )
            warm = 4 * args.workers
        for _ in range(warm):
            s.slash(users[0], "help")  # every worker pays its imports and auth.test before the bursts
        port = int(s.web_url.split(":")[2].split("/")[0])
        time.sleep(0.5)
        cpu_before = None if args.serve else cpu_seconds(proc.pid)
        for _ in range(args.rounds):
            requests = [signed(s, user, args.text) for user in users]
            acks += client.apply(burst, (port, [raw for raw, _ in requests]))
            for _, token in requests:  # let the lazy half finish before the next burst
                if args.text == TEXT:
                    s.wait_answer(token)
            time.sleep(0.2)
        time.sleep(0.5)  # the access log line is written after the response
        served = [] if args.serve else server_times(access_log, warm)
        cpu_ms = 0.0 if cpu_before is None else (cpu_seconds(proc.pid) - cpu_before) / len(served) * 1000
    client.close()
    client.join()
    how = "qwen-bot serve" if args.serve else f"gunicorn {args.worker_class} {args.workers}x{args.threads}"
    how += ", PostgreSQL" if args.database_url else ", SQLite"
    out = {"n": float(len(acks)), **summary(acks)}
    print(
        f"ack latency ({how}), {args.concurrency} concurrent, {args.rounds} rounds ({len(acks)} commands): "
        f"round trip p50 {out['p50_ms']:.1f} ms, p99 {out['p99_ms']:.1f} ms, max {out['max_ms']:.1f} ms"
    )
    if served:
        server = summary(served)
        out.update({f"server_{k}": v for k, v in server.items()})
        print(
            f"  server side (gunicorn request time, {len(served)} requests): p50 {server['p50_ms']:.1f} ms, "
            f"p99 {server['p99_ms']:.1f} ms, max {server['max_ms']:.1f} ms; "
            f"web CPU {cpu_ms:.2f} ms per command (ack + lazy half)"
        )
        out["cpu_ms_per_command"] = cpu_ms
    print(f"machine: {machine()}")
    return out


if __name__ == "__main__":
    main()
