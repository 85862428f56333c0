"""`/qwen billing` and `/qwen bills`: the command forms and the plain words (English and Chinese) that reach
them, and the pay-as-you-go phrases that keep their reading. Today is Monday 2026-11-30."""

from __future__ import annotations

from datetime import date

import pytest

from bot.base import metrics
from bot.base.errors import UsageError
from bot.base.periods import resolve
from bot.core.grammar import usage as g
from bot.core.grammar.spend import Billing, Bills
from bot.core.grammar.words import understand

TODAY = date(2026, 11, 30)

# (command text, group, first day, last day): the periods are exactly `/qwen usage`'s
BILLING = [
    ("billing", "model", "2026-11-01", "2026-11-30"),
    ("billing by model", "model", "2026-11-01", "2026-11-30"),
    ("billing by api-key last month", "api-key", "2026-10-01", "2026-10-31"),
    ("billing by api key may", "api-key", "2026-05-01", "2026-05-31"),
    ("billing keys last 7 days", "api-key", "2026-11-24", "2026-11-30"),
    ("billing by model q1", "model", "2026-01-01", "2026-03-31"),
    ("billing by api-key --from 2026-05-03 --to 2026-05-09", "api-key", "2026-05-03", "2026-05-09"),
    ("billing --period 2026-03", "model", "2026-03-01", "2026-03-31"),
]


@pytest.mark.parametrize(("text", "group", "first", "last"), BILLING)
def test_billing_command_forms(text: str, group: str, first: str, last: str) -> None:
    command = g.parse(text, today=TODAY)
    assert isinstance(command, Billing) and command.group == group
    p = command.period
    rng = resolve(today=TODAY, period=p.preset, days=p.days, from_=p.from_, to=p.to)
    assert (rng.from_text, rng.to_text) == (first, last)


BILLS = [
    ("bills", None, None),
    ("bills march", "2026-03", "2026-03"),
    ("bills 2026-01 2026-06", "2026-01", "2026-06"),
    ("bills from jan to march", "2026-01", "2026-03"),
    ("bills this year", "2026-01", "2026-11"),
    ("bills q1", "2026-01", "2026-03"),
    ("bills --from 2026-01 --to 2026-03", "2026-01", "2026-03"),
    ("bills 2026-09 2027-02", "2026-09", "2026-11"),  # months not billed yet are left out
]


@pytest.mark.parametrize(("text", "first", "last"), BILLS)
def test_bills_command_forms(text: str, first: str | None, last: str | None) -> None:
    command = g.parse(text, today=TODAY)
    assert command == Bills(first, last, g.Options())


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("bills 2026-06 2026-01", "2026-06 is after 2026-01"),
        ("bills soon", "I don't understand 'soon' as months"),
        ("bills 2027-03", "2027-03 has not been billed yet"),
        ("bills --from 2026-13", "Invalid month '2026-13'"),
        ("bills 2020-01 2026-06", "at most 36"),
        ("billing nonsense", "I don't understand 'nonsense'"),
        ("billing by api-key --model qwen-max", "--model is only for `usage breakdown`"),
    ],
)
def test_bad_input_is_a_usage_error_with_a_hint(text: str, error: str) -> None:
    with pytest.raises(UsageError, match=error) as caught:
        understand(text, today=TODAY)
    assert "/qwen" in str(caught.value)  # a short hint: the commands to try


# (question, expected command, first day, last day) in plain words
WORDS = [
    ("which API key spent most last month", "api-key", "2026-10-01", "2026-10-31"),
    ("spend by api key in May", "api-key", "2026-05-01", "2026-05-31"),
    ("what did each key cost this week", "api-key", "2026-11-24", "2026-11-30"),
    ("哪个API Key花费最多", "api-key", "2026-11-01", "2026-11-30"),
    ("每个API密钥的花费", "api-key", "2026-11-01", "2026-11-30"),
    ("上个月每个API密钥花了多少", "api-key", "2026-10-01", "2026-10-31"),
    ("settled bills this year", "bills", "2026-01", "2026-11"),
    ("settled bills from january to march", "bills", "2026-01", "2026-03"),
    ("invoice for march", "bills", "2026-03", "2026-03"),
    ("已结算账单", "bills", None, None),
    ("今年已结算的账单", "bills", "2026-01", "2026-11"),
]


@pytest.mark.parametrize(("text", "kind", "first", "last"), WORDS)
def test_plain_words(text: str, kind: str, first: str | None, last: str | None) -> None:
    reading = understand(text, today=TODAY, models_on_account=["qwen-max", "qwen-plus"])
    assert reading.plain
    command = reading.command
    if kind == "bills":
        assert command == Bills(first, last, g.Options())
        return
    assert isinstance(command, Billing) and command.group == kind
    p = command.period
    rng = resolve(today=TODAY, period=p.preset, days=p.days, from_=p.from_, to=p.to)
    assert (rng.from_text, rng.to_text) == (first, last)


@pytest.mark.parametrize(
    "text", ["bill", "账单", "how much did we spend", "spend by model last month", "what's my bill for may"]
)
def test_pay_as_you_go_phrases_keep_their_reading(text: str) -> None:
    assert isinstance(understand(text, today=TODAY).command, g.Payg)


def test_metrics_name_the_commands() -> None:
    assert metrics.command_label("billing by api-key may") == "billing"
    assert metrics.command_label("bills 2026-01 2026-06") == "bills"
