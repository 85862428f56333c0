"""The one grammar shared by `/qwen` and the terminal: words people type -> official period flags."""

from __future__ import annotations

from datetime import date

import pytest

from bot.base.errors import UsageError
from bot.core.grammar.usage import (
    FreeTier,
    Help,
    Login,
    Logout,
    Options,
    Payg,
    Period,
    Status,
    UsageBreakdown,
    UsageSummary,
    Version,
    parse,
    parse_tokens,
)

TODAY = date(2026, 4, 10)  # a Friday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Help()),
        ("help", Help()),
        ("login", Login()),
        ("logout", Logout()),
        ("status", Status()),
        ("version", Version()),
        ("free-tier", FreeTier()),
        ("free tier", FreeTier()),
        ("usage free-tier", FreeTier()),
        ("free-tier --format text", FreeTier(Options(format="text"))),
    ],
)
def test_simple_commands(text: str, expected: object) -> None:
    assert parse(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("usage", Period()),
        ("usage summary", Period()),
        ("usage last-month", Period(preset="last-month")),
        ("usage last month", Period(preset="last-month")),
        ("last month", Period(preset="last-month")),
        ("usage --period last-month", Period(preset="last-month")),
        ("usage summary --period 2026-03", Period(preset="2026-03")),
        ("this week", Period(preset="week")),
        ("this month", Period(preset="month")),
        ("today", Period(preset="today")),
        ("yesterday", Period(preset="yesterday")),
        ("ytd", Period(preset="year")),
        ("quarter", Period(preset="quarter")),
        ("2026-03", Period(preset="2026-03")),
        ("march", Period(preset="2026-03")),
        ("March 2025", Period(preset="2025-03")),
        ("mar 2026", Period(preset="2026-03")),
        ("april", Period(preset="2026-04")),  # the current month is not in the future
        ("may", Period(preset="2025-05")),  # most recent May not in the future
        ("december", Period(preset="2025-12")),
        ("for last month", Period(preset="last-month")),
        ("q1", Period(from_=date(2026, 1, 1), to=date(2026, 3, 31))),
        ("Q2", Period(from_=date(2026, 4, 1), to=TODAY)),  # current quarter ends today
        ("q3", Period(from_=date(2025, 7, 1), to=date(2025, 9, 30))),  # not started yet: last year's
        ("q4 2025", Period(from_=date(2025, 10, 1), to=date(2025, 12, 31))),
        ("last quarter", Period(from_=date(2026, 1, 1), to=date(2026, 3, 31))),
        ("last week", Period(from_=date(2026, 3, 30), to=date(2026, 4, 5))),
        ("last year", Period(from_=date(2025, 1, 1), to=date(2025, 12, 31))),
        ("usage --from 2026-03-01 --to 2026-03-31", Period(from_=date(2026, 3, 1), to=date(2026, 3, 31))),
        ("usage --to 2026-02-10", Period(to=date(2026, 2, 10))),
        ("usage --from=2026-03-30", Period(from_=date(2026, 3, 30))),
        # summary has no --days: the same window as explicit dates
        ("last 7 days", Period(from_=date(2026, 4, 4), to=TODAY)),
        ("usage --days 30", Period(from_=date(2026, 3, 12), to=TODAY)),
    ],
)
def test_summary_periods(text: str, period: Period) -> None:
    command = parse(text, today=TODAY)
    assert isinstance(command, UsageSummary)
    assert command.period == period


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("payg", Period()),
        ("payg last 7 days", Period(days=7)),
        ("payg past 30 days", Period(days=30)),
        ("payg 14d", Period(days=14)),
        ("payg --days 7", Period(days=7)),
        ("pay as you go march", Period(preset="2026-03")),
        ("usage payg last-month", Period(preset="last-month")),
    ],
)
def test_payg_periods(text: str, period: Period) -> None:
    command = parse(text, today=TODAY)
    assert isinstance(command, Payg)
    assert command.period == period


def test_breakdown_full_flags() -> None:
    command = parse("usage breakdown --model qwen3.6-plus --days 90 --granularity month", today=TODAY)
    assert command == UsageBreakdown("qwen3.6-plus", Period(days=90), "month")


def test_breakdown_without_model_asks_for_picker() -> None:
    command = parse("usage breakdown last month", today=TODAY)
    assert command == UsageBreakdown(None, Period(preset="last-month"))


def test_breakdown_model_as_word() -> None:
    command = parse("breakdown qwen-plus march", today=TODAY)
    assert command == UsageBreakdown("qwen-plus", Period(preset="2026-03"))


def test_breakdown_keeps_model_case() -> None:
    command = parse("usage breakdown --model Qwen-Plus --period 2026-03 --granularity quarter", today=TODAY)
    assert command == UsageBreakdown("Qwen-Plus", Period(preset="2026-03"), "quarter")


def test_options_format_and_refresh() -> None:
    command = parse("usage last month --format TEXT --refresh", today=TODAY)
    assert command == UsageSummary(Period(preset="last-month"), Options(format="text", refresh=True))


def test_terminal_tokens_are_the_same_grammar() -> None:
    argv = ["usage", "summary", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json"]
    assert parse_tokens(argv, today=TODAY) == UsageSummary(
        Period(from_=date(2026, 3, 1), to=date(2026, 3, 31)), Options(format="json")
    )


def test_smart_dashes_from_slack_clients() -> None:
    # Slack turns "--" into an em dash on some clients
    assert parse("usage \u2014format text", today=TODAY) == UsageSummary(options=Options(format="text"))


def test_month_name_rolls_back_at_year_start() -> None:
    assert parse("march", today=date(2026, 1, 5)) == UsageSummary(Period(preset="2025-03"))
    assert parse("january", today=date(2026, 1, 5)) == UsageSummary(Period(preset="2026-01"))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("blah", "don't understand 'blah'"),
        ("usage --days x", "Invalid --days"),
        ("usage --days 0", "Invalid --days"),
        ("usage --format xml", "Unknown format"),
        ("usage breakdown --model m --granularity week", "Invalid granularity 'week'"),
        ("usage --foo", "Unknown option --foo"),
        ("usage --model qwen-plus", "--model is only for"),
        ("march 20266", "don't understand"),
        ("usage --from 2026-13-01", "Invalid date"),
        ("usage --period someday", "Invalid period"),
        ("usage --period last-month march", "Unexpected words"),
        ("usage --model", "needs a value"),
        ("2026-13", "don't understand"),
        ("login now", "don't understand"),
    ],
)
def test_errors_carry_usage_text(text: str, reason: str) -> None:
    with pytest.raises(UsageError) as info:
        parse(text, today=TODAY)
    message = str(info.value)
    assert reason in message.splitlines()[0]
    assert "Usage: /qwen" in message
    assert "Examples:" in message
    assert "Traceback" not in message
