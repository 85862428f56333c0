"""CPU profile of the ack path: signed `/qwen` requests straight into the WSGI callable, in this process.

Builds the production WSGI app (`bot.app.wsgi()` from the bench stack's environment), then calls it N times
from one thread under cProfile (which sees only this thread: the ack, not the lazy half on the executor).
Prints CPU ms per ack (time.thread_time) and the top functions. Usage:
    python bench/profile_ack.py [--n 300] [--text "usage last-month"] [--top 30]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_e2e_stack import SECRET, stack

from bot.devtools.localslack import GENERAL
from bot.devtools.localslack.sender import sign


def environ(body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "3000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
    }
    for key, value in headers.items():
        env["HTTP_" + key.upper().replace("-", "_")] = value
    return env


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--text", default="usage last-month")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime")
    args = parser.parse_args(argv)
    with stack(latency_ms=0, cache_ttl=0) as s:
        users = [f"UP{i:03d}" for i in range(20)]
        s.link(users)
        os.environ.update(s.env)
        from bot.app import wsgi

        application = wsgi()
        requests = []
        for i in range(args.n + 20):
            form, _ = s.slack.sender.payloads.slash(users[i % len(users)], GENERAL, args.text, "/qwen")
            body = urlencode(form).encode()
            requests.append((body, sign(SECRET, body.decode())))

        def call(body: bytes, headers: dict[str, str]) -> None:
            status: list[str] = []
            out = b"".join(application(environ(body, headers), lambda st, _h, *_: status.append(st)))
            if not status or not status[0].startswith("200"):
                raise RuntimeError(f"{status} {out[:80]!r}")

        for body, headers in requests[:20]:  # warm-up (imports, auth.test, first DB use)
            call(body, headers)
        time.sleep(1.0)
        profiler = cProfile.Profile()
        cpu0 = time.thread_time()
        wall0 = time.perf_counter()
        profiler.enable()
        for body, headers in requests[20:]:
            call(body, headers)
        profiler.disable()
        cpu = (time.thread_time() - cpu0) / args.n * 1000
        wall = (time.perf_counter() - wall0) / args.n * 1000
        print(f"ack path: {cpu:.2f} ms CPU, {wall:.2f} ms wall per request (under cProfile), n={args.n}")
        t0 = time.thread_time()
        for body, headers in requests[20:]:
            call(body, headers)
        print(f"without profiler (replayed bodies): {(time.thread_time() - t0) / args.n * 1000:.2f} ms CPU")
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats(args.sort).print_stats(args.top)
        print(text.getvalue())
        time.sleep(3)  # let lazy listeners finish before the stack goes away
        return cpu


if __name__ == "__main__":
    main()
