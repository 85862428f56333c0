"""Periods from chat resolve in the asker's Slack timezone, else QWEN_BOT_TIMEZONE, else UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.base.periods import DateRange
from bot.core.answers import date_range
from bot.core.grammar.usage import UsageSummary, parse
from handlers.common import Asker, TimezoneResolver, local_today

# 2026-04-30 23:30 UTC: already May 1st east of Greenwich+1, still April 30th in the Americas
INSTANT = datetime(2026, 4, 30, 23, 30, tzinfo=UTC)
ASKER = Asker("T1", "U1", "C1", None)


class FakeClient:
    def __init__(self, tz: str | None = None, *, fail: bool = False, locale: str | None = None) -> None:
        self.tz, self.fail, self.calls, self.locale = tz, fail, 0, locale

    def users_info(self, *, user: str, include_locale: bool = False) -> dict[str, Any]:
        self.calls += 1
        if self.fail:
            raise RuntimeError("missing_scope")
        found = {"id": user, "tz": self.tz}
        return {
            "ok": True,
            "user": found | {"locale": self.locale} if include_locale and self.locale else found,
        }


def _range(text: str, tz: str) -> DateRange:
    command = parse(text, today=local_today(INSTANT, tz))
    assert isinstance(command, UsageSummary)
    return date_range(command.period, today=local_today(INSTANT, tz))


@pytest.mark.parametrize(
    ("tz", "text", "expected"),
    [
        ("UTC", "this month", DateRange(date(2026, 4, 1), date(2026, 4, 30))),
        ("Asia/Tokyo", "this month", DateRange(date(2026, 5, 1), date(2026, 5, 1))),
        ("America/Los_Angeles", "today", DateRange(date(2026, 4, 30), date(2026, 4, 30))),
        ("Asia/Tokyo", "today", DateRange(date(2026, 5, 1), date(2026, 5, 1))),
        ("Asia/Tokyo", "last month", DateRange(date(2026, 4, 1), date(2026, 4, 30))),
        ("UTC", "last month", DateRange(date(2026, 3, 1), date(2026, 3, 31))),
        ("Asia/Tokyo", "yesterday", DateRange(date(2026, 4, 30), date(2026, 4, 30))),
        ("Pacific/Kiritimati", "last 7 days", DateRange(date(2026, 4, 25), date(2026, 5, 1))),
        ("America/Los_Angeles", "ytd", DateRange(date(2026, 1, 1), date(2026, 4, 30))),
        ("Asia/Tokyo", "april", DateRange(date(2026, 4, 1), date(2026, 4, 30))),
        ("Asia/Tokyo", "may", DateRange(date(2026, 5, 1), date(2026, 5, 31))),
        ("UTC", "may", DateRange(date(2025, 5, 1), date(2025, 5, 31))),  # May 2026 is still ahead
        ("Asia/Tokyo", "q2", DateRange(date(2026, 4, 1), date(2026, 5, 1))),
    ],
)
def test_periods_in_the_askers_timezone(tz: str, text: str, expected: DateRange) -> None:
    assert _range(text, tz) == expected


def test_slack_timezone_wins_and_is_cached() -> None:
    client = FakeClient("Asia/Tokyo")
    resolver = TimezoneResolver(default="Europe/Paris")
    assert resolver.name(client, ASKER) == "Asia/Tokyo"
    assert resolver.name(client, ASKER) == "Asia/Tokyo"
    assert client.calls == 1


def test_locale_comes_with_the_timezone_in_one_call() -> None:
    client = FakeClient("Asia/Shanghai", locale="zh-CN")
    resolver = TimezoneResolver(default=None)
    assert resolver.locale(client, ASKER) == "zh-CN" and resolver.name(client, ASKER) == "Asia/Shanghai"
    assert client.calls == 1
    assert TimezoneResolver(default=None).locale(FakeClient(fail=True), ASKER) is None


def test_configured_timezone_when_slack_has_none_or_fails() -> None:
    assert TimezoneResolver(default="Europe/Paris").name(FakeClient(None), ASKER) == "Europe/Paris"
    assert TimezoneResolver(default="Europe/Paris").name(FakeClient(fail=True), ASKER) == "Europe/Paris"
    assert TimezoneResolver(default="Europe/Paris").name(FakeClient("Not/AZone"), ASKER) == "Europe/Paris"


def test_utc_when_nothing_is_known() -> None:
    assert TimezoneResolver(default=None).name(FakeClient(fail=True), ASKER) == "UTC"
    assert TimezoneResolver(default="Bad/Zone").name(FakeClient(None), ASKER) == "UTC"
