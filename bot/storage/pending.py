"""Durable device-flow logins. Workers claim due rows with a lease, poll once, write the outcome.

PostgreSQL claims with `SELECT ... FOR UPDATE SKIP LOCKED`; SQLite with one conditional UPDATE per row.
Either way a row is polled by at most one holder of an unexpired lease, and a restart loses nothing.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, false, insert, or_, select, text, update

from bot.qwencloud.models import DeviceCode
from bot.storage.crypto import Crypto
from bot.storage.db import is_sqlite, pending_login
from bot.storage.owner import Owner
from bot.storage.pending_models import FINAL_STATUSES, NotifyTarget, PendingLogin, Purpose, Status

__all__ = ["FINAL_STATUSES", "NotifyTarget", "PendingLogin", "PendingLoginStore", "Purpose", "Status"]

_KIND = "pending_login"
FINISHED_KEPT = timedelta(days=7)  # an ended flow stays this long (status, support questions), then goes
t = pending_login.c


def _context(row_id: str, owner: Owner, purpose: str, account: str) -> str:
    return f"{owner.context(_KIND)}\x1f{row_id}\x1f{purpose}\x1f{account}"


class PendingLoginStore:
    def __init__(self, *, engine: Engine, crypto: Crypto) -> None:
        self._engine = engine
        self._crypto = crypto

    # -- creating and finding
    def create(
        self,
        *,
        owner: Owner,
        purpose: Purpose,
        account_name: str = "",
        code: DeviceCode,
        code_verifier: str,
        notify: NotifyTarget,
        now: datetime,
    ) -> PendingLogin:
        with self._engine.begin() as conn:
            row_id = self._insert(conn, owner, purpose, account_name, code, code_verifier, notify, now)
        found = self.get(row_id)
        assert found is not None
        return found

    def create_unless_active(
        self,
        *,
        owner: Owner,
        purpose: Purpose,
        account_name: str = "",
        code: DeviceCode,
        code_verifier: str,
        notify: NotifyTarget,
        now: datetime,
    ) -> tuple[PendingLogin, bool]:
        """Store this flow, unless the owner already has an active one: then (that one, True).

        Concurrent starts for one owner are serialised (PostgreSQL advisory lock, SQLite write lock), so
        exactly one flow, and one link, survives."""
        with self._engine.begin() as conn:
            self._lock_owner(conn, f"{owner.context(_KIND)}\x1f{purpose}\x1f{account_name}")
            existing = conn.execute(_active(owner, now, purpose, account_name)).mappings().first()
            if existing is not None:
                return self._load(existing), True
            row_id = self._insert(conn, owner, purpose, account_name, code, code_verifier, notify, now)
        found = self.get(row_id)
        assert found is not None
        return found, False

    def _lock_owner(self, conn: Connection, key: str) -> None:
        if is_sqlite(self._engine):  # a write statement takes SQLite's write lock for the transaction
            conn.execute(update(pending_login).where(false()).values(status="pending"))
        else:
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})

    def _insert(
        self,
        conn: Connection,
        owner: Owner,
        purpose: Purpose,
        account_name: str,
        code: DeviceCode,
        code_verifier: str,
        notify: NotifyTarget,
        now: datetime,
    ) -> str:
        row_id = str(uuid.uuid4())
        secret = json.dumps({"token": code.token, "verifier": code_verifier})
        sealed = self._crypto.seal(secret, context=_context(row_id, owner, purpose, account_name))
        interval = max(1, int(code.interval or 5))
        conn.execute(
            insert(pending_login).values(
                id=row_id,
                team_id=owner.team_id,
                user_id=owner.user_id,
                purpose=purpose,
                account_name=account_name,
                ciphertext=sealed.ciphertext,
                key_id=sealed.key_id,
                verification_url=code.verification_url,
                interval=interval,
                next_poll_at=now + timedelta(seconds=interval),
                expires_at=now + timedelta(seconds=int(code.expires_in)),
                notify=asdict(notify),
                status="pending",
                attempts=0,
                failures=0,
                created_at=now,
            )
        )
        return row_id

    def get(self, row_id: str) -> PendingLogin | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(pending_login).where(t.id == row_id)).mappings().first()
        return None if row is None else self._load(row)

    def latest_for_owner(
        self, owner: Owner, purpose: Purpose = "personal", account_name: str = ""
    ) -> PendingLogin | None:
        """The newest login this owner started for this purpose, whatever its status."""
        query = (
            select(pending_login)
            .where(
                t.team_id == owner.team_id,
                t.user_id == owner.user_id,
                t.purpose == purpose,
                t.account_name == account_name,
            )
            .order_by(t.created_at.desc())
            .limit(1)
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else self._load(row)

    def get_active_for_owner(
        self, owner: Owner, *, now: datetime, purpose: Purpose = "personal", account_name: str = ""
    ) -> PendingLogin | None:
        """The still-pending, unexpired login of this owner and purpose (a second start reuses it)."""
        with self._engine.connect() as conn:
            row = conn.execute(_active(owner, now, purpose, account_name)).mappings().first()
        return None if row is None else self._load(row)

    # -- leasing
    def claim_due(
        self, *, worker_id: str, now: datetime, lease: timedelta, limit: int = 20
    ) -> list[PendingLogin]:
        """Lease up to `limit` pending rows whose next poll is due and that nobody else holds."""
        with self._engine.begin() as conn:
            if is_sqlite(self._engine):
                ids = self._sqlite_claim(conn, worker_id=worker_id, now=now, lease=lease, limit=limit)
            else:
                ids = self._skip_locked_claim(conn, worker_id=worker_id, now=now, lease=lease, limit=limit)
        return [row for row in (self.get(i) for i in ids) if row is not None]

    def claim(self, row_id: str, *, worker_id: str, now: datetime, lease: timedelta) -> PendingLogin | None:
        """Lease one row if it is pending, due and free (the terminal's `--complete` uses this)."""
        with self._engine.begin() as conn:
            changed = conn.execute(
                update(pending_login)
                .where(t.id == row_id, _claimable(now))
                .values(lease_owner=worker_id, lease_until=now + lease)
            ).rowcount
        return self.get(row_id) if changed == 1 else None

    def _sqlite_claim(
        self, conn: Connection, *, worker_id: str, now: datetime, lease: timedelta, limit: int
    ) -> list[str]:
        candidates = (
            conn.execute(select(t.id).where(_claimable(now)).order_by(t.next_poll_at).limit(limit))
            .scalars()
            .all()
        )
        claimed = []
        for row_id in candidates:
            changed = conn.execute(
                update(pending_login)
                .where(t.id == row_id, _claimable(now))
                .values(lease_owner=worker_id, lease_until=now + lease)
            ).rowcount
            if changed == 1:
                claimed.append(str(row_id))
        return claimed

    def _skip_locked_claim(
        self, conn: Connection, *, worker_id: str, now: datetime, lease: timedelta, limit: int
    ) -> list[str]:
        ids = [
            str(i)
            for i in conn.execute(
                select(t.id)
                .where(_claimable(now))
                .order_by(t.next_poll_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            .scalars()
            .all()
        ]
        if ids:
            conn.execute(
                update(pending_login)
                .where(t.id.in_(ids))
                .values(lease_owner=worker_id, lease_until=now + lease)
            )
        return ids

    # -- writing outcomes (only the lease holder may)
    def reschedule(
        self, row: PendingLogin, *, worker_id: str, next_poll_at: datetime, interval: int, failures: int
    ) -> bool:
        """Record one more poll and release the lease until `next_poll_at`."""
        return self._held_update(
            row,
            worker_id,
            next_poll_at=next_poll_at,
            interval=interval,
            failures=failures,
            attempts=row.attempts + 1,
            lease_owner=None,
            lease_until=None,
        )

    def finish(self, row: PendingLogin, *, worker_id: str, status: Status, now: datetime) -> bool:
        """End the row; its device token and verifier are wiped (they are useless from now on)."""
        if status not in FINAL_STATUSES:
            raise ValueError(f"not a final status: {status}")
        sealed = self._crypto.seal("{}", context=_context(row.id, row.owner, row.purpose, row.account_name))
        return self._held_update(
            row,
            worker_id,
            status=status,
            finished_at=now,
            attempts=row.attempts + 1,
            lease_owner=None,
            lease_until=None,
            ciphertext=sealed.ciphertext,
            key_id=sealed.key_id,
            verification_url="",  # the link and the response_url are of no use once the flow ends
            notify=asdict(NotifyTarget(channel=row.notify.channel, dm=row.notify.dm)),
        )

    def purge_finished(self, *, now: datetime, older_than: timedelta = FINISHED_KEPT) -> int:
        """Delete flows that ended more than `older_than` ago; how many went."""
        with self._engine.begin() as conn:
            gone = conn.execute(
                delete(pending_login).where(
                    t.status.in_(sorted(FINAL_STATUSES)), t.finished_at < now - older_than
                )
            ).rowcount
        return int(gone or 0)

    def release(self, row: PendingLogin, *, worker_id: str) -> bool:
        return self._held_update(row, worker_id, lease_owner=None, lease_until=None)

    def _held_update(self, row: PendingLogin, worker_id: str, **values: Any) -> bool:
        with self._engine.begin() as conn:
            changed = conn.execute(
                update(pending_login)
                .where(t.id == row.id, t.lease_owner == worker_id, t.status == "pending")
                .values(**values)
            ).rowcount
        return changed == 1

    def _load(self, row: Any) -> PendingLogin:
        owner = Owner(row["team_id"], row["user_id"])
        context = _context(row["id"], owner, row["purpose"], row["account_name"])
        secret = json.loads(self._crypto.open(row["ciphertext"], context=context))
        return PendingLogin(
            id=row["id"],
            owner=owner,
            purpose=row["purpose"],
            account_name=row["account_name"],
            device_token=str(secret.get("token", "")),
            code_verifier=str(secret.get("verifier", "")),
            verification_url=row["verification_url"],
            interval=int(row["interval"]),
            next_poll_at=row["next_poll_at"],
            expires_at=row["expires_at"],
            notify=NotifyTarget.from_json(row["notify"]),
            status=row["status"],
            attempts=int(row["attempts"]),
            failures=int(row["failures"]),
            created_at=row["created_at"],
            lease_owner=row["lease_owner"],
            lease_until=row["lease_until"],
        )


def _active(owner: Owner, now: datetime, purpose: str, account_name: str) -> Any:
    return (
        select(pending_login)
        .where(t.team_id == owner.team_id, t.user_id == owner.user_id, t.purpose == purpose)
        .where(t.account_name == account_name, t.status == "pending", t.expires_at > now)
        .order_by(t.created_at, t.id)
        .limit(1)
    )


def _claimable(now: datetime) -> Any:
    return and_(
        t.status == "pending",
        t.next_poll_at <= now,
        or_(t.lease_until.is_(None), t.lease_until < now),
    )
