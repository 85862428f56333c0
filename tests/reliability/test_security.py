"""Bad requests and other people's data: forged, replayed (> 5 min) and unsigned requests are rejected before
any listener runs; nobody reaches another workspace's or user's credential, results or pending login."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import select, update

from bot.devtools.localslack import ADMIN, GENERAL, MEMBER
from bot.storage.db import credential
from bot.storage.owner import Owner
from tests.fakes.waits import eventually, quiet_period
from tests.reliability.conftest import SIGNING_SECRET, Stack, has_text
from tests.reliability.test_fault_matrix import ANSWER, ask, link, owner


def _slash_form(stack: Stack, text: str, *, user: str = MEMBER, team_id: str | None = None) -> dict[str, str]:
    form, _token = stack.slack.sender.payloads.slash(user, GENERAL, text, "/qwen")
    if team_id is not None:
        form["team_id"] = team_id
    return form


def _nothing_happened(stack: Stack, before_calls: int) -> None:
    quiet_period(0.5)
    assert len(stack.sim.state.calls) == before_calls
    assert stack.services.pending_logins.get_active_for_owner(owner(stack), now=stack.clock.now()) is None
    assert not [c for c in stack.slack.calls("response_url")]


@pytest.mark.parametrize("kind", ["forged", "replayed", "unsigned"])
def test_bad_signatures_are_rejected(stack: Stack, record: Callable[..., None], kind: str) -> None:
    what = {
        "forged": ("signed with another secret", "HMAC with a wrong signing secret"),
        "replayed": ("a correctly signed request 301 s old", "X-Slack-Request-Timestamp = now - 301 s"),
        "unsigned": ("no signature headers", "POST without X-Slack-Signature / timestamp"),
    }[kind]
    record(
        f"security.{kind}",
        "security",
        f"{kind} request: {what[0]}",
        what[1],
        "HTTP 401; no listener ran",
        "none (Slack retries genuine requests)",
        "no login started, no upstream call, no reply",
    )
    body = urlencode(_slash_form(stack, "login"))
    calls = len(stack.sim.state.calls)
    if kind == "unsigned":
        status = httpx.post(
            stack.slack.bot_url, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        ).status_code
    else:
        secret = "not-the-signing-secret" if kind == "forged" else SIGNING_SECRET
        stamp = int(time.time()) - (301 if kind == "replayed" else 0)
        status = stack.slack.send_raw(body, secret=secret, timestamp=stamp).status
    assert status == 401
    # an interaction payload and an event are refused the same way
    action = {
        "type": "block_actions",
        "user": {"id": MEMBER},
        "team": {"id": stack.slack.ws.team_id},
        "actions": [{"action_id": "qwen_login", "value": "login", "type": "button"}],
        "response_url": "http://127.0.0.1:9/x",
    }
    stamp = int(time.time()) - (301 if kind == "replayed" else 0)
    reply = stack.slack.send_raw(
        urlencode({"payload": json.dumps(action)}),
        secret="not-the-signing-secret" if kind != "replayed" else SIGNING_SECRET,
        timestamp=stamp,
    )
    assert reply.status == 401
    _nothing_happened(stack, calls)
    # a well-signed request still works
    assert stack.slack.send_raw(urlencode(_slash_form(stack, "help"))).status == 200


def test_no_cross_workspace_or_cross_user_access(stack: Stack, record: Callable[..., None]) -> None:
    record(
        "security.cross_tenant",
        "security",
        "same Slack user id in another workspace; another user; a credential row copied to another owner",
        "signed /qwen usage with team_id T_OTHER; /qwen status by another user; SQL copy of ciphertext",
        "'not linked to QwenCloud' + Login button; never the owner's figures, link or token",
        "log in (own account)",
        "owner's credential, results and pending login untouched",
    )
    link(stack)
    mine = ask(stack, "usage last-month", ANSWER)
    # 1. the same user id in another workspace
    other_team = Owner("T_OTHER", MEMBER)
    before = stack.seen(MEMBER)
    assert (
        stack.slack.send_raw(urlencode(_slash_form(stack, "usage last-month", team_id="T_OTHER"))).status
        == 200
    )
    reply = stack.wait_ephemeral(MEMBER, has_text("not linked to QwenCloud"), exclude=before)
    assert mine.blocks != reply.blocks
    assert stack.services.credentials.get(other_team) is None
    # 2. another user of the same workspace: no figures, no link of someone else's pending login
    stack.services.credentials.delete(owner(stack))
    ask(stack, "login", "Open QwenCloud to approve")
    pending = stack.services.pending_logins.get_active_for_owner(owner(stack), now=stack.clock.now())
    assert pending is not None
    before = stack.seen(ADMIN)
    stack.slack.slash(ADMIN, GENERAL, "status")
    theirs = stack.wait_ephemeral(ADMIN, lambda m: "Working" not in m.text, exclude=before)
    assert "not linked" in theirs.text and pending.verification_url not in json.dumps(theirs.blocks)
    # 3. a credential row copied to another owner does not decrypt for them (owner-bound ciphertext)
    stack.sim.approve()
    eventually(lambda: stack.services.credentials.get(owner(stack)))
    with stack.services.engine.begin() as conn:
        row = conn.execute(select(credential).where(credential.c.user_id == MEMBER)).mappings().one()
        conn.execute(update(credential).where(credential.c.id == row["id"]).values(user_id=ADMIN))
    with pytest.raises(Exception) as raised:
        stack.services.credentials.get(Owner(stack.slack.ws.team_id, ADMIN))
    assert "qc_at_" not in str(raised.value)
    before = stack.seen(ADMIN)
    stack.slack.slash(ADMIN, GENERAL, "usage last-month")
    answer = stack.wait_ephemeral(ADMIN, lambda m: "Working" not in m.text, exclude=before)
    assert ANSWER not in answer.text and "*Analysis*" not in json.dumps(answer.blocks)


def test_no_token_in_logs_database_or_slack(stack: Stack, record: Callable[..., None]) -> None:
    record(
        "security.secrets_at_rest",
        "security",
        "a full scenario (login, usage, failures) then a grep",
        "the production log handler (configure_logging: JSON, DEBUG, Slack/HTTP debug on) captures it all;"
        " then search the logs, every Slack call and every database table for the tokens",
        "no access token, device token, verifier, Slack token or signing secret anywhere",
        "n/a",
        "n/a",
    )
    import dataclasses
    import io
    import logging

    from bot.base.logs import QUIET_LOGGERS, configure_logging

    stream = io.StringIO()
    settings = stack.services.settings
    loud = dataclasses.replace(settings, log_level="DEBUG", log_format="json", debug_slack=True)
    root_level = logging.getLogger().level
    handler = configure_logging(loud, stream=stream)
    try:
        _scenario(stack)
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(root_level)
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
    logs = stream.getvalue()
    access = stack.services.credentials.get(owner(stack))
    assert access is not None
    secrets = [access.access_token, SIGNING_SECRET, stack.slack.bot_token]
    secrets += [c.token for c in stack.sim.state.codes.values()]
    secrets += [c.verifier for c in stack.sim.state.codes.values() if getattr(c, "verifier", None)]
    slack_calls = json.dumps([(c.method, c.params, c.response) for c in stack.slack.calls()], default=str)
    with stack.services.engine.connect() as conn:
        from bot.storage.db import metadata

        dump = "".join(
            json.dumps([list(r) for r in conn.execute(select(t)).all()], default=str)
            for t in metadata.sorted_tables
            if conn.dialect.has_table(conn, t.name)
        )
    for secret in secrets:
        assert secret not in logs and secret not in slack_calls and secret not in dump
    assert logs.count("\n") > 20 and len(dump) > 0  # the scenario did log (HTTP debug lines included)
    assert stack.services.credentials.get(owner(stack)) is not None


def _scenario(stack: Stack) -> None:
    ask(stack, "login", "Open QwenCloud to approve")
    stack.sim.approve()
    eventually(lambda: stack.services.credentials.get(owner(stack)))
    stack.sim.control(http_error_next=10, http_status=401)
    ask(stack, "usage last-month", "rejected your saved login")
    stack.sim.control(action="reset_faults")
    ask(stack, "usage last-month", ANSWER)
