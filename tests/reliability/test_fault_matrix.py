"""The fault matrix: for each fault the user gets the right category of message with a next step, the Slack
request is acknowledged within 3 s, and nothing is lost (the credential, the pending login, the answer once
the fault clears). Each case writes its row of docs/reliability.md."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from bot.base.metrics import get_metrics
from bot.devtools.localslack import GENERAL, MEMBER, Message
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.render.messages import LOGIN_ACTION
from bot.storage.owner import Owner
from tests.fakes.waits import WAIT_S, eventually, quiet_period
from tests.reliability.conftest import NOW, UPSTREAM_TIMEOUT, Stack, has_text

USAGE = "usage last-month"
ANSWER = "*Analysis*"


def owner(stack: Stack) -> Owner:
    return Owner(stack.slack.ws.team_id, MEMBER)


def link(stack: Stack, *, expires_in: timedelta = timedelta(hours=12)) -> str:
    token = stack.sim.issue_token()
    creds = DeviceCredentials(token, NOW + expires_in, QwenUser("u1", "member@example.com", None))
    stack.services.credentials.put(owner(stack), creds)
    return token


def ask(stack: Stack, text: str, expect: str, *, timeout: float = WAIT_S) -> Message:
    """Send `/qwen text`; the ack is fast; wait for the private answer containing `expect`."""
    before = stack.seen(MEMBER)
    reply = stack.slack.slash(MEMBER, GENERAL, text)
    assert reply.status == 200, reply
    assert reply.elapsed < 3.0, f"ack took {reply.elapsed:.2f}s"
    return stack.wait_ephemeral(MEMBER, has_text(expect), timeout=timeout, exclude=before)


def has_login_button(message: Message) -> bool:
    return any(
        el.get("action_id") == LOGIN_ACTION for b in message.blocks for el in b.get("elements", []) or []
    )


def recovers(stack: Stack) -> None:
    """Nothing lost: with the fault cleared the same command answers; the credential is still there."""
    stack.sim.control(action="reset_faults")
    stack.slack.faults.clear()
    ask(stack, USAGE, ANSWER)
    assert stack.services.credentials.get(owner(stack)) is not None


@dataclass(frozen=True)
class UpstreamCase:
    id: str
    fault: str
    injected: str
    knobs: dict[str, Any]
    expect: str  # the words of the category
    next_step: str
    user_sees: str
    outcome: str = "upstream_error"


UPSTREAM = [
    UpstreamCase(
        "upstream.timeout",
        "QwenCloud slower than the client timeout",
        f"simulator latency_ms={UPSTREAM_TIMEOUT * 1000 + 1500} with QWEN_BOT_UPSTREAM_TIMEOUT="
        f"{UPSTREAM_TIMEOUT}",
        {"latency_ms": UPSTREAM_TIMEOUT * 1000 + 1500},
        "I couldn't reach QwenCloud",
        "Try again in a minute",
        "network error: couldn't reach QwenCloud",
        "network_error",
    ),
    UpstreamCase(
        "upstream.http_5xx",
        "HTTP 503 on every data call (after the client's read retries)",
        "simulator http_error_next=50, http_status=503",
        {"http_error_next": 50, "http_status": 503},
        "QwenCloud answered with an error",
        "Try again later",
        "upstream error with the HTTP status",
    ),
    UpstreamCase(
        "upstream.malformed_json",
        "body that is not JSON",
        "simulator malformed_next=50",
        {"malformed_next": 50},
        "QwenCloud answered with an error",
        "Try again later",
        "upstream error: response not JSON",
    ),
    UpstreamCase(
        "upstream.gateway_code",
        "gateway code != 200 on the consume summary",
        "simulator gateway_error_actions={MaasListConsumeSummary: Throttling}",
        {"gateway_error_actions": {"MaasListConsumeSummary": "Throttling"}},
        "QwenCloud answered with an error",
        "Try again later",
        "upstream error quoting the gateway message",
    ),
]


@pytest.mark.parametrize("case", UPSTREAM, ids=[c.id for c in UPSTREAM])
def test_upstream_faults(stack: Stack, record: Callable[..., None], case: UpstreamCase) -> None:
    record(
        case.id,
        "QwenCloud",
        case.fault,
        case.injected,
        case.user_sees,
        case.next_step,
        "credential kept; same command answers once the fault clears",
    )
    link(stack)
    counter = get_metrics().commands.labels(command="usage", outcome=case.outcome)
    before = counter._value.get()
    stack.sim.control(**case.knobs)
    message = ask(stack, USAGE, case.expect)
    assert counter._value.get() == before + 1  # /metrics counts the command by its outcome
    assert case.next_step in message.text
    assert not has_login_button(message)  # not an auth problem: no Login offered
    recovers(stack)


def test_business_error_degrades_the_section(stack: Stack, record: Callable[..., None]) -> None:
    record(
        "upstream.business_code",
        "QwenCloud",
        "envelope ret[0] != SUCCESS (coding plan)",
        "simulator business_error='FAIL_BIZ::Coding plan service unavailable'",
        "the summary with figures; coding plan shown as not subscribed (like the official CLI)",
        "none needed",
        "answer delivered; nothing retried twice",
    )
    link(stack)
    stack.sim.control(business_error="FAIL_BIZ::Coding plan service unavailable")
    message = ask(stack, USAGE, ANSWER)
    assert "Pay-as-you-go" in repr(message.blocks) or "pay-as-you-go" in repr(message.blocks).lower()
    recovers(stack)


def test_http_401_offers_login(stack: Stack, record: Callable[..., None]) -> None:
    record(
        "auth.http_401",
        "QwenCloud",
        "HTTP 401 on data calls",
        "simulator http_error_next=50, http_status=401",
        "auth error: QwenCloud rejected your saved login",
        "Log in again + Login button",
        "no partial answer; a new login replaces the credential and the command works",
    )
    link(stack)
    stack.sim.control(http_error_next=50, http_status=401)
    message = ask(stack, USAGE, "rejected your saved login")
    assert "Log in again" in message.text and has_login_button(message)
    stack.sim.control(action="reset_faults")
    link(stack)  # the user logs in again
    ask(stack, USAGE, ANSWER)


def test_server_side_expired_token(stack: Stack, record: Callable[..., None]) -> None:
    record(
        "auth.expired_upstream",
        "QwenCloud",
        "token expired on the server before its local expiry",
        "simulator action=expire_tokens",
        "auth error: QwenCloud rejected your saved login",
        "Log in again + Login button",
        "after a new login the command answers",
    )
    link(stack)
    stack.sim.control(action="expire_tokens")
    message = ask(stack, USAGE, "rejected your saved login")
    assert has_login_button(message)
    link(stack)
    ask(stack, USAGE, ANSWER)


def test_locally_expired_token(stack: Stack, record: Callable[..., None]) -> None:
    record(
        "auth.expired_local",
        "QwenCloud",
        "stored credential past its expires_at",
        "credential stored with expires_at in the past",
        "auth error: Your QwenCloud login has expired",
        "Log in again + Login button",
        "no upstream call made with the stale token; re-login works",
    )
    link(stack, expires_in=-timedelta(minutes=1))
    calls = len(stack.sim.state.calls)
    message = ask(stack, USAGE, "login has expired")
    assert has_login_button(message) and "Log in again" in message.text
    assert len(stack.sim.state.calls) == calls
    link(stack)
    ask(stack, USAGE, ANSWER)


# -- device flow -----------------------------------------------------------------------------------------


def start_login(stack: Stack) -> Message:
    return ask(stack, "login", "Open QwenCloud to approve")


def test_device_slow_down(stack: Stack, record: Callable[..., None]) -> None:
    record(
        "device.slow_down",
        "device flow",
        "poll answers slow_down once",
        "simulator slow_down_next=1",
        "the same private link; then 'Logged in' once approved",
        "approve in the browser",
        "pending row kept with interval +5 s per slow_down; login completes",
    )
    stack.sim.control(slow_down_next=1)
    start_login(stack)
    row = stack.services.pending_logins.get_active_for_owner(owner(stack), now=stack.clock.now())
    assert row is not None

    def slowed() -> bool:
        current = stack.services.pending_logins.get(row.id)
        return current is not None and current.interval >= row.interval + 5

    eventually(slowed)
    stack.sim.approve()
    stack.wait_ephemeral(MEMBER, has_text("Logged in to QwenCloud"))
    assert stack.services.credentials.get(owner(stack)) is not None


def test_device_denied(stack: Stack, record: Callable[..., None]) -> None:
    record(
        "device.denied",
        "device flow",
        "user denies in the browser",
        "simulator action=deny",
        "private: the QwenCloud login was denied",
        "try /qwen login again (Login button)",
        "pending row ended (denied); no credential stored; a new login works",
    )
    start_login(stack)
    stack.sim.deny()
    message = stack.wait_ephemeral(MEMBER, has_text("was denied"))
    assert has_login_button(message) or "/qwen login" in message.text
    assert stack.services.credentials.get(owner(stack)) is None
    assert stack.services.pending_logins.get_active_for_owner(owner(stack), now=stack.clock.now()) is None
    start_login(stack)
    stack.sim.approve()
    stack.wait_ephemeral(MEMBER, has_text("Logged in to QwenCloud"))


def test_device_expired(stack: Stack, record: Callable[..., None]) -> None:
    record(
        "device.expired",
        "device flow",
        "device code expires before approval",
        "simulator expire_all_codes=true",
        "private: the login link expired before it was approved",
        "try /qwen login again (Login button)",
        "pending row ended (expired); a new login works",
    )
    start_login(stack)
    stack.sim.control(expire_all_codes=True)
    message = stack.wait_ephemeral(MEMBER, has_text("expired before it was approved"))
    assert has_login_button(message) or "/qwen login" in message.text
    stack.sim.control(expire_all_codes=False)
    start_login(stack)
    stack.sim.approve()
    stack.wait_ephemeral(MEMBER, has_text("Logged in to QwenCloud"))


# -- database --------------------------------------------------------------------------------------------


def test_database_unavailable_during_a_command(stack: Stack, record: Callable[..., None]) -> None:
    record(
        "database.command",
        "database",
        "database unreachable while a command runs",
        "every SQL statement raises OperationalError (engine event)",
        "ack within 3 s, then 'Something went wrong on my side'",
        "Try again; tell the admin if it persists",
        "credential intact; the same command answers once the database is back",
    )
    link(stack)
    with stack.db.outage():
        message = ask(stack, USAGE, "went wrong on my side")
        assert "Try again" in message.text
    recovers(stack)


def test_database_unavailable_while_a_login_is_pending(stack: Stack, record: Callable[..., None]) -> None:
    record(
        "database.worker",
        "database",
        "database unreachable while the worker polls a pending login",
        "OperationalError on every statement for ~2 s while the login is pending",
        "nothing during the outage; 'Logged in' after it",
        "none needed",
        "the pending row survives; the login completes after the outage",
    )
    start_login(stack)
    with stack.db.outage():
        stack.sim.approve()
        refused = stack.db.refused
        eventually(lambda: stack.db.refused >= refused + 3)  # several worker passes fail meanwhile
    stack.wait_ephemeral(MEMBER, has_text("Logged in to QwenCloud"))
    assert stack.services.credentials.get(owner(stack)) is not None


# -- Slack -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500])
def test_slack_fault_on_users_info(stack: Stack, record: Callable[..., None], status: int) -> None:
    record(
        f"slack.users_info_{status}",
        "Slack",
        f"Slack answers users.info with HTTP {status}",
        f"local Slack faults: {'rate_limit' if status == 429 else 'server_error'}('users.info')",
        "the usage answer (timezone falls back to QWEN_BOT_TIMEZONE/UTC)",
        "none needed",
        "the answer is delivered",
    )
    link(stack)
    if status == 429:
        stack.slack.faults.rate_limit("users.info", times=None)
    else:
        stack.slack.faults.server_error("users.info", status=status, times=None)
    ask(stack, USAGE, ANSWER)


@pytest.mark.parametrize("status", [429, 500])
def test_slack_fault_on_the_login_dm(stack: Stack, record: Callable[..., None], status: int) -> None:
    record(
        f"slack.login_dm_{status}",
        "Slack",
        f"login confirmed after response_url expired; chat.postMessage answers HTTP {status} once",
        "local Slack expire_response_urls + one chat.postMessage fault",
        "private DM 'Logged in to QwenCloud' (the notice client retries 429 and one 5xx)",
        "none needed",
        "the credential is stored whatever Slack answers",
    )
    start_login(stack)
    stack.slack.expire_response_urls()
    if status == 429:
        stack.slack.faults.rate_limit("chat.postMessage", times=1)
    else:
        stack.slack.faults.server_error("chat.postMessage", status=status, times=1)
    stack.sim.approve()
    eventually(lambda: stack.services.credentials.get(owner(stack)))
    eventually(lambda: any("Logged in to QwenCloud" in m.text for m in stack.slack.dms(MEMBER)))
    ask(stack, "status", "Linked to QwenCloud")


def _subscribe_due_digest(stack: Stack) -> None:
    from datetime import time as clock_time

    from bot.base.schedule import Schedule
    team_id = stack.slack.ws.team_id
    creds = DeviceCredentials(
        stack.sim.issue_token(), NOW + timedelta(days=30), QwenUser("u9", "ops@x.test", None)
    )
    stack.services.credentials.put(Owner.team_account(team_id, "prod"), creds)
    due = Schedule("weekly", NOW.weekday(), clock_time(NOW.hour - 1, 55), "UTC")  # 5 minutes ago
    stack.team.subscriptions.add(
        team_id=team_id,
        channel_id=GENERAL,
        account="prod",
        schedule=due,
        created_by="U_ADMIN",
        now=NOW - timedelta(days=10),
    )


@pytest.mark.parametrize("status", [429, 503])
def test_slack_fault_on_the_digest_post(stack: Stack, record: Callable[..., None], status: int) -> None:
    record(
        f"slack.digest_{status}",
        "Slack",
        f"chat.postMessage answers HTTP {status} once for a due digest",
        f"local Slack faults: {'rate_limit (Retry-After 1)' if status == 429 else 'server_error'}"
        "('chat.postMessage', times=1); the worker thread delivers",
        "the weekly digest in the channel",
        "none needed",
        "posted exactly once (no duplicate after the retry)"
        if status == 429
        else "outcome unknown -> after the settle delay the channel's history has no message with the run id "
        "(post metadata) -> posted exactly once",
    )
    if status == 429:
        stack.slack.faults.rate_limit("chat.postMessage", channel=GENERAL, retry_after=1, times=1)
    else:
        stack.slack.faults.server_error("chat.postMessage", status=status, channel=GENERAL, times=1)
    _subscribe_due_digest(stack)
    eventually(lambda: stack.slack.messages(GENERAL))
    quiet_period(2.0)  # more worker passes: nothing else may be posted
    posted = [m for m in stack.slack.messages(GENERAL) if "Weekly QwenCloud spend" in m.text]
    assert len(posted) == 1


def test_slack_answer_lost_after_the_digest_was_posted(stack: Stack, record: Callable[..., None]) -> None:
    record(
        "slack.digest_503_after_post",
        "Slack",
        "chat.postMessage posts the digest, then its answer is lost (HTTP 503)",
        "local Slack faults: server_error('chat.postMessage', status=503, after_effect=True); the worker "
        "thread delivers",
        "the weekly digest in the channel",
        "none needed",
        "outcome unknown -> the channel's history has the message with the run id -> marked posted with its "
        "ts; never posted again",
    )
    faults = stack.slack.faults
    faults.server_error("chat.postMessage", status=503, channel=GENERAL, times=1, after_effect=True)
    _subscribe_due_digest(stack)
    eventually(lambda: stack.slack.calls("conversations.history"))
    quiet_period(2.0)  # more worker passes: nothing else may be posted
    posted = [m for m in stack.slack.messages(GENERAL) if "Weekly QwenCloud spend" in m.text]
    assert len(posted) == 1
    runs = stack.team.runs
    row = eventually(lambda: runs.get(1) if (runs.get(1) or {}).get("state") == "posted" else None)
    assert row["message_ts"] == posted[0].ts
