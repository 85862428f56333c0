"""`qwen-bot serve` as a new user runs it: a real process on PORT, configured only by the environment.
Killed in the middle of a login and started again, it still completes the login and says so privately."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from bot.devtools.localslack import GENERAL, MEMBER, FakeSlack
from bot.devtools.simulator.server import SimulatorHandle, start_simulator
from tests.fakes.env import bot_process_env
from tests.scenario.conftest import BOT_TOKEN, NOW, SIGNING_SECRET

pytestmark = pytest.mark.slow


@pytest.fixture
def outside() -> Iterator[tuple[SimulatorHandle, FakeSlack]]:
    sim = start_simulator(now=NOW, device_interval=1)
    slack = FakeSlack.start(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN)
    try:
        yield sim, slack
    finally:
        slack.stop()
        sim.stop()


def _env(sim: SimulatorHandle, slack: FakeSlack, data_dir: Path) -> dict[str, str]:
    return bot_process_env(
        sim_url=sim.url,
        slack_api_url=slack.api_url,
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        data_dir=str(data_dir),
        QWEN_BOT_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        QWEN_BOT_NOW=NOW.isoformat(),
        PORT="0",
    )


def _serve(env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("LISTENING "), line
    return proc, int(line.split()[1])


def _stop(proc: subprocess.Popen[str], sig: int = signal.SIGTERM) -> None:
    proc.send_signal(sig)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_serve_survives_a_kill_mid_login(outside: tuple[SimulatorHandle, FakeSlack], tmp_path: Path) -> None:
    sim, slack = outside
    env = _env(sim, slack, tmp_path / "data")
    proc, port = _serve(env)
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
        slack.bot_url = f"http://127.0.0.1:{port}/slack/events"
        reply = slack.slash(MEMBER, GENERAL, "login")
        assert reply.status == 200 and reply.elapsed < 3.0
        slack.wait_for(lambda: [m for m in slack.ephemerals(MEMBER) if "Open QwenCloud" in repr(m.blocks)])
    finally:
        _stop(proc, signal.SIGKILL)  # killed mid-login
    sim.approve()
    proc, port = _serve(env)
    try:
        done = slack.wait_for(
            lambda: [m for m in slack.ephemerals(MEMBER) + slack.dms(MEMBER) if "Logged in" in m.text],
            timeout=15,
        )
        assert done
        files = [tmp_path / "data" / f"qwen-bot.db{suffix}" for suffix in ("", "-wal", "-journal")]
        db = b"".join(f.read_bytes() for f in files if f.exists())
        issued = list(sim.state.tokens)
        assert len(issued) == 1
        assert issued[0].encode() not in db  # no token in clear in the database file
    finally:
        _stop(proc)


def test_worker_once_and_serve_without_slack_config(
    outside: tuple[SimulatorHandle, FakeSlack], tmp_path: Path
) -> None:
    import json

    sim, slack = outside
    env = _env(sim, slack, tmp_path / "data")
    once = subprocess.run(
        [sys.executable, "-m", "bot", "worker", "--once", "--now", "2026-04-10T12:00:00Z"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert once.returncode == 0, once.stderr
    assert json.loads(once.stdout.strip().splitlines()[-1])["login_poll"] == 0
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "worker", "--once", "--now", "yesterday"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 4 and "--now" in bad.stderr
    no_secret = {k: v for k, v in env.items() if k != "SLACK_SIGNING_SECRET"}
    serve = subprocess.run(
        [sys.executable, "-m", "bot", "serve"], env=no_secret, capture_output=True, text=True, timeout=60
    )
    assert (
        serve.returncode == 4 and "SLACK_SIGNING_SECRET" in serve.stderr and "Traceback" not in serve.stderr
    )
