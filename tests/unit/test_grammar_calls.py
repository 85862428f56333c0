"""bot/core/grammar/calls.py and calls_words.py: `/qwen logs|limit|plan` command forms, plain questions in
English and Chinese, windows and their bounds. Today is Monday 2026-11-30, as in test_grammar_words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.base import metrics
from bot.base.errors import UsageError
from bot.core.grammar import usage as g
from bot.core.grammar.calls import Limit, Logs, Plan, Window, resolve, with_lookup_window
from bot.core.grammar.words import understand
from bot.render.reading import describe

TODAY = date(2026, 11, 30)
E, C, S = ("CLIENT_ERROR", "SERVER_ERROR"), ("CLIENT_ERROR",), ("SERVER_ERROR",)
RID = "abb969f5-2b24-42aa-a224-2094556a1b99"

FORMS = [
    ("logs", Logs()),
    ("usage logs", Logs()),
    ("logs errors", Logs(E)),
    ("logs 4xx", Logs(C)),
    ("logs 5xx qwen-plus last 6 hours", Logs(S, ("qwen-plus",), window=Window(hours=6))),
    ("logs qwen3.6-plus wan2.6-t2i today",
     Logs(models=("qwen3.6-plus", "wan2.6-t2i"), window=Window(day="today"))),
    ("logs --status 4xx --status 0 --model qwen-max --period 3d",
     Logs(("CLIENT_ERROR", "CANCEL"), ("qwen-max",), window=Window(days=3))),
    ("logs --period 12h", Logs(window=Window(hours=12))),
    ("logs 24h", Logs(window=Window(hours=24))),
    ("logs in the last hour", Logs(window=Window(hours=1))),
    ("logs yesterday", Logs(window=Window(day="yesterday"))),
    ("logs from yesterday", Logs(window=Window(day="yesterday"))),
    ("logs last 3 days failed", Logs(E, window=Window(days=3))),
    ("logs --from 2026-11-20 --to 2026-11-22",
     Logs(window=Window(from_=date(2026, 11, 20), to=date(2026, 11, 22)))),
    ("logs --to 2026-11-22", Logs(window=Window(from_=date(2026, 11, 15), to=date(2026, 11, 22)))),
    ("logs 2026-11-20", Logs(window=Window(from_=date(2026, 11, 20), to=date(2026, 11, 20)))),
    (f"logs {RID}", Logs(request_id=RID)),
    ("logs request abc12345", Logs(request_id="abc12345")),
    ("logs --request-id r-1 --format json", Logs(request_id="r-1", options=g.Options(format="json"))),
    ("limit", Limit()),
    ("spend limit", Limit()),
    ("usage limit --refresh", Limit(g.Options(refresh=True))),
    ("plan", Plan()),
    ("plans", Plan()),
    ("subscription status", Plan()),
]


@pytest.mark.parametrize(("text", "command"), FORMS)
def test_command_forms(text: str, command: g.Command) -> None:
    assert g.parse(text, today=TODAY) == command
    reading = understand(text, today=TODAY)
    assert reading.command == command and not reading.plain


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("logs last 15 days", "at most 14 days"),
        ("logs --period 15d", "at most 14 days"),
        ("logs --period 337h", "at most 14 days"),
        ("logs --from 2026-11-01 --to 2026-11-20", "at most 14 days"),
        ("logs --from 2026-11-22 --to 2026-11-20", "starts (2026-11-22) after it ends"),
        ("logs --from 2026-12-05", "after it ends"),
        ("logs --period week2", "Invalid period"),
        ("logs --status 3xx", "Invalid status '3xx'"),
        ("logs banana", "I don't understand 'banana'"),
        ("logs --model", "--model needs a value"),
        ("logs --bogus", "Unknown option --bogus"),
        ("logs --format card", "Unknown format 'card'"),
        ("limit now", "takes no 'now'"),
        ("plan --model x", "takes no"),
        ("logs --period 3d last 6 hours", "Two windows"),
    ],
)
def test_bad_input_says_what_and_how(text: str, said: str) -> None:
    with pytest.raises(UsageError) as raised:
        understand(text, today=TODAY)
    assert said in str(raised.value)


# (question, expected command): plain words, English and Chinese
WORDS = [
    ("which calls failed in the last hour", Logs(E, window=Window(hours=1))),
    ("any 5xx errors today", Logs(S, window=Window(day="today"))),
    ("client errors yesterday", Logs(C, window=Window(day="yesterday"))),
    ("errors on qwen3.6-plus in the last 3 days", Logs(E, ("qwen3.6-plus",), window=Window(days=3))),
    ("show call logs for qwen-plus", Logs(models=("qwen-plus",))),
    ("what's the error rate this week", Logs(E, window=Window(days=7))),
    (f"what happened to request {RID}", Logs(request_id=RID)),
    ("最近一小时有哪些调用失败", Logs(E, window=Window(hours=1))),
    ("最近6小时的5xx错误", Logs(S, window=Window(hours=6))),
    ("昨天的调用日志", Logs(window=Window(day="yesterday"))),
    ("过去三天的错误率", Logs(E, window=Window(days=3))),
    ("how close are we to the spend limit", Limit()),
    ("what's our budget", Limit()),
    ("离限额还有多少", Limit()),
    ("消费上限是多少", Limit()),
    ("what plans are active", Plan()),
    ("coding plan status", Plan()),
    ("when does my subscription expire", Plan()),
    ("我的套餐状态", Plan()),
    ("订阅哪些套餐", Plan()),
]


@pytest.mark.parametrize(("text", "command"), WORDS)
def test_plain_words(text: str, command: g.Command) -> None:
    reading = understand(text, today=TODAY)
    assert reading.plain and reading.command == command


@pytest.mark.parametrize(
    ("text", "kind"),
    [("coding plan", g.UsageSummary), ("编码套餐", g.UsageSummary), ("free tier limit", g.FreeTier),
     ("how many calls last week", g.UsageSummary), ("coding plan usage this month", g.UsageSummary)],
)
def test_usage_readings_are_kept(text: str, kind: type) -> None:
    """ "coding plan" alone still reads as the usage summary: plan status needs a status word."""
    assert isinstance(understand(text, today=TODAY).command, kind)


def test_plain_window_beyond_14_days_is_refused() -> None:
    with pytest.raises(UsageError, match="at most 14 days"):
        understand("any errors in march", today=TODAY)


def test_windows_resolve_in_the_askers_zone_and_never_pass_now() -> None:
    now = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
    sh = ZoneInfo("Asia/Shanghai")
    midnight = datetime(2026, 11, 30, tzinfo=sh)
    assert resolve(Window(), now=now, tz=sh) == (now - timedelta(hours=24), now)
    assert resolve(Window(hours=6), now=now, tz=sh) == (now - timedelta(hours=6), now)
    assert resolve(Window(days=3), now=now, tz=sh) == (now - timedelta(days=3), now)
    assert resolve(Window(day="today"), now=now, tz=sh) == (midnight, now)
    assert resolve(Window(day="yesterday"), now=now, tz=sh) == (midnight - timedelta(days=1), midnight)
    one_day = Window(from_=date(2026, 11, 29), to=date(2026, 11, 30))
    assert resolve(one_day, now=now, tz=sh) == (midnight - timedelta(days=1), now)
    assert with_lookup_window(Logs(request_id="r")).window == Window(days=14)
    assert with_lookup_window(Logs(request_id="r", window=Window(hours=2))).window == Window(hours=2)


@pytest.mark.parametrize(
    ("text", "lang", "line"),
    [
        ("which calls failed in the last hour", "en", "call logs · 4xx + 5xx · last 1h"),
        ("errors on qwen-plus today", "en", "call logs · 4xx + 5xx · `qwen-plus` · today"),
        ("最近一小时有哪些调用失败", "zh", "调用日志 · 4xx + 5xx · 最近 1h"),
        ("how close are we to the spend limit", "en", "spend limit"),
        ("我的套餐状态", "zh", "套餐状态"),
        (f"request {RID}", "en", f"call logs · request `{RID}`"),
    ],
)
def test_reading_lines(text: str, lang: str, line: str) -> None:
    assert describe(understand(text, today=TODAY).command, today=TODAY, lang=lang) == line  # type: ignore[arg-type]


def test_metrics_name_the_commands() -> None:
    assert [metrics.command_label(t) for t in ("logs errors", "limit", "plan", "plans")] == [
        "logs", "limit", "plan", "other"
    ]
