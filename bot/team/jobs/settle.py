"""Helpers of one digest pass (team/jobs/digest.py): a per-run cache with per-channel pacing, and settling
posts whose outcome is unknown.

Settling: a post answered by a 5xx / timeout, or left in `sending` by a worker that died, is `failed` with
"outcome unknown:". Every digest post carries metadata {event_type: "qwen_digest", event_payload: {run_id}}.
Once the row has been still for `after` (longer than the Slack client's timeout, so no call of ours is still
in flight), a pass reads the channel's history since the row was claimed:

* the message with the run id is there -> `posted` with its ts;
* it is not -> `retry` now (any worker takes it like a 429'd row and posts once more), unless the slot is
  older than the catch-up window (no stale digests): then `failed`, "not posted";
* the history cannot be read (no `channels:history`, an error, too long) -> stays `failed`, visible to
  operators, never retried.

Each move is a compare-and-set on the row as it was read, so two workers never both act on it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.storage.delivery import UNKNOWN_PREFIX, Deliveries
from bot.storage.team_store import SubscriptionStore
from bot.team.outbox import DIGEST_EVENT, Absent, Found, SlackClients

log = logging.getLogger("bot.digest")
T = TypeVar("T")

SETTLE_AFTER = timedelta(minutes=2)  # > the Slack client's 20 s timeout: nothing of ours is still in flight
CLOCK_SKEW = timedelta(minutes=10)  # `oldest` is the claim time minus this (our clock vs Slack's)
CHANNEL_GAP = 1.0  # seconds between two posts to one channel (Slack: about 1 message per second per channel)


class _Cell:
    __slots__ = ("done", "error", "lock", "value")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done = False
        self.value: Any = None
        self.error: BaseException | None = None


class RunCache:
    """Compute-once values of one pass (reports, chart uploads) for its threads; last post per channel."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cells: dict[Hashable, _Cell] = {}
        self._last_post: dict[str, float] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            cell = self._cells.setdefault(key, _Cell())
        with cell.lock:
            if not cell.done:
                try:
                    cell.value = compute()
                except Exception as exc:  # the same failure for every subscription sharing the key
                    cell.error = exc
                cell.done = True
        if cell.error is not None:
            raise cell.error
        value: T = cell.value
        return value

    def posted(self, channel: str) -> None:
        with self._lock:
            self._last_post[channel] = time.monotonic()

    def pace(self, channel: str, gap: float) -> None:
        """Wait until `gap` seconds have passed since this pass last posted to `channel`."""
        with self._lock:
            last = self._last_post.get(channel)
        if last is not None:
            wait = gap - (time.monotonic() - last)
            if wait > 0:
                time.sleep(wait)


def settle_unknown(
    runs: Deliveries,
    subs: SubscriptionStore,
    slack: SlackClients,
    *,
    now: datetime,
    after: timedelta,
    catchup: timedelta,
) -> int:
    """Settle `failed` "outcome unknown" digest runs through their channel's history; how many settled."""
    settled = 0
    for row in runs.unknown(settled_before=now - after):
        sub = subs.get(int(row["subscription_id"]))
        client = slack.for_team(sub.team_id) if sub is not None else None
        if client is None:
            continue
        oldest = (row["created_at"] - CLOCK_SKEW).timestamp()
        lookup = client.find_posted(
            channel=str(row["channel_id"]), oldest=oldest, event_type=DIGEST_EVENT, run_id=int(row["id"])
        )
        reason = str(row["error"])[len(UNKNOWN_PREFIX) :].strip()
        if isinstance(lookup, Found):
            moved = runs.settle(row, now=now, state="posted", message_ts=lookup.ts, error=None)
            log.info("digest run %s: found in the channel's history (ts %s): posted", row["id"], lookup.ts)
        elif isinstance(lookup, Absent) and row["occurrence"] < now - catchup:
            moved = runs.settle(row, now=now, error=f"not posted ({reason}); now past the catch-up window")
            log.error("digest run %s: not in the channel's history, too late to post (%s)", row["id"], reason)
        elif isinstance(lookup, Absent):
            moved = runs.settle(
                row,
                now=now,
                state="retry",
                next_attempt_at=now,
                lease_owner=None,
                lease_until=None,
                error=f"not in the channel's history after an unknown outcome ({reason}): posting again",
            )
            log.warning("digest run %s: not in the channel's history (%s): posting again", row["id"], reason)
        else:
            moved = runs.settle(
                row,
                now=now,
                error=f"outcome unknown, not retried (channel history unavailable: {lookup.error}): {reason}",
            )
            log.error("digest run %s: outcome unknown and history unavailable (%s)", row["id"], lookup.error)
        settled += int(moved)
    return settled
