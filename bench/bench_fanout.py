"""Digest fan-out: one due weekly digest in each of N channels (default 1,000), posted by `qwen-bot worker`
processes against the local Slack Web API enforcing Slack's 1 message per second per channel.

Each channel is subscribed by two team accounts (`prod`, `staging`), so every channel gets two digests and
the rate limit binds: the second post to a channel must come >= 1 s after the first (Slack answers 429 +
Retry-After otherwise, and the worker waits it out). The floor is therefore max(1 s, the time the posts
need at the workers' own pace); the report gives the wall time, the floor, posts, 429s and duplicates.
PostgreSQL (QWEN_BOT_TEST_POSTGRES_URL) lets several workers share the work; SQLite runs one worker.
`bench/bench_fanout_floor.py` times the same posts alone (no bot work) on the same machine.
Usage: python bench/bench_fanout.py [--channels 1000] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_e2e_stack import machine, stack

from bot.base.schedule import Schedule
from bot.devtools.localslack.state import Channel
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.storage.owner import Owner
from tests.fakes.slack import static_team

ACCOUNTS = ("prod", "staging")


@contextmanager
def _schema(base: str) -> Iterator[str | None]:
    """A fresh PostgreSQL schema (dropped afterwards) so the benchmark never touches other data."""
    if not base:
        yield None
        return
    from sqlalchemy import create_engine, text

    from bot.storage.db import normalise_url

    url = normalise_url(base)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in url else "?"
        yield f"{url}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args(argv)
    base = os.environ.get("QWEN_BOT_TEST_POSTGRES_URL", "").strip()
    workers = args.workers if base else 1
    with _schema(base) as pg, stack(latency_ms=20, database_url=pg) as s:
        s.slack.enforce_channel_rate(1.0)
        now = datetime.now(UTC)
        team = s.slack.ws.team_id
        for name in ACCOUNTS:
            creds = DeviceCredentials(
                s.sim.issue_token(), now + timedelta(days=30), QwenUser(name, None, None)
            )
            s.services.credentials.put(Owner.team_account(team, name), creds)
        slot = now - timedelta(minutes=5)
        schedule = Schedule("weekly", slot.weekday(), clock_time(slot.hour, slot.minute), "UTC")
        subs = static_team(s.services).subscriptions
        channels = [f"CF{i:05d}" for i in range(args.channels)]
        for cid in channels:
            s.slack.ws.add_channel(Channel(cid, cid.lower()))
            for name in ACCOUNTS:
                subs.add(
                    team_id=team,
                    channel_id=cid,
                    account=name,
                    schedule=schedule,
                    created_by="U_ADMIN",
                    now=now - timedelta(days=10),
                )
        expected = len(channels) * len(ACCOUNTS)
        started = time.monotonic()
        for _ in range(workers):
            s.spawn("worker", "--idle", "0.1")

        def posted() -> list[object]:
            return [m for cid in channels for m in s.slack.messages(cid)]

        while len(posted()) < expected and time.monotonic() - started < args.timeout:
            time.sleep(0.5)
        wall = time.monotonic() - started
        time.sleep(3)
        messages = posted()
        per_channel = Counter(getattr(m, "channel", "") for m in messages)
        limited = sum(1 for c in s.slack.calls("chat.postMessage") if c.status == 429)
        posts = [c for c in s.slack.calls("chat.postMessage") if c.status == 200]
        first_post = min(c.at for c in posts) if posts else 0.0
        last_post = max(c.at for c in posts) if posts else 0.0
    floor = 1.0 * (len(ACCOUNTS) - 1)
    out = {
        "channels": float(len(channels)),
        "digests": float(len(messages)),
        "expected": float(expected),
        "wall_s": wall,
        "post_span_s": last_post - first_post,
        "floor_s": floor,
        "429s": float(limited),
        "duplicates": float(sum(n - len(ACCOUNTS) for n in per_channel.values() if n > len(ACCOUNTS))),
        "workers": float(workers),
    }
    print(
        f"fan-out: {len(channels)} channels x {len(ACCOUNTS)} digests, {workers} worker process(es), "
        f"{'PostgreSQL' if pg else 'SQLite'}: {len(messages)}/{expected} posted in {wall:.1f} s "
        f"(first to last post {out['post_span_s']:.1f} s); rate-limit floor {floor:.1f} s; "
        f"429s {limited}; duplicates {out['duplicates']:.0f}; "
        f"{wall / max(1, len(messages)) * 1000:.0f} ms/digest"
    )
    print(f"machine: {machine()}")
    return out


if __name__ == "__main__":
    main()
