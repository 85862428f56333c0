"""A zh-CN Slack user's personal messages through the real Bolt path (signed slash commands, the fake Slack,
the QwenCloud simulator): status, help, a bad-input error, the login link, the login-done notice and logout
read in Chinese, with the command words left English; an en-US user still reads English. One stack for the
module (each step builds on the one before, as a user's session does)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from bot.devtools.localslack import GENERAL, MEMBER, Message
from tests.scenario.conftest import Stack, has_text, module_settings, running_stack

ZH_USER = "U_ZH_CHAT"
ZH_OTHER = "U_ZH_CHAT_2"


@pytest.fixture(scope="module")
def zh_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(module_settings(tmp_path_factory, "zh-chat")) as running:
        running.slack.add_user(ZH_USER, "wang", tz="Asia/Shanghai", locale="zh-CN")
        yield running


def _ack(stack: Stack, user: str, text: str) -> str:
    """The ack's message (the JSON body decoded, so Chinese reads as Chinese)."""
    reply = stack.slack.slash(user, GENERAL, text)
    assert reply.status == 200
    return json.dumps(json.loads(reply.body), ensure_ascii=False)


def _flat(message: Message) -> str:
    return message.text + json.dumps(message.blocks, ensure_ascii=False)


def test_the_first_ack_is_english_then_status_reads_in_chinese(zh_stack: Stack) -> None:
    # nothing cached yet: the ack (3 s, before any Slack call) cannot know the locale
    assert "Working" in _ack(zh_stack, ZH_USER, "status")
    status = _flat(zh_stack.wait_ephemeral(ZH_USER, has_text("关联 QwenCloud")))
    assert "你还没有关联 QwenCloud。登录后即可查看用量。" in status and "登录 QwenCloud" in status
    assert "not linked" not in status


def test_help_reads_in_chinese_with_the_command_words_in_english(zh_stack: Stack) -> None:
    body = _ack(zh_stack, ZH_USER, "help")  # the locale cached by the status lookup above
    assert "用法：/qwen" in body and "QwenCloud 用量" in body and "示例：/qwen usage last month" in body
    assert "usage breakdown --model MODEL" in body and "free-tier" in body
    assert "Usage:" not in body and "Examples:" not in body


def test_a_bad_input_error_reads_in_chinese(zh_stack: Stack) -> None:
    body = _ack(zh_stack, ZH_USER, "usage --days abc")
    assert "无效的 --days 'abc'。请用 1 到 366 之间的整数。" in body and "我没看懂这句话。" in body
    assert "Invalid --days" not in body


def test_the_login_link_and_the_done_notice_read_in_chinese(zh_stack: Stack) -> None:
    assert "处理中…" in _ack(zh_stack, ZH_USER, "login")
    link = _flat(zh_stack.wait_ephemeral(ZH_USER, has_text("打开 QwenCloud 批准")))
    assert "请在 QwenCloud 中批准这次登录。链接约" in link and "只批准你自己刚刚" in link
    zh_stack.sim.approve()
    done = _flat(zh_stack.wait_ephemeral(ZH_USER, has_text("登录 QwenCloud。试试 /qwen usage")))
    assert "已以" in done and "Logged in" not in done  # the worker's notifier asked users.info itself
    zh_stack.slack.slash(ZH_USER, GENERAL, "status")
    linked = _flat(zh_stack.wait_ephemeral(ZH_USER, has_text("已关联 QwenCloud")))
    assert "登录有效期至" in linked
    zh_stack.slack.slash(ZH_USER, GENERAL, "logout")
    gone = _flat(zh_stack.wait_ephemeral(ZH_USER, has_text("已退出 QwenCloud")))
    assert "保存的登录凭据已删除" in gone


def test_an_english_locale_still_reads_english(zh_stack: Stack) -> None:
    zh_stack.slack.slash(MEMBER, GENERAL, "status")
    status = _flat(zh_stack.wait_ephemeral(MEMBER, has_text("linked to QwenCloud")))
    assert "You're not linked to QwenCloud." in status and "关联" not in status
    body = _ack(zh_stack, MEMBER, "help")
    assert "Usage: /qwen" in body and "用法" not in body
    body = _ack(zh_stack, MEMBER, "usage --days abc")
    assert "Invalid --days 'abc'" in body and "无效" not in body


def test_the_login_notice_is_english_when_users_info_fails(zh_stack: Stack) -> None:
    """The notifier asks users.info once, no retries: a failure costs the language, not the notice."""
    zh_stack.slack.add_user(ZH_OTHER, "zhao", tz="Asia/Shanghai", locale="zh-CN")
    zh_stack.slack.slash(ZH_OTHER, GENERAL, "login")
    zh_stack.wait_ephemeral(ZH_OTHER, has_text("打开 QwenCloud 批准"))  # the web looked the locale up
    zh_stack.slack.faults.server_error("users.info", status=500, times=None)
    try:
        zh_stack.sim.approve()
        done = _flat(zh_stack.wait_ephemeral(ZH_OTHER, has_text("Logged in to QwenCloud as")))
        assert "Try /qwen usage." in done
        assert zh_stack.slack.faults.applied("users.info") == 1, "asked once, not retried"
    finally:
        zh_stack.slack.faults.clear()
