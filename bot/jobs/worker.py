"""Background work driven by database rows. Each job claims what is due with a lease and acts once.

Jobs implement `run_due(now) -> int` (how many items they handled). The login job is here; the team's
(digests, alerts, reminders) are in bot/team/jobs/. bot/bootstrap.py gives a worker its list.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.base.clock import Clock
from bot.core.login import LoginService
from bot.storage.pending import PendingLoginStore

log = logging.getLogger("bot.worker")


class Job(Protocol):
    name: str

    def run_due(self, now: datetime) -> int: ...


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


PURGE_EVERY = timedelta(hours=1)


class LoginPollJob:
    """Polls every due pending device-flow login once; two workers never hold the same row."""

    name = "login_poll"

    def __init__(
        self,
        *,
        pending: PendingLoginStore,
        login: LoginService,
        worker_id: str,
        lease: timedelta = timedelta(seconds=120),
        batch: int = 20,
    ) -> None:
        self._pending = pending
        self._login = login
        self._worker_id = worker_id
        self._lease = lease
        self._batch = batch
        self._purged_at: datetime | None = None

    def run_due(self, now: datetime) -> int:
        if self._purged_at is None or now - self._purged_at >= PURGE_EVERY:
            self._purged_at = now
            try:
                self._pending.purge_finished(now=now)  # ended flows go after a week
            except Exception:
                log.exception("purging finished logins failed")
        rows = self._pending.claim_due(
            worker_id=self._worker_id, now=now, lease=self._lease, limit=self._batch
        )
        for row in rows:
            try:
                self._login.poll_once(row, worker_id=self._worker_id, now=now)
            except Exception:  # storage trouble: the lease runs out and another pass retries
                log.exception("login poll of %s failed", row.id)
        return len(rows)


class Worker:
    """Runs its jobs (bootstrap's `Bot.jobs()` gives the list) until stopped."""

    def __init__(
        self, *, jobs: Sequence[Job], clock: Clock, worker_id: str | None = None, idle_seconds: float = 1.0
    ) -> None:
        self.worker_id = worker_id or new_worker_id()
        self._clock = clock
        self.jobs = list(jobs)
        self._idle = idle_seconds

    def run_once(self, now: datetime | None = None) -> dict[str, int]:
        """Every job once; a failing job is logged and does not stop the others."""
        now = now or self._clock.now()
        done: dict[str, int] = {}
        for job in self.jobs:
            try:
                done[job.name] = job.run_due(now)
            except Exception:
                log.exception("job %s failed", job.name)
                done[job.name] = 0
        return done

    def run_forever(self, stop_event: threading.Event) -> None:
        log.info("worker %s started with jobs %s", self.worker_id, [j.name for j in self.jobs])
        while not stop_event.is_set():
            done = self.run_once()
            if not any(done.values()):
                stop_event.wait(self._idle)
        log.info("worker %s stopped", self.worker_id)
