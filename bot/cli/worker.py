"""`qwen-bot worker`: claims due pending logins (and later digests and alerts) until stopped.

`--once [--now ISO]` runs every job once (at a given instant) and prints what it did.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
import threading
from datetime import datetime
from typing import Any

from bot.base.config import Settings
from bot.base.errors import ConfigError


def register(sub: Any) -> None:
    parser = sub.add_parser("worker", help="poll pending logins, post digests and alerts")
    parser.add_argument("--once", action="store_true", help="run every job once and exit")
    parser.add_argument(
        "--now", default=None, help="with --once: the instant to run at (ISO 8601, with offset)"
    )
    parser.add_argument("--idle", type=float, default=1.0, help="seconds to sleep when nothing is due")
    parser.set_defaults(func=run)


def _instant(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ConfigError(f"--now must be an ISO 8601 instant, got {raw!r}") from exc
    if value.tzinfo is None:
        raise ConfigError("--now needs a timezone offset (e.g. 2026-04-10T12:00:00Z)")
    return value


def run(args: argparse.Namespace) -> int:
    from bot.base.logs import configure_logging
    from bot.bootstrap import build_bot, build_services

    try:
        settings = dataclasses.replace(Settings.from_env(), shared_process=True)  # no key-file fallback
        configure_logging(settings)
        now = _instant(args.now)
        services = build_services(settings)
    except ConfigError as exc:
        print(f"qwen-bot worker: {exc.message}", file=sys.stderr)
        return exc.exit_code
    worker = build_bot(services).worker(idle_seconds=args.idle)  # finished logins are announced in Slack
    try:
        if args.once:
            print(json.dumps(worker.run_once(now)), flush=True)
            return 0
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        worker.run_forever(stop)
        return 0
    finally:
        services.close()
