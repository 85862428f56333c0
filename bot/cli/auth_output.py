"""What `qwen-bot auth` prints, shared by auth.py (status, logout) and auth_flow.py (login): the official
CLI's words, symbols, time formats and the server check."""

from __future__ import annotations

import getpass
import json
import math
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.base.errors import NetworkError, QwenBotError
from bot.storage.credentials import StoredCredential
from bot.storage.owner import Owner

SOURCE = "database"
SCOPES = ["inference:read", "usage:read", "config:write"]
NEXT_STEP = "qwen-bot auth login --complete"
LOGIN_CMD = "qwen-bot auth login"
EXPIRED_MSG = f"Device code has expired. Please run '{LOGIN_CMD}' to start a new login flow."
NO_PENDING_MSG = "No pending login session found. Run login without --complete first."
PASS, FAIL, WARN = "✓", "✗", "⚠"


def terminal_owner() -> Owner:
    return Owner("local", f"cli:{getpass.getuser()}")


def emit(data: object, *, compact: bool = False) -> None:
    print(json.dumps(data, ensure_ascii=False) if compact else json.dumps(data, indent=2, ensure_ascii=False))


def js_iso(value: datetime) -> str:
    """Like JavaScript's Date.toISOString(): UTC with milliseconds and Z."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def server_iso(value: datetime) -> str:
    """An instant as QwenCloud writes it and the official CLI echoes it: UTC, Z, whole seconds (milliseconds
    only when the instant has them)."""
    utc = value.astimezone(UTC)
    return js_iso(utc) if utc.microsecond else utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def remaining(expires_at: datetime, now: datetime) -> str:
    """The official `Xh Ym` / `Ym` / `expired`."""
    left = (expires_at - now).total_seconds()
    if left <= 0:
        return "expired"
    minutes = math.floor(left / 60)
    hours = minutes // 60
    return f"{hours}h {minutes % 60}m" if hours > 0 else f"{minutes}m"


def server_check(services: Any, cred: StoredCredential) -> tuple[bool, str | None, str]:
    """(server_verified, warning, aliyunId) from GET account/info.json, like the official status."""
    fallback = cred.user.aliyun_id or ""
    try:
        info = services.client.account_info(cred.access_token)
    except NetworkError as exc:
        return False, f"Server unreachable: {exc.message.splitlines()[0]}", fallback
    except QwenBotError as exc:
        code = getattr(exc, "status", None)
        return False, f"Server verification failed (HTTP {code})" if code else exc.message, fallback
    return True, None, info.aliyun_id or info.email or fallback


def sleep_until(deadline: float, due_in: timedelta) -> None:
    """Sleep until the next poll is due, but not past the monotonic deadline."""
    pause = min(max(0.0, due_in.total_seconds()), max(0.0, deadline - time.monotonic()))
    if pause:
        time.sleep(pause)


def is_interactive() -> bool:
    return sys.stdout.isatty() and sys.stdin.isatty()
