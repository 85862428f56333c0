"""bot/core/limit.py and bot/core/calls.py: the pure rules, then against the simulator over real HTTP with a
real credential store (SQLite). Expected figures are recomputed from the simulator's raw answers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.base.clock import FixedClock
from bot.base.config import Secret, Settings
from bot.bootstrap import Services, build_services
from bot.core import calls as calls_module
from bot.core.calls import CallsAnswers, rate_of, request
from bot.core.limit import Limits, limit_status, projected_day
from bot.devtools.simulator.server import SimulatorHandle, start_simulator
from bot.qwencloud.billing_models import CallLog, UsageLimit
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.storage.owner import Owner

NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
TODAY = NOW.date()
OWNER = Owner("T1", "U1")
D = Decimal


# -- pure rules ----------------------------------------------------------------------
def raw_limit(amount: str | None, threshold: str = "80", status: str = "active") -> UsageLimit:
    return UsageLimit(status=status, limit_amount=None if amount is None else D(amount), currency="USD",
                      alert_threshold=threshold)


def test_projection_is_a_straight_line_at_the_average_daily_burn() -> None:
    # 20 days, 40 spent: 2 a day; 50 is reached on day 25
    assert projected_day(D(40), D(50), date(2026, 11, 20)) == date(2026, 11, 25)
    # 2 a day cannot reach 100 by the 30th
    assert projected_day(D(40), D(100), date(2026, 11, 20)) is None
    # already over: the day the line crossed it (day 10 at 4 a day for 40)
    assert projected_day(D(80), D(40), date(2026, 11, 20)) == date(2026, 11, 10)
    assert projected_day(D(0), D(50), date(2026, 11, 20)) is None
    assert projected_day(D(10), None, date(2026, 11, 20)) is None


def test_status_without_a_limit_and_with_a_zero_threshold() -> None:
    none = limit_status(raw_limit(None, threshold="0", status="unknown"), D("12.5"), TODAY)
    assert (none.limit, none.used_pct, none.projected, none.alert_threshold) == (None, None, None, None)
    assert none.headroom_days is None and none.month_to_date == D("12.5")
    some = limit_status(raw_limit("50", threshold="75"), D(40), date(2026, 11, 20))
    assert some.used_pct == D(80) and some.alert_threshold == D(75)
    assert some.headroom_days == D(5)  # 10 left at 2 a day
    assert limit_status(raw_limit("0"), D(1), TODAY).limit is None  # a zero limit caps nothing


def test_rate_and_request_shape() -> None:
    assert rate_of(NOW, NOW, 0, 0).rate_pct is None
    assert rate_of(NOW, NOW, 8, 2).rate_pct == D(25)
    start = NOW - timedelta(hours=1)
    req = request(start, NOW, size=1, models=["m"], statuses=["SERVER_ERROR"])
    assert list(req) == ["startTime", "endTime", "maxResults", "skip", "models", "statusCodeTypes"]
    assert req["endTime"] - req["startTime"] == 3_600_000
    by_id = request(start, NOW, size=1, models=["m"], statuses=["SUCCESS"], request_id="r-1")
    assert by_id["modelRequestId"] == "r-1" and "models" not in by_id and "statusCodeTypes" not in by_id


# -- against the simulator ----------------------------------------------------------------------
@dataclass
class World:
    sim: SimulatorHandle
    services: Services
    token: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data: Path = tmp_path_factory.mktemp("calls") / "data"
    sim = start_simulator(now=NOW)
    try:
        settings = Settings(
            data_dir=data,
            database_url=f"sqlite:///{data / 'qwen-bot.db'}",
            encryption_keys=Secret(Fernet.generate_key().decode()),
            api_endpoint=sim.url,
            auth_endpoint=sim.url,
            model_map_url=sim.url + "/cdn/model-mapping",
            endpoints_configured=True,
        )
        services = build_services(settings, clock=FixedClock(NOW))
        try:
            token = sim.issue_token()
            user = QwenUser("u1", "dev@example.com", None)
            services.credentials.put(OWNER, DeviceCredentials(token, NOW + timedelta(hours=6), user))
            yield World(sim, services, token)
        finally:
            services.close()
    finally:
        sim.stop()


def limits(world: World) -> Limits:
    s = world.services
    return Limits(billing=s.billing, accounts=s.accounts, clock=s.clock)


def answers(world: World) -> CallsAnswers:
    s = world.services
    return CallsAnswers(billing=s.billing, accounts=s.accounts, clock=s.clock)


def all_rows(world: World, start: datetime, end: datetime) -> list[CallLog]:
    rows: list[CallLog] = []
    while True:
        page = world.services.billing.model_logs(world.token, request(start, end, size=100, skip=len(rows)))
        rows += page.items
        if not page.items or len(rows) >= page.total_count:
            return rows


def test_limit_against_the_simulator(world: World) -> None:
    world.sim.control(usage_limit={"LimitAmount": "40.00", "AlertThreshold": 50})
    status = limits(world).status(OWNER, today=TODAY)
    api = world.services.billing
    spend = [
        api.cost_analysis(world.token, charge_types=[], granularity="MONTH", start="202611", end="202611",
                          top=100, group_by="BASE_MODEL", tax=tax)
        for tax in (False, True)
    ]
    expected = sum((D(str(g.amount)) for answer in spend for g in answer.totals), D(0))
    assert expected > 0 and status.month_to_date == expected
    assert status.limit == D(40) and status.alert_threshold == D(50)
    assert status.used_pct == expected / 40 * 100
    assert status.status == api.usage_limit(world.token).status != "unknown"
    assert status.projected == projected_day(expected, D(40), TODAY)


def test_no_limit_says_so(world: World) -> None:
    world.sim.control(usage_limit=None)
    try:
        status = limits(world).status(OWNER, today=TODAY)
    finally:
        world.sim.control(usage_limit={})
    assert status.limit is None and status.used_pct is None and status.status == "unknown"
    assert status.month_to_date > 0


def test_error_rate_counts_what_the_rows_say(world: World) -> None:
    start, end = NOW - timedelta(days=2), NOW
    rows = all_rows(world, start, end)
    failures = sum(1 for r in rows if r.status_code >= 400)
    rate = answers(world).error_rate(OWNER, start=start, end=end)
    assert (rate.calls, rate.failures) == (len(rows), failures) and failures > 0
    assert rate.rate_pct == D(failures) * 100 / len(rows)


def test_logs_report_counts_lists_and_compares(world: World) -> None:
    start, end = NOW - timedelta(days=3), NOW
    rows = all_rows(world, start, end)
    report = answers(world).logs(OWNER, start=start, end=end)
    classes = Counter(
        "CANCEL" if r.status_code == 0 else "SUCCESS" if r.status_code < 300
        else "CLIENT_ERROR" if r.status_code < 500 else "SERVER_ERROR"
        for r in rows
    )
    assert dict(report.by_status) == {c: classes.get(c, 0) for c in calls_module.CLASSES}
    assert report.matching == len(rows) and report.by_model.complete
    assert dict(report.by_model.counts) == dict(Counter(r.model for r in rows))
    failed = [r for r in rows if r.status_code >= 400]
    assert [f.request_id for f in report.latest_failures] == [f.request_id for f in failed[:5]]
    assert dict(report.failures_by_model.counts) == dict(Counter(r.model for r in failed))
    before = all_rows(world, start - (end - start), start)
    assert report.previous.calls == len(before)
    assert report.previous.failures == sum(1 for r in before if r.status_code >= 400)


def test_logs_filters_and_the_page_bound(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    start, end = NOW - timedelta(days=14), NOW
    rows = all_rows(world, start, end)
    model = Counter(r.model for r in rows).most_common(1)[0][0]
    server = answers(world).logs(OWNER, start=start, end=end, statuses=["SERVER_ERROR"], models=[model])
    wanted = [r for r in rows if r.model == model and r.status_code >= 500]
    assert server.matching == len(wanted) and all(f.status_code >= 500 for f in server.latest_failures)
    monkeypatch.setattr(calls_module, "PAGE", 20)
    monkeypatch.setattr(calls_module, "MAX_PAGES", 2)
    bounded = answers(world).logs(OWNER, start=start, end=end)
    assert bounded.matching == len(rows) > 40
    assert bounded.by_model.rows_read == 40 and not bounded.by_model.complete
    found = answers(world).find(OWNER, rows[7].request_id, start=start, end=end)
    assert found is not None and found.request_id == rows[7].request_id
    assert answers(world).find(OWNER, "no-such-request", start=start, end=end) is None
