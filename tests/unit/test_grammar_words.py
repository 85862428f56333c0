"""Plain questions, English and Chinese, with a fixed clock: each phrasing -> the command and the dates it
resolves to (bot/core/grammar/words.py and its readers). Today is Monday 2026-11-30."""

from __future__ import annotations

from datetime import date

import pytest

from bot.base.errors import UsageError
from bot.base.periods import resolve
from bot.core.grammar import usage as g
from bot.core.grammar.words import understand
from bot.render.reading import describe

TODAY = date(2026, 11, 30)
MODELS = ["qwen-max", "qwen-plus", "qwen3-max", "qwen-turbo", "qwen2.5-72b-instruct", "qwen-vl-max"]
S, P, F, B = "summary", "payg", "free", "breakdown"
KIND = {g.UsageSummary: S, g.Payg: P, g.FreeTier: F, g.UsageBreakdown: B}

# (question, kind, first day, last day); a month range ends on its last day, as --period YYYY-MM does
ENGLISH = [
    ("how much have I spent in May?", P, "2026-05-01", "2026-05-31"),
    ("usage from the 3rd to the 9th of May", S, "2026-05-03", "2026-05-09"),
    ("May", S, "2026-05-01", "2026-05-31"),
    ("show me usage for last June", S, "2026-06-01", "2026-06-30"),
    ("usage in September 2026", S, "2026-09-01", "2026-09-30"),
    ("what did I spend in December", P, "2025-12-01", "2025-12-31"),  # no year, ahead: the most recent one
    ("December", S, "2025-12-01", "2025-12-31"),
    ("the previous month", S, "2026-10-01", "2026-10-31"),
    ("what's my bill for the previous month?", P, "2026-10-01", "2026-10-31"),
    ("month to date", S, "2026-11-01", "2026-11-30"),
    ("spend this year so far", P, "2026-01-01", "2026-11-30"),
    ("usage this quarter", S, "2026-10-01", "2026-11-30"),
    ("the past three weeks", S, "2026-11-10", "2026-11-30"),
    ("costs over the last 60 days", P, "2026-10-02", "2026-11-30"),
    ("usage the day before yesterday", S, "2026-11-28", "2026-11-28"),
    ("what did I spend yesterday", P, "2026-11-29", "2026-11-29"),
    ("how much did I spend today", P, "2026-11-30", "2026-11-30"),
    ("usage from 2026-05-03 to 2026-05-09", S, "2026-05-03", "2026-05-09"),
    ("spend between May 3 and May 9", P, "2026-05-03", "2026-05-09"),
    ("cost from May 3rd to May 9th, 2026", P, "2026-05-03", "2026-05-09"),
    ("usage May 3-9", S, "2026-05-03", "2026-05-09"),
    ("usage 3 May to 9 May", S, "2026-05-03", "2026-05-09"),
    ("usage Dec 28 to Jan 3", S, "2025-12-28", "2026-01-03"),
    ("usage on October 5", S, "2026-10-05", "2026-10-05"),
    ("spend since October 20", P, "2026-10-20", "2026-11-30"),
    ("usage since March", S, "2026-03-01", "2026-11-30"),
    ("Q2", S, "2026-04-01", "2026-06-30"),
    ("usage Q3 2026", S, "2026-07-01", "2026-09-30"),
    ("spend in the second quarter", P, "2026-04-01", "2026-06-30"),
    ("Q4 spend", P, "2026-10-01", "2026-11-30"),
    ("what did I spend last quarter", P, "2026-07-01", "2026-09-30"),
    ("usage last week", S, "2026-11-23", "2026-11-29"),
    ("spend in the past week", P, "2026-11-24", "2026-11-30"),
    ("usage last year", S, "2025-01-01", "2025-12-31"),
    ("usage June last year", S, "2025-06-01", "2025-06-30"),
    ("how much did I spend in 2025", P, "2025-01-01", "2025-12-31"),
    ("usage for the last 2 months", S, "2026-10-01", "2026-11-30"),
    ("usage 10 days ago", S, "2026-11-20", "2026-11-20"),
    ("how much money did I spend last month", P, "2026-10-01", "2026-10-31"),
    ("pay as you go charges for march", P, "2026-03-01", "2026-03-31"),
    ("usage for 2026-03", S, "2026-03-01", "2026-03-31"),
    ("coding plan", S, "2026-11-01", "2026-11-30"),
    ("what did qwen-max cost last week", B, "2026-11-23", "2026-11-29"),
    ("Qwen Max usage in March", B, "2026-03-01", "2026-03-31"),
    ("qwen3 max by month this year", B, "2026-01-01", "2026-11-30"),
    ("What did I spend over the past month?", P, "2026-10-31", "2026-11-30"),
    ("usage in the past year", S, "2025-12-01", "2026-11-30"),
    ("usage from January to March", S, "2026-01-01", "2026-03-31"),
    ("spend from November 2025 to February 2026", P, "2025-11-01", "2026-02-28"),
    ("usage for 3/1 to 3/15", S, "2026-03-01", "2026-03-15"),
    ("usage for the last two quarters", S, "2026-05-31", "2026-11-30"),
    ("How much did I spend from March 1 to March 15?", P, "2026-03-01", "2026-03-15"),
    ("usage for the first half of 2026", S, "2026-01-01", "2026-06-30"),
    ("H2 spend", P, "2026-07-01", "2026-11-30"),
    ("how much did I spend in the last 24 hours", P, "2026-11-29", "2026-11-30"),
    ("I want to know my usage", S, "2026-11-01", "2026-11-30"),  # "want" is not the wan model family
]

CHINESE = [
    ("十月份花了多少", P, "2026-10-01", "2026-10-31"),
    ("五月份", S, "2026-05-01", "2026-05-31"),
    ("去年六月", S, "2025-06-01", "2025-06-30"),
    ("去年六月的账单", P, "2025-06-01", "2025-06-30"),
    ("上月", S, "2026-10-01", "2026-10-31"),
    ("上个月花了多少钱", P, "2026-10-01", "2026-10-31"),
    ("上一个月的费用", P, "2026-10-01", "2026-10-31"),
    ("这个月", S, "2026-11-01", "2026-11-30"),
    ("本月用量", S, "2026-11-01", "2026-11-30"),
    ("今年以来", S, "2026-01-01", "2026-11-30"),
    ("今年花了多少", P, "2026-01-01", "2026-11-30"),
    ("过去两周", S, "2026-11-17", "2026-11-30"),
    ("最近7天的消费", P, "2026-11-24", "2026-11-30"),
    ("近三十天用量", S, "2026-11-01", "2026-11-30"),
    ("过去六十天", S, "2026-10-02", "2026-11-30"),
    ("最近3个月", S, "2026-08-31", "2026-11-30"),
    ("本季度", S, "2026-10-01", "2026-11-30"),
    ("上季度花费", P, "2026-07-01", "2026-09-30"),
    ("上个季度", S, "2026-07-01", "2026-09-30"),
    ("第二季度", S, "2026-04-01", "2026-06-30"),
    ("2026年第三季度", S, "2026-07-01", "2026-09-30"),
    ("去年第四季度账单", P, "2025-10-01", "2025-12-31"),
    ("Q1的用量", S, "2026-01-01", "2026-03-31"),
    ("5月3日到5月9日", S, "2026-05-03", "2026-05-09"),
    ("5月3号到9号花了多少", P, "2026-05-03", "2026-05-09"),
    ("从五月三日至五月九日", S, "2026-05-03", "2026-05-09"),
    ("2026年5月3日到2026年5月9日", S, "2026-05-03", "2026-05-09"),
    ("12月28日到1月3日", S, "2025-12-28", "2026-01-03"),
    ("10月5日的用量", S, "2026-10-05", "2026-10-05"),
    ("从10月20日以来花了多少", P, "2026-10-20", "2026-11-30"),
    ("昨天", S, "2026-11-29", "2026-11-29"),
    ("前天花了多少", P, "2026-11-28", "2026-11-28"),
    ("今天的费用", P, "2026-11-30", "2026-11-30"),
    ("上周", S, "2026-11-23", "2026-11-29"),
    ("上个星期的账单", P, "2026-11-23", "2026-11-29"),
    ("去年", S, "2025-01-01", "2025-12-31"),
    ("2025年花了多少", P, "2025-01-01", "2025-12-31"),
    ("2026年9月的账单", P, "2026-09-01", "2026-09-30"),
    ("十二月", S, "2025-12-01", "2025-12-31"),
    ("按量付费 上个月", P, "2026-10-01", "2026-10-31"),
    ("编码套餐", S, "2026-11-01", "2026-11-30"),
    ("qwen-plus上个月花了多少", B, "2026-10-01", "2026-10-31"),
    ("过去30天qwen-plus用量 按天", B, "2026-11-01", "2026-11-30"),
    ("qwen3-max 今年 按月", B, "2026-01-01", "2026-11-30"),
    ("3天前", S, "2026-11-27", "2026-11-27"),
    ("上上个月", S, "2026-09-01", "2026-09-30"),
    ("今年一月到三月", S, "2026-01-01", "2026-03-31"),
    ("1月到3月花了多少", P, "2026-01-01", "2026-03-31"),
    ("最近一个月", S, "2026-10-31", "2026-11-30"),
    ("过去一年", S, "2025-12-01", "2026-11-30"),
    ("3/1到3/15的用量", S, "2026-03-01", "2026-03-15"),
    ("上半年花了多少", P, "2026-01-01", "2026-06-30"),
    ("去年下半年", S, "2025-07-01", "2025-12-31"),
]


def _check(text: str, kind: str, first: str, last: str) -> g.Command:
    command = understand(text, today=TODAY, models_on_account=MODELS).command
    assert KIND[type(command)] == kind, (text, command)
    period = command.period  # type: ignore[union-attr]
    rng = resolve(today=TODAY, period=period.preset, days=period.days, from_=period.from_, to=period.to)
    assert (rng.from_text, rng.to_text) == (first, last), text
    assert rng.start <= TODAY, text
    return command


def test_enough_phrasings_per_language() -> None:
    assert len(ENGLISH) >= 40 and len(CHINESE) >= 40


@pytest.mark.parametrize(("text", "kind", "first", "last"), ENGLISH)
def test_english(text: str, kind: str, first: str, last: str) -> None:
    _check(text, kind, first, last)


@pytest.mark.parametrize(("text", "kind", "first", "last"), CHINESE)
def test_chinese(text: str, kind: str, first: str, last: str) -> None:
    _check(text, kind, first, last)


@pytest.mark.parametrize(
    ("text", "model", "granularity"),
    [
        ("what did qwen-max cost last week", "qwen-max", "day"),
        ("Qwen Max usage in March", "qwen-max", "day"),
        ("QWEN_PLUS per month this year", "qwen-plus", "month"),
        ("qwen 2.5 72b instruct quarterly this year", "qwen2.5-72b-instruct", "quarter"),
        ("qwen3 max 按月 今年", "qwen3-max", "month"),
        ("qwen-vl-max 按季度 今年", "qwen-vl-max", "quarter"),
        ("qwen-turbo daily last 7 days", "qwen-turbo", "day"),
    ],
)
def test_a_model_named_anywhere(text: str, model: str, granularity: str) -> None:
    command = understand(text, today=TODAY, models_on_account=MODELS).command
    assert isinstance(command, g.UsageBreakdown)
    assert (command.model, command.granularity) == (model, granularity)


def test_a_near_miss_gets_did_you_mean() -> None:
    with pytest.raises(UsageError, match=r"Did you mean qwen-max\?"):
        understand("qwen maxx last month", today=TODAY, models_on_account=MODELS)
    far = understand("DeepSeek R1 last month", today=TODAY, models_on_account=MODELS).command
    assert isinstance(far, g.UsageBreakdown) and far.model == "deepseek-r1"  # near none: asked for as written


def test_without_the_account_list_a_name_becomes_an_id() -> None:
    command = understand("what did Qwen Max cost in March", today=TODAY).command
    assert isinstance(command, g.UsageBreakdown) and command.model == "qwen-max"


@pytest.mark.parametrize(
    ("text", "kind"),
    [("free tier", F), ("how much quota is left?", F), ("免费额度还剩多少", F), ("剩余额度", F),
     ("coding plan", S), ("编码套餐", S), ("按量付费", P), ("what's my bill", P), ("花了多少", P)],
)
def test_intents(text: str, kind: str) -> None:
    assert KIND[type(understand(text, today=TODAY).command)] == kind


@pytest.mark.parametrize(
    "text", ["usage last month", "payg last 7 days", "usage breakdown --model qwen-plus --period 2026-03",
             "free-tier", "usage q1", "march 2026", "login", "help", "status", "version"],
)
def test_command_forms_read_exactly_as_before(text: str) -> None:
    reading = understand(text, today=TODAY)
    assert not reading.plain and reading.command == g.parse(text, today=TODAY)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("what did I spend in December 2026", "December 2026 ends after today"),
        ("usage q3 2027", "Q3 2027 ends after today"),
        ("2027年3月花了多少", "March 2027 ends after today"),
        ("payg for 2030", "2030 ends after today"),
        ("usage q4 9999", "Q4 9999 ends after today"),
    ],
)
def test_a_period_named_with_a_year_still_to_come_is_refused_not_moved(text: str, said: str) -> None:
    with pytest.raises(UsageError) as caught:
        understand(text, today=TODAY)
    assert said in str(caught.value)


@pytest.mark.parametrize("text", ["blah blah", "sometime soonish", "哈哈哈"])
def test_unreadable_gets_the_closest_commands_not_the_help(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        understand(text, today=TODAY)
    message = str(caught.value)
    assert "Closest: " in message and message.count("`/qwen ") == 3 and "Usage: /qwen" not in message


@pytest.mark.parametrize(
    ("text", "lang", "line"),
    [
        ("how much did I spend in March", "en", "pay-as-you-go · March 2026: 2026-03-01 → 2026-03-31"),
        ("三月花了多少", "zh", "按量付费 · 2026年3月: 2026-03-01 → 2026-03-31"),
        ("Q2", "en", "usage summary · Q2 2026: 2026-04-01 → 2026-06-30"),
        ("过去7天", "zh", "用量概览 · 自定义范围: 2026-11-24 → 2026-11-30"),
        ("qwen-max by month last month", "en", "qwen-max by month · Last month: 2026-10-01 → 2026-10-31"),
        ("free tier", "zh", "免费额度"),
    ],
)
def test_every_answer_states_its_reading(text: str, lang: str, line: str) -> None:
    command = understand(text, today=TODAY, models_on_account=MODELS).command
    assert describe(command, today=TODAY, lang=lang) == line  # type: ignore[arg-type]
