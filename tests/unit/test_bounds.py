"""Issue 11 item 1: the chat's range bounds (bot/base/periods.py), the grammar never crashing on a date past
the calendar, and the one-answer-per-user slot (bot/core/inflight.py)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.base.config import Settings
from bot.base.errors import ConfigError, InvalidArgument, UsageError
from bot.base.periods import MAX_MONTH_CHUNKS, DateRange, check_bounds, check_chunks, month_count
from bot.core.grammar import usage as grammar
from bot.core.inflight import AnswerSlots, InFlight

TODAY = date(2026, 4, 10)


@pytest.mark.parametrize(
    ("start", "end", "explicit"),
    [
        (date(2026, 4, 1), date(2026, 4, 10), None),
        (date(2026, 4, 1), date(2026, 4, 30), None),  # `april` preset: ends later this month
        (date(2025, 4, 11), date(2026, 4, 10), date(2026, 4, 10)),  # the whole lookback: 13 months
    ],
)
def test_ranges_within_the_bounds_pass(start: date, end: date, explicit: date | None) -> None:
    check_bounds(DateRange(start, end), today=TODAY, explicit_end=explicit)


@pytest.mark.parametrize(
    ("start", "end", "explicit", "said"),
    [
        (date(5001, 1, 1), date(9999, 12, 31), date(9999, 12, 31), "after today"),
        (date(2026, 4, 1), date(2026, 4, 30), date(2026, 4, 30), "after today"),  # an explicit --to
        (date(2026, 5, 1), date(2026, 5, 31), None, "after today"),
        (date(2025, 1, 1), date(2025, 12, 31), None, "lookback"),
        (date(1, 1, 1), date(2026, 4, 1), date(2026, 4, 1), "lookback"),
        (date(2026, 4, 9), date(2026, 4, 1), None, "after to"),
    ],
)
def test_ranges_beyond_the_bounds_are_refused(
    start: date, end: date, explicit: date | None, said: str
) -> None:
    with pytest.raises(Exception, match=said):
        check_bounds(DateRange(start, end), today=TODAY, explicit_end=explicit)


def test_month_cap_counts_without_building_the_months() -> None:
    assert month_count(DateRange(date(1, 1, 1), date(9999, 12, 31))) == 9999 * 12
    check_chunks(DateRange(date(2025, 4, 1), date(2026, 4, 30)))
    with pytest.raises(InvalidArgument, match=f"at most {MAX_MONTH_CHUNKS}"):
        check_chunks(DateRange(date(2025, 3, 31), date(2026, 4, 1)))


def test_grammar_turns_a_date_past_the_calendar_into_a_usage_error() -> None:
    with pytest.raises(UsageError, match="out of range"):
        grammar.parse("usage q4 9999", today=TODAY)  # its end would be 10000-01-01 minus a day


def test_inflight_slot_is_per_user_and_expires() -> None:
    clock = [0.0]
    slots = InFlight(ttl=60, now=lambda: clock[0])
    assert slots.acquire("T:U1", "req1")
    assert not slots.acquire("T:U1", "req2")
    assert slots.acquire("T:U2", "req3")  # another user is not held up
    assert slots.holds("T:U1", "req1") and not slots.holds("T:U1", "req2")
    slots.release("T:U1", "req2")  # not the holder: nothing happens
    assert not slots.acquire("T:U1", "req2")
    clock[0] = 61.0  # a lazy run that never came back
    assert slots.acquire("T:U1", "req2")
    slots.release("T:U1", "req2")
    assert slots.acquire("T:U1", "req4")


def test_answer_slots_without_a_database_are_this_process_s() -> None:
    slots = AnswerSlots(ttl=60)
    assert slots.admit("T:U1", "req1") and not slots.admit("T:U1", "req2")
    assert slots.claim("T:U1", "req1")  # nothing shared to ask
    assert slots.holds("T:U1", "req1") and not slots.holds("T:U1", "req2")
    slots.release("T:U1", "req1")
    assert slots.admit("T:U1", "req2")


def test_answer_slot_expiry_setting() -> None:
    base = {"QWEN_BOT_DATA_DIR": "/tmp/unused"}
    assert Settings.from_env(base).answer_slot_seconds == 120
    assert Settings.from_env({**base, "QWEN_BOT_ANSWER_SLOT_SECONDS": "45"}).answer_slot_seconds == 45
    with pytest.raises(ConfigError, match="QWEN_BOT_ANSWER_SLOT_SECONDS must be at least 1"):
        Settings.from_env({**base, "QWEN_BOT_ANSWER_SLOT_SECONDS": "0"})
