"""render/spend_render (+ spend_zh through localize): `/qwen billing` and `/qwen bills` messages. Figures
first, a divider, the analysis; server text escaped; exact money; Chinese for zh users."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from bot.base.periods import DateRange
from bot.core.billing_answers import BillingAnswer, BillsAnswer, KeyGrowth, grew_most
from bot.core.spend import Bills, KeySpend, SettledMonth, Spend
from bot.render.localize import localize
from bot.render.spend_render import billing_message, bills_message, money

D = Decimal
AT = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
MAY = DateRange(date(2026, 5, 1), date(2026, 5, 31))
APRIL = DateRange(date(2026, 4, 1), date(2026, 4, 30))
EVIL = "<!channel> & <https://x|y>"


def spend(rows: list[tuple[str, str, str]], tax: str = "0.5", *, daily: bool = True) -> Spend:
    keyed = tuple(KeySpend(k, label, D(a)) for k, label, a in rows)
    total = sum((r.amount for r in keyed), D(tax))
    days = tuple((MAY.start + timedelta(days=i), D(i % 4)) for i in range(31)) if daily else ()
    return Spend("api-key", MAY, keyed, D(tax), total, "USD", days)


def answer(s: Spend, growth: KeyGrowth | None, *, compared: bool = True) -> BillingAnswer:
    return BillingAnswer(s, s.top(5), APRIL, compared, growth, AT)


def texts(message: object) -> str:
    return json.dumps(message.blocks, ensure_ascii=False)  # type: ignore[attr-defined]


ROWS = [(f"ak-{i}", f"key-{i}", str(10 - i)) for i in range(7)]


def test_figures_then_divider_then_analysis_with_other_tax_and_total() -> None:
    s = spend(ROWS)
    msg = billing_message(answer(s, KeyGrowth("ak-2", "key-2", D("8"), D("5"))), tz_name="Asia/Tokyo")
    kinds = [b["type"] for b in msg.blocks]
    assert kinds == ["header", "section", "section", "divider", "section", "context"]
    figures = msg.blocks[1]["text"]["text"]
    assert "`key-0`  $10 · 20.2%" in figures  # 10 of 49.5
    assert "Other (2 more)  $9" in figures  # keys 5 and 6: 5 + 4
    assert "Tax  $0.5" in figures and "*Total* *$49.5* (USD)" in figures
    assert figures.count("`key-") == 5
    analysis = msg.blocks[4]["text"]["text"]
    assert analysis.startswith("*Analysis*\n• `key-0` is 20.2% of the total.")
    assert "`key-2` grew most: $8, up $3 (60.0%) from $5 (2026-04-01 → 2026-04-30)." in analysis
    assert msg.text.endswith("$49.5")
    assert "Asia/Tokyo" in msg.blocks[-1]["elements"][0]["text"]


def test_chart_is_an_image_when_uploaded_else_a_sparkline_and_none_for_a_week() -> None:
    s = spend(ROWS)
    image = billing_message(answer(s, None), tz_name="UTC", chart_file_id="F123").blocks[2]
    assert image["type"] == "image" and image["slack_file"] == {"id": "F123"}
    assert image["alt_text"].startswith("Daily spend before tax: May 01 $0, May 02 $1")
    spark = billing_message(answer(s, None), tz_name="UTC").blocks[2]["text"]["text"]
    assert spark.startswith("*Daily spend*\n`▁") and "peak $3 on 2026-05-04" in spark
    short = billing_message(answer(spend(ROWS, daily=False), None), tz_name="UTC")
    assert [b["type"] for b in short.blocks][2] == "divider"


def test_server_text_is_escaped() -> None:
    s = spend([("ak-1", EVIL, "3"), ("", "", "1")])
    msg = billing_message(answer(s, KeyGrowth("ak-1", EVIL, D(3), D(0))), tz_name="UTC")
    body = texts(msg)
    assert "<!channel>" not in body and "&lt;!channel&gt; &amp; &lt;https://x|y&gt;" in body
    assert "`—`  $1" in body  # usage without a named key
    assert "grew most: $3, nothing in the previous period" in body


def test_analysis_without_growth_without_comparison_and_without_spend() -> None:
    s = spend(ROWS)
    no_growth = billing_message(answer(s, None), tz_name="UTC")
    assert "No API key spent more than in the previous period" in texts(no_growth)
    unavailable = billing_message(answer(s, None, compared=False), tz_name="UTC")
    assert "The previous period (2026-04-01 → 2026-04-30) is not available to compare." in texts(unavailable)
    empty = billing_message(answer(spend([], tax="0", daily=False), None), tz_name="UTC")
    assert "No spend in this period." in texts(empty) and "*Total* *$0* (USD)" in texts(empty)


def test_grew_most_counts_new_keys_and_ignores_shrinking_ones() -> None:
    now = spend([("a", "A", "5"), ("b", "B", "2"), ("c", "C", "1.5")])
    before = spend([("a", "A", "6"), ("b", "B", "1")])
    assert grew_most(now, before) == KeyGrowth("c", "C", D("1.5"), D(0))
    assert grew_most(before, now) == KeyGrowth("a", "A", D(6), D(5))
    assert grew_most(before, before) is None


def test_money_is_exact_and_names_other_currencies() -> None:
    assert [money(D(x)) for x in ("4.679411", "54.50", "0", "0.000000")] == ["$4.679411", "$54.5", "$0", "$0"]
    assert money(D("12.3"), "CNY") == "12.3 CNY" and money(D("1E+2")) == "$100"


def bills(months: list[tuple[str, str, str, str]]) -> BillsAnswer:
    ms = tuple(SettledMonth(c, D(p), D(t), D(a)) for c, p, t, a in months)
    b = Bills(ms[0].cycle if ms else "2026-06", ms[-1].cycle if ms else "2026-06", ms,
              sum((m.pretax for m in ms), D(0)), sum((m.tax for m in ms), D(0)),
              sum((m.aftertax for m in ms), D(0)), "USD")
    largest = max(ms, key=lambda m: m.aftertax, default=None)
    last, before = (ms[-1], ms[-2]) if len(ms) >= 2 else (None, None)
    return BillsAnswer(b, largest, last, before, AT)


def test_bills_months_total_and_analysis() -> None:
    msg = bills_message(bills([("2026-04", "10", "0.9", "10.9"), ("2026-05", "50.00", "4.50", "54.50")]),
                        tz_name="UTC")
    body = msg.blocks[1]["text"]["text"]
    assert "`2026-04`  $10 + $0.9 = *$10.9*" in body and "`2026-05`  $50 + $4.5 = *$54.5*" in body
    assert "*Total* $60 + $5.4 = *$65.4* (USD)" in body
    analysis = msg.blocks[3]["text"]["text"]
    assert "Largest month: `2026-05` with $54.5 (83.3% of the total)." in analysis
    assert "`2026-05` $54.5, up $43.6 (400.0%) from `2026-04` ($10.9)." in analysis
    assert msg.blocks[0]["text"]["text"] == "QwenCloud settled bills · 2026-04 → 2026-05"


def test_bills_with_one_month_and_with_none() -> None:
    one = texts(bills_message(bills([("2026-05", "1", "0.09", "1.09")]), tz_name="UTC"))
    assert "Only one settled month: nothing to compare." in one and "settled bills · 2026-05\"" in one
    assert "No settled bills in this period." in texts(bills_message(bills([]), tz_name="UTC"))


def test_chinese_users_get_chinese_labels_and_analysis() -> None:
    s = spend(ROWS)
    zh = localize(billing_message(answer(s, KeyGrowth("ak-2", "key-2", D(8), D(5))), tz_name="UTC"), "zh")
    body = texts(zh)
    for words in ("QwenCloud 各 API Key 花费", "共 7 个 API Key", "其他（另 2 项）  $9", "税费  $0.5",
                  "*合计*", "*每日花费*", "*分析*", "`key-0` 占合计的 20.2%。", "`key-2` 增长最多：$8"):
        assert words in body
    months = bills([("2026-04", "10", "0.9", "10.9"), ("2026-05", "5", "0.45", "5.45")])
    zh_bills = texts(localize(bills_message(months, tz_name="UTC"), "zh"))
    for words in ("QwenCloud 已结算账单", "税前 + 税费 = 税后", "金额最大的月份：`2026-04`",
                  "下降 $5.45（50.0%）"):
        assert words in zh_bills
    assert "Largest" not in zh_bills and "grew" not in body


def test_a_cli_layout_replaces_the_figures_and_the_analysis_stays() -> None:
    s = spend(ROWS)
    msg = billing_message(answer(s, None), tz_name="UTC", chart_file_id="F1", text_layout="  TOTAL  <$49.5>")
    assert [b["type"] for b in msg.blocks] == ["header", "section", "divider", "section", "context"]
    assert msg.blocks[1]["text"]["text"] == "```  TOTAL  &lt;$49.5&gt;```"  # verbatim, escaped
    months = bills([("2026-05", "1", "0.09", "1.09")])
    layout = bills_message(months, tz_name="UTC", text_layout='{"totals": {}}').blocks
    assert layout[1]["text"]["text"] == '```{"totals": {}}```' and layout[2]["type"] == "divider"
