"""The delivery state machine shared by digest_run, alert_event and reminder rows.

The rule (at most once; a failure is visible, a duplicate never happens):

    claimed --(commit, then the one Slack call)--> sending --ok--> posted (message ts stored)
       |                                             |--429 / definite refusal--> retry (next_attempt_at)
       |                                             |--5xx, timeout, crash--> failed ("outcome unknown")
       +-- worker died (lease expired) -> may be claimed again: nothing was sent yet

* A row is INSERTed (state `claimed`) before any work; its UNIQUE key (subscription+period, rule+crossing,
  user+credential expiry) makes a second insert fail, so only one worker owns a period/crossing.
* `sending` is committed *before* the Slack call. A row found in `sending` with an expired lease may or
  may not have been posted; it is never retried but marked `failed` and logged (operators see it in
  `/qwen digest list` and the logs). Slack refusals that prove nothing was posted (HTTP 429 with
  Retry-After, `ok:false` errors) go to `retry` and are taken again by any worker when due.
* Every transition is a compare-and-set on (id, state, lease_owner), so two workers never both win.
* Digests settle "outcome unknown" rows (`unknown()`, `settle()`) from the channel's history, where the post
  carries its run id: found -> posted; absent -> retry; history unreadable -> stays failed
  (team/jobs/settle.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Engine, Table, and_, insert, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError

log = logging.getLogger("bot.delivery")

State = Literal["claimed", "sending", "posted", "retry", "failed"]
UNKNOWN_PREFIX = "outcome unknown:"  # `failed` rows whose post may exist; digests settle them by history
DEFAULT_LEASE = timedelta(minutes=2)  # short: a restarted worker takes over a dead claim soon


@dataclass(frozen=True, slots=True)
class Claim:
    row_id: int
    worker_id: str
    attempts: int
    row: RowMapping


class Deliveries:
    def __init__(
        self, *, engine: Engine, table: Table, lease: timedelta = DEFAULT_LEASE, max_attempts: int = 8
    ) -> None:
        self._engine = engine
        self._t = table
        self._lease = lease
        self._max_attempts = max_attempts

    # ---- claiming ----------------------------------------------------------------------------
    def create(
        self, key: dict[str, Any], *, worker_id: str, now: datetime, extra: dict[str, Any] | None = None
    ) -> Claim | None:
        """Insert the row for `key` as claimed by us; if it exists, take it over when claimable."""
        values = {
            **key,
            **(extra or {}),
            "state": "claimed",
            "lease_owner": worker_id,
            "lease_until": now + self._lease,
            "attempts": 1,
            "created_at": now,
            "updated_at": now,
        }
        try:
            with self._engine.begin() as conn:  # RETURNING the row: no second query to build the claim
                row = conn.execute(insert(self._t).values(**values).returning(*self._t.c)).mappings().one()
        except IntegrityError:
            existing = self.find(key)
            return None if existing is None else self.take(int(existing["id"]), worker_id=worker_id, now=now)
        return Claim(int(row["id"]), worker_id, int(row["attempts"]), row)

    def find(self, key: dict[str, Any]) -> RowMapping | None:
        where = [self._t.c[name] == value for name, value in key.items()]
        with self._engine.connect() as conn:
            return conn.execute(select(self._t).where(*where)).mappings().first()

    def existing(self, names: tuple[str, str], firsts: list[Any], chunk: int = 500) -> set[tuple[Any, Any]]:
        """The (names[0], names[1]) key pairs of the rows whose names[0] is among `firsts` (one query per
        `chunk`): a pass skips what is already handled without a query per candidate."""
        first, second = self._t.c[names[0]], self._t.c[names[1]]
        out: set[tuple[Any, Any]] = set()
        with self._engine.connect() as conn:
            for i in range(0, len(firsts), chunk):
                rows = conn.execute(select(first, second).where(first.in_(firsts[i : i + chunk])))
                out.update((a, b) for a, b in rows)
        return out

    def get(self, row_id: int) -> RowMapping | None:
        with self._engine.connect() as conn:
            return conn.execute(select(self._t).where(self._t.c.id == row_id)).mappings().first()

    def take(self, row_id: int, *, worker_id: str, now: datetime) -> Claim | None:
        """Claim an existing row that is due for a retry or whose claimer died before sending."""
        with self._engine.begin() as conn:
            taken = conn.execute(
                update(self._t)
                .where(self._t.c.id == row_id, self._claimable(now))
                .values(
                    state="claimed",
                    lease_owner=worker_id,
                    lease_until=now + self._lease,
                    attempts=self._t.c.attempts + 1,
                    updated_at=now,
                )
            ).rowcount
        return self._claim(row_id, worker_id) if taken == 1 else None

    def due_ids(self, *, now: datetime, limit: int = 50) -> list[int]:
        """Rows waiting for a retry, or claimed by a worker that stopped (lease expired)."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(self._t.c.id).where(self._claimable(now)).order_by(self._t.c.id).limit(limit)
            ).scalars()
            return [int(r) for r in rows]

    def due(self, *, now: datetime, limit: int = 50) -> list[RowMapping]:
        """The rows of `due_ids` (retry due, dead claim), oldest first."""
        with self._engine.connect() as conn:
            return list(
                conn.execute(select(self._t).where(self._claimable(now)).order_by(self._t.c.id).limit(limit))
                .mappings()
                .all()
            )

    # ---- outcome unknown: settled by the channel's history (bot.team.jobs.digest) ---------------------
    def unknown(
        self, *, settled_before: datetime, limit: int = 50, where: dict[str, tuple[Any, ...]] | None = None
    ) -> list[RowMapping]:
        """`failed` rows whose post may or may not exist (never resolved, last touched before the cut);
        `where` narrows them (column -> allowed values)."""
        t = self._t
        narrow = [t.c[name].in_(values) for name, values in (where or {}).items()]
        with self._engine.connect() as conn:
            return list(
                conn.execute(
                    select(t)
                    .where(
                        t.c.state == "failed",
                        t.c.message_ts.is_(None),
                        t.c.channel_id.is_not(None),
                        t.c.error.like(UNKNOWN_PREFIX + "%"),
                        t.c.updated_at <= settled_before,
                        *narrow,
                    )
                    .order_by(t.c.id)
                    .limit(limit)
                )
                .mappings()
                .all()
            )

    def settle(self, row: RowMapping, *, now: datetime, **values: Any) -> bool:
        """Compare-and-set an unknown `failed` row exactly as it was read (state, updated_at, error)."""
        t = self._t
        with self._engine.begin() as conn:
            moved = conn.execute(
                update(t)
                .where(
                    t.c.id == row["id"],
                    t.c.state == "failed",
                    t.c.updated_at == row["updated_at"],
                    t.c.error == row["error"],
                )
                .values(updated_at=now, **values)
            ).rowcount
        return moved == 1

    def _claimable(self, now: datetime) -> Any:
        t = self._t
        return or_(
            and_(t.c.state == "retry", t.c.next_attempt_at <= now),
            and_(t.c.state == "claimed", t.c.lease_until < now),
        )

    def _claim(self, row_id: int, worker_id: str) -> Claim | None:
        row = self.get(row_id)
        if row is None or row["lease_owner"] != worker_id:
            return None
        return Claim(row_id, worker_id, int(row["attempts"]), row)

    # ---- transitions -------------------------------------------------------------------------
    def sending(self, claim: Claim, *, now: datetime, channel_id: str) -> bool:
        """Commit `sending` before the Slack call; False means we lost the claim: do not send."""
        return self._move(
            claim,
            ("claimed",),
            state="sending",
            channel_id=channel_id,
            lease_until=now + self._lease,
            updated_at=now,
        )

    def posted(self, claim: Claim, *, now: datetime, ts: str) -> bool:
        # `failed` too: a slow call may outlive its lease and be marked unknown meanwhile; the ts wins.
        return self._move(
            claim, ("sending", "failed"), state="posted", message_ts=ts, error=None, updated_at=now
        )

    def retry(self, claim: Claim, *, now: datetime, after: timedelta, error: str) -> State:
        """Nothing was posted: try again after `after`, or give up after max_attempts."""
        if claim.attempts >= self._max_attempts:
            self.failed(claim, now=now, error=f"gave up after {claim.attempts} attempts: {error}")
            return "failed"
        self._move(
            claim,
            ("claimed", "sending"),
            state="retry",
            next_attempt_at=now + after,
            lease_owner=None,
            lease_until=None,
            error=error,
            updated_at=now,
        )
        return "retry"

    def wait(self, claim: Claim, *, now: datetime, until: datetime, error: str) -> bool:
        """Nothing was posted and nothing failed: the row waits (e.g. for a login renewal) until `until`
        without using up an attempt, so a long wait never turns into "gave up"."""
        return self._move(
            claim,
            ("claimed", "sending"),
            state="retry",
            next_attempt_at=until,
            attempts=max(0, claim.attempts - 1),
            lease_owner=None,
            lease_until=None,
            error=error,
            updated_at=now,
        )

    def waiting(self, *, error_prefix: str, limit: int = 500) -> list[RowMapping]:
        """`retry` rows whose error starts with `error_prefix` (rows parked by `wait`)."""
        t = self._t
        query = select(t).where(t.c.state == "retry", t.c.error.like(error_prefix + "%"))
        with self._engine.connect() as conn:
            return list(conn.execute(query.order_by(t.c.id).limit(limit)).mappings().all())

    def hasten(self, row: RowMapping, *, now: datetime) -> bool:
        """Make a waiting `retry` row due now (compare-and-set on the row as read)."""
        t = self._t
        with self._engine.begin() as conn:
            moved = conn.execute(
                update(t)
                .where(t.c.id == row["id"], t.c.state == "retry", t.c.updated_at == row["updated_at"])
                .values(next_attempt_at=now)
            ).rowcount
        return moved == 1

    def failed(self, claim: Claim, *, now: datetime, error: str) -> None:
        log.error("delivery %s#%s failed: %s", self._t.name, claim.row_id, error)
        self._move(
            claim, ("claimed", "sending"), state="failed", error=error, lease_until=None, updated_at=now
        )

    def expire_unknown(self, *, now: datetime) -> int:
        """`sending` rows whose worker vanished: the post may have happened, so never retry them."""
        t = self._t
        with self._engine.begin() as conn:
            stale = (
                conn.execute(select(t.c.id).where(t.c.state == "sending", t.c.lease_until < now))
                .scalars()
                .all()
            )
            count = conn.execute(
                update(t)
                .where(t.c.state == "sending", t.c.lease_until < now)
                .values(
                    state="failed",
                    error=UNKNOWN_PREFIX + " the worker stopped while posting",
                    updated_at=now,
                )
            ).rowcount
        for row_id in stale:
            log.error(
                "delivery %s#%s: outcome unknown (worker stopped while posting); not retried", t.name, row_id
            )
        return int(count)

    def _move(self, claim: Claim, from_states: tuple[State, ...], **values: Any) -> bool:
        t = self._t
        with self._engine.begin() as conn:
            moved = conn.execute(
                update(t)
                .where(t.c.id == claim.row_id, t.c.state.in_(from_states), t.c.lease_owner == claim.worker_id)
                .values(**values)
            ).rowcount
        return moved == 1
