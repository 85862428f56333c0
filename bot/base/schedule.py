"""Digest schedules: when a subscription is due and which days it reports. Pure; `now` is passed in.

A weekly digest scheduled on local day D reports the 7 whole days D-7 .. D-1 against D-14 .. D-8.
A monthly digest scheduled on day N reports the whole previous calendar month against the one before.
`period.start` is the key of the run row: UNIQUE(subscription_id, period_start) makes a period post once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Cadence = Literal["weekly", "monthly"]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_MONTH_DAY = 28  # every month has it


@dataclass(frozen=True, slots=True)
class Span:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]


@dataclass(frozen=True, slots=True)
class DigestPeriod:
    current: Span
    previous: Span

    @property
    def start(self) -> date:
        return self.current.start


@dataclass(frozen=True, slots=True)
class Schedule:
    cadence: Cadence
    day: int  # weekly: 0 = Monday .. 6 = Sunday; monthly: 1 .. 28
    at: time
    timezone: str

    def __post_init__(self) -> None:
        if self.cadence == "weekly" and not 0 <= self.day <= 6:
            raise ValueError(f"weekly day must be 0..6, got {self.day}")
        if self.cadence == "monthly" and not 1 <= self.day <= MAX_MONTH_DAY:
            raise ValueError(f"monthly day must be 1..{MAX_MONTH_DAY}, got {self.day}")
        zone(self.timezone)

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    def latest(self, now: datetime) -> datetime:
        """The most recent scheduled instant at or before `now` (UTC)."""
        local_today = now.astimezone(self.tz).date()
        candidate = self._on_or_before(local_today)
        instant = self._instant(candidate)
        if instant > now:
            instant = self._instant(self._on_or_before(candidate - timedelta(days=1)))
        return instant

    def next_after(self, now: datetime) -> datetime:
        """The first scheduled instant strictly after `now` (UTC)."""
        day = self.latest(now).astimezone(self.tz).date()
        step = 7 if self.cadence == "weekly" else 31
        return self._instant(self._on_or_before(day + timedelta(days=step)))

    def period(self, occurrence: datetime) -> DigestPeriod:
        """The days reported by the digest scheduled at `occurrence`."""
        day = occurrence.astimezone(self.tz).date()
        if self.cadence == "weekly":
            current = Span(day - timedelta(days=7), day - timedelta(days=1))
            return DigestPeriod(current, Span(day - timedelta(days=14), day - timedelta(days=8)))
        current = month_span(day.replace(day=1) - timedelta(days=1))
        return DigestPeriod(current, month_span(current.start - timedelta(days=1)))

    def describe(self) -> str:
        when = WEEKDAYS[self.day].capitalize() if self.cadence == "weekly" else f"day {self.day}"
        return f"{self.cadence}, {when} at {self.at.strftime('%H:%M')} {self.timezone}"

    def _on_or_before(self, day: date) -> date:
        if self.cadence == "weekly":
            return day - timedelta(days=(day.weekday() - self.day) % 7)
        if day.day >= self.day:
            return day.replace(day=self.day)
        previous = day.replace(day=1) - timedelta(days=1)
        return previous.replace(day=self.day)

    def _instant(self, day: date) -> datetime:
        return datetime.combine(day, self.at, tzinfo=self.tz).astimezone(UTC)


def month_span(any_day: date) -> Span:
    first = any_day.replace(day=1)
    next_first = (first + timedelta(days=32)).replace(day=1)
    return Span(first, next_first - timedelta(days=1))


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {name!r}") from exc


def due_occurrence(
    schedule: Schedule, *, now: datetime, created_at: datetime, catchup: timedelta
) -> datetime | None:
    """The occurrence to post now, or None.

    An occurrence before the subscription existed is never posted; one older than `catchup` is skipped
    (a worker that was down longer than the window does not post stale digests).
    """
    occurrence = schedule.latest(now)
    if occurrence < created_at or now - occurrence > catchup:
        return None
    return occurrence
