"""What every official-shaped terminal command shares: its output format, its error output, the terminal
owner's token and the local timezone."""

from __future__ import annotations

import getpass
import sys
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.base.config import Settings
from bot.base.errors import ConfigError, QwenBotError
from bot.render import json as render_json
from bot.render import text as render_text


def _explicit_format(argv: list[str]) -> str:
    # Like commander, errors found while parsing are JSON only when --format json was given explicitly.
    for i, arg in enumerate(argv):
        if (arg == "--format" and argv[i + 1 : i + 2] == ["json"]) or arg == "--format=json":
            return "json"
    return "text"


def access_token(services: Any) -> str:
    """The terminal owner's token; expiry is checked locally before any network call (contract §7)."""
    from bot.core.accounts import LOCAL_TEAM
    from bot.storage.owner import Owner

    now: datetime = services.clock.now()
    stored = services.accounts.credential_for(Owner(LOCAL_TEAM, f"cli:{getpass.getuser()}"), now=now)
    warning = expiry_warning(stored.expires_at, now)
    if warning and sys.stderr.isatty():  # TTY-only UI, like the official CLI
        sys.stderr.write(warning)
    return str(stored.access_token)


def expiry_warning(expires_at: datetime, now: datetime) -> str | None:
    """The official CLI's notice when four hours or less remain."""
    left = (expires_at - now).total_seconds()
    if not 0 < left <= 4 * 3600:
        return None
    minutes = int(left // 60)
    shown = f"{minutes // 60}h {minutes % 60}m" if minutes >= 60 else f"{minutes}m"
    return f"  ⚠ Token expires in {shown} · run qwen-bot auth login to refresh\n"


def local_zone(settings: Settings) -> tzinfo:
    """Settings.timezone when set, else the process's local zone (which follows TZ)."""
    if settings.timezone:
        try:
            return ZoneInfo(settings.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"Unknown timezone {settings.timezone!r}") from exc
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def output_format(requested: str | None) -> str:
    if requested == "json":
        return "json"
    if requested in ("text", "table"):
        return "text"
    return "text" if sys.stdout.isatty() else "json"


def fail(exc: QwenBotError, fmt: str) -> int:
    sys.stderr.write(render_json.error(exc) + "\n" if fmt == "json" else render_text.error(exc))
    return exc.exit_code
