"""Team features on the billing answers, over the simulator and the local Slack Web API (SQLite and
PostgreSQL): the digest's top API keys and spend-limit line (amounts checked against the official CLI's
`billing breakdown`), the digest still posted when those calls fail, and the error-rate and spend-limit
alerts posting once per crossing, re-arming when back under, never firing on no calls / no limit."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from bot.base.schedule import Schedule
from bot.bootstrap import Services, digest_job
from bot.devtools.localslack import ADMIN, GENERAL, FakeSlack
from bot.devtools.simulator import SimulatorHandle, start_simulator
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.render.usage import money, pct
from bot.storage.owner import Owner
from bot.team.jobs.alerts import AlertJob
from bot.team.model import Team
from tests.conformance.official import FAKE_NOW, SEED, OfficialCli, require_official_cli
from tests.fakes.slack import static_team
from tests.integration.conftest import TOKEN

NOW = datetime.fromisoformat(FAKE_NOW)  # Monday 2026-06-15 10:00 UTC
DIGEST_NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # a Monday whose past week bills all four API keys
LOGS = "zeldaEasy.bailian-telemetry.platform-model.listModelLogs"
ERRORS = ["CLIENT_ERROR", "SERVER_ERROR"]


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    handle = start_simulator(now=NOW, seed=SEED, device_interval=1, cli_compat=True)
    yield handle
    handle.stop()


@pytest.fixture(autouse=True)
def _fresh_knobs(sim: SimulatorHandle) -> Iterator[None]:
    yield
    sim.control(action="reset_faults", now=NOW.isoformat(), empty_usage=False)


def at_instant(
    team_services: Callable[..., Services], sim: SimulatorHandle, slack: FakeSlack, now: datetime
) -> Services:
    """Services on the simulator at `now`, with team account `prod` linked."""
    sim.control(now=now.isoformat())
    built = team_services(
        now,
        api_endpoint=sim.url,
        auth_endpoint=sim.url,
        model_map_url=sim.url + "/cdn/model-mapping",
        endpoints_configured=True,
    )
    token = sim.issue_token(ttl=30 * 86400)
    creds = DeviceCredentials(token, now + timedelta(days=30), QwenUser("u", None, None))
    built.credentials.put(Owner.team_account(slack.ws.team_id, "prod"), creds)
    return built


@pytest.fixture
def services(team_services: Callable[..., Services], sim: SimulatorHandle, slack: FakeSlack) -> Services:
    return at_instant(team_services, sim, slack, NOW)


@pytest.fixture
def digest_services(
    team_services: Callable[..., Services], sim: SimulatorHandle, slack: FakeSlack
) -> Services:
    return at_instant(team_services, sim, slack, DIGEST_NOW)


def texts(message: Any) -> list[str]:
    return [b.get("text", {}).get("text", "") for b in message.blocks if b["type"] == "section"]


# -- digests ---------------------------------------------------------------------------------------------
def official_api_keys(cli: OfficialCli, start: str, end: str) -> tuple[list[tuple[str, Decimal]], Decimal]:
    """Per key over the dates, largest first, and the total with tax: the official CLI's day breakdown
    (its month mode would ignore the days, contract §3.3)."""
    result = cli.run("billing", "breakdown", "--group-by", "api-key", "--granularity", "day",
                     "--from", start, "--to", end, "--format", "json")
    assert result.code == 0, result
    sums: dict[str, Decimal] = {}
    labels: dict[str, str] = {}
    total = Decimal(0)
    for piece in result.json()["slices"]:
        for row in piece["rows"]:
            total += Decimal(row["amount"])
            if row["groupKey"] != "__tax__":
                sums[row["groupKey"]] = sums.get(row["groupKey"], Decimal(0)) + Decimal(row["amount"])
                labels[row["groupKey"]] = row["groupLabel"] or row["groupKey"]
    ranked = sorted(sums.items(), key=lambda kv: -kv[1])
    return [(labels[key], amount) for key, amount in ranked], total


@pytest.fixture(scope="module")
def official(sim: SimulatorHandle, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The official CLI's figures for the digest posted at DIGEST_NOW (weekly, Monday 09:00 UTC)."""
    sim.control(now=DIGEST_NOW.isoformat())
    cli = OfficialCli(
        require_official_cli(), sim.url, tmp_path_factory.mktemp("official"), now=DIGEST_NOW.isoformat()
    )
    cli.login(sim.approve)
    keys, total = official_api_keys(cli, "2026-05-25", "2026-05-31")
    month = cli.run("billing", "breakdown", "--from", "2026-06-01", "--to", "2026-06-01", "--format", "json")
    assert month.code == 0, month
    return {"keys": keys, "total": total, "month_to_date": Decimal(month.json()["totalAmount"])}


def post_digest(services: Services, slack: FakeSlack, cadence: str = "weekly") -> tuple[Team, Any]:
    team = static_team(services, TOKEN)
    team.subscriptions.add(
        team_id=slack.ws.team_id,
        channel_id=GENERAL,
        account="prod",
        schedule=Schedule("weekly", 0, time(9, 0), "UTC") if cadence == "weekly" else Schedule(
            "monthly", 1, time(9, 0), "UTC"
        ),
        created_by=ADMIN,
        now=DIGEST_NOW - timedelta(days=1),
    )
    assert digest_job(team, "w1").run_due(DIGEST_NOW) == 1
    title = f"{cadence.title()} QwenCloud spend · prod"
    digests = [m for m in slack.messages(GENERAL) if title in m.text]
    assert len(digests) == 1
    return team, digests[0]


SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # content, not storage: CI time


@pytest.mark.conformance
@SQLITE_ONLY
def test_digest_has_top_api_keys_and_the_limit_line_equal_to_the_official_cli(
    digest_services: Services, slack: FakeSlack, sim: SimulatorHandle, official: dict[str, Any]
) -> None:
    sim.control(usage_limit={"LimitAmount": "50.00"})
    _, digest = post_digest(digest_services, slack)
    sections = texts(digest)
    keys = next(t for t in sections if t.startswith("*Top API keys*")).split("\n")
    assert keys[0] == f"*Top API keys* · {money(official['total'])} incl. tax"
    top = official["keys"][:3]
    assert len(official["keys"]) > 3  # so there is an "other" row to check
    for line, (label, amount) in zip(keys[1:4], top, strict=True):
        shown = f"`{label}`" if label else "_no API key_"
        assert line.startswith(f"{shown}  {money(amount)} · "), (line, label, amount)
    other = official["total"] - sum((amount for _, amount in top), Decimal(0))
    assert keys[4].startswith(f"other keys and tax  {money(other)} · ")
    mtd = official["month_to_date"]
    expected = f"Spend limit: {pct(float(mtd / 50 * 100))} used ({money(mtd)} of $50)"
    assert any(t.startswith(expected) for t in sections), (expected, sections)
    divider = [b["type"] for b in digest.blocks].index("divider")
    limit_at = next(i for i, b in enumerate(digest.blocks) if expected in b.get("text", {}).get("text", ""))
    assert limit_at < divider  # figures first, then the divider and the analysis


@SQLITE_ONLY
def test_digest_is_posted_without_an_extra_that_failed_and_logs_only_its_code(
    digest_services: Services, slack: FakeSlack, sim: SimulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    services = digest_services
    sim.control(gateway_error_actions={"DescribeUsageLimit": "Throttling.User"})
    caplog.set_level(logging.INFO)
    team, digest = post_digest(services, slack, "monthly")
    body = json.dumps(digest.blocks)
    assert "Top API keys" in body and "Spend limit" not in body and "Analysis" in body
    assert "digest spend limit for prod unavailable (Throttling.User)" in caplog.text
    token = services.credentials.get(Owner.team_account(slack.ws.team_id, "prod"))
    assert token is not None and token.access_token not in caplog.text
    run = team.subscriptions.last_run(1)
    assert run is not None and run["state"] == "posted"


# -- alerts ----------------------------------------------------------------------------------------------
def add_rule(team: Team, slack: FakeSlack, kind: str, threshold: str) -> int:
    return team.alert_rules.add(
        team_id=slack.ws.team_id,
        channel_id=GENERAL,
        account="prod",
        kind=kind,
        target="1h" if kind == "error_rate" else "",
        threshold=Decimal(threshold),
        created_by=ADMIN,
        now=NOW,
    ).id


def alert_jobs(services: Services) -> tuple[Team, list[AlertJob]]:
    team = static_team(services, TOKEN)
    assert team.feeds is not None
    readings = team.feeds.readings
    jobs = [
        AlertJob(team=team, usage=services.usage, clock=services.clock, worker_id=w, readings=readings)
        for w in ("w1", "w2")
    ]
    return team, jobs


def posts(slack: FakeSlack, rule_id: int) -> list[str]:
    return [m.text for m in slack.messages(GENERAL) if f"Alert #{rule_id} · prod" in m.text]


class Checks:
    """Both workers check at each step, 5 minutes apart; the simulator's clock moves along."""

    def __init__(self, sim: SimulatorHandle, jobs: list[AlertJob]) -> None:
        self.sim, self.jobs, self.at = sim, jobs, NOW

    def step(self, **knobs: Any) -> datetime:
        self.at += timedelta(minutes=5)
        self.sim.control(now=self.at.isoformat(), **knobs)
        for job in self.jobs:
            job.run_due(self.at)
        return self.at


def failed_share(sim: SimulatorHandle, at: datetime) -> Decimal:
    """The hour's error rate from the simulator's own logs (totalCount with and without the error filter)."""

    def count(types: list[str] | None) -> int:
        req: dict[str, Any] = {"startTime": int((at - timedelta(hours=1)).timestamp() * 1000),
                               "endTime": int(at.timestamp() * 1000), "maxResults": 1, "skip": 0}
        if types:
            req["statusCodeTypes"] = types
        body = {"product": "sfm_bailian", "action": "IntlBroadScopeAspnGateway", "region": "ap-southeast-1",
                "params": {"Api": LOGS, "Data": json.dumps({"reqDTO": req}), "V": "1.0"}}
        answer = httpx.post(f"{sim.url}/data/v2/api.json", json=body, timeout=10,
                            headers={"Authorization": f"Bearer {sim.issue_token()}"}).json()
        return int(answer["data"]["DataV2"]["data"]["data"]["totalCount"])

    return Decimal(count(ERRORS)) / Decimal(count(None)) * 100


def test_error_rate_alert_fires_once_per_crossing_and_rearms(
    services: Services, slack: FakeSlack, sim: SimulatorHandle
) -> None:
    team, jobs = alert_jobs(services)
    rule = add_rule(team, slack, "error_rate", "20")
    checks = Checks(sim, jobs)
    checks.step(logs_burst={"calls": 40, "failed_pct": 0})
    assert posts(slack, rule) == []
    at = checks.step(logs_burst={"calls": 40, "failed_pct": 50})
    assert len(posts(slack, rule)) == 1
    assert f"now {pct(float(failed_share(sim, at)))} of calls failed" in posts(slack, rule)[0]
    assert "error rate over the last hour above 20%" in posts(slack, rule)[0]
    checks.step()
    checks.step()
    assert len(posts(slack, rule)) == 1  # still above: no repeat
    checks.step(logs_burst={"calls": 40, "failed_pct": 0})
    found = team.alert_rules.get(rule)
    assert found is not None and not found.firing  # back under: re-armed, nothing posted
    checks.step(empty_usage=True)  # no calls at all in the hour: not a crossing
    assert len(posts(slack, rule)) == 1
    checks.step(empty_usage=False, logs_burst={"calls": 40, "failed_pct": 60})
    assert len(posts(slack, rule)) == 2
    with services.engine.connect() as conn:
        from sqlalchemy import text

        rows = conn.execute(text("select crossing, state from alert_event order by crossing")).all()
    assert [tuple(r) for r in rows] == [(1, "posted"), (2, "posted")]


def test_spend_limit_alert_fires_once_per_crossing_and_never_without_a_limit(
    services: Services, slack: FakeSlack, sim: SimulatorHandle
) -> None:
    team, jobs = alert_jobs(services)
    rule = add_rule(team, slack, "spend_limit", "10")
    checks = Checks(sim, jobs)
    checks.step(usage_limit={"LimitAmount": "100000000"})  # far below 90% used
    assert posts(slack, rule) == []
    checks.step(usage_limit={"LimitAmount": "0.01"})  # far past it
    checks.step()
    assert len(posts(slack, rule)) == 1
    assert "spend within 10% of the spend limit (at 90% used)" in posts(slack, rule)[0]
    assert "% used. I will post again only after it recovers" in posts(slack, rule)[0]
    checks.step(usage_limit={"LimitAmount": "100000000"})  # e.g. the limit was raised: re-armed
    checks.step(usage_limit=None)  # no limit data: never fires
    assert len(posts(slack, rule)) == 1
    checks.step(usage_limit={"LimitAmount": "0.01"})
    assert len(posts(slack, rule)) == 2
