"""Pure analysis: burn rate and exhaustion, coding-plan windows, change vs the previous period, top share,
month-end projection."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.base.periods import DateRange
from bot.core.analysis import (
    CodingWindowNearLimit,
    FreeTierBurn,
    MonthEndProjection,
    NoUsage,
    PaygChange,
    TopModel,
    analyse_summary,
    coding_plan_findings,
    free_tier_findings,
    month_end_projection,
    payg_findings,
    previous_period,
)
from bot.qwencloud.models import FreeTierQuota
from bot.qwencloud.results import (
    CodingPlan,
    CodingWindow,
    FreeTierEntry,
    Payg,
    PaygModel,
    Summary,
    TokenPlan,
)

TODAY = date(2026, 4, 10)
APRIL_SO_FAR = DateRange(date(2026, 4, 1), TODAY)


def quota(
    remaining: int, total: int = 1_000_000, *, status: str = "valid", reset: date | None = None
) -> FreeTierQuota:
    used_pct = (total - remaining) * 100 / total
    resets = datetime(reset.year, reset.month, reset.day, tzinfo=UTC) if reset else None
    return FreeTierQuota("tpl", Decimal(remaining), Decimal(total), "tokens", used_pct, status, resets)


def payg(*costs: tuple[str, str]) -> Payg:
    models = tuple(PaygModel(m, (("tokens", 1000),), Decimal(c)) for m, c in costs)
    return Payg(models, sum((Decimal(c) for _, c in costs), Decimal(0)))


def summary(
    entries: tuple[FreeTierEntry, ...] = (),
    *,
    rng: DateRange = APRIL_SO_FAR,
    p: Payg | None = None,
    plan: CodingPlan | None = None,
) -> Summary:
    return Summary(rng, entries, plan or CodingPlan(False), TokenPlan(False), p or payg())


@pytest.mark.parametrize(
    ("rng", "expected"),
    [
        (DateRange(date(2026, 3, 1), date(2026, 3, 31)), DateRange(date(2026, 2, 1), date(2026, 2, 28))),
        (APRIL_SO_FAR, DateRange(date(2026, 3, 1), date(2026, 3, 10))),
        (DateRange(date(2026, 3, 1), date(2026, 3, 30)), DateRange(date(2026, 2, 1), date(2026, 2, 28))),
        (DateRange(date(2026, 4, 4), TODAY), DateRange(date(2026, 3, 28), date(2026, 4, 3))),
        (DateRange(TODAY, TODAY), DateRange(date(2026, 4, 9), date(2026, 4, 9))),
        (DateRange(date(2026, 1, 1), date(2026, 3, 31)), DateRange(date(2025, 10, 1), date(2025, 12, 31))),
    ],
)
def test_previous_equal_period(rng: DateRange, expected: DateRange) -> None:
    assert previous_period(rng) == expected


def test_free_tier_burn_projects_exhaustion_before_reset() -> None:
    # 900K used in 10 days -> 90K/day; 100K left -> about 1 day
    entry = FreeTierEntry("qwen-plus", quota(100_000, reset=date(2026, 6, 30)))
    [finding] = free_tier_findings(summary((entry,)), today=TODAY)
    assert isinstance(finding, FreeTierBurn)
    assert finding.per_day == Decimal(90_000)
    assert finding.exhausted_on == date(2026, 4, 11)
    assert finding.remaining_pct == pytest.approx(10.0)


def test_free_tier_lasting_past_reset_and_plenty_left_says_nothing() -> None:
    entry = FreeTierEntry("qwen-plus", quota(990_000, reset=date(2026, 4, 30)))
    assert free_tier_findings(summary((entry,)), today=TODAY) == []


def test_free_tier_exhausted_is_reported_even_for_past_periods() -> None:
    march = DateRange(date(2026, 3, 1), date(2026, 3, 31))
    entries = (FreeTierEntry("a", quota(0, status="exhaust")), FreeTierEntry("b", quota(1000)))
    findings = free_tier_findings(summary(entries, rng=march), today=TODAY)
    assert [f.model_id for f in findings if isinstance(f, FreeTierBurn)] == ["a"]
    assert findings[0].exhausted  # type: ignore[union-attr]


def test_free_tier_ignores_early_access_and_expired() -> None:
    entries = (FreeTierEntry("x", None), FreeTierEntry("y", quota(10, status="expire")))
    assert free_tier_findings(summary(entries), today=TODAY) == []


def test_coding_plan_windows_near_limit() -> None:
    window = CodingWindow(Decimal(500), Decimal(6000), 91.6, None)
    calm = CodingWindow(Decimal(5000), Decimal(6000), 16.6, None)
    plan = CodingPlan(
        True, "pro", per_5h=window, weekly=calm, monthly=CodingWindow(Decimal(1), Decimal(5), 80.0, None)
    )
    findings = coding_plan_findings(plan)
    assert [f.window for f in findings if isinstance(f, CodingWindowNearLimit)] == ["per_5h", "monthly"]
    assert coding_plan_findings(CodingPlan(False)) == []


def test_payg_change_top_share_and_projection() -> None:
    current = payg(("qwen-plus", "30"), ("qwen-max", "10"))
    previous = payg(("qwen-plus", "20"))
    findings = payg_findings(current, APRIL_SO_FAR, today=TODAY, previous=previous)
    change = next(f for f in findings if isinstance(f, PaygChange))
    assert change.change_pct == pytest.approx(100.0)
    assert change.previous_period == DateRange(date(2026, 3, 1), date(2026, 3, 10))
    top = next(f for f in findings if isinstance(f, TopModel))
    assert (top.model_id, top.share_pct, top.models) == ("qwen-plus", pytest.approx(75.0), 2)
    projection = next(f for f in findings if isinstance(f, MonthEndProjection))
    assert projection.projected == Decimal("120.00")  # 40 in 10 days of a 30-day month
    assert projection.month_end == date(2026, 4, 30)


def test_payg_change_from_nothing_has_no_percentage() -> None:
    findings = payg_findings(payg(("m", "5")), APRIL_SO_FAR, today=TODAY, previous=payg())
    change = next(f for f in findings if isinstance(f, PaygChange))
    assert change.change_pct is None and change.previous == 0


def test_no_usage() -> None:
    findings = payg_findings(payg(), APRIL_SO_FAR, today=TODAY, previous=None)
    assert findings == [NoUsage(APRIL_SO_FAR)]


def test_month_end_projection_only_for_the_current_month_so_far() -> None:
    assert (
        month_end_projection(Decimal(10), DateRange(date(2026, 3, 1), date(2026, 3, 31)), today=TODAY) is None
    )
    assert month_end_projection(Decimal(0), APRIL_SO_FAR, today=TODAY) is None
    last_day = date(2026, 4, 30)
    assert month_end_projection(Decimal(10), DateRange(date(2026, 4, 1), last_day), today=last_day) is None


def test_analyse_summary_orders_sections() -> None:
    s = summary(
        (FreeTierEntry("a", quota(0, status="exhaust")),),
        p=payg(("m", "1")),
        plan=CodingPlan(True, "pro", per_5h=CodingWindow(Decimal(1), Decimal(10), 90.0, None)),
    )
    kinds = [type(f).__name__ for f in analyse_summary(s, today=TODAY, previous=payg(("m", "2")))]
    assert kinds == ["FreeTierBurn", "CodingWindowNearLimit", "PaygChange", "TopModel", "MonthEndProjection"]
