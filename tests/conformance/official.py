"""Run the official `qwencloud` CLI 1.4.1 against the simulator, isolated and deterministic.

The binary comes from env QWENCLOUD_CLI, else `<repo>/node_modules/.bin/qwencloud`
(`npm install --prefix <repo> @qwencloud/qwencloud-cli@1.4.1`).
Absent binary: skip locally, FAIL when CI is set.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PRELOAD = Path(__file__).with_name("preload.mjs")


@dataclass(frozen=True)
class CliResult:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def errors(self) -> list[Any]:
        """Every JSON document on stderr (errors are pretty-printed over several lines)."""
        decoder = json.JSONDecoder()
        found: list[Any] = []
        text, pos = self.stderr, 0
        while (start := text.find("{", pos)) >= 0:
            try:
                value, pos = decoder.raw_decode(text, start)
            except ValueError:
                pos = start + 1
                continue
            found.append(value)
        return found

    def error(self) -> Any:
        """The last JSON error on stderr."""
        found = self.errors()
        assert found, f"no JSON error on stderr for {self.args}: {self.stderr!r}"
        return found[-1]


def official_cli_path() -> Path | None:
    configured = os.environ.get("QWENCLOUD_CLI")
    candidate = Path(configured) if configured else REPO / "node_modules" / ".bin" / "qwencloud"
    return candidate if candidate.exists() else None


def require_official_cli() -> Path:
    path = official_cli_path()
    node = shutil.which("node")
    if path is not None and node is not None:
        return path
    why = "official qwencloud CLI not found (set QWENCLOUD_CLI or npm install it at the repo root)"
    if node is None:
        why = "node is not on PATH"
    if os.environ.get("CI"):
        pytest.fail(f"{why}; CI must run conformance tests", pytrace=False)
    pytest.skip(why)


def base_env(home: Path, *, tz: str, now: str | None) -> dict[str, str]:
    """An `env -i`-style environment: nothing from the caller leaks in except the PATH to node/python."""
    env = {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TZ": tz,
        "LANG": "en_US.UTF-8",
        "NO_COLOR": "1",
    }
    if now:
        env["QWENCLOUD_FAKE_NOW"] = now
    return env


class OfficialCli:
    def __init__(
        self, binary: Path, sim_url: str, home: Path, *, tz: str = "UTC", now: str | None = None
    ) -> None:
        self.binary = binary
        self.sim_url = sim_url
        self.home = home
        self.tz = tz
        self.now = now
        config_dir = home / ".qwencloud"
        config_dir.mkdir(parents=True, exist_ok=True)
        # Only config.json can move these endpoints (contract §0); the data gateway needs the preload.
        config = {"api": {"endpoint": sim_url}, "auth": {"endpoint": sim_url}}
        (config_dir / "config.json").write_text(json.dumps(config))

    def env(self) -> dict[str, str]:
        env = base_env(self.home, tz=self.tz, now=self.now)
        env.update(
            {
                "QWENCLOUD_KEYRING": "no",
                "QWENCLOUD_SIM_URL": self.sim_url,
                "NODE_OPTIONS": f"--import={PRELOAD.as_uri()}",
            }
        )
        return env

    def run(self, *args: str, timeout: float = 90) -> CliResult:
        proc = subprocess.run(
            [str(self.binary), *args],
            env=self.env(),
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        return CliResult(tuple(args), proc.returncode, proc.stdout, proc.stderr)

    def login(self, approve: Any) -> CliResult:
        """init-only, then `approve()` (e.g. the simulator handle's approve), then complete."""
        init = self.run("auth", "login", "--init-only", "--format", "json")
        assert init.code == 0, init
        assert approve() >= 1
        done = self.run("auth", "login", "--complete", "--format", "json")
        assert done.code == 0, done
        return done


FAKE_NOW = "2026-06-15T10:00:00Z"  # seed 8: no heavy month in 2026, one (2025-07) within the lookback
SEED = 8
