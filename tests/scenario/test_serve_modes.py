"""Issue 11 item 2, as a careless operator meets it: `qwen-bot serve` starts the fakes only with `--local`
or when nothing is configured; partial Slack settings stop it (exit 4, naming what is missing); real Slack
settings never use the simulator; the local pieces listen on 127.0.0.1 only."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.devtools.localslack import FakeSlack
from tests.fakes.env import bot_process_env
from tests.fakes.waits import WAIT_S, eventually
from tests.scenario.conftest import BOT_TOKEN, SIGNING_SECRET

pytestmark = pytest.mark.slow


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack.start(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN)
    try:
        yield fake
    finally:
        fake.stop()


def _env(slack: FakeSlack, tmp_path: Path, *drop: str) -> dict[str, str]:
    env = bot_process_env(
        sim_url="http://127.0.0.1:9",
        slack_api_url=slack.api_url,
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        data_dir=str(tmp_path / "data"),
        PORT="0",
    )
    return {k: v for k, v in env.items() if k not in drop}


def _serve_once(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "serve", *args], env=env, capture_output=True, text=True, timeout=WAIT_S
    )


@pytest.mark.parametrize(
    ("drop", "missing"),
    [(("SLACK_BOT_TOKEN",), "SLACK_BOT_TOKEN"), (("SLACK_SIGNING_SECRET",), "SLACK_SIGNING_SECRET")],
)
def test_partial_slack_settings_exit_4_naming_what_is_missing(
    slack: FakeSlack, tmp_path: Path, drop: tuple[str, ...], missing: str
) -> None:
    done = _serve_once(_env(slack, tmp_path, *drop))
    assert done.returncode == 4, done.stderr
    assert missing in done.stderr and "Traceback" not in done.stderr
    assert "Local Slack workspace" not in done.stdout and "simulator" not in done.stdout
    assert SIGNING_SECRET not in done.stderr + done.stdout and BOT_TOKEN not in done.stderr + done.stdout


def test_qwencloud_settings_without_slack_need_local(slack: FakeSlack, tmp_path: Path) -> None:
    done = _serve_once(_env(slack, tmp_path, "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"))
    assert done.returncode == 4 and "--local" in done.stderr


def _started(env: dict[str, str], tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], Path]:
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def listening() -> bool:
        assert proc.poll() is None, log.read_text()
        return "LISTENING" in log.read_text()

    try:
        eventually(listening, interval=0.2)
    except BaseException:
        _stop(proc)
        raise
    return proc, log


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.wait(timeout=WAIT_S)


def test_real_slack_settings_never_use_the_simulator(slack: FakeSlack, tmp_path: Path) -> None:
    qwen = ("QWENCLOUD_API_ENDPOINT", "QWENCLOUD_AUTH_ENDPOINT", "QWENCLOUD_MODEL_MAP_URL")
    env = _env(slack, tmp_path, *qwen)
    env["QWEN_BOT_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    proc, log = _started(env, tmp_path)
    try:
        text = log.read_text()
        assert "QwenCloud simulator" not in text and "Local Slack workspace" not in text
    finally:
        _stop(proc)


def test_local_mode_keeps_the_fakes_on_loopback(slack: FakeSlack, tmp_path: Path) -> None:
    env = _env(slack, tmp_path)  # real-looking settings: --local still never reaches them
    proc, log = _started(env, tmp_path, "--local", "--host", "0.0.0.0")

    def banner() -> str:
        text = log.read_text()
        return text if "Local Slack workspace: http://" in text else ""

    try:
        text = eventually(banner, interval=0.2)
        assert "Local Slack workspace: http://127.0.0.1:" in text  # not 0.0.0.0, whatever --host says
        assert "QwenCloud simulator" not in text  # QWENCLOUD_* is set: --local uses it
        assert slack.calls() == []  # the configured Slack is never called in local mode
    finally:
        _stop(proc)
