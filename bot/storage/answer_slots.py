"""answer_slot: whose answer is in flight, shared by every web process (created by migration 0007).

One row per owner key ("<team_id>:<user_id>") while an answer is being fetched: the holder (the request)
and when the slot frees itself should the process holding it die. Acquiring is ONE statement, an upsert
that overwrites the row only when it has expired (or is already this holder's), so two processes asking
at the same instant cannot both win: the database serialises them on the primary key. Release deletes the
row only while it is still this holder's. Writes go through a group commit (bot/storage/group_commit.py):
the claims of a burst (the lazy halves) share commits instead of queueing for one each. On PostgreSQL the
table is UNLOGGED (no WAL flush; a database crash empties it, which only frees slots). Errors are the
caller's (bot/core/inflight.py falls back).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import Column, Connection, Engine, String, Table, and_, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.base.clock import Clock
from bot.storage.db import UTCDateTime, is_sqlite, metadata
from bot.storage.group_commit import GroupCommit

MAX_KEY = 320
MAX_HOLDER = 255

answer_slot = Table(
    "answer_slot",
    metadata,
    Column("owner_key", String(MAX_KEY), primary_key=True),
    Column("holder", String(MAX_HOLDER), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
)


def _fit(value: str, limit: int) -> str:
    """Keys and holders are Slack ids and URLs; anything longer is named by its hash, never cut short."""
    return value if len(value) <= limit else "sha256:" + hashlib.sha256(value.encode()).hexdigest()


class AnswerSlotStore:
    def __init__(self, *, engine: Engine, clock: Clock, ttl_seconds: int = 120) -> None:
        self._engine = engine
        self._clock = clock
        self._ttl = timedelta(seconds=max(1, ttl_seconds))
        self._insert = sqlite.insert if is_sqlite(engine) else postgresql.insert
        self._commits = GroupCommit(engine=engine)

    def acquire(self, key: str, holder: str) -> bool:
        """True when `key` had no live slot (or `holder` already had it): now `holder` holds it."""
        now = self._clock.now()
        row = {"owner_key": _fit(key, MAX_KEY), "holder": _fit(holder, MAX_HOLDER)}
        upsert = self._insert(answer_slot).values(**row, expires_at=now + self._ttl)
        t, new = answer_slot.c, upsert.excluded
        stmt = upsert.on_conflict_do_update(
            index_elements=[t.owner_key],
            set_={"holder": new.holder, "expires_at": new.expires_at},
            where=or_(t.expires_at <= now, t.holder == new.holder),  # only an expired row, or our own
        ).returning(t.holder)
        return self._commits.run(lambda conn: conn.execute(stmt).first() is not None)

    def holds(self, key: str, holder: str) -> bool:
        """Whether `holder` has the live slot of `key` (tests; the lazy half asks its own process)."""
        t = answer_slot.c
        query = select(t.holder).where(
            and_(t.owner_key == _fit(key, MAX_KEY), t.holder == _fit(holder, MAX_HOLDER)),
            t.expires_at > self._clock.now(),
        )
        with self._engine.connect() as conn:
            return conn.execute(query).first() is not None

    def release(self, key: str, holder: str) -> None:
        """Free the slot if `holder` still has it; a row another holder took over (expired) stays."""
        t = answer_slot.c
        mine = and_(t.owner_key == _fit(key, MAX_KEY), t.holder == _fit(holder, MAX_HOLDER))
        stmt = delete(answer_slot).where(mine)

        def run(conn: Connection) -> None:
            conn.execute(stmt)

        self._commits.run(run)
