"""Fuzzing issue 11's bounds: whatever people type, a usage command either fails before any call with a
clear error or asks for a range the bot may fetch (not in the future, within the lookback, at most 13 month
chunks); an alert threshold is either refused or within its bounds; escaped text never carries `<` or `>`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.base.errors import QwenBotError
from bot.base.periods import MAX_MONTH_CHUNKS, month_count
from bot.core.answers import bounded_range
from bot.core.grammar import team as team_grammar
from bot.core.grammar import usage as grammar
from bot.core.grammar.team import MAX_AMOUNT
from bot.render.mrkdwn import esc

FUZZ = settings(max_examples=1500, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
TODAY = date(2026, 4, 10)
DATES = st.one_of(st.dates(), st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)))
PERIOD_WORDS = st.sampled_from([
    "last year", "q4 9999", "q1 0001", "december 9999", "9999-12", "0001-01", "ytd", "last 366 days",
    "last-quarter", "q3 2027", "march", "2026-04", "week", "quarter", "year", "last month",
])
HEADS = st.sampled_from(["usage", "usage summary", "payg", "usage breakdown --model qwen-plus"])


def _check_range(text: str) -> None:
    try:
        command = grammar.parse(text, today=TODAY)
    except QwenBotError:
        return
    period = getattr(command, "period", None)
    if period is None:
        return
    try:
        rng = bounded_range(period, today=TODAY)
    except QwenBotError as exc:
        assert exc.message.strip()
        return
    assert rng.start <= rng.end and rng.start <= TODAY
    assert month_count(rng) <= MAX_MONTH_CHUNKS
    assert (TODAY - rng.start).days <= 366


@FUZZ
@given(HEADS, DATES, DATES)
def test_explicit_ranges_are_bounded_or_refused(head: str, start: date, end: date) -> None:
    _check_range(f"{head} --from {start.isoformat()} --to {end.isoformat()}")


@FUZZ
@given(HEADS, PERIOD_WORDS | st.text(max_size=20))
def test_period_words_are_bounded_or_refused(head: str, words: str) -> None:
    _check_range(f"{head} {words}")


NUMBERS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1e30", "1e9", "1000000000.0001", "0.00001", "-1", "NaN", "1E+400", "25", "101%"]),
)


@FUZZ
@given(st.sampled_from(["payg daily above", "payg monthly above", "coding-plan 5h above",
                        "free-tier qwen-plus below", "error-rate above", "spend-limit within"]), NUMBERS)
def test_alert_thresholds_are_bounded_or_refused(rule: str, number: str) -> None:
    try:
        command = team_grammar.parse_team(f"alert add {rule} {number} prod")
    except QwenBotError:
        return
    threshold = getattr(command, "threshold", None)
    if threshold is None:
        return
    assert isinstance(threshold, Decimal) and threshold.is_finite()
    assert Decimal(0) <= threshold <= MAX_AMOUNT
    if getattr(command, "kind", "") in ("error_rate", "spend_limit"):
        assert threshold < 100  # percentages where 100 would mean never / always
    exponent = threshold.as_tuple().exponent
    assert not isinstance(exponent, int) or exponent >= -4


@FUZZ
@given(st.text())
def test_escaped_text_has_no_angle_brackets(text: str) -> None:
    assert "<" not in esc(text) and ">" not in esc(text)
