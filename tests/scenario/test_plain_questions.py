"""Plain questions through Slack (signed slash commands and DMs to the running bot, the QwenCloud simulator
behind it): the right dates and model, the reading stated first, the user's Slack locale for its words, and
a short reply naming the closest commands when the question cannot be read. Today is 2026-04-10."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from bot import __version__
from bot.base.clock import FixedClock
from bot.base.config import Settings
from bot.base.periods import DateRange
from bot.devtools.localslack import ADMIN, GENERAL, MEMBER, Message
from bot.render.usage import money
from bot.storage.owner import Owner
from tests.fakes.index import serve_index
from tests.fakes.stack import local_world, served
from tests.scenario.conftest import NOW, Stack, has_text

MARCH = DateRange(date(2026, 3, 1), date(2026, 3, 31))
ZH_USER = "U_ZH"


def _login(stack: Stack, user: str = MEMBER, *, zh: bool = False) -> None:
    """zh: a zh-CN user reads the login messages in Chinese (tests/scenario/test_chinese_chat.py)."""
    assert stack.slack.slash(user, GENERAL, "login").status == 200
    stack.wait_ephemeral(user, has_text("打开 QwenCloud 批准" if zh else "Open QwenCloud to approve"))
    stack.sim.approve()
    stack.wait_ephemeral(user, has_text("登录 QwenCloud。试试" if zh else "Logged in to QwenCloud"))


def _flat(message: Message) -> str:
    return json.dumps(message.blocks, ensure_ascii=False)


def _token(stack: Stack, user: str = MEMBER) -> str:
    stored = stack.services.credentials.get(Owner(stack.slack.ws.team_id, user))
    assert stored is not None
    return stored.access_token


def test_an_english_question_is_answered_for_the_month_it_names(stack: Stack) -> None:
    _login(stack)
    reply = stack.slack.slash(MEMBER, GENERAL, "how much have I spent in March?")
    assert reply.status == 200 and "Working" in reply.body
    msg = stack.wait_ephemeral(MEMBER, has_text("Read as"))
    flat = _flat(msg)
    assert "Read as: pay-as-you-go · March 2026: 2026-03-01 → 2026-03-31" in flat
    expected = stack.services.usage.payg(_token(stack), MARCH)
    assert money(expected.total_cost) in flat
    assert [b["type"] for b in msg.blocks[:2]] == ["header", "context"]  # the reading right under the header


def test_a_model_named_in_words_is_matched_against_the_account(stack: Stack) -> None:
    _login(stack)
    stack.slack.slash(MEMBER, GENERAL, "what did Qwen Plus cost in March")
    msg = stack.wait_ephemeral(MEMBER, has_text("Read as"))
    assert "qwen-plus by day · March 2026: 2026-03-01 → 2026-03-31" in _flat(msg)
    stack.slack.slash(MEMBER, GENERAL, "qwen plux last month")
    near = stack.wait_ephemeral(MEMBER, has_text("Did you mean"))
    assert "Did you mean qwen-plus" in _flat(near)


def test_a_chinese_question_from_a_chinese_locale_reads_in_chinese(stack: Stack) -> None:
    stack.slack.add_user(ZH_USER, "li", tz="Asia/Shanghai", locale="zh-CN")
    _login(stack, ZH_USER, zh=True)
    stack.slack.slash(ZH_USER, GENERAL, "三月花了多少")
    msg = stack.wait_ephemeral(ZH_USER, has_text("理解为"))
    flat = _flat(msg)
    assert "理解为: 按量付费 · 2026年3月: 2026-03-01 → 2026-03-31" in flat
    assert "按量付费 · 2026-03-01 → 2026-03-31" in flat and "*分析*" in flat and "Analysis" not in flat
    infos = [c for c in stack.slack.calls("users.info") if c.params.get("include_locale")]
    assert infos, "the locale is asked for with users.info include_locale"


def test_a_question_in_a_dm_is_answered_in_the_dm(stack: Stack) -> None:
    _login(stack)
    assert stack.slack.dm(MEMBER, "usage from 2026-03-03 to 2026-03-09").status == 200
    answer = stack.slack.wait_for(
        lambda: [m for m in stack.slack.dms(MEMBER) if m.bot_id and "Read as" in _flat(m)]
    )
    assert "usage summary · Custom range: 2026-03-03 → 2026-03-09" in _flat(answer[-1])


def test_unreadable_input_gets_the_closest_commands_not_the_help(stack: Stack) -> None:
    reply = stack.slack.slash(MEMBER, GENERAL, "usage sometime soonish")
    assert reply.status == 200 and "Closest" in reply.body and "Traceback" not in reply.body
    assert "Usage: /qwen" not in reply.body and reply.body.count("/qwen ") == 3


def test_version_check_is_for_admins_and_reads_the_index(
    make_settings: Callable[..., Settings],
) -> None:
    newer = {"/simple/qwen-usage-bot/": (200, {"versions": [__version__, "99.0.0"]})}
    clock = FixedClock(NOW, running=True)
    with (
        serve_index(newer) as index,
        local_world(make_settings, bot_token="xoxb-version", signing_secret="version-secret", clock=clock,
                    simulator={"now": NOW}, version_index_url=f"{index}/simple/qwen-usage-bot/") as world,
        served(world),
    ):
        assert "qwen-usage-bot" in world.slack.slash(MEMBER, GENERAL, "version").body  # everyone, instantly
        assert "Working" in world.slack.slash(MEMBER, GENERAL, "version --check").body
        refused = world.slack.wait_for(
            lambda: [m for m in world.slack.ephemerals(MEMBER) if "admins" in m.text]
        )
        assert refused[-1].text.startswith("Only workspace admins")
        world.slack.slash(ADMIN, GENERAL, "version --check")
        found = world.slack.wait_for(lambda: [m for m in world.slack.ephemerals(ADMIN) if "99.0.0" in m.text])
        assert f"qwen-usage-bot {__version__}; 99.0.0 is available" == found[-1].text
