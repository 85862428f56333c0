"""The value types of pending device-flow logins (rows of `pending_login`, decrypted)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from bot.storage.owner import Owner

Purpose = Literal["personal", "team_account"]
Status = Literal["pending", "complete", "denied", "expired", "failed"]
FINAL_STATUSES: frozenset[str] = frozenset({"complete", "denied", "expired", "failed"})


@dataclass(frozen=True, slots=True)
class NotifyTarget:
    """Where the Slack layer answers when the login ends; all empty for the terminal."""

    response_url: str | None = field(default=None, repr=False)
    channel: str | None = None
    dm: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> NotifyTarget:
        data = data if isinstance(data, dict) else {}
        return cls(**{k: data.get(k) for k in ("response_url", "channel", "dm")})


@dataclass(frozen=True, slots=True)
class PendingLogin:
    id: str
    owner: Owner  # who started the login (and is notified)
    purpose: Purpose
    account_name: str
    device_token: str = field(repr=False)
    code_verifier: str = field(repr=False)
    verification_url: str
    interval: int
    next_poll_at: datetime
    expires_at: datetime
    notify: NotifyTarget
    status: str
    attempts: int
    failures: int
    created_at: datetime
    lease_owner: str | None = None
    lease_until: datetime | None = None

    @property
    def target(self) -> Owner:
        """Whose credential a completed login stores."""
        if self.purpose == "team_account":
            return Owner.team_account(self.owner.team_id, self.account_name)
        return self.owner
