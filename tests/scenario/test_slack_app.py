"""Signed requests to the running bot (serve.start on a port), the local Slack workspace recording every
Web API call and response_url post, and the QwenCloud simulator behind the usage service."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta

import httpx

from bot.base.periods import DateRange
from bot.devtools.localslack import GENERAL, MEMBER, Message
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.render import messages as render
from bot.render import text as text_out
from bot.render.usage import money
from bot.storage.owner import Owner
from tests.fakes.waits import quiet_period
from tests.scenario.conftest import NOW, Stack, has_text

MARCH = DateRange(date(2026, 3, 1), date(2026, 3, 31))


def _owner(stack: Stack, user: str = MEMBER) -> Owner:
    return Owner(stack.slack.ws.team_id, user)


def _login(stack: Stack, user: str = MEMBER) -> Message:
    reply = stack.slack.slash(user, GENERAL, "login")
    assert reply.status == 200
    link = stack.wait_ephemeral(user, has_text("Open QwenCloud to approve"))
    stack.sim.approve()
    stack.wait_ephemeral(user, has_text("Logged in to QwenCloud"))
    return link


def _button(message: Message, action_id: str) -> dict[str, object]:
    for block in message.blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return dict(element)
    raise AssertionError(f"no {action_id} in {message.blocks}")


def _types(message: Message) -> list[str]:
    return [b["type"] for b in message.blocks]


def test_usage_last_month_figures_equal_the_usage_service_then_divider_and_analysis(stack: Stack) -> None:
    _login(stack)
    reply = stack.slack.slash(MEMBER, GENERAL, "usage last-month")
    assert reply.status == 200 and reply.elapsed < 3.0
    assert "Working" in reply.body
    msg = stack.wait_ephemeral(MEMBER, has_text("*Analysis*"))

    token = stack.services.credentials.get(_owner(stack))
    assert token is not None
    expected = stack.services.usage.payg(token.access_token, MARCH)
    flat = json.dumps(msg.blocks, ensure_ascii=False)
    assert money(expected.total_cost) in flat
    for model in expected.models:
        assert f"`{model.model_id}`" in flat and money(model.cost) in flat
    types = _types(msg)
    assert types[0] == "header" and "2026-03-01 → 2026-03-31" in msg.blocks[0]["text"]["text"]
    divider = types.index("divider")
    assert types[divider + 1] == "section" and msg.blocks[divider + 1]["text"]["text"].startswith(
        "*Analysis*"
    )
    assert all(t in ("header", "section") for t in types[:divider])  # figures first
    assert types[-2:] == ["context", "actions"]
    assert "Asia/Tokyo" in msg.blocks[-2]["elements"][0]["text"]  # the user's Slack timezone
    assert not msg.text.lower().startswith("here")
    assert msg.ephemeral_for == MEMBER
    assert not stack.slack.messages(GENERAL) or all(
        "Pay-as-you-go" not in m.text for m in stack.slack.messages(GENERAL)
    )


def test_login_link_only_ephemeral_reused_then_confirmed_privately(stack: Stack) -> None:
    stack.slack.slash(MEMBER, GENERAL, "login")
    first = stack.wait_ephemeral(MEMBER, has_text("Open QwenCloud to approve"))
    url = _button(first, render.OPEN_LINK_ACTION)["url"]
    stack.slack.slash(MEMBER, GENERAL, "login")
    second = stack.wait_ephemeral(MEMBER, has_text("still waiting"))
    assert _button(second, render.OPEN_LINK_ACTION)["url"] == url  # same link, not a new device code
    assert len(stack.sim.snapshot()["device_codes"]) == 1
    stack.sim.approve()
    done = stack.wait_ephemeral(MEMBER, has_text("Logged in to QwenCloud"))
    assert done.ephemeral_for == MEMBER
    everywhere = [*stack.slack.messages(GENERAL), *stack.slack.dms(MEMBER)]
    assert all(str(url) not in json.dumps(m.blocks) + m.text for m in everywhere)
    for call in stack.slack.calls("chat.postMessage"):
        assert str(url) not in json.dumps(call.params)
    cred = stack.services.credentials.get(_owner(stack))
    assert cred is not None
    for call in stack.slack.calls():  # the QwenCloud token never reaches Slack
        assert cred.access_token not in json.dumps(call.params)


def test_login_confirmed_by_dm_when_response_url_expired(stack: Stack) -> None:
    stack.slack.slash(MEMBER, GENERAL, "login")
    stack.wait_ephemeral(MEMBER, has_text("Open QwenCloud to approve"))
    stack.slack.expire_response_urls()
    stack.sim.approve()
    dm = stack.slack.wait_for(
        lambda: [m for m in stack.slack.dms(MEMBER) if "Logged in" in m.text], timeout=8
    )
    assert dm and stack.slack.calls("conversations.open")


def test_forged_and_stale_signatures_are_rejected(stack: Stack) -> None:
    body = "command=%2Fqwen&text=help&user_id=U_MEMBER&team_id=T1&channel_id=C_GENERAL"
    forged = stack.slack.send_raw(body, secret="not-the-secret")
    stale = stack.slack.send_raw(body, timestamp=int(time.time()) - 600)
    good = stack.slack.send_raw(body)
    assert forged.status == 401 and stale.status == 401
    assert good.status == 200 and "Usage: /qwen" in good.body


def test_ack_within_3s_while_qwencloud_is_slow(stack: Stack) -> None:
    _login(stack)
    stack.sim.control(latency_ms=1500)
    reply = stack.slack.slash(MEMBER, GENERAL, "payg last 7 days")
    assert reply.status == 200 and reply.elapsed < 3.0 and "Working" in reply.body
    msg = stack.wait_ephemeral(MEMBER, has_text("*Analysis*"))
    assert "Pay-as-you-go" in msg.text


def test_breakdown_without_model_offers_a_picker_and_picking_runs_it(stack: Stack) -> None:
    _login(stack)
    stack.slack.slash(MEMBER, GENERAL, "usage breakdown last month")
    picker = stack.wait_ephemeral(MEMBER, has_text(render.PICK_MODEL_ACTION))
    select = _button(picker, render.PICK_MODEL_ACTION)
    options = [o["value"] for o in select["options"]]  # type: ignore[attr-defined]
    assert options and "qwen-plus" in options
    stack.slack.select(MEMBER, picker, render.PICK_MODEL_ACTION, "qwen-plus")
    msg = stack.wait_ephemeral(MEMBER, has_text("Daily breakdown · qwen-plus"))
    assert "2026-03-01 → 2026-03-31" in msg.text


def test_share_in_channel_posts_a_copy(stack: Stack) -> None:
    _login(stack)
    stack.slack.slash(MEMBER, GENERAL, "usage last-month")
    msg = stack.wait_ephemeral(MEMBER, has_text("*Analysis*"))
    stack.slack.click(MEMBER, msg, render.SHARE_ACTION, value=str(_button(msg, render.SHARE_ACTION)["value"]))
    shared = stack.slack.wait_for(
        lambda: [m for m in stack.slack.messages(GENERAL) if "Shared by" in repr(m.blocks)]
    )
    copy = shared[-1]
    assert copy.ephemeral_for is None
    assert copy.blocks[0] == msg.blocks[0]  # same header
    assert render.SHARE_ACTION not in json.dumps(copy.blocks)


def test_format_text_is_the_cli_layout_verbatim_then_analysis(stack: Stack) -> None:
    _login(stack)
    stack.slack.slash(MEMBER, GENERAL, "usage last month --format text")
    msg = stack.wait_ephemeral(MEMBER, has_text("*Analysis*"))
    cred = stack.services.credentials.get(_owner(stack))
    assert cred is not None
    summary = stack.services.usage.summary(cred.access_token, MARCH)
    expected = text_out.summary(summary, now=stack.clock.now()).rstrip("\n")
    code = "".join(
        b["text"]["text"][3:-3] + "\n"
        for b in msg.blocks
        if b["type"] == "section" and b["text"]["text"].startswith("```")
    )
    assert code.rstrip("\n") == expected
    assert _types(msg).index("divider") > 1


def test_status_logout_then_login_button(stack: Stack) -> None:
    stack.slack.slash(MEMBER, GENERAL, "status")
    stack.wait_ephemeral(MEMBER, has_text("not linked"))
    _login(stack)
    stack.slack.slash(MEMBER, GENERAL, "status")
    status = stack.wait_ephemeral(MEMBER, has_text("Linked to QwenCloud as"))
    assert "valid until" in json.dumps(status.blocks)
    stack.slack.slash(MEMBER, GENERAL, "logout")
    stack.wait_ephemeral(MEMBER, has_text("Logged out"))
    assert stack.services.credentials.get(_owner(stack)) is None
    stack.slack.slash(MEMBER, GENERAL, "usage")
    msg = stack.wait_ephemeral(MEMBER, has_text("not linked to QwenCloud yet"))
    assert _button(msg, render.LOGIN_ACTION)


def test_expired_token_says_so_and_login_button_starts_a_login(stack: Stack) -> None:
    user = QwenUser(id="u1", email="dev@example.com", aliyun_id=None)
    stack.services.credentials.put(
        _owner(stack), DeviceCredentials("tok-old", NOW - timedelta(hours=1), user)
    )
    stack.slack.slash(MEMBER, GENERAL, "usage last month")
    msg = stack.wait_ephemeral(MEMBER, has_text("login has expired"))
    stack.slack.click(MEMBER, msg, render.LOGIN_ACTION, value="login")
    link = stack.wait_ephemeral(MEMBER, has_text("Open QwenCloud to approve"))
    assert link.ephemeral_for == MEMBER


def test_rejected_token_offers_login(stack: Stack) -> None:
    user = QwenUser(id="u1", email="dev@example.com", aliyun_id=None)
    later = NOW + timedelta(days=1)
    stack.services.credentials.put(_owner(stack), DeviceCredentials("tok-unknown", later, user))
    stack.slack.slash(MEMBER, GENERAL, "usage")
    msg = stack.wait_ephemeral(MEMBER, has_text("rejected your saved login"))
    assert _button(msg, render.LOGIN_ACTION)


def test_unparseable_gets_the_closest_commands_in_the_ack(stack: Stack) -> None:
    reply = stack.slack.slash(MEMBER, GENERAL, "usage sometime soonish")
    assert reply.status == 200 and "Closest" in reply.body and "Traceback" not in reply.body


def test_healthz(stack: Stack) -> None:
    resp = httpx.get(stack.bot.url + "/healthz")
    assert resp.status_code == 200 and resp.json() == {"ok": True}


def test_app_home_and_direct_messages_point_at_the_command(stack: Stack) -> None:
    assert stack.slack.open_home(MEMBER).status == 200
    view = stack.slack.wait_for(lambda: stack.slack.home(MEMBER))
    assert "Usage: /qwen" in json.dumps(view.payload if hasattr(view, "payload") else view.__dict__)
    assert stack.slack.dm(MEMBER, "hello there").status == 200  # not a question: the closest commands
    reply = stack.slack.wait_for(lambda: [m for m in stack.slack.dms(MEMBER) if m.bot_id])
    assert "Closest" in json.dumps(reply[-1].blocks) and "/qwen" in json.dumps(reply[-1].blocks)


def test_help_and_version_answer_in_the_ack_without_calling_slack(stack: Stack) -> None:
    stack.slack.clear_calls()
    help_body = stack.slack.slash(MEMBER, GENERAL, "help").body
    assert "Usage: /qwen" in help_body and "digest subscribe|list|unsubscribe|preview" in help_body
    assert "qwen-usage-bot" in stack.slack.slash(MEMBER, GENERAL, "version").body
    quiet_period(0.3)
    assert [c.method for c in stack.slack.calls()] == []


def test_denied_login_is_told_privately_with_a_login_button(stack: Stack) -> None:
    stack.slack.slash(MEMBER, GENERAL, "login")
    stack.wait_ephemeral(MEMBER, has_text("Open QwenCloud to approve"))
    stack.sim.deny()
    denied = stack.wait_ephemeral(MEMBER, has_text("was denied"))
    assert denied.ephemeral_for == MEMBER and _button(denied, render.LOGIN_ACTION)
    assert stack.services.credentials.get(_owner(stack)) is None


def test_working_message_is_replaced_not_left_behind(stack: Stack) -> None:
    _login(stack)
    stack.slack.slash(MEMBER, GENERAL, "free-tier")
    stack.wait_ephemeral(MEMBER, has_text("QwenCloud free tier"))
    assert not [m for m in stack.slack.ephemerals(MEMBER) if m.text.startswith("Working")]
