"""Fuzzing plain questions (bot/core/grammar/words.py): generated English and Chinese phrasings, and
arbitrary text. Whatever is typed, `understand` returns a Reading or raises UsageError/InvalidArgument; a
period it reads never starts after today, and never ends after today unless it is the current calendar month
named in full (a month by name is the whole month, as `--period YYYY-MM` is). Derandomized for CI."""

from __future__ import annotations

import calendar
from datetime import date

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.base.errors import InvalidArgument, UsageError
from bot.base.periods import resolve
from bot.core.grammar.words import understand

MODELS = ["qwen-max", "qwen-plus", "qwen3-max", "qwen2.5-72b-instruct"]
FUZZ = settings(max_examples=1500, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
TODAYS = st.sampled_from([date(2026, 11, 30), date(2026, 1, 1), date(2026, 12, 31), date(2028, 2, 29),
                          date(2027, 3, 31), date(2026, 5, 3)])
EN = (
    "how much", "did i", "spend", "spent", "cost", "bill", "usage", "free tier", "quota left", "coding plan",
    "in", "on", "from", "to", "between", "and", "since", "until", "the", "of", "last", "past", "previous",
    "this", "next", "month", "week", "quarter", "year", "day", "days", "weeks", "months", "years", "ago",
    "so far", "to date", "yesterday", "today", "the day before yesterday", "may", "june", "december", "jan",
    "q1", "q4", "q9", "second", "quarter", "by day", "per month", "monthly", "quarterly", "qwen max",
    "qwen-plus", "qwen maxx", "qwen3", "3rd", "9th", "31st", "29", "30", "0", "99", "2026", "2099", "1999",
    "0001", "2026-05-03", "2026-13-40", "2026-02-30", "2026-05", "12/2026", "three", "sixty", "a", "couple",
)
_ZH_WORDS = (
    "花了多少 账单 费用 按量付费 免费额度 还剩 编码套餐 用量 上个月 上月 这个月 本月 "
    "今年 今年以来 去年 前年 本季度 上季度 第二季度 第五季度 过去 最近 近 两周 "
    "三十天 六十天 半年 个月 五月份 十月 十三月 二月三十日 5月3日 到 至 5月9日 "
    "9号 昨天 前天 今天 上周 本周 按月 按天 按季度 2026年 2099年 从 "
    "以来 天前 零 十 百 一百 qwen-max Q3 "
)
ZH = tuple(_ZH_WORDS.split())
phrase = st.one_of(
    st.lists(st.sampled_from(EN), min_size=1, max_size=7).map(" ".join),
    st.lists(st.sampled_from(ZH), min_size=1, max_size=6).map("".join),
    st.lists(st.sampled_from(EN + ZH), min_size=1, max_size=6).map(" ".join),
    st.text(max_size=40),
)


@FUZZ
@given(text=phrase, today=TODAYS)
@example(text="december 2099", today=date(2026, 11, 30))
@example(text="2099年5月3日到5月9日", today=date(2026, 11, 30))
@example(text="from may 3 2099 to may 9 2099", today=date(2026, 11, 30))
@example(text="last 999 days", today=date(2026, 11, 30))
@example(text="二月二十九日", today=date(2027, 3, 31))
def test_plain_questions_never_crash_and_never_read_the_future(text: str, today: date) -> None:
    try:
        reading = understand(text, today=today, models_on_account=MODELS)
    except (UsageError, InvalidArgument):
        return
    period = getattr(reading.command, "period", None)
    if period is None or "--" in text:
        return
    rng = resolve(today=today, period=period.preset, days=period.days, from_=period.from_, to=period.to)
    assert rng.start <= rng.end and rng.start <= today, (text, rng)
    this_month = (today.year, today.month)
    whole_month = (rng.start.day == 1 and rng.end.day == calendar.monthrange(*this_month)[1]
                   and (rng.start.year, rng.start.month) == this_month == (rng.end.year, rng.end.month))
    assert rng.end <= today or whole_month, (text, rng)
