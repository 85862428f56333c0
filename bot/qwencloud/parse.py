"""JSON -> typed results for the auth endpoint (device flow, account). Data parsing is in parse_data.py."""

from __future__ import annotations

import re
from datetime import UTC
from typing import Any, cast

from bot.base.errors import DeviceFlowError, MalformedResponse
from bot.qwencloud.models import (
    AccountInfo,
    DeviceCode,
    DeviceCredentials,
    DevicePoll,
    DevicePollStatus,
    QwenUser,
)
from bot.qwencloud.values import as_dict, as_instant, as_str

_STATUSES: frozenset[str] = frozenset(
    {"authorization_pending", "slow_down", "access_denied", "expired_token", "complete"}
)


def device_code(body: Any) -> DeviceCode:
    root = as_dict(body)
    data = root.get("Data")
    if root.get("Success") is not True or not isinstance(data, dict):
        raise DeviceFlowError("Device flow init failed: server returned Success=false", kind="init_failed")
    token, url = data.get("Token"), data.get("VerificationUrl")
    expires, interval = data.get("ExpiresIn"), data.get("Interval")
    if not (isinstance(token, str) and isinstance(url, str) and _is_number(expires) and _is_number(interval)):
        raise DeviceFlowError("Device flow init failed: malformed response payload", kind="init_failed")
    return DeviceCode(
        token=token,
        verification_url=url,
        expires_in=int(cast(float, expires)),
        interval=int(cast(float, interval)),
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def poll_status_from_error(text: str) -> DevicePollStatus | None:
    """The official CLI's fallback: a failed poll whose error text names a terminal state."""
    if re.search(r"expired", text, re.IGNORECASE):
        return "expired_token"
    if re.search(r"access_denied", text, re.IGNORECASE):
        return "access_denied"
    if re.search(r"slow_down", text, re.IGNORECASE):
        return "slow_down"
    return None


def device_poll(body: Any) -> DevicePoll:
    root = as_dict(body)
    data = as_dict(root.get("Data"))
    raw = data.get("Status") if data.get("Status") is not None else root.get("status")
    status = (as_str(raw) or "authorization_pending").lower()
    if status not in _STATUSES:
        # An unknown state is not terminal: keep polling rather than ending a login on a server novelty.
        status = "authorization_pending"
    if status != "complete":
        return DevicePoll(status=cast(DevicePollStatus, status))
    return DevicePoll(status="complete", credentials=_credentials(data, root))


def _credentials(data: dict[str, Any], root: dict[str, Any]) -> DeviceCredentials:
    pascal = data.get("Credentials")
    snake = as_dict(root.get("credentials"))
    if isinstance(pascal, dict):
        token = pascal.get("AccessToken")
        expire = pascal.get("ExpireTime")
        user_raw = as_dict(pascal.get("User"))
        user = QwenUser(
            id=as_str(user_raw.get("Id")),
            email=as_str(user_raw.get("Email")),
            aliyun_id=as_str(
                user_raw.get("AliyunId")
                if user_raw.get("AliyunId") is not None
                else user_raw.get("Organization")
            ),
        )
    else:
        token = snake.get("access_token")
        expire = snake.get("expire_time")
        user_raw = as_dict(snake.get("user"))
        user = QwenUser(
            id=as_str(user_raw.get("id")),
            email=as_str(user_raw.get("email")),
            aliyun_id=as_str(
                user_raw.get("aliyunId")
                if user_raw.get("aliyunId") is not None
                else user_raw.get("organization")
            ),
        )
    if not isinstance(token, str) or not token:
        raise MalformedResponse("Device flow completed without an access token")
    expires_at = as_instant(expire)
    if expires_at is None:
        raise MalformedResponse("Device flow completed without a readable ExpireTime")
    return DeviceCredentials(access_token=token, expires_at=expires_at.astimezone(UTC), user=user)


def account_info(data: dict[str, Any]) -> AccountInfo:
    return AccountInfo(aliyun_id=as_str(data.get("aliyunId")), email=as_str(data.get("email")))
