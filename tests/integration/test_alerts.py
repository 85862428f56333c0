"""Alerts on SQLite and PostgreSQL: once per crossing (two workers), again after recovery; 429 retried."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.base.periods import DateRange
from bot.bootstrap import Services
from bot.devtools.localslack import ADMIN, GENERAL, FakeSlack
from bot.qwencloud.models import DeviceCredentials, FreeTierQuota, QwenUser
from bot.qwencloud.results import CodingPlan, CodingWindow, FreeTierEntry, Payg, Summary, TokenPlan
from bot.storage.owner import Owner
from bot.team.jobs.alerts import AlertJob
from bot.team.model import Team
from tests.fakes.slack import static_team
from tests.integration.conftest import TOKEN

NOW = datetime(2026, 4, 13, 9, 0, tzinfo=UTC)


class StubUsage:
    """The usage service with values the test turns."""

    def __init__(self) -> None:
        self.remaining_pct = 50.0
        self.used_5h = 10.0
        self.month_cost = Decimal("5")
        self.today_cost = Decimal("1")
        self.fail = False

    def summary(self, token: str, rng: DateRange, **_: Any) -> Summary:
        if self.fail:
            from bot.base.errors import NetworkError

            raise NetworkError("down")
        quota = FreeTierQuota(
            "tpl",
            Decimal(100) * Decimal(str(self.remaining_pct)) / 100,
            Decimal(100),
            "tokens",
            100 - self.remaining_pct,
            "valid",
            None,
        )
        window = CodingWindow(Decimal(100 - self.used_5h), Decimal(100), self.used_5h, None)
        return Summary(
            rng,
            (FreeTierEntry("qwen-plus", quota),),
            CodingPlan(True, "pro", per_5h=window),
            TokenPlan(False),
            Payg((), self.month_cost),
        )

    def payg(self, token: str, rng: DateRange, **_: Any) -> Payg:
        return Payg((), self.today_cost)


@pytest.fixture
def services(team_services: Callable[..., Services], slack: FakeSlack) -> Services:
    built = team_services(NOW)
    creds = DeviceCredentials("tok", NOW + timedelta(days=30), QwenUser("u", None, None))
    built.credentials.put(Owner.team_account(slack.ws.team_id, "prod"), creds)
    return built


def add(team: Team, team_id: str, kind: str, target: str, threshold: str) -> int:
    return team.alert_rules.add(
        team_id=team_id,
        channel_id=GENERAL,
        account="prod",
        kind=kind,
        target=target,
        threshold=Decimal(threshold),
        created_by=ADMIN,
        now=NOW,
    ).id


def posts(slack: FakeSlack, rule_id: int) -> list[str]:
    return [m.text for m in slack.messages(GENERAL) if f"Alert #{rule_id} · prod" in m.text]


def jobs(services: Services, usage: StubUsage) -> list[AlertJob]:
    team = static_team(services, TOKEN)
    return [AlertJob(team=team, usage=usage, clock=services.clock, worker_id=w) for w in ("w1", "w2")]  # type: ignore[arg-type]


def test_free_tier_fires_once_per_crossing_and_again_after_recovery(
    services: Services, slack: FakeSlack
) -> None:
    usage = StubUsage()
    rule = add(static_team(services, TOKEN), slack.ws.team_id, "free_tier", "qwen-plus", "20")
    w1, w2 = jobs(services, usage)
    at = NOW
    w1.run_due(at)
    assert posts(slack, rule) == []
    usage.remaining_pct = 12.5
    for _ in range(3):
        at += timedelta(minutes=5)
        w1.run_due(at)
        w2.run_due(at)
    assert len(posts(slack, rule)) == 1 and "12.5% left" in posts(slack, rule)[0]
    usage.remaining_pct = 30.0  # recovered (e.g. a new cycle)
    at += timedelta(minutes=5)
    w2.run_due(at)
    assert len(posts(slack, rule)) == 1
    usage.remaining_pct = 5.0
    at += timedelta(minutes=5)
    w1.run_due(at)
    w2.run_due(at)
    assert len(posts(slack, rule)) == 2


def test_checks_are_spaced_and_other_kinds(services: Services, slack: FakeSlack) -> None:
    usage = StubUsage()
    team = static_team(services, TOKEN)
    coding = add(team, slack.ws.team_id, "coding_plan", "per_5h", "80")
    daily = add(team, slack.ws.team_id, "payg_daily", "", "2")
    monthly = add(team, slack.ws.team_id, "payg_monthly", "", "10")
    w1, _ = jobs(services, usage)
    usage.used_5h, usage.today_cost, usage.month_cost = 85.0, Decimal("2.5"), Decimal("9")
    w1.run_due(NOW)
    assert len(posts(slack, coding)) == 1 and len(posts(slack, daily)) == 1 and posts(slack, monthly) == []
    usage.month_cost = Decimal("11")
    w1.run_due(NOW + timedelta(minutes=1))  # within the check interval: not evaluated
    assert posts(slack, monthly) == []
    w1.run_due(NOW + timedelta(minutes=5))
    assert len(posts(slack, monthly)) == 1 and "$11" in posts(slack, monthly)[0]


def test_alert_post_rate_limited_is_retried_not_lost(services: Services, slack: FakeSlack) -> None:
    usage = StubUsage()
    rule = add(static_team(services, TOKEN), slack.ws.team_id, "payg_monthly", "", "1")
    slack.faults.rate_limit("chat.postMessage", retry_after=60, times=1)
    w1, w2 = jobs(services, usage)
    w1.run_due(NOW)
    assert posts(slack, rule) == []
    w2.run_due(NOW + timedelta(seconds=30))
    assert posts(slack, rule) == []
    w2.run_due(NOW + timedelta(seconds=61))
    w1.run_due(NOW + timedelta(minutes=10))
    assert len(posts(slack, rule)) == 1


def test_repeated_upstream_failure_tells_admins_once(services: Services, slack: FakeSlack) -> None:
    usage = StubUsage()
    usage.fail = True
    add(static_team(services, TOKEN), slack.ws.team_id, "payg_monthly", "", "1")
    w1, w2 = jobs(services, usage)
    for i in range(6):
        (w1 if i % 2 else w2).run_due(NOW + timedelta(minutes=5 * i))
    notices = [m for m in slack.dms(ADMIN) if "QwenCloud keeps failing" in m.text]
    assert len(notices) == 1
    usage.fail = False
    w1.run_due(NOW + timedelta(hours=1))
    health = static_team(services, TOKEN).health.get(slack.ws.team_id, "prod")
    assert health is not None and health["failures"] == 0 and health["notified_at"] is None
    assert date(2026, 4, 13) == NOW.date()
