"""Encrypted QwenCloud credentials per owner (a Slack user, the terminal user, or a team account)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.base.clock import Clock
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.storage.cache import drop_cached
from bot.storage.crypto import Crypto
from bot.storage.db import credential
from bot.storage.owner import TEAM_ACCOUNT_PREFIX, Owner

TOUCH_EVERY = timedelta(hours=1)

_KIND = "credential"


@dataclass(frozen=True, slots=True)
class StoredCredential:
    owner: Owner
    access_token: str = field(repr=False)
    expires_at: datetime
    user: QwenUser
    created_at: datetime
    updated_at: datetime  # when this login was stored (a new login replaces the row's token)
    last_used_at: datetime | None = None

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at


class CredentialStore:
    def __init__(self, *, engine: Engine, crypto: Crypto, clock: Clock) -> None:
        self._engine = engine
        self._crypto = crypto
        self._clock = clock

    def get(self, owner: Owner) -> StoredCredential | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(credential).where(*_match(owner))).mappings().first()
        return None if row is None else self._load(row)

    def put(self, owner: Owner, creds: DeviceCredentials) -> StoredCredential:
        now = self._clock.now()
        sealed = self._crypto.seal(creds.access_token, context=owner.context(_KIND))
        values = {
            "ciphertext": sealed.ciphertext,
            "key_id": sealed.key_id,
            "expires_at": creds.expires_at,
            "qwen_user_id": creds.user.id,
            "qwen_email": creds.user.email,
            "aliyun_id": creds.user.aliyun_id,
            "updated_at": now,
        }
        with self._engine.begin() as conn:
            drop_cached(conn, owner)  # a new login may be another QwenCloud account: no stale results
            changed = conn.execute(update(credential).where(*_match(owner)).values(**values)).rowcount
        if not changed:
            try:
                with self._engine.begin() as conn:
                    conn.execute(
                        insert(credential).values(
                            team_id=owner.team_id, user_id=owner.user_id, created_at=now, **values
                        )
                    )
            except IntegrityError:  # a concurrent put won the insert; ours is newer, so overwrite
                with self._engine.begin() as conn:
                    conn.execute(update(credential).where(*_match(owner)).values(**values))
        stored = self.get(owner)
        assert stored is not None
        return stored

    def touch(self, cred: StoredCredential, *, now: datetime, every: timedelta = TOUCH_EVERY) -> None:
        """Note that the owner used the bot (expiry reminders go only to recent users); at most one write
        per `every`, so answering a question stays read-only almost always."""
        if cred.last_used_at is not None and now - cred.last_used_at < every:
            return
        with self._engine.begin() as conn:
            conn.execute(update(credential).where(*_match(cred.owner)).values(last_used_at=now))

    def delete(self, owner: Owner) -> bool:
        with self._engine.begin() as conn:
            drop_cached(conn, owner)  # logout: cached results go with the credential
            return bool(conn.execute(delete(credential).where(*_match(owner))).rowcount)

    def list_for_team(self, team_id: str, prefix: str = TEAM_ACCOUNT_PREFIX) -> list[StoredCredential]:
        """Credentials of one team whose user id starts with `prefix` (team accounts by default)."""
        query = (
            select(credential)
            .where(credential.c.team_id == team_id, credential.c.user_id.startswith(prefix, autoescape=True))
            .order_by(credential.c.user_id)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [self._load(row) for row in rows]

    def _load(self, row: Any) -> StoredCredential:
        owner = Owner(row["team_id"], row["user_id"])
        return StoredCredential(
            owner=owner,
            access_token=self._crypto.open(row["ciphertext"], context=owner.context(_KIND)),
            expires_at=row["expires_at"],
            user=QwenUser(id=row["qwen_user_id"], email=row["qwen_email"], aliyun_id=row["aliyun_id"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            last_used_at=row["last_used_at"],
        )


def _match(owner: Owner) -> tuple[Any, Any]:
    return credential.c.team_id == owner.team_id, credential.c.user_id == owner.user_id
