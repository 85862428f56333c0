"""`/qwen billing` and `/qwen bills` through the real Bolt path (signed slash commands to the running bot, the
local Slack workspace, the QwenCloud simulator): the ephemeral answer with its figures equal to the core's,
the chart, "Share in channel", Chinese for a zh user, and bad input. One stack for the module. Today is
2026-04-10."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest

from bot.base.periods import DateRange
from bot.core.spend import SpendAnswers
from bot.devtools.localslack import GENERAL, MEMBER, Message
from bot.render import messages as render
from bot.render.spend_render import money
from bot.storage.owner import Owner
from tests.scenario.conftest import NOW, Stack, has_text, module_settings, running_stack

MARCH = DateRange(date(2026, 3, 1), date(2026, 3, 31))
ZH_USER = "U_ZH_BILLING"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(module_settings(tmp_path_factory, "billing")) as running:
        running.slack.add_user(ZH_USER, "li", tz="Asia/Shanghai", locale="zh-CN")
        # the zh-CN user reads the login messages in Chinese (tests/scenario/test_chinese_chat.py)
        for user, link, done in ((MEMBER, "Open QwenCloud to approve", "Logged in to QwenCloud"),
                                 (ZH_USER, "打开 QwenCloud 批准", "登录 QwenCloud。试试")):
            assert running.slack.slash(user, GENERAL, "login").status == 200
            running.wait_ephemeral(user, has_text(link))
            running.sim.approve()
            running.wait_ephemeral(user, has_text(done))
        yield running


def _flat(message: Message) -> str:
    return json.dumps(message.blocks, ensure_ascii=False)


def _spend(stack: Stack) -> SpendAnswers:
    s = stack.services
    return SpendAnswers(billing=s.billing, accounts=s.accounts, clock=s.clock)


def _share(message: Message) -> str:
    for block in message.blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == render.SHARE_ACTION:
                return str(element["value"])
    raise AssertionError(f"no share button in {message.blocks}")


def test_billing_by_api_key_is_ephemeral_with_the_core_figures_a_chart_and_share(stack: Stack) -> None:
    reply = stack.slack.slash(MEMBER, GENERAL, "billing by api-key march")
    assert reply.status == 200 and reply.elapsed < 3.0 and "Working" in reply.body
    msg = stack.wait_ephemeral(MEMBER, has_text("QwenCloud spend by API key · 2026-03-01 → 2026-03-31"))
    assert msg.ephemeral_for == MEMBER
    expected = _spend(stack).spend(Owner(stack.slack.ws.team_id, MEMBER), MARCH, group_by="api-key")
    flat = _flat(msg)
    assert f"*Total* *{money(expected.total)}* (USD)" in flat
    for row in expected.rows[:3]:
        assert f"`{row.label}`  {money(row.amount)}" in flat
    types = [b["type"] for b in msg.blocks]
    assert types[:3] == ["header", "section", "image"]  # figures, then the uploaded chart
    assert types[3:5] == ["divider", "section"] and "grew most" in flat
    assert stack.slack.calls("files.completeUploadExternal")
    stack.slack.click(MEMBER, msg, render.SHARE_ACTION, value=_share(msg))
    shared = stack.slack.wait_for(
        lambda: [m for m in stack.slack.messages(GENERAL) if "Shared by" in repr(m.blocks)]
    )
    copy = shared[-1]
    assert copy.ephemeral_for is None and copy.blocks[0] == msg.blocks[0]
    assert f"*{money(expected.total)}*" in _flat(copy) and render.SHARE_ACTION not in _flat(copy)


def test_bills_totals_equal_the_settled_summary(stack: Stack) -> None:
    stack.slack.slash(MEMBER, GENERAL, "bills 2026-01 2026-03")
    msg = stack.wait_ephemeral(MEMBER, has_text("QwenCloud settled bills · 2026-01 → 2026-03"))
    bills = _spend(stack).bills(Owner(stack.slack.ws.team_id, MEMBER), "2026-01", "2026-03", today=NOW.date())
    assert len(bills.months) == 3
    flat = _flat(msg)
    assert f"= *{money(bills.aftertax)}* (USD)" in flat and "Largest month" in flat
    assert _share(msg) == "bills 2026-01 2026-03"


def test_a_chinese_question_about_api_keys_reads_in_chinese(stack: Stack) -> None:
    stack.slack.slash(ZH_USER, GENERAL, "上个月每个API密钥花了多少")
    msg = stack.wait_ephemeral(ZH_USER, has_text("各 API Key 花费"))
    flat = _flat(msg)
    assert "理解为: 按API Key的花费 · 上月: 2026-03-01 → 2026-03-31" in flat
    assert "*分析*" in flat and "增长最多" in flat and "Analysis" not in flat


def test_bad_input_is_answered_in_the_ack_with_a_hint(stack: Stack) -> None:
    calls = stack.sim.snapshot()["calls"]
    bad = (("bills 2026-06 2026-01", "2026-06 is after 2026-01"), ("billing soonish", "soonish"))
    for text, error in bad:
        reply = stack.slack.slash(MEMBER, GENERAL, text)
        assert reply.status == 200 and error in reply.body and "/qwen" in reply.body
        assert "Working" not in reply.body and "Traceback" not in reply.body
    assert stack.sim.snapshot()["calls"] == calls  # refused before any QwenCloud call


def test_settled_bills_asked_in_a_dm_are_answered_in_the_dm(stack: Stack) -> None:
    assert stack.slack.dm(MEMBER, "settled bills from january to march").status == 200
    answers = stack.slack.wait_for(
        lambda: [m for m in stack.slack.dms(MEMBER) if m.bot_id and "settled bills" in _flat(m)]
    )
    flat = _flat(answers[-1])
    assert "Read as: settled bills · 2026-01 → 2026-03" in flat and "*Analysis*" in flat
    assert render.SHARE_ACTION not in flat  # a DM is already private: nothing to share
