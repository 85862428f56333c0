"""Fuzzing the `/qwen` grammar: whatever people type, the answer is a Command or a UsageError/InvalidArgument.

Three strategies share the >= 10,000 inputs: arbitrary Unicode text, sentences built from the grammar's own
vocabulary (so the fuzzer reaches deep branches: flags, periods, quarters, month names, breakdown models),
and terminal-style token lists. Derandomized (same inputs every run) for CI stability.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.base import periods
from bot.base.errors import InvalidArgument, UsageError
from bot.core.grammar import spend
from bot.core.grammar import team as team_grammar
from bot.core.grammar import usage as grammar

ALLOWED = (UsageError, InvalidArgument)
COMMANDS = (grammar.Help, grammar.Login, grammar.Logout, grammar.Status, grammar.Version,
            grammar.UsageSummary, grammar.UsageBreakdown, grammar.FreeTier, grammar.Payg,
            spend.Billing, spend.Bills)
FUZZ = settings(max_examples=3500, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
counted: dict[str, int] = {}

WORDS = (
    "usage", "summary", "breakdown", "payg", "pay-as-you-go", "free-tier", "free", "tier", "login", "logout",
    "status", "version", "help", "?", "whoami", "last", "past", "previous", "this", "month", "week",
    "quarter",
    "year", "today", "yesterday", "ytd", "mtd", "qtd", "days", "day", "d", "march", "mar", "sept", "december",
    "q1", "q4", "q5", "2026", "0000", "9999", "2026-03", "2026-13", "2026-00", "for", "in", "the", "of",
    "qwen-plus", "qwen3-max", "7", "0", "366", "367", "-1", "1e9", "²", "١٢", "7days", "last-7-days",
    "--format", "--format=text", "--format=json", "--format=xml", "--model", "--days", "--period", "--from",
    "--to", "--granularity", "--refresh", "--no-cache", "--bogus", "-", "--",
    "=", '"', "'", "\u2014", "\u201c",
    "2026-02-30", "2026-03-01", "1999-12-31", "month", "quarter", "digest", "alert", "link", "subscribe",
    "weekly", "monthly", "mon", "09:00", "25:61", "Europe/Paris", "Mars/Olympus", "below", "above", "20%",
    "-5%", "NaN", "Infinity", "1e400", "accounts", "unlink", "remove", "list", "preview", "coding-plan", "5h",
    "daily", "\x00", "\n", "\t", "🙂", "ｑ１",
)
TODAYS = st.sampled_from([date(2026, 4, 10), date(2026, 1, 1), date(2026, 12, 31), date(2028, 2, 29),
                          date(2027, 3, 31)])
NUMBERISH = st.one_of(
    st.from_regex(r"\Aq[0-9]\Z"),
    st.integers(-5, 100_000).map(str),
    st.from_regex(r"\A[0-9]{4}(-[0-9]{1,2}(-[0-9]{1,2})?)?\Z"),
    st.from_regex(r"\A(last|past)-?[0-9]{1,4}-?(days?|d)\Z"),
    st.characters(categories=["Nd", "No"]).map(lambda c: c * 2),
)
TOKEN = st.one_of(st.sampled_from(WORDS), NUMBERISH)
vocab_text = st.lists(TOKEN, max_size=9).map(" ".join)
HEADS = ("", "usage", "usage summary", "usage breakdown", "payg", "breakdown --model qwen-plus")
FLAGS = ("--days", "--period", "--from", "--to", "--granularity", "--format", "--model")
# head + a couple of words, or head + flag + value: the shapes people type, reached often
structured = st.one_of(
    st.tuples(st.sampled_from(HEADS), st.lists(TOKEN, min_size=1, max_size=3)).map(
        lambda t: " ".join([t[0], *t[1]])
    ),
    st.tuples(st.sampled_from(HEADS), st.sampled_from(FLAGS), st.one_of(
        TOKEN, st.lists(TOKEN, min_size=2, max_size=2).map(" ".join),
        st.text(max_size=6),
    )).map(lambda t: f"{t[0]} {t[1]} {t[2]!r}" if " " in t[2] else f"{t[0]} {t[1]} {t[2]}"),
)
mixed_text = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)), max_size=7).map(" ".join)


def _check(text_or_tokens: str | list[str], today: date, kind: str) -> None:
    counted[kind] = counted.get(kind, 0) + 1
    try:
        if isinstance(text_or_tokens, str):
            command = grammar.parse(text_or_tokens, today=today)
        else:
            command = grammar.parse_tokens(text_or_tokens, today=today)
    except ALLOWED as exc:
        assert str(exc).strip(), "a usage error must say something"
        return
    assert isinstance(command, COMMANDS)
    period = getattr(command, "period", None)
    if period is None:
        return
    # the service resolves and validates what the grammar let through: still only usage errors
    try:
        rng = periods.resolve(today=today, period=period.preset, days=period.days, from_=period.from_,
                              to=period.to)
        periods.validate(rng, now=datetime.combine(today, time(12), UTC))
    except ALLOWED:
        return
    assert rng.start <= rng.end
    assert periods.month_chunks(rng)[0][0] == rng.start


@FUZZ
@given(st.text(max_size=80), TODAYS)
@example("q1 0000", date(2026, 4, 10))  # found by hand from this file's strategies: year 0
@example("usage march 0000", date(2026, 4, 10))
@example("payg --days ²", date(2026, 4, 10))  # '²'.isdigit() but int('²') fails
@example("usage --period 'q2 0000'", date(2026, 4, 10))
def test_arbitrary_text(text: str, today: date) -> None:
    _check(text, today, "text")


@FUZZ
@given(st.one_of(structured, vocab_text, mixed_text), TODAYS)
def test_vocabulary_sentences(text: str, today: date) -> None:
    _check(text, today, "vocab")


@settings(max_examples=2000, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(TOKEN, st.text(max_size=10)), max_size=8), TODAYS)
def test_terminal_tokens(tokens: list[str], today: date) -> None:
    _check(tokens, today, "tokens")


@settings(max_examples=1500, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(st.one_of(vocab_text, mixed_text, st.text(max_size=60)))
def test_team_grammar(text: str) -> None:
    counted["team"] = counted.get("team", 0) + 1
    try:
        team_grammar.is_team_text(text)
        team_grammar.parse_team(text)
    except ALLOWED as exc:
        assert str(exc).strip()


def test_at_least_ten_thousand_inputs_were_tried() -> None:
    """Runs after the fuzzers in this module (pytest keeps file order)."""
    if set(counted) != {"text", "vocab", "tokens", "team"}:
        import pytest

        pytest.skip("run the whole module to count inputs")
    assert sum(counted.values()) >= 10_000, counted
