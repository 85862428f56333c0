from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.base.schedule import Schedule, Span, due_occurrence, month_span


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


WEEKLY = Schedule("weekly", 0, time(9, 0), "Europe/Berlin")  # Mondays 09:00 Berlin


def test_weekly_latest_before_and_after_the_hour() -> None:
    # 2026-03-09 is a Monday; Berlin is UTC+1 in early March.
    assert WEEKLY.latest(utc("2026-03-09T08:00:00+00:00")) == utc("2026-03-09T08:00:00+00:00")
    assert WEEKLY.latest(utc("2026-03-09T07:59:59+00:00")) == utc("2026-03-02T08:00:00+00:00")
    assert WEEKLY.latest(utc("2026-03-13T12:00:00+00:00")) == utc("2026-03-09T08:00:00+00:00")


def test_weekly_follows_dst() -> None:
    # Berlin moves to UTC+2 on 2026-03-29; the Monday after, 09:00 local is 07:00 UTC.
    assert WEEKLY.latest(utc("2026-03-30T07:30:00+00:00")) == utc("2026-03-30T07:00:00+00:00")


def test_weekly_period_is_previous_seven_days_and_the_seven_before() -> None:
    period = WEEKLY.period(utc("2026-03-09T08:00:00+00:00"))
    assert period.current == Span(date(2026, 3, 2), date(2026, 3, 8))
    assert period.previous == Span(date(2026, 2, 23), date(2026, 3, 1))
    assert period.start == date(2026, 3, 2)
    assert period.current.days == 7 and len(period.current.dates()) == 7


def test_local_date_decides_the_period_not_utc() -> None:
    tokyo = Schedule("weekly", 0, time(8, 0), "Asia/Tokyo")
    occurrence = tokyo.latest(utc("2026-03-09T00:00:00+00:00"))  # 09:00 Monday in Tokyo
    assert occurrence == utc("2026-03-08T23:00:00+00:00")
    assert tokyo.period(occurrence).current == Span(date(2026, 3, 2), date(2026, 3, 8))


def test_monthly_latest_and_period() -> None:
    monthly = Schedule("monthly", 1, time(9, 30), "UTC")
    occurrence = monthly.latest(utc("2026-03-01T09:30:00+00:00"))
    assert occurrence == utc("2026-03-01T09:30:00+00:00")
    assert monthly.latest(utc("2026-03-01T09:29:00+00:00")) == utc("2026-02-01T09:30:00+00:00")
    period = monthly.period(occurrence)
    assert period.current == Span(date(2026, 2, 1), date(2026, 2, 28))
    assert period.previous == Span(date(2026, 1, 1), date(2026, 1, 31))


def test_monthly_next_after_walks_month_by_month() -> None:
    monthly = Schedule("monthly", 28, time(0, 0), "UTC")
    seen = []
    now = utc("2026-01-01T00:00:00+00:00")
    for _ in range(4):
        now = monthly.next_after(now)
        seen.append(now.date())
    assert seen == [date(2026, 1, 28), date(2026, 2, 28), date(2026, 3, 28), date(2026, 4, 28)]


def test_weekly_next_after() -> None:
    assert WEEKLY.next_after(utc("2026-03-09T08:00:00+00:00")) == utc("2026-03-16T08:00:00+00:00")


def test_month_span_leap_year() -> None:
    assert month_span(date(2028, 2, 10)) == Span(date(2028, 2, 1), date(2028, 2, 29))


def test_invalid_schedules_rejected() -> None:
    with pytest.raises(ValueError):
        Schedule("weekly", 7, time(9), "UTC")
    with pytest.raises(ValueError):
        Schedule("monthly", 29, time(9), "UTC")
    with pytest.raises(ValueError):
        Schedule("weekly", 0, time(9), "Mars/Olympus")


def test_due_occurrence_window_and_creation() -> None:
    created = utc("2026-03-01T00:00:00+00:00")
    window = timedelta(hours=6)
    at = utc("2026-03-09T08:00:00+00:00")
    assert due_occurrence(WEEKLY, now=at, created_at=created, catchup=window) == at
    assert due_occurrence(WEEKLY, now=at + timedelta(hours=6), created_at=created, catchup=window) == at
    assert (
        due_occurrence(WEEKLY, now=at + timedelta(hours=6, seconds=1), created_at=created, catchup=window)
        is None
    )
    # subscribed after this week's slot: nothing until next week
    assert (
        due_occurrence(
            WEEKLY, now=at + timedelta(hours=1), created_at=at + timedelta(minutes=5), catchup=window
        )
        is None
    )
