"""bot/render/calls_view.py and limit_view.py: figures, a divider, the analysis; server text escaped in mrkdwn
(model ids, request ids, plan names); every English line has its Chinese (bot/render/calls_catalog.py)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.core.calls import LogsReport, ModelCounts, rate_of
from bot.core.limit import LimitStatus, limit_status
from bot.core.plans import CodingInstance, PlansReport
from bot.qwencloud.billing_models import (
    AutoRenew,
    CallLog,
    Diagnostic,
    Quota,
    Renewable,
    SeatGroupDetail,
    SeatTier,
    SubscriptionStatus,
    TokenPlanStatus,
    UsageLimit,
)
from bot.render.blocks import Message
from bot.render.calls_view import call_message, logs_message, span
from bot.render.limit_view import limit_message, plan_message
from bot.render.localize import localize

AT = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
EVIL = "<!channel>&<https://evil.example|x>"
D = Decimal


def call(n: int, status: int, model: str = "qwen-plus") -> CallLog:
    return CallLog(f"req-{n}", model, AT - timedelta(minutes=n), "", status, D(1234), ())


def report(*, failures: tuple[CallLog, ...], complete: bool = True, model: str = "qwen-plus") -> LogsReport:
    start = AT - timedelta(hours=24)
    rows = 500 if not complete else 12
    return LogsReport(
        start=start,
        end=AT,
        statuses=(),
        models=(model,),
        matching=12 if complete else 812,
        by_status=(("SUCCESS", 9), ("CLIENT_ERROR", 2), ("SERVER_ERROR", 1), ("CANCEL", 0)),
        by_model=ModelCounts(((model, rows),), rows, 12 if complete else 812),
        latest_failures=failures,
        failures_by_model=ModelCounts(
            ((model, len(failures)),), len(failures), len(failures) + (0 if complete else 7)
        ),
        rate=rate_of(start, AT, 12, 3),
        previous=rate_of(start - timedelta(hours=24), start, 20, 1),
    )


def mrkdwn(message: Message) -> list[str]:
    out: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if value.get("type") == "mrkdwn":
                out.append(str(value["text"]))
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(message.blocks)
    return out


def limit(amount: str | None, spent: str, threshold: str = "80") -> LimitStatus:
    raw = UsageLimit("active", None if amount is None else D(amount), "USD", threshold)
    return limit_status(raw, D(spent), date(2026, 11, 20))


def plans(name: str = "Coding Plan Pro") -> PlansReport:
    tier = SeatTier("pro", 3, 3_000_000.0, 2_871_156.0, 4, "2026-12-01")
    status = SubscriptionStatus(None, None, None, Quota(2_871_156.0, 3_000_000.0, 4), True, True, 11, (tier,),
                                (), None, ())
    team = TokenPlanStatus(
        ("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", 11),
        AutoRenew(True, D(1), "M"),
        Renewable(True, None),
        (SeatGroupDetail("PRO", D(3), D(2), "3000000", "2871156", None),),
        None,
    )
    coding = CodingInstance(name, "NORMAL", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")
    diagnostics = (Diagnostic("QuerySubscriptionGray", "Throttling", "slow down"),)
    return PlansReport(coding, status, team, diagnostics)


def every_message() -> list[Message]:
    failures = (call(1, 503), call(2, 429))
    return [
        logs_message(report(failures=failures), tz_name="Asia/Shanghai", fetched_at=AT),
        logs_message(report(failures=(), complete=False), tz_name="UTC", fetched_at=AT),
        call_message(call(1, 503), "req-1", tz_name="UTC", fetched_at=AT, looked=timedelta(days=14)),
        call_message(None, "req-9", tz_name="UTC", fetched_at=AT, looked=timedelta(days=14)),
        limit_message(limit("50", "40"), tz_name="UTC", fetched_at=AT),
        limit_message(limit("30", "40"), tz_name="UTC", fetched_at=AT),
        limit_message(limit(None, "40", threshold="0"), tz_name="UTC", fetched_at=AT),
        limit_message(limit("50", "0"), tz_name="UTC", fetched_at=AT),
        plan_message(plans(), tz_name="UTC", fetched_at=AT, today=date(2026, 11, 20)),
    ]


def test_figures_then_a_divider_then_the_analysis() -> None:
    for message in every_message():
        types = [b["type"] for b in message.blocks]
        assert types[0] == "header"
        if "divider" in types:
            after = message.blocks[types.index("divider") + 1]
            assert after["text"]["text"].startswith("*Analysis*\n• ")


def test_logs_figures_and_analysis_words() -> None:
    text = json.dumps(every_message()[0].blocks)
    assert "*12 calls* \\u00b7 `qwen-plus`" in text
    assert "Error rate 25% (3 of 12 calls), up from 5% (1 of 20) in the previous 1d window." in text
    assert "`qwen-plus` has the most failures: 2 of 2." in text
    assert "`2026-11-20 23:29`  `503`  `qwen-plus`  `req-1`" in text  # Shanghai time
    partial = json.dumps(every_message()[1].blocks)
    assert "_Counted over the latest 500 of 812 calls._" in partial
    some = logs_message(report(failures=(call(1, 503),), complete=False), tz_name="UTC", fetched_at=AT)
    assert "has the most failures: 1 of 1 (the latest 1 of 8 failures)." in json.dumps(some.blocks)
    zh = json.dumps(localize(some, "zh").blocks, ensure_ascii=False)
    assert "失败最多：1 次中 1 次（按最近 1 次失败统计，共 8 次）。" in zh


def test_limit_words() -> None:
    near, over, none, idle = (json.dumps(m.blocks) for m in every_message()[4:8])
    assert "*Limit*\\n$50" in near and "$40 \\u00b7 80% used" in near
    assert "About 5 days of headroom at $2.00/day" in near
    assert "Alert threshold 80% reached (80% used)." in near and "*Limit reached*\\n2026-11-25" in near
    assert "Over the limit by $10.00." in over
    assert "No spend limit is set on this account." in none
    assert "No spend this month yet." in idle and "not this month" in idle


def test_span_is_language_neutral() -> None:
    assert [span(AT - d, AT) for d in (timedelta(hours=24), timedelta(days=3), timedelta(hours=15.5))] == [
        "1d", "3d", "15h 30m"
    ]


@pytest.mark.parametrize("field", ["model", "request", "plan"])
def test_server_text_is_escaped_in_mrkdwn(field: str) -> None:
    if field == "model":
        evil = report(failures=(call(1, 500, EVIL),), model=EVIL)
        message = logs_message(evil, tz_name="UTC", fetched_at=AT)
    elif field == "request":
        bad = CallLog(EVIL, EVIL, AT, "", 500, D(1), ())
        message = call_message(bad, EVIL, tz_name="UTC", fetched_at=AT, looked=timedelta(days=1))
    else:
        message = plan_message(plans(EVIL), tz_name="UTC", fetched_at=AT, today=date(2026, 11, 20))
    texts = [*mrkdwn(message), message.text]
    assert any("&lt;!channel&gt;&amp;" in t for t in texts)
    assert not any("<!channel>" in t or "<https://evil" in t for t in texts)


def test_every_line_has_its_chinese() -> None:
    """No English words left after localizing, apart from ids, units and the server's own text."""
    kept = re.compile(r"`[^`]*`|req-\d|NORMAL|Coding Plan Pro|PRO|Pro|QwenCloud|Token|UTC|USD|Asia/Shanghai|"
                      r"\d+(?:\.\d+)?\s?(?:s|ms|h|d|m)\b|[245]xx|ID|Throttling|QuerySubscriptionGray")
    for message in every_message():
        zh = localize(message, "zh")
        for text in mrkdwn(zh) + [b["text"]["text"] for b in zh.blocks if b["type"] == "header"]:
            assert not re.search(r"[A-Za-z]{2,}", kept.sub("", text)), text


def test_a_failed_plan_source_is_not_reported_as_no_plan() -> None:
    failed = (Diagnostic("GetSubscriptionDetail", "Throttling", "slow down"),
              Diagnostic("GetSeatSubscriptionSummary", "Throttling", "slow down"))
    empty = SubscriptionStatus(None, None, None, None, None, None, None, (), (), None, ())
    unknown = PlansReport(None, empty, plans().token_team, failed)
    none = PlansReport(None, empty, plans().token_team, ())
    day = date(2026, 11, 20)
    told = json.dumps(plan_message(unknown, tz_name="UTC", fetched_at=AT, today=day).blocks)
    assert told.count("Unavailable right now.") == 2 and "Not subscribed" not in told
    assert "2 source(s) unavailable: GetSubscriptionDetail, GetSeatSubscriptionSummary" in told
    plain = json.dumps(plan_message(none, tz_name="UTC", fetched_at=AT, today=day).blocks)
    assert plain.count("Not subscribed.") == 2 and "No active plan: calls are billed pay-as-you-go." in plain
    zh = localize(plan_message(unknown, tz_name="UTC", fetched_at=AT, today=day), "zh")
    assert "暂时无法获取。" in json.dumps(zh.blocks, ensure_ascii=False)
