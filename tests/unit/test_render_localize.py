"""The Chinese catalog (bot/render/localize.py) against the English views it translates: every finding and
label the views render today is found in the catalog, numbers/dates/model ids come through unchanged, and
English users get the message untouched."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.base.periods import DateRange
from bot.core.analysis import (
    CodingWindowNearLimit,
    Finding,
    FreeTierBurn,
    MonthEndProjection,
    NoUsage,
    PaygChange,
    TopModel,
)
from bot.qwencloud.results import Payg, PaygModel
from bot.render.localize import line_zh, localize
from bot.render.usage import analysis_blocks, finding_text, payg_message

MARCH = DateRange(date(2026, 3, 1), date(2026, 3, 31))
FEB = DateRange(date(2026, 2, 1), date(2026, 2, 28))
FINDINGS: list[tuple[Finding, str]] = [
    (PaygChange(Decimal("12.5"), Decimal("10"), 25.0, FEB),
     "按量付费 $12.5，较上期（2026-02-01 → 2026-02-28）的 $10 上升 25%。"),
    (PaygChange(Decimal("3"), Decimal("0"), None, FEB),
     "按量付费 $3，上期（2026-02-01 → 2026-02-28）没有支出。"),
    (TopModel("qwen-max", Decimal("9"), 72.0, 3), "`qwen-max` 占支出的 72%（3 个付费模型，共 $9）。"),
    (MonthEndProjection(Decimal("4"), Decimal("12.4"), date(2026, 3, 31)),
     "按当前速度，本月预计约 *$12.4*（目前已花 $4）。"),
    (NoUsage(MARCH), "本期没有按量付费支出。"),
    (FreeTierBurn("qwen-plus", Decimal(0), Decimal(1000), "tokens", 0.0, None, None, None, exhausted=True),
     ":red_circle: `qwen-plus` 免费额度已用完；调用按量计费。"),
    (FreeTierBurn("qwen-plus", Decimal(400), Decimal(1000), "tokens", 40.0, Decimal(50), date(2026, 3, 20),
                  None),
     "`qwen-plus` 免费额度：剩余 40%；按约 50 tokens/day 的速度，预计 *2026-03-20* 前后用完。"),
    (FreeTierBurn("qwen-plus", Decimal(900), Decimal(1000), "tokens", 90.0, Decimal(1), None, None),
     "`qwen-plus` 免费额度：剩余 90%；按约 1 tokens/day 的速度可用到重置。"),
]


@pytest.mark.parametrize(("finding", "chinese"), FINDINGS)
def test_each_finding_reads_in_chinese(finding: Finding, chinese: str) -> None:
    assert line_zh(finding_text(finding)) == chinese


def test_a_line_the_catalog_does_not_know_stays_english() -> None:
    near = CodingWindowNearLimit("weekly", 95.0, Decimal(5), Decimal(100), None)
    english = finding_text(near)
    assert line_zh(english) == english


def test_a_whole_payg_answer_in_chinese_keeps_numbers_dates_and_ids() -> None:
    payg = Payg((PaygModel("qwen-max", (("tokens", 1200),), Decimal("9.5")),), Decimal("9.5"))
    fetched = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
    english = payg_message(payg, MARCH, [NoUsage(MARCH)], tz_name="Asia/Shanghai", fetched_at=fetched)
    chinese = localize(english, "zh")
    flat = repr(chinese.blocks)
    assert "按量付费 · 2026-03-01 → 2026-03-31" in flat and "*分析*" in flat and "合计 *$9.5*" in flat
    assert "`qwen-max`" in flat and "数据时间 2026-04-01 08:00 UTC" in flat
    assert "Analysis" not in flat and "Pay-as-you-go" not in flat
    assert localize(english, "en") is english


def test_nothing_unusual_and_the_analysis_title() -> None:
    section = analysis_blocks([])[1]["text"]["text"]
    assert localize_text(section) == "*分析*\n• 一切正常：没有接近任何限额，也没有明显变化。"


def localize_text(text: str) -> str:
    return "\n".join(line_zh(line) for line in text.split("\n"))
