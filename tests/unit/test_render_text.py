"""Text layout primitives and sections the recorded runs do not cover (token plan, empty cases, errors)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from bot.base.errors import BusinessError, GatewayError, ModelNotFound, NetworkError
from bot.base.periods import DateRange
from bot.qwencloud.results import Breakdown, BreakdownRow, CodingPlan, Payg, PaygModel, Summary, TokenPlan
from bot.render import text

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
JUNE = DateRange(date(2026, 6, 1), date(2026, 6, 15))


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (850_000, "850K"),
        (1_000_000, "1M"),
        (4_800, "4.8K"),
        (3_333_333, "3.3M"),
        (658_600, "658.6K"),
        (658_550, "658.5K"),  # toFixed on the binary value 658.549999...,
        (999, "999"),
        (0, "0"),
        (Decimal("12.5"), "12.5"),
        (1_250, "1.3K"),
        (1_049_999, "1M"),
    ],
)
def test_abbreviate(value: int | Decimal, shown: str) -> None:
    assert text.abbreviate(value) == shown


def test_cost_uses_shortest_digits() -> None:
    assert [text.cost(Decimal(x)) for x in ("4.2930", "0.99", "0", "12")] == ["$4.293", "$0.99", "$0", "$12"]


def test_until_drops_zero_parts_and_minutes_past_a_day() -> None:
    assert text.until(NOW + timedelta(days=2, hours=5, minutes=7), NOW) == "in 2d 5h"
    assert text.until(NOW + timedelta(hours=3, minutes=12), NOW) == "in 3h 12m"
    assert text.until(NOW + timedelta(days=1), NOW) == "in 1d"
    assert text.until(NOW - timedelta(minutes=1), NOW) == "in now"
    assert text.until(None, NOW) == "in now"


def test_table_pads_every_column_including_the_last() -> None:
    assert text.table(["A", "Long"], [["xyz", "1"], ["q", "—"]], 2) == "  A    Long\n  xyz  1   \n  q    —   "


def test_section_rule_length() -> None:
    line = text.section("Pay-as-you-go", "2026-06-01 → 2026-06-15")
    assert line.startswith("  ── Pay-as-you-go  ·  2026-06-01 → 2026-06-15 ─")
    assert len(line) == 80  # the rule fills the line to 80 columns
    assert text.section("x" * 75).endswith(" ───")  # at least three


def summary(token_plan: TokenPlan, payg: Payg) -> Summary:
    return Summary(
        period=JUNE, free_tier=(), coding_plan=CodingPlan(subscribed=False), token_plan=token_plan, payg=payg
    )


def test_summary_with_token_plan_and_no_payg() -> None:
    plan = TokenPlan(
        subscribed=True,
        detailed=True,
        plan_name="Teams",
        status="valid",
        total_credits=Decimal(25000),
        remaining_credits=Decimal("1234.5"),
        used_pct=95.062,
        reset_date="2026-07-01T00:00:00.000Z",
        addon_remaining=Decimal(300),
    )
    out = text.summary(summary(plan, Payg(models=(), total_cost=Decimal(0))), now=NOW)
    assert out == (
        "  Usage Summary  ·  2026-06-15\n\n"
        f"{text.section('Pay-as-you-go', '2026-06-01 → 2026-06-15')}\n\n"
        "  No pay-as-you-go usage in this period.\n\n"
        f"{text.section('Token Plan', 'Teams  ·  valid')}\n\n"
        "  Usage:      1,234.5 / 25,000 Credits\n"
        "  Quota Left: 4.94%\n"
        "  Status:     valid\n"
        "  Resets:     2026-07-01\n"
        "  Add-on:     300 Credits\n\n"
    )


def test_payg_text_exact() -> None:
    payg = Payg(
        models=(
            PaygModel("cheap", (("tokens", 1500),), Decimal("0.1")),
            PaygModel("img", (("images", 4),), Decimal("0.12")),
        ),
        total_cost=Decimal("0.22"),
    )
    assert text.payg(payg, JUNE) == (
        "Model  Usage     Cost \nimg    4 img     $0.12\ncheap  1.5K tok  $0.1 \nTotal  —         $0.22\n"
    )
    assert text.payg(Payg(models=(), total_cost=Decimal(0)), JUNE) == (
        "No pay-as-you-go usage in 2026-06-01 → 2026-06-15.\n"
    )


def test_breakdown_current_marker_uses_utc_for_days_and_local_for_months() -> None:
    late = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # already July 1st in Tokyo
    tokyo = timezone(timedelta(hours=9))
    assert text.is_current("2026-06-30", "day", late, tokyo)
    assert text.is_current("2026-07", "month", late, tokyo)
    assert not text.is_current("2026-06", "month", late, tokyo)
    assert text.is_current("2026-Q3", "quarter", late, tokyo)


def test_breakdown_text_for_characters() -> None:
    row = BreakdownRow(period="2026-06", cost=Decimal("0.5"), tokens_in=None, usage=(("characters", 12000),))
    empty = BreakdownRow(period="2026-05", cost=Decimal(0), tokens_in=None, usage=())
    result = Breakdown(
        model_id="tts",
        period=DateRange(date(2026, 5, 1), date(2026, 6, 15)),
        granularity="month",
        rows=(empty, row),
        total=BreakdownRow("Total", Decimal("0.5"), None, (("characters", 12000),)),
        unit="characters",
    )
    assert text.breakdown(result, now=NOW, tz=UTC) == (
        "  Monthly Breakdown  ·  tts  ·  2026-05-01 → 2026-06-15\n\n"
        "  Date                Characters  Cost\n"
        "  2026-05             —           $0  \n"
        "  2026-06  ← current  12K         $0.5\n"
        "  Total               12K         $0.5\n\n"
    )


def test_error_lines() -> None:
    assert text.error(GatewayError("flow control", code="Throttling")) == "Gateway error: flow control\n"
    assert text.error(BusinessError("busy", code="X")) == "Notice: busy\n"
    assert text.error(ModelNotFound("x", "y")) == "Error: Model 'x' not found. Did you mean 'y'?\n"
    assert text.error(NetworkError("down")) == "Error: down\n"
