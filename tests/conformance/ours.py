"""Run our `qwen-bot` CLI as a whole process, configured like the official one in official.py."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conformance.official import REPO, CliResult, base_env


def qwen_bot_command() -> list[str]:
    script = Path(sys.executable).with_name("qwen-bot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


class OurCli:
    def __init__(self, sim_url: str, home: Path, *, tz: str = "UTC", now: str | None = None) -> None:
        self.sim_url = sim_url
        self.home = home
        self.tz = tz
        self.now = now
        self.key = base64.urlsafe_b64encode(os.urandom(32)).decode()
        (home / "data").mkdir(parents=True, exist_ok=True)

    def env(self) -> dict[str, str]:
        env = base_env(self.home, tz=self.tz, now=None)
        env.update(
            {
                "QWENCLOUD_API_ENDPOINT": self.sim_url,
                "QWENCLOUD_AUTH_ENDPOINT": self.sim_url,
                "QWENCLOUD_MODEL_MAP_URL": f"{self.sim_url}/cdn/model-mapping",
                "QWEN_BOT_DATA_DIR": str(self.home / "data"),
                "DATABASE_URL": f"sqlite:///{self.home / 'data' / 'qwen-bot.db'}",
                "QWEN_BOT_ENCRYPTION_KEYS": self.key,
                "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
                "USER": "conformance",
            }
        )
        if self.now:
            env["QWEN_BOT_NOW"] = self.now
        return env

    def run(self, *args: str, timeout: float = 90) -> CliResult:
        proc = subprocess.run(
            [*qwen_bot_command(), *args],
            env=self.env(),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        return CliResult(tuple(args), proc.returncode, proc.stdout, proc.stderr)

    def login(self, approve: Any) -> CliResult:
        init = self.run("auth", "login", "--init-only", "--format", "json")
        assert init.code == 0, init
        assert approve() >= 1
        done = self.run("auth", "login", "--complete", "--format", "json")
        assert done.code == 0, done
        return done
