"""Period resolution (contract §4): every preset, precedence, boundaries, validation, month chunks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from bot.base.errors import InvalidArgument, UsageError
from bot.base.periods import DateRange, check_order, month_chunks, parse_date, preset_range, resolve, validate

TODAY = date(2026, 5, 14)


def span(rng: DateRange) -> tuple[str, str]:
    return rng.from_text, rng.to_text


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("today", ("2026-05-14", "2026-05-14")),
        ("yesterday", ("2026-05-13", "2026-05-13")),
        ("week", ("2026-05-08", "2026-05-14")),
        ("this-week", ("2026-05-08", "2026-05-14")),
        ("month", ("2026-05-01", "2026-05-14")),
        ("this-month", ("2026-05-01", "2026-05-14")),
        ("last-month", ("2026-04-01", "2026-04-30")),
        ("quarter", ("2026-04-01", "2026-05-14")),
        ("year", ("2026-01-01", "2026-05-14")),
        ("2024-02", ("2024-02-01", "2024-02-29")),
        ("2026-12", ("2026-12-01", "2026-12-31")),
    ],
)
def test_presets(preset: str, expected: tuple[str, str]) -> None:
    assert span(preset_range(preset, today=TODAY)) == expected


def test_default_is_month() -> None:
    assert span(resolve(today=TODAY)) == ("2026-05-01", "2026-05-14")


@pytest.mark.parametrize(
    ("today", "preset", "expected"),
    [
        (date(2026, 1, 1), "yesterday", ("2025-12-31", "2025-12-31")),
        (date(2026, 1, 15), "last-month", ("2025-12-01", "2025-12-31")),
        (date(2024, 3, 31), "last-month", ("2024-02-01", "2024-02-29")),
        (date(2026, 3, 31), "quarter", ("2026-01-01", "2026-03-31")),
        (date(2026, 10, 1), "quarter", ("2026-10-01", "2026-10-01")),
        (date(2026, 3, 3), "week", ("2026-02-25", "2026-03-03")),
        (date(2026, 1, 1), "year", ("2026-01-01", "2026-01-01")),
    ],
)
def test_boundaries(today: date, preset: str, expected: tuple[str, str]) -> None:
    assert span(preset_range(preset, today=today)) == expected


@pytest.mark.parametrize("bad", ["fortnight", "2026-13", "2026-00", "26-01", ""])
def test_invalid_preset_has_the_official_message(bad: str) -> None:
    with pytest.raises(UsageError) as info:
        preset_range(bad, today=TODAY)
    assert info.value.message == (
        f"Invalid period: '{bad}'. Valid: today, yesterday, week, month, last-month, quarter, year, YYYY-MM"
    )
    assert info.value.exit_code == 1 and info.value.code == "UNKNOWN_ERROR"


def test_from_to_beats_days_beats_period() -> None:
    rng = resolve(today=TODAY, period="year", days=3, from_=date(2026, 2, 1), to=date(2026, 2, 3))
    assert span(rng) == ("2026-02-01", "2026-02-03")
    assert span(resolve(today=TODAY, period="year", days=3)) == ("2026-05-12", "2026-05-14")


def test_to_alone_starts_at_its_month() -> None:
    assert span(resolve(today=TODAY, to=date(2026, 2, 10))) == ("2026-02-01", "2026-02-10")


def test_from_alone_ends_today() -> None:
    assert span(resolve(today=TODAY, from_=date(2026, 3, 30))) == ("2026-03-30", "2026-05-14")


def test_days_zero_counts_as_absent_and_one_is_today() -> None:
    assert span(resolve(today=TODAY, days=0, period="today")) == ("2026-05-14", "2026-05-14")
    assert span(resolve(today=TODAY, days=1)) == ("2026-05-14", "2026-05-14")
    assert span(resolve(today=TODAY, days=31)) == ("2026-04-14", "2026-05-14")


def test_parse_date_accepts_days_and_months() -> None:
    assert parse_date("2026-03-05") == date(2026, 3, 5)
    assert parse_date("2026-02") == date(2026, 2, 1)
    assert parse_date("2026-02", end=True) == date(2026, 2, 28)
    for bad in ("2026-02-30", "03/05/2026", "soon"):
        with pytest.raises(InvalidArgument):
            parse_date(bad)


def test_lookback_is_one_year_from_now() -> None:
    now = datetime(2026, 5, 14, 12, 0, tzinfo=UTC)
    validate(DateRange(date(2025, 5, 15), date(2026, 5, 14)), now=now)
    with pytest.raises(UsageError, match="maximum lookback"):
        # UTC midnight of 2025-05-14 is before 2025-05-14T12:00Z
        validate(DateRange(date(2025, 5, 14), date(2026, 5, 14)), now=now)


def test_lookback_on_29_february_rolls_like_js() -> None:
    now = datetime(2028, 2, 29, 0, 0, tzinfo=UTC)  # minus a year -> 2027-03-01
    validate(DateRange(date(2027, 3, 1), date(2028, 2, 29)), now=now)
    with pytest.raises(UsageError):
        validate(DateRange(date(2027, 2, 28), date(2028, 2, 29)), now=now)


def test_from_after_to_is_invalid_range() -> None:
    with pytest.raises(InvalidArgument) as info:
        check_order(DateRange(date(2026, 5, 2), date(2026, 5, 1)))
    assert info.value.code == "INVALID_RANGE" and info.value.exit_code == 4
    assert info.value.message == "Invalid date range: from (2026-05-02) is after to (2026-05-01)"


def test_local_timezone_decides_today() -> None:
    instant = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)
    tokyo = timezone(timedelta(hours=9))
    assert span(resolve(today=instant.date())) == ("2026-05-01", "2026-05-31")
    assert span(resolve(today=instant.astimezone(tokyo).date())) == ("2026-06-01", "2026-06-01")


def test_month_chunks_split_at_calendar_months() -> None:
    chunks = month_chunks(DateRange(date(2025, 12, 20), date(2026, 2, 3)))
    assert chunks == [
        (date(2025, 12, 20), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 3)),
    ]
    assert month_chunks(DateRange(date(2026, 2, 3), date(2026, 2, 1))) == []
    assert month_chunks(DateRange(date(2026, 2, 3), date(2026, 2, 3))) == [
        (date(2026, 2, 3), date(2026, 2, 3))
    ]
