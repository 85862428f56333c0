"""Typed results of the QwenCloud client. Raw dicts stop at the client; these travel further."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

DevicePollStatus = Literal["authorization_pending", "slow_down", "access_denied", "expired_token", "complete"]


@dataclass(frozen=True, slots=True)
class DeviceCode:
    """Answer of POST {auth}/cli/device/code. `token` is a secret: never log or show it."""

    token: str
    verification_url: str
    expires_in: int
    interval: int


@dataclass(frozen=True, slots=True)
class QwenUser:
    id: str | None
    email: str | None
    aliyun_id: str | None


@dataclass(frozen=True, slots=True)
class DeviceCredentials:
    """Data.Credentials of a `complete` poll. `access_token` is a secret."""

    access_token: str
    expires_at: datetime
    user: QwenUser


@dataclass(frozen=True, slots=True)
class DevicePoll:
    status: DevicePollStatus
    credentials: DeviceCredentials | None = None


@dataclass(frozen=True, slots=True)
class AccountInfo:
    aliyun_id: str | None
    email: str | None
