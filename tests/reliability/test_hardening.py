"""Issue 11 in the fault matrix, tried as an attacker and a careless operator would: absurd ranges, input that
once broke the ack, stacked questions, unknown models, oversized bodies, /metrics, hostile text from
QwenCloud, login leftovers, bad stored alert rules. Each case writes its row of docs/reliability.md."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import select, update

from bot.core.inflight import STILL_WORKING
from bot.devtools.localslack import ADMIN, GENERAL, MEMBER
from bot.storage.db import pending_login
from bot.storage.team import alert_rule
from tests.conftest import METRICS_TOKEN
from tests.fakes.waits import eventually
from tests.reliability.conftest import Stack, has_text
from tests.reliability.test_fault_matrix import ANSWER, ask, link
from tests.scenario.test_team import link_prod


def _consume_calls(stack: Stack) -> int:
    return sum(1 for c in stack.sim.state.calls if c["action"] == "MaasListConsumeSummary")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("usage --from 5001-01-01 --to 9999-12-31", "ends after today"),
        ("usage breakdown --model qwen-plus --from 2026-04-01 --to 9999-12-30", "ends after today"),
        ("usage --from 2020-01-01 --to 2026-04-01", "maximum lookback"),
    ],
)
def test_absurd_ranges(stack: Stack, record: Callable[..., None], text: str, said: str) -> None:
    record(
        f"security.range.{text.split()[1].lstrip('-')}.{said.split()[-1]}",
        "security",
        f"an absurd range: `/qwen {text}`",
        "a logged-in member's slash command",
        f"a clear error ({said}) within seconds",
        "pick dates within the last 12 months, up to today",
        "0 upstream consume calls; the credential stays",
    )
    link(stack)
    before = _consume_calls(stack)
    ask(stack, text, said, timeout=10)
    assert _consume_calls(stack) == before


@pytest.mark.parametrize("text", ["usage q4 9999", "usage --from 0001-01-01 --to 0001-01-02"])
def test_input_cannot_fail_the_ack(stack: Stack, record: Callable[..., None], text: str) -> None:
    record(
        f"security.ack.{text.split()[1].lstrip('-')}",
        "security",
        f"input past the calendar or the lookback: `/qwen {text}`",
        "a slash command",
        "HTTP 200 ack with a clear error (was HTTP 500 for q4 9999)",
        "the usage help",
        "nothing started",
    )
    link(stack)
    reply = stack.slack.slash(MEMBER, GENERAL, text)
    assert reply.status == 200 and reply.elapsed < 3.0


def test_unknown_model_before_fan_out(stack: Stack, record: Callable[..., None]) -> None:
    record(
        "security.unknown_model",
        "security",
        "a breakdown of a model QwenCloud does not know",
        "`/qwen usage breakdown --model no-such-model --period 2026-03`",
        "model not found, with suggestions",
        "check the model id or pick one",
        "1 catalogue call, 0 month-chunk calls",
    )
    link(stack)
    before = _consume_calls(stack)
    ask(stack, "usage breakdown --model no-such-model --period 2026-03", "no-such-model")
    assert _consume_calls(stack) == before


def test_one_answer_in_flight_per_user(stack: Stack, record: Callable[..., None]) -> None:
    record(
        "security.in_flight",
        "security",
        "a second question while the first is still being fetched",
        "simulator latency 4 s; two slash commands from one member",
        "\"still working on your last question\" for the second",
        "ask again once answered",
        "the first answer arrives; the next question after it works",
    )
    link(stack)
    stack.sim.control(latency_ms=4000)
    first = stack.slack.slash(MEMBER, GENERAL, "usage last-month")
    assert "Working" in first.body
    eventually(lambda: stack.sim.snapshot()["in_flight"] > 0)
    second = stack.slack.slash(MEMBER, GENERAL, "payg last-month")
    assert STILL_WORKING in second.body
    stack.sim.control(latency_ms=0)
    stack.wait_ephemeral(MEMBER, has_text(ANSWER))


def test_oversized_body_and_metrics(stack: Stack, record: Callable[..., None]) -> None:
    record(
        "security.body_and_metrics",
        "security",
        "a 1 MB+ body; /metrics without its token",
        "raw POST to /slack/events; GET /metrics",
        "HTTP 413 before parsing; /metrics 404 without the bearer token, /healthz open",
        "none",
        "signed commands still answered",
    )
    url = stack.bot.url
    assert httpx.post(url + "/slack/events", content=b"x" * 1_000_001).status_code == 413
    assert httpx.get(url + "/metrics").status_code == 404
    bearer = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    assert httpx.get(url + "/metrics", headers=bearer).status_code == 200
    assert httpx.get(url + "/healthz").status_code == 200
    link(stack)
    ask(stack, "usage last-month", ANSWER)


def test_login_leaves_no_link_behind(stack: Stack, record: Callable[..., None]) -> None:
    record(
        "security.login_leftovers",
        "security",
        "the database read after a login",
        "SELECT from pending_login once the flow completed",
        "the link message says to approve only your own link; the confirmation names the account",
        "none",
        "no verification link, response_url or device token left; rows purged after a week",
    )
    stack.slack.slash(MEMBER, GENERAL, "login")
    stack.wait_ephemeral(MEMBER, has_text("asked for yourself"))
    stack.sim.approve()
    stack.wait_ephemeral(MEMBER, has_text("Logged in to QwenCloud as"))
    with stack.services.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(pending_login)).mappings()]
    assert rows and all(r["verification_url"] == "" and not r["notify"].get("response_url") for r in rows)


def test_bad_stored_alert_rule(stack: Stack, record: Callable[..., None]) -> None:
    record(
        "security.alert_rule",
        "security",
        "`/qwen alert add payg daily above 1e30`; a rule stored with an absurd threshold",
        "slash command; UPDATE alert_rule",
        "the add is refused; the bad rule is listed as unreadable",
        "remove it with /qwen alert remove ID",
        "alert list and App Home still render",
    )
    link_prod(stack)  # type: ignore[arg-type]  # the same fixtures' shape: slack + sim
    stack.slack.slash(ADMIN, GENERAL, "alert add payg daily above 1e30 prod")
    stack.wait_ephemeral(ADMIN, has_text("at most 4 decimals"))
    stack.slack.slash(ADMIN, GENERAL, "alert add payg daily above 25 prod")
    stack.wait_ephemeral(ADMIN, has_text("Alert #1 for *prod*"))
    with stack.services.engine.begin() as conn:
        conn.execute(update(alert_rule).values(threshold="1e30"))
    stack.slack.slash(ADMIN, GENERAL, "alert list")
    stack.wait_ephemeral(ADMIN, has_text("unreadable"))
    stack.slack.open_home(ADMIN)
    assert "unreadable" in json.dumps(stack.slack.wait_for(lambda: stack.slack.home(ADMIN)).payload)
