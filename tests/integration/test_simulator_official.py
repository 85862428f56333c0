"""The official CLI 1.4.1 works against the simulator: login, status, logout and every usage command."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.devtools.simulator import SimulatorHandle, start_simulator
from bot.devtools.simulator.dataset import Dataset
from tests.conformance.official import FAKE_NOW, SEED, OfficialCli, require_official_cli

pytestmark = pytest.mark.conformance
SKIPPED = {"Rounding Adjustment", "Refund", "Credit Adjustment"}


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SimulatorHandle, OfficialCli]]:
    binary = require_official_cli()
    sim = start_simulator(now=datetime.fromisoformat(FAKE_NOW), seed=SEED, device_interval=1, cli_compat=True)
    cli = OfficialCli(binary, sim.url, tmp_path_factory.mktemp("official-home"), now=FAKE_NOW)
    done = cli.login(sim.approve)
    assert done.json()["events"][0] == {
        "event": "success",
        "authenticated": True,
        "user": {"aliyunId": "dev@example.com"},
    }
    yield sim, cli
    sim.stop()


def expected_payg(start: date, end: date) -> tuple[dict[str, float], float]:
    rows = Dataset(seed=SEED).rows_between(start, end, date(2026, 6, 15), None)
    costs: dict[str, float] = {}
    for row in rows:
        category = str(row["LineItemCategory"])
        if category in SKIPPED or "free" in category.lower():
            continue
        costs[str(row["ModelName"])] = costs.get(str(row["ModelName"]), 0.0) + float(
            str(row["RequireAmount"])
        )
    return costs, round(sum(costs.values()), 4)


def test_auth_status_reads_the_simulator_account(session: tuple[SimulatorHandle, OfficialCli]) -> None:
    _, cli = session
    status = cli.run("auth", "status", "--format", "json")
    assert status.code == 0
    body = status.json()
    assert body["server_verified"] is True and body["source"] == "encrypted_file"
    assert body["user"]["aliyunId"] == "dev@example.com"
    assert body["token"]["expires_at"] == "2026-06-15T22:00:00Z"
    assert "Authenticated" in cli.run("auth", "status", "--format", "text").stdout


def test_summary_json_shows_real_figures(session: tuple[SimulatorHandle, OfficialCli]) -> None:
    _, cli = session
    result = cli.run("usage", "summary", "--format", "json")
    assert result.code == 0, result.stderr
    body = result.json()
    assert body["period"] == {"from": "2026-06-01", "to": "2026-06-15"}
    costs, total = expected_payg(date(2026, 6, 1), date(2026, 6, 15))
    assert body["pay_as_you_go"]["total"] == {"cost": total, "currency": "USD"}
    assert {m["model_id"] for m in body["pay_as_you_go"]["models"]} == set(costs)
    statuses = {f["model_id"]: (f["quota"] or {}).get("status") for f in body["free_tier"]}
    assert statuses["qwen3.5-plus"] == "exhaust" and statuses["qwen-max"] == "expire"
    assert statuses["qwen-flash"] is None and statuses["wan2.6-t2i"] == "valid"
    assert body["coding_plan"]["subscribed"] is True and body["coding_plan"]["plan"] == "pro"


def test_summary_text(session: tuple[SimulatorHandle, OfficialCli]) -> None:
    _, cli = session
    text = cli.run("usage", "summary", "--format", "text").stdout
    _, total = expected_payg(date(2026, 6, 1), date(2026, 6, 15))
    assert "Usage Summary  ·  2026-06-15" in text
    assert "Coding Plan  ·  PRO  ·  $50/mo" in text
    assert f"${total:g}" in text and "Free (Early Access)" in text


def test_breakdown_day_fills_every_date(session: tuple[SimulatorHandle, OfficialCli]) -> None:
    _, cli = session
    result = cli.run("usage", "breakdown", "--model", "qwen-plus", "--days", "7", "--format", "json")
    assert result.code == 0, result.stderr
    rows = result.json()["rows"]
    assert [r["period"] for r in rows] == [f"2026-06-{d:02d}" for d in range(9, 16)]
    text = cli.run("usage", "breakdown", "--model", "qwen-plus", "--days", "7", "--format", "text").stdout
    assert "Daily Breakdown  ·  qwen-plus" in text and "← current" in text


def test_free_tier_and_payg_commands(session: tuple[SimulatorHandle, OfficialCli]) -> None:
    _, cli = session
    free = cli.run("usage", "free-tier", "--format", "json")
    assert [f["model_id"] for f in free.json()["free_tier"]][:2] == ["qwen3.6-plus", "qwen3.5-plus"]
    assert "Enable to unlock free-tier" in cli.run("usage", "free-tier", "--format", "text").stdout
    payg = cli.run("usage", "payg", "--period", "last-month", "--format", "json").json()
    _, total = expected_payg(date(2026, 5, 1), date(2026, 5, 31))
    assert payg["pay_as_you_go"]["total"]["cost"] == total
    assert "Total" in cli.run("usage", "payg", "--period", "last-month", "--format", "text").stdout


def test_logout_then_status_is_unauthenticated(tmp_path: Path) -> None:
    binary = require_official_cli()
    with start_simulator(now=datetime.fromisoformat(FAKE_NOW), seed=SEED, device_interval=1) as sim:
        cli = OfficialCli(binary, sim.url, tmp_path, now=FAKE_NOW)
        cli.login(sim.approve)
        token_count = sim.snapshot()["tokens"]
        out = cli.run("auth", "logout", "--format", "json")
        assert out.code == 0 and out.json() == {
            "success": True,
            "message": "Logged out",
            "source": "encrypted_file",
        }
        assert sim.snapshot()["tokens"] == token_count - 1  # the Logout call revoked it server side
        status = cli.run("auth", "status", "--format", "json")
        assert status.code == 2 and status.json() == {"authenticated": False, "server_verified": False}
        # Without --cli-compat the real single-wrapped coding plan is invisible to 1.4.1 (contract §5).
        cli.login(sim.approve)
        assert cli.run("usage", "summary", "--format", "json").json()["coding_plan"] == {"subscribed": False}
