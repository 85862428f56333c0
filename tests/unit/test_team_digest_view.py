"""Digest rendering (Block Kit limits, top N + other, sparkline fallback), top-model and daily maths,
Slack outcome classification."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.base.periods import DateRange
from bot.base.schedule import Schedule
from bot.core.analysis import FreeTierBurn
from bot.qwencloud.models import ConsumeItem
from bot.qwencloud.results import CodingPlan, CodingWindow, Payg, PaygModel, Summary, TokenPlan
from bot.render.blocks import MAX_BLOCKS, MAX_SECTION
from bot.slack.posting import classify
from bot.team.digest_view import digest_message
from bot.team.digests import DigestReport, TopModels, daily_costs, top_models
from bot.team.outbox import Posted, Refused, RetryLater, Unknown, retry_after

OCC = datetime(2026, 4, 13, 9, 0, tzinfo=UTC)


def payg(costs: dict[str, str]) -> Payg:
    models = tuple(PaygModel(m, (("tokens", 1000),), Decimal(c)) for m, c in costs.items())
    return Payg(models, sum((m.cost for m in models), Decimal(0)))


def test_top_models_keeps_n_and_sums_the_rest() -> None:
    top = top_models(payg({f"m{i}": str(i) for i in range(1, 9)}), n=5)
    assert [m for m, _ in top.top] == ["m8", "m7", "m6", "m5", "m4"]
    assert top.other_cost == Decimal("6") and top.other_count == 3
    assert top_models(payg({"a": "0", "b": "1"})).top == (("b", Decimal("1")),)


def test_daily_costs_fills_gaps_and_skips_free_rows() -> None:
    span = Schedule("weekly", 0, time(9), "UTC").period(OCC).current
    item = ConsumeItem(
        "2026-04-07", "2026-04", "qwen-plus", Decimal(1), "tokens", Decimal("1.23456"), "", False
    )
    free = ConsumeItem("2026-04-07", "2026-04", "qwen-plus", Decimal(1), "tokens", Decimal("9"), "free", True)
    days = daily_costs([item, item, free], span)
    assert len(days) == 7 and days[0] == (date(2026, 4, 6), Decimal(0))
    assert days[1] == (date(2026, 4, 7), Decimal("2.4691"))


def report(models: int = 3, previous: str = "4", file_days: int = 7) -> DigestReport:
    schedule = Schedule("weekly", 0, time(9), "UTC")
    period = schedule.period(OCC)
    current = payg({f"model-{i}": f"{i}.5" for i in range(models)})
    month = Summary(
        DateRange(date(2026, 4, 1), date(2026, 4, 13)),
        (),
        CodingPlan(True, "pro", per_5h=CodingWindow(Decimal(10), Decimal(100), 90.0, None)),
        TokenPlan(False),
        payg({"model-0": "20"}),
    )
    burn = FreeTierBurn("qwen-plus", Decimal(5), Decimal(100), "tokens", 5.0, None, None, None)
    return DigestReport(
        account="prod",
        cadence="weekly",
        period=period,
        payg=current,
        previous=payg({"x": previous}),
        daily=tuple((d, Decimal(i)) for i, d in enumerate(period.current.dates()[:file_days])),
        previous_daily=(Decimal(1),) * 7,
        top=top_models(current),
        free_tier_low=(burn,),
        coding_plan=month.coding_plan,
        month=month,
        projection=None,
        findings=(),
        today=date(2026, 4, 13),
        timezone="UTC",
        fetched_at=OCC,
    )


def test_digest_message_order_and_fallback() -> None:
    message = digest_message(report(), file_id="F1")
    kinds = [b["type"] for b in message.blocks]
    assert kinds[0] == "header" and "image" in kinds and kinds[-1] == "context"
    assert kinds.index("image") < kinds.index("divider")
    text = json.dumps(message.blocks)
    assert "Free tier running low" in text and "Coding plan" in text and "Analysis" in text
    assert message.text.startswith("Weekly QwenCloud spend · prod: $")


def test_digest_without_chart_uses_the_sparkline() -> None:
    message = digest_message(report(), file_id=None)
    assert not [b for b in message.blocks if b["type"] == "image"]
    assert "▁" in json.dumps(message.blocks, ensure_ascii=False)


def test_digest_stays_within_block_kit_limits_with_many_models() -> None:
    message = digest_message(report(models=400, previous="0"), file_id="F1")
    payload = message.payload()
    assert len(payload["blocks"]) <= MAX_BLOCKS
    for block in payload["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION
    assert "other (395 models)" in json.dumps(payload["blocks"])
    assert "nothing spent" in json.dumps(payload["blocks"])


def _error(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="x",
        req_args={},
        data=body,
        headers=headers or {},
        status_code=status,
    )
    return SlackApiError("boom", response)


def _raise(exc: BaseException) -> Any:
    def call() -> Any:
        raise exc

    return call


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (
            _error(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "42"}),
            RetryLater(timedelta(seconds=42), "ratelimited"),
        ),
        (_error(200, {"ok": False, "error": "not_in_channel"}), Refused("not_in_channel", permanent=False)),
        (
            _error(200, {"ok": False, "error": "channel_not_found"}),
            Refused("channel_not_found", permanent=True),
        ),
        (_error(500, {"ok": False, "error": "fatal_error"}), Unknown("slack 500: fatal_error")),
        (TimeoutError("read timed out"), Unknown("network: TimeoutError")),
        (ConnectionRefusedError(), RetryLater(timedelta(seconds=30), "connection refused")),
    ],
)
def test_classify(exc: BaseException, expected: object) -> None:
    assert classify(_raise(exc))[0] == expected


def test_classify_ok_and_retry_after_parsing() -> None:
    assert classify(lambda: {"ok": True, "channel": "C1", "ts": "1.2"})[0] == Posted("C1", "1.2")
    assert retry_after({"retry-after": ["7"]}) == timedelta(seconds=7)
    assert retry_after({"Retry-After": "soon"}) == timedelta(seconds=30)
    assert retry_after({}) == timedelta(seconds=30)
    assert TopModels((), Decimal(0), 0).other_count == 0
