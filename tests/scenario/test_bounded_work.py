"""Issue 11, item 1: absurd ranges, unknown models and stacked questions are refused before the fan-out,
within the ack's 3 s and with (almost) no upstream calls; no input makes the ack fail."""

from __future__ import annotations

import pytest

from bot.core.inflight import STILL_WORKING
from bot.devtools.localslack import GENERAL, MEMBER
from tests.fakes.waits import eventually
from tests.scenario.conftest import Stack, has_text
from tests.scenario.test_slack_app import _login


def _consume_calls(stack: Stack) -> int:
    return sum(1 for c in stack.sim.state.calls if c["action"] == "MaasListConsumeSummary")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("usage --from 5001-01-01 --to 9999-12-31", "ends after today"),
        ("usage breakdown --model qwen-plus --from 2026-04-01 --to 9999-12-30", "ends after today"),
        ("usage --from 2020-01-01 --to 2026-04-01", "maximum lookback"),
        ("payg --from 2025-01-01 --to 2026-04-01", "maximum lookback"),
        ("usage last year", "maximum lookback"),  # summary included
        ("usage q3 2027", "ends after today"),
    ],
)
def test_absurd_ranges_get_a_clear_error_and_no_upstream_calls(stack: Stack, text: str, said: str) -> None:
    _login(stack)
    before = _consume_calls(stack)
    reply = stack.slack.slash(MEMBER, GENERAL, text)
    assert reply.status == 200 and reply.elapsed < 3.0
    stack.wait_ephemeral(MEMBER, has_text(said))
    assert _consume_calls(stack) == before


@pytest.mark.parametrize(
    "text", ["usage q4 9999", "usage december 9999", "usage --from 0001-01-01", "usage \x00"]
)
def test_no_input_makes_the_ack_fail(stack: Stack, text: str) -> None:
    reply = stack.slack.slash(MEMBER, GENERAL, text)
    assert reply.status == 200 and reply.elapsed < 3.0, reply.body


def test_an_unknown_model_is_refused_before_the_month_chunks(stack: Stack) -> None:
    _login(stack)
    before = _consume_calls(stack)
    reply = stack.slack.slash(MEMBER, GENERAL, "usage breakdown --model no-such-model --period 2026-03")
    assert reply.status == 200
    stack.wait_ephemeral(MEMBER, has_text("no-such-model"))
    assert _consume_calls(stack) == before


def test_a_second_question_while_the_first_is_fetched_is_refused(stack: Stack) -> None:
    _login(stack)
    stack.sim.control(latency_ms=4000)  # the first answer stays in flight while the second arrives
    first = stack.slack.slash(MEMBER, GENERAL, "usage last-month")
    assert "Working" in first.body
    eventually(lambda: stack.sim.snapshot()["in_flight"] > 0)
    second = stack.slack.slash(MEMBER, GENERAL, "payg last-month")
    assert second.status == 200 and STILL_WORKING in second.body
    stack.sim.control(latency_ms=0)
    stack.wait_ephemeral(MEMBER, has_text("*Analysis*"))
    answered = _answers(stack)
    third = stack.slack.slash(MEMBER, GENERAL, "payg last-month")  # the slot is free again
    assert "Working" in third.body
    stack.slack.wait_for(lambda: _answers(stack) > answered)


def _answers(stack: Stack) -> int:
    return len([m for m in stack.slack.ephemerals(MEMBER) if "*Analysis*" in repr(m.blocks)])
