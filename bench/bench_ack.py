"""Ack latency of `/qwen usage last-month` with 50 commands in flight at once (goal: p99 <= 50 ms).

The bot is one `qwen-bot serve --no-worker` process; each round sends 50 signed slash commands from 50
threads at once and times each HTTP round trip (Slack's 3 s budget is for exactly this). The lazy half
(QwenCloud calls with 100 ms simulated latency, the answer through response_url) runs meanwhile, in the
same process, so the acks compete with real work. Usage: python bench/bench_ack.py [--rounds 10]
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_e2e_stack import SECRET, machine, median, pct, stack

from bot.localslack import GENERAL
from bot.localslack.sender import sign

CONCURRENCY = 50
TEXT = "usage last-month"


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--pythonpath", default="")
    parser.add_argument("--text", default=TEXT)
    parser.add_argument(
        "--gunicorn-workers", type=int, default=0, help="serve with gunicorn (Procfile) instead"
    )
    args = parser.parse_args(argv)
    users = [f"UB{i:03d}" for i in range(args.concurrency)]
    acks: list[float] = []
    extra = {"PYTHONPATH": args.pythonpath} if args.pythonpath else {}
    with stack(latency_ms=args.latency_ms, cache_ttl=0, extra_env=extra) as s:
        s.link(users)
        if args.gunicorn_workers:
            s.start_gunicorn(workers=args.gunicorn_workers)
            for _ in range(4 * args.gunicorn_workers):
                s.slash(users[0], "help")  # warm every worker
        else:
            s.start_web()
        s.slash(users[0], "help")  # warm-up: first request pays imports and auth.test
        port = int(s.web_url.split(":")[2].split("/")[0])
        barrier = threading.Barrier(args.concurrency)

        def one(user: str) -> tuple[float, str]:
            # Pre-built, pre-signed request on a pre-connected socket: the client spends microseconds, so
            # the figure is the server's (a 50-thread httpx client adds its own GIL queueing otherwise).
            form, token = s.slack.sender.payloads.slash(user, GENERAL, args.text, "/qwen")
            body = urlencode(form).encode()
            headers = sign(SECRET, body.decode())
            raw = (
                "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
                + f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            with socket.create_connection(("127.0.0.1", port)) as sock:
                barrier.wait()
                started = time.perf_counter()
                sock.sendall(raw)
                reply = b""
                while chunk := sock.recv(65536):
                    reply += chunk
                elapsed = time.perf_counter() - started
            if not reply.startswith(b"HTTP/1.0 200") and not reply.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(reply[:80])
            return elapsed, token

        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            for _ in range(args.rounds):
                results = list(pool.map(one, users))
                acks += [elapsed for elapsed, _ in results]
                for _, token in results:  # let the lazy half finish before the next burst
                    if args.text == TEXT:
                        s.wait_answer(token)
                time.sleep(0.2)
    out = {
        "n": len(acks),
        "p50_ms": pct(acks, 50) * 1000,
        "p99_ms": pct(acks, 99) * 1000,
        "max_ms": max(acks) * 1000,
        "median_ms": median(acks) * 1000,
    }
    print(
        f"ack latency, {args.concurrency} concurrent, {args.rounds} rounds ({out['n']} commands): "
        f"p50 {out['p50_ms']:.1f} ms, p99 {out['p99_ms']:.1f} ms, max {out['max_ms']:.1f} ms"
    )
    print(f"machine: {machine()}")
    return out


if __name__ == "__main__":
    main()
