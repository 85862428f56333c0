"""The simulator's `logs_burst` knob over real HTTP: N calls in the last M minutes, P% of them failed,
moving with the clock (docs/simulator.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from bot.devtools.simulator import SimulatorHandle, start_simulator

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
LOGS = "zeldaEasy.bailian-telemetry.platform-model.listModelLogs"


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    handle = start_simulator(now=NOW, seed=8)
    yield handle
    handle.stop()


def logs(sim: SimulatorHandle, start: datetime, end: datetime, types: list[str] | None = None) -> int:
    req: dict[str, Any] = {
        "startTime": int(start.timestamp() * 1000),
        "endTime": int(end.timestamp() * 1000),
        "maxResults": 1,
        "skip": 0,
    }
    if types:
        req["statusCodeTypes"] = types
    body = {
        "product": "sfm_bailian",
        "action": "IntlBroadScopeAspnGateway",
        "region": "ap-southeast-1",
        "params": {"Api": LOGS, "Data": json.dumps({"reqDTO": req}), "V": "1.0"},
    }
    headers = {"Authorization": f"Bearer {sim.issue_token()}"}
    answer = httpx.post(f"{sim.url}/data/v2/api.json", json=body, headers=headers, timeout=10).json()
    return int(answer["data"]["DataV2"]["data"]["data"]["totalCount"])


def test_burst_adds_calls_and_failures_in_the_window_and_moves_with_the_clock(sim: SimulatorHandle) -> None:
    errors = ["CLIENT_ERROR", "SERVER_ERROR"]
    hour_ago = NOW - timedelta(hours=1)
    base_calls, base_failed = logs(sim, hour_ago, NOW), logs(sim, hour_ago, NOW, errors)
    earlier = logs(sim, NOW - timedelta(hours=3), hour_ago)
    sim.control(logs_burst={"calls": 40, "failed_pct": 25})
    try:
        assert logs(sim, hour_ago, NOW) == base_calls + 40
        assert logs(sim, hour_ago, NOW, errors) == base_failed + 10
        assert logs(sim, hour_ago, NOW, ["SERVER_ERROR"]) >= 5  # 500 and 429 alternate
        assert logs(sim, NOW - timedelta(hours=3), hour_ago) == earlier  # only the last hour gets them
        sim.control(advance_seconds=7200)  # the burst follows "now"; the earlier hour keeps its seeded calls
        later = NOW + timedelta(hours=2)
        assert logs(sim, hour_ago, NOW) == base_calls
        assert logs(sim, later - timedelta(hours=1), later, errors) >= 10
    finally:
        sim.control(action="reset_faults", now=NOW.isoformat())
    assert logs(sim, hour_ago, NOW) == base_calls
