"""What every listener needs: who asked (from the request body) and in which timezone periods resolve."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cachetools import TTLCache

from bot.core.accounts import Owner
from bot.render.blocks import Message
from bot.render.catalog import Lang, lang_of

log = logging.getLogger("handlers")
TZ_CACHE_SECONDS = 600.0
TZ_CACHE_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class Asker:
    team_id: str
    user_id: str
    channel_id: str | None
    response_url: str | None

    @property
    def owner(self) -> Owner:
        return Owner(self.team_id, self.user_id)


class Answerer(Protocol):
    """One family of `/qwen` questions beyond usage (billing, logs, ...): UsageHandler asks each in turn, so
    command forms, plain words, "Share in channel" and the DM all reach it the same way."""

    def handles(self, command: object) -> bool: ...

    def figures(self, command: Any, asker: Asker, tz_name: str, today: date) -> Message: ...


def asker_from(body: dict[str, Any]) -> Asker:
    """Slash commands carry flat fields; block actions and events nest them."""
    user, team, channel = (_dict(body.get(k)) for k in ("user", "team", "channel"))
    return Asker(
        team_id=str(body.get("team_id") or team.get("id") or user.get("team_id") or ""),
        user_id=str(body.get("user_id") or user.get("id") or ""),
        channel_id=body.get("channel_id") or channel.get("id"),
        response_url=body.get("response_url"),
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class TimezoneResolver:
    """The user's Slack timezone (users.info), else QWEN_BOT_TIMEZONE, else UTC; cached for 10 minutes."""

    def __init__(self, *, default: str | None) -> None:
        self._default = _zone_name(default) or "UTC"
        # bounded: one entry per asker, so a flood of ids cannot grow it without end
        self._cache: TTLCache[tuple[str, str], tuple[str, str | None]] = TTLCache(
            maxsize=TZ_CACHE_SIZE, ttl=TZ_CACHE_SECONDS
        )
        self._lock = threading.Lock()

    def name(self, client: Any, asker: Asker) -> str:
        return self._profile(client, asker)[0]

    def locale(self, client: Any, asker: Asker) -> str | None:
        """The user's Slack locale ("zh-CN", "en-US"), or None when users.info does not say."""
        return self._profile(client, asker)[1]

    def cached_locale(self, asker: Asker) -> str | None:
        """The locale already looked up for this user, with no Slack call (the ack cannot wait for one)."""
        with self._lock:
            hit = self._cache.get((asker.team_id, asker.user_id))
        return hit[1] if hit is not None else None

    def lang(self, client: Any, asker: Asker) -> Lang:
        """The catalog language of the user's Slack locale; English when users.info cannot say."""
        return lang_of(self.locale(client, asker) if client is not None else self.cached_locale(asker))

    def _profile(self, client: Any, asker: Asker) -> tuple[str, str | None]:
        key = (asker.team_id, asker.user_id)
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None:
            return hit
        tz, locale = self._lookup(client, asker.user_id)
        tz = tz or self._default
        with self._lock:
            self._cache[key] = (tz, locale)
        return tz, locale

    def _lookup(self, client: Any, user_id: str) -> tuple[str | None, str | None]:
        try:
            user = client.users_info(user=user_id, include_locale=True).get("user", {})
            locale = user.get("locale")
            return _zone_name(user.get("tz")), locale if isinstance(locale, str) else None
        except Exception as exc:  # no scope, rate limited, unknown user: fall back
            log.info("users.info failed (%s); using the default timezone", type(exc).__name__)
            return None, None


def _zone_name(name: str | None) -> str | None:
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def local_today(now: datetime, tz_name: str) -> date:
    return now.astimezone(ZoneInfo(tz_name)).date()
