"""The Chinese of the personal chat messages (bot/render/chat_zh.py, help_zh.py through localize.CATALOG):
each message type reads in Chinese for zh-CN and stays English for en-US; every line of the help texts and
of the errors table has its Chinese (a new English line fails here until the catalog has it)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import pytest

from bot.base import errors
from bot.core.grammar import words
from bot.core.grammar.calls import LOGS_HELP
from bot.core.grammar.spend import BILLING_HELP, BILLS_HELP
from bot.core.grammar.team_help import TEAM_HELP
from bot.core.grammar.usage import USAGE_TEXT
from bot.core.inflight import STILL_WORKING
from bot.render import messages as render
from bot.render.blocks import Message
from bot.render.catalog import lang_of
from bot.render.localize import known, line_zh, localize
from bot.render.mrkdwn import esc
from handlers.dm import _pointer

CJK = re.compile(r"[\u4e00-\u9fff]")
TODAY = date(2026, 4, 10)
LINK = "https://q.example/d"
UNTIL = datetime(2026, 5, 1, 8, 30, tzinfo=UTC)


def _flat(message: Message) -> str:
    return message.text + "\n" + json.dumps(message.blocks, ensure_ascii=False)


def _bad(text: str) -> errors.UsageError:
    with pytest.raises(errors.UsageError) as caught:
        words.understand(text, today=TODAY)
    return caught.value


MESSAGES: dict[str, tuple[Message, str]] = {  # name -> (English message, a Chinese phrase it must show)
    "working": (render.working(), "处理中…正在询问 QwenCloud。"),
    "still working": (render.notice(STILL_WORKING), "我还在处理你的上一个问题"),
    "help": (render.help_message(), "用法：/qwen"),
    "login link": (render.login_link("https://q.example/d?c=1", expires_in=600), "链接约 10 分钟内有效"),
    "login again": (
        render.login_link("https://q.example/d", expires_in=60, again=True),
        "你的登录仍在等待批准",
    ),
    "already linked": (render.already_linked("li@example.com"), "你已经以 li@example.com 关联了 QwenCloud"),
    "login done": (
        render.login_done("li@example.com"),
        "已以 li@example.com 登录 QwenCloud。试试 /qwen usage。",
    ),
    "login denied": (render.login_failed("denied"), "QwenCloud 登录被拒绝。"),
    "login expired": (render.login_failed("expired"), "QwenCloud 登录链接在批准前已过期。"),
    "login incomplete": (render.login_failed("other"), "QwenCloud 登录没有完成。"),
    "logged out": (render.logged_out(True), "已退出 QwenCloud；保存的登录凭据已删除。"),
    "not logged in": (render.logged_out(False), "你没有登录 QwenCloud。"),
    "status unlinked": (
        render.status_message(render.StatusView(linked=False), tz_name="UTC"),
        "你还没有关联 QwenCloud。登录后即可查看用量。",
    ),
    "status pending": (
        render.status_message(render.StatusView(linked=False, pending_url=LINK), tz_name="UTC"),
        "有一个 QwenCloud 登录在等你批准。",
    ),
    "status linked": (
        render.status_message(render.StatusView(linked=True, who="li", expires_at=UNTIL), tz_name="UTC"),
        "登录有效期至 2026-05-01 08:30 UTC",
    ),
    "status expired": (
        render.status_message(
            render.StatusView(linked=True, who="li", expires_at=UNTIL, expired=True), tz_name="Asia/Shanghai"
        ),
        "你以 li 登录 QwenCloud 的凭据已于 2026-05-01 16:30 CST 过期。",
    ),
    "picker": (render.model_picker(["qwen-max"], block_id="b"), "要细分哪个模型？"),
    "empty picker": (render.model_picker([], block_id="b"), "本月没有任何模型有用量"),
    "expired login": (render.error_message(errors.TokenExpired("gone")), "你的 QwenCloud 登录已过期。"),
    "not linked": (render.error_message(errors.AuthError("none")), "你还没有关联 QwenCloud。请先登录"),
    "upstream": (
        render.error_message(errors.UpstreamError("Throttling", request_id="req-1")),
        "QwenCloud 返回了错误：Throttling 请稍后再试。",
    ),
    "model not found": (
        render.error_message(errors.ModelNotFound("qwen-maxx", "qwen-max")),
        "找不到模型 'qwen-maxx'。你是不是想找 'qwen-max'？",
    ),
    "dm pointer": (_pointer(), "在任意频道使用 /qwen。用法：/qwen <command>"),
    "network": (render.error_message(errors.NetworkError("down")), "连不上 QwenCloud。"),
    "bad input": (
        render.error_message(_bad("usage --days abc")),
        "无效的 --days 'abc'。请用 1 到 366 之间的整数。",
    ),
    "unreadable": (render.error_message(_bad("blorp florp")), "最接近的命令："),
    "bad logs": (
        render.error_message(_bad("logs --period 9w")),
        "无效的时段 '9w'。请用 6h、3d、today 或 yesterday。",
    ),
    "bad bills": (render.error_message(_bad("bills 2026-13")), "我没法把 '2026-13' 理解为月份。"),
}


@pytest.mark.parametrize("name", MESSAGES)
def test_each_message_reads_in_chinese_for_zh_cn(name: str) -> None:
    english, phrase = MESSAGES[name]
    chinese = localize(english, lang_of("zh-CN"))
    assert phrase in _flat(chinese)
    assert CJK.search(chinese.text), "the fallback text is Chinese too"
    assert localize(chinese, "zh") == chinese, "localizing twice changes nothing (the DM and router both may)"


@pytest.mark.parametrize("name", MESSAGES)
def test_each_message_stays_english_for_en_us(name: str) -> None:
    english, _ = MESSAGES[name]
    assert localize(english, lang_of("en-US")) == english
    assert not CJK.search(_flat(english))


def test_server_text_and_links_are_kept_as_they_are() -> None:
    link = _flat(localize(render.login_link("https://q.example/d?c=1", expires_in=600), "zh"))
    assert "https://q.example/d?c=1" in link
    failed = render.error_message(errors.UpstreamError("<!channel> busy", request_id="r-9"))
    upstream = _flat(localize(failed, "zh"))
    assert "&lt;!channel&gt; busy" in upstream and "<!channel>" not in upstream
    assert "请求 ID `r-9`" in upstream


HELP_TEXTS = {
    "USAGE_TEXT": USAGE_TEXT,
    "TEAM_HELP": TEAM_HELP,
    "LOGS_HELP": LOGS_HELP,
    "BILLING_HELP": BILLING_HELP,
    "BILLS_HELP": BILLS_HELP,
}


@pytest.mark.parametrize("name", HELP_TEXTS)
def test_every_line_of_the_help_texts_is_in_the_catalog(name: str) -> None:
    for line in HELP_TEXTS[name].split("\n"):
        for form in (line, esc(line)):  # the fallback text and the code block
            assert known(form), f"{name}: no Chinese for {form!r} (add it to bot/render/help_zh.py)"
        if line_zh(line) == line:  # kept as written: command syntax only, no prose to translate
            assert re.match(r"^ +(usage|free-tier|billing|logs|/qwen) ", line), line


def test_every_row_of_the_errors_table_has_chinese() -> None:
    for kind, what, step, _ in render._ERRORS:
        if what == "{message}" and not step:
            continue  # the exception's own words and nothing of ours
        line = f"{what.format(message='x')} {step}".strip()
        assert CJK.search(line_zh(line)), f"{kind.__name__}: no Chinese for {line!r}"
        assert CJK.search(line_zh(f":warning: {line}")), kind.__name__
    fallback = render.error_text(RuntimeError("boom"))
    assert CJK.search(line_zh(fallback)), fallback


BAD_INPUTS = [
    "usage --nope", "usage --format yaml", "usage --model", "usage --granularity week", "usage --period zz",
    "usage summary frobnicate", "usage --days 3 --granularity day", "usage 2099-01", "payg --days 0",
    "usage q1 2027", "logs --status 3xx", "logs --period 9w", "logs last 30 days",
    "logs --from 2026-04-09 --to 2026-04-01", "logs --from 2026-05-01 --to 2026-05-02", "limit now",
    "bills 2026-03 2026-01", "bills 2027-01", "bills 2026-13", "bills 2020-01 2026-03", "blorp florp",
]


@pytest.mark.parametrize("text", BAD_INPUTS)
def test_the_bad_input_hints_read_in_chinese(text: str) -> None:
    error = _bad(text)
    for line in error.message.split("\n"):
        if known(line) or known(esc(line)):
            continue
        pytest.fail(f"{text!r}: no Chinese for {line!r}")
    assert CJK.search(line_zh(":warning: " + esc(error.message.split("\n")[0])))


def test_a_line_the_catalog_does_not_know_stays_english() -> None:
    assert line_zh("Something entirely new.") == "Something entirely new."
    assert not known("Something entirely new.")
