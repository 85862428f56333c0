"""The Slack answers `/qwen limit` and `/qwen logs` against the official CLI 1.4.1 on one simulator and one
clock: the limit and threshold equal `billing limit --format json`, month-to-date equals the
`billing breakdown --format json` total for this month, and the call counts equal `usage logs --format json`'s
totalCount for the same range and status filter. The answers go through the real Bolt path (signed slash
commands, the local Slack workspace), and the core's figures are compared exactly as well. Few official
runs (each ~0.7 s): one login, one limit, one breakdown, four logs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from bot.base.clock import FixedClock
from bot.base.config import Secret, Settings
from bot.core.limit import Limits
from bot.devtools.localslack import GENERAL, FakeSlack, Message
from bot.devtools.simulator import SimulatorHandle
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.render.billing_render import money
from bot.storage.owner import Owner
from tests.conformance.official import FAKE_NOW, SEED, OfficialCli, require_official_cli
from tests.fakes.stack import local_world, served

pytestmark = pytest.mark.conformance
NOW = datetime.fromisoformat(FAKE_NOW)
USER = "U_CONFORMANCE"  # a UTC user: the same calendar days as the official CLI under TZ=UTC
LIMIT = {"LimitAmount": "25.50", "AlertThreshold": 60}


@dataclass
class Both:
    sim: SimulatorHandle
    slack: FakeSlack
    official: OfficialCli
    limits: Limits
    owner: Owner

    def ask(self, text: str, expect: str) -> Message:
        before = len(self.slack.ephemerals(USER))
        assert self.slack.slash(USER, GENERAL, text).status == 200
        return self.slack.wait_for(
            lambda: next((m for m in self.slack.ephemerals(USER)[before:] if expect in _flat(m)), None)
        )

    def official_json(self, *args: str) -> Any:
        result = self.official.run(*args, "--format", "json")
        assert result.code == 0, result
        return result.json()


def _flat(message: Message) -> str:
    return json.dumps(message.blocks, ensure_ascii=False)


def _code(message: Message) -> Any:
    """The JSON a `--format json` answer shows in its code blocks."""
    texts = [b["text"]["text"] for b in message.blocks if b.get("text", {}).get("text", "").startswith("```")]
    return json.loads("\n".join(t.strip("`") for t in texts))


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Both]:
    binary = require_official_cli()
    root = tmp_path_factory.mktemp("calls-conformance")
    data = root / "data"

    def settings(**fields: object) -> Settings:
        key = Secret(Fernet.generate_key().decode())
        values = {"data_dir": data, "database_url": f"sqlite:///{data / 'bot.db'}", "encryption_keys": key}
        return Settings(**values, **fields)  # type: ignore[arg-type]

    simulator = {"now": NOW, "seed": SEED, "device_interval": 1, "cli_compat": True}
    with (
        local_world(settings, bot_token="xoxb-calls-conformance", signing_secret="calls-conformance",
                    clock=FixedClock(NOW), simulator=simulator) as world,
        served(world, worker=False),
    ):
        world.sim.control(usage_limit=LIMIT)
        official = OfficialCli(binary, world.sim.url, Path(root / "official"), tz="UTC", now=FAKE_NOW)
        official.login(world.sim.approve)
        world.slack.add_user(USER, "conformance", tz="UTC")
        owner = Owner(world.slack.ws.team_id, USER)
        who = QwenUser("u", "e", None)
        creds = DeviceCredentials(world.sim.issue_token(), NOW + timedelta(days=1), who)
        world.services.credentials.put(owner, creds)
        s = world.services
        limits = Limits(billing=s.billing, accounts=s.accounts, clock=s.clock)
        yield Both(world.sim, world.slack, official, limits, owner)


def test_limit_equals_the_official_limit_and_breakdown(both: Both) -> None:
    limit = both.official_json("billing", "limit")
    # The breakdown's default is this month; --top 100 so its total is every model's spend (contract §3.5).
    month = both.official_json("billing", "breakdown", "--top", "100")
    assert month["period"] == {"from": "2026-06-01", "to": "2026-06-30"} and month["totalRows"] <= 100
    status = both.limits.status(both.owner, today=NOW.date())
    assert status.month_to_date == Decimal(month["totalAmount"]) > 0
    assert status.limit == Decimal(limit["limitAmount"]) == Decimal(LIMIT["LimitAmount"])
    assert status.alert_threshold == Decimal(limit["alertThreshold"]) and status.status == limit["status"]
    assert status.currency == limit["currency"]
    text = _flat(both.ask("limit", "*Limit*"))
    assert f"*Limit*\\n{money(limit['limitAmount'])}" in text  # the official text's form: $25.5
    assert f"*Alert threshold*\\n{limit['alertThreshold']}%" in text
    assert f"*Month to date*\\n{money(month['totalAmount'])}" in text
    assert _code(both.ask("limit --format json", "limitAmount")) == limit  # the CLI's own view, verbatim


def test_logs_counts_equal_the_official_total_counts(both: Both) -> None:
    window = ("--from", "2026-06-10", "--to", "2026-06-12")

    def total(*flags: str) -> int:
        return int(both.official_json("usage", "logs", *window, *flags)["totalCount"])

    failures = both.official_json("usage", "logs", *window, "--status", "4xx", "--status", "5xx")
    every, failed, server = total(), int(failures["totalCount"]), total("--status", "5xx")
    plus = total("--model", "qwen-plus", "--status", "5xx")
    assert every > failed > server > 0 and plus > 0

    answer = _flat(both.ask("logs --from 2026-06-10 --to 2026-06-12", "*Analysis*"))
    assert f"*{every} calls*" in answer and f"({failed} of {every} calls)" in answer
    assert f"*Server errors (5xx)*\\n{server}" in answer
    assert f"*Client errors (4xx)*\\n{failed - server}" in answer
    errors = _flat(both.ask("logs errors --from 2026-06-10 --to 2026-06-12", "4xx + 5xx"))
    assert f"*{failed} calls* · 4xx + 5xx" in errors
    page = _code(both.ask("logs errors --from 2026-06-10 --to 2026-06-12 --format json", "totalCount"))
    assert (page["totalCount"], page["items"]) == (failures["totalCount"], failures["items"])
    filtered = _flat(both.ask("logs 5xx qwen-plus --from 2026-06-10 --to 2026-06-12", "· 5xx · `qwen-plus`"))
    assert f"*{plus} calls* · 5xx · `qwen-plus`" in filtered
