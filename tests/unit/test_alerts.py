from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.base.periods import DateRange
from bot.qwencloud.models import FreeTierQuota
from bot.qwencloud.results import CodingPlan, CodingWindow, FreeTierEntry, Payg, Summary, TokenPlan
from bot.storage.team_store import AlertRule
from bot.team.jobs.alerts import Snapshot, crossed, describe, measure, value_text


def rule(kind: str, target: str, threshold: str) -> AlertRule:
    return AlertRule(1, "T", "C", "prod", kind, target, Decimal(threshold), "U", False, 0, None)


SNAP = Snapshot(
    Summary(
        DateRange(date(2026, 4, 1), date(2026, 4, 13)),
        (
            FreeTierEntry(
                "qwen-plus", FreeTierQuota("t", Decimal(19), Decimal(100), "tokens", 81.0, "valid", None)
            ),
            FreeTierEntry("early", None),
        ),
        CodingPlan(True, "pro", weekly=CodingWindow(Decimal(20), Decimal(100), 80.0, None)),
        TokenPlan(False),
        Payg((), Decimal("12.5")),
    ),
    Payg((), Decimal("3")),
)


def test_measure_each_kind() -> None:
    assert measure(rule("free_tier", "qwen-plus", "20"), SNAP) == Decimal("19.0")
    assert measure(rule("free_tier", "early", "20"), SNAP) is None
    assert measure(rule("free_tier", "missing", "20"), SNAP) is None
    assert measure(rule("coding_plan", "weekly", "50"), SNAP) == Decimal("80.0")
    assert measure(rule("coding_plan", "per_5h", "50"), SNAP) is None
    assert measure(rule("payg_daily", "", "1"), SNAP) == Decimal("3")
    assert measure(rule("payg_monthly", "", "1"), SNAP) == Decimal("12.5")
    assert measure(rule("payg_daily", "", "1"), Snapshot(SNAP.month, None)) is None


def test_crossed_directions_are_strict() -> None:
    assert crossed(rule("free_tier", "m", "20"), Decimal("19.99"))
    assert not crossed(rule("free_tier", "m", "20"), Decimal("20"))
    assert crossed(rule("coding_plan", "weekly", "80"), Decimal("80.01"))
    assert not crossed(rule("coding_plan", "weekly", "80"), Decimal("80"))
    assert crossed(rule("payg_monthly", "", "10"), Decimal("10.0001"))


def test_words() -> None:
    assert describe(rule("free_tier", "qwen-plus", "20")) == "free tier of `qwen-plus` below 20% left"
    assert describe(rule("coding_plan", "per_5h", "80")) == "coding plan 5-hour window above 80% used"
    assert describe(rule("payg_daily", "", "25")) == "pay-as-you-go spend today above $25"
    assert value_text(rule("payg_monthly", "", "1"), Decimal("12.5")) == "$12.5"
