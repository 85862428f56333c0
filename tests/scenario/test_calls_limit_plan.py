"""`/qwen logs`, `/qwen limit`, `/qwen plan` through the real Bolt path: signed slash commands to the running
bot, the local Slack workspace, the QwenCloud simulator. Private answers with the Share button, figures equal
to the simulator's own counts and sums, bad input refused in the ack, Chinese for a zh-* user.
One stack for the module (each answer is independent of the others)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.core.calls import request
from bot.devtools.localslack import GENERAL, MEMBER, Message
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.render import messages as render
from bot.render.billing_render import money
from bot.storage.owner import Owner
from tests.scenario.conftest import NOW, Stack, has_text, module_settings, running_stack

TOKYO = ZoneInfo("Asia/Tokyo")  # the local workspace's MEMBER
ZH_USER = "U_CALLS_ZH"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(module_settings(tmp_path_factory, "calls-scenario")) as built:
        built.slack.add_user(ZH_USER, "li", tz="Asia/Shanghai", locale="zh-CN")
        for user in (MEMBER, ZH_USER):
            who = QwenUser("u", "e", None)
            creds = DeviceCredentials(built.sim.issue_token(), NOW + timedelta(days=2), who)
            built.services.credentials.put(Owner(built.slack.ws.team_id, user), creds)
        yield built


def ask(stack: Stack, text: str, expect: str, user: str = MEMBER) -> Message:
    before = len(stack.slack.ephemerals(user))
    reply = stack.slack.slash(user, GENERAL, text)
    # a zh-CN user's ack is Chinese once the locale was looked up (cached), English before
    working = ("Working…", "处理中…") if user == ZH_USER else ("Working…",)
    assert reply.status == 200 and reply.elapsed < 3.0 and json.loads(reply.body)["text"] in working
    return stack.slack.wait_for(
        lambda: next((m for m in stack.slack.ephemerals(user)[before:] if has_text(expect)(m)), None)
    )


def flat(message: Message) -> str:
    return json.dumps(message.blocks, ensure_ascii=False)


def token(stack: Stack, user: str = MEMBER) -> str:
    stored = stack.services.credentials.get(Owner(stack.slack.ws.team_id, user))
    assert stored is not None
    return stored.access_token


def shared_copy(stack: Stack, msg: Message) -> Message:
    """Click "Share in channel" and return the channel copy."""
    button = next(
        e for b in msg.blocks for e in b.get("elements", []) if e.get("action_id") == render.SHARE_ACTION
    )
    seen = len(stack.slack.messages(GENERAL))
    stack.slack.click(MEMBER, msg, render.SHARE_ACTION, value=str(button["value"]))
    return stack.slack.wait_for(
        lambda: next((m for m in stack.slack.messages(GENERAL)[seen:] if "Shared by" in flat(m)), None)
    )


def figures_then_analysis(msg: Message) -> None:
    types = [b["type"] for b in msg.blocks]
    divider = types.index("divider")
    assert types[0] == "header" and all(t in ("header", "section", "context") for t in types[:divider])
    assert msg.blocks[divider + 1]["text"]["text"].startswith(("*Analysis*", "*分析*"))
    assert msg.ephemeral_for is not None


def test_logs_counts_equal_the_servers_then_the_analysis_and_share(stack: Stack) -> None:
    msg = ask(stack, "logs errors --from 2026-04-06 --to 2026-04-09", "*Analysis*")
    figures_then_analysis(msg)
    start = datetime.combine(date(2026, 4, 6), time(), tzinfo=TOKYO)
    end = datetime.combine(date(2026, 4, 10), time(), tzinfo=TOKYO)
    api, tok = stack.services.billing, token(stack)
    failures = api.model_logs(tok, request(start, end, size=1, statuses=["CLIENT_ERROR", "SERVER_ERROR"]))
    every = api.model_logs(tok, request(start, end, size=1))
    assert failures.total_count > 0
    text = flat(msg)
    assert f"*{failures.total_count} calls* · 4xx + 5xx" in text
    assert f"({failures.total_count} of {every.total_count} calls)" in text
    latest = api.model_logs(tok, request(start, end, size=1, statuses=["CLIENT_ERROR", "SERVER_ERROR"]))
    assert latest.items[0].request_id in text  # the newest failure is listed by its request id
    copy = shared_copy(stack, msg)
    assert copy.ephemeral_for is None and copy.blocks[0] == msg.blocks[0]


def test_a_request_id_alone_shows_that_call(stack: Stack) -> None:
    start = datetime.combine(date(2026, 4, 8), time(), tzinfo=TOKYO)
    row = stack.services.billing.model_logs(token(stack), request(start, start + timedelta(days=1), size=1))
    call = row.items[0]
    msg = ask(stack, f"logs {call.request_id}", "*Status*")
    assert f"Call {call.request_id}" in flat(msg) and f"*Status*\\n{call.status_code}" in flat(msg)


def test_limit_against_the_breakdown_total_and_share(stack: Stack) -> None:
    msg = ask(stack, "limit", "*Limit*")
    figures_then_analysis(msg)
    api, tok = stack.services.billing, token(stack)
    month = [
        api.cost_analysis(tok, charge_types=[], granularity="MONTH", start="202604", end="202604", top=100,
                          group_by="BASE_MODEL", tax=tax)
        for tax in (False, True)
    ]
    spent = sum((Decimal(str(g.amount)) for a in month for g in a.totals), Decimal(0))
    limit = api.usage_limit(tok)
    text = flat(msg)
    assert f"*Month to date*\\n{money(spent)}" in text and "$" in money(spent)
    assert f"*Limit*\\n{money(limit.limit_amount)}" in text
    assert f"*Alert threshold*\\n{limit.alert_threshold}%" in text
    assert shared_copy(stack, msg).blocks[0] == msg.blocks[0]


def test_plan_shows_both_plans_and_share(stack: Stack) -> None:
    msg = ask(stack, "plan", "*Coding plan*")
    figures_then_analysis(msg)
    assert "Coding Plan Pro" in flat(msg) and "*Token plan*" in flat(msg)
    assert shared_copy(stack, msg).blocks[0] == msg.blocks[0]
    text = ask(stack, "plan --format text", "Token Plan Subscription")  # the CLI's two views, verbatim
    figures_then_analysis(text)
    assert "Renewable         Yes" in flat(text)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("logs last 30 days", "at most 14 days"),
        ("logs banana", "I don't understand 'banana'"),
        ("logs --status 3xx", "Invalid status '3xx'"),
        ("limit now please", "takes no"),
    ],
)
def test_bad_input_is_refused_in_the_ack(stack: Stack, text: str, said: str) -> None:
    reply = stack.slack.slash(MEMBER, GENERAL, text)
    assert reply.status == 200 and said in reply.body and "Traceback" not in reply.body


def test_a_chinese_question_about_failures_reads_in_chinese(stack: Stack) -> None:
    msg = ask(stack, "最近一小时有哪些调用失败", "理解为", user=ZH_USER)
    text = flat(msg)
    assert "理解为: 调用日志 · 4xx + 5xx · 最近 1h" in text and "*分析*" in text and "Analysis" not in text
    limit = ask(stack, "离限额还有多少", "理解为", user=ZH_USER)
    assert "理解为: 消费限额" in flat(limit) and "*本月至今*" in flat(limit)


def test_plan_with_a_failing_source_answers_with_a_note(stack: Stack) -> None:
    stack.sim.control(gateway_error_actions={"GetSubscriptionDetail": "Throttling.User"})
    try:
        msg = ask(stack, "plans", "source(s) unavailable")
    finally:
        stack.sim.control(action="reset_faults")
    text = flat(msg)
    assert "*Coding plan*\\nUnavailable right now." in text and "GetSubscriptionDetail" in text
    assert "*Analysis*" in text and "Traceback" not in text


def test_a_question_in_a_dm_is_answered_in_the_dm(stack: Stack) -> None:
    assert stack.slack.dm(MEMBER, "how close are we to the spend limit?").status == 200
    answer = stack.slack.wait_for(
        lambda: [m for m in stack.slack.dms(MEMBER) if m.bot_id and "Read as: spend limit" in flat(m)]
    )
    assert "*Month to date*" in flat(answer[-1])


def test_without_a_login_the_answer_offers_one(stack: Stack) -> None:
    stack.slack.add_user("U_CALLS_NEW", "new", tz="UTC")
    msg = ask(stack, "logs errors", "login", user="U_CALLS_NEW")
    assert render.LOGIN_ACTION in flat(msg) and "Traceback" not in flat(msg)
