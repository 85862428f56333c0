"""One simulator, the official CLI and ours, both logged in, same clock and TZ; helpers to compare them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.devtools.simulator import SimulatorHandle, start_simulator
from tests.conformance.official import FAKE_NOW, SEED, CliResult, OfficialCli, require_official_cli
from tests.conformance.ours import OurCli


@dataclass
class Pair:
    sim: SimulatorHandle
    official: OfficialCli
    ours: OurCli

    def both(self, *args: str) -> tuple[CliResult, CliResult]:
        """Run the same command line through both CLIs: (official, ours)."""
        return self.official.run(*args), self.ours.run(*args)

    def reset(self) -> None:
        self.sim.control(action="reset_faults", coding_plan=True, empty_usage=False, cli_compat=True)
        self.sim.state.faults.auto_approve_after = None

    def stop(self) -> None:
        self.sim.stop()


def start_pair(root: Path, *, tz: str = "UTC", now: str = FAKE_NOW, **options: Any) -> Pair:
    """Start a simulator and log both CLIs in. `cli_compat` defaults on so 1.4.1 can see the coding plan."""
    binary = require_official_cli()
    options.setdefault("cli_compat", True)
    sim = start_simulator(now=datetime.fromisoformat(now), seed=SEED, device_interval=1, **options)
    try:
        official = OfficialCli(binary, sim.url, root / "official", tz=tz, now=now)
        ours = OurCli(sim.url, root / "ours", tz=tz, now=now)
        official.login(sim.approve)
        ours.login(sim.approve)
    except BaseException:
        sim.stop()
        raise
    return Pair(sim, official, ours)


def ordered(value: Any) -> Any:
    """JSON with key order made visible, so equality also checks order."""
    if isinstance(value, dict):
        return [[k, ordered(v)] for k, v in value.items()]
    if isinstance(value, list):
        return [ordered(v) for v in value]
    return value


def assert_same_json(official: Any, ours: Any) -> None:
    assert ours == official  # pytest shows a field-level diff here first
    assert ordered(ours) == ordered(official), "same values, different key order"


def assert_same_result(official: CliResult, ours: CliResult) -> None:
    """Same exit code; same stdout JSON (or the same stderr error JSON when stdout is empty)."""
    assert ours.code == official.code, f"exit {ours.code} vs official {official.code}\n{ours.stderr}"
    if official.stdout.strip():
        assert_same_json(official.json(), ours.json())
    else:
        assert not ours.stdout.strip(), f"ours printed to stdout: {ours.stdout[:300]}"
        assert_same_json(official.error(), ours.error())


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
