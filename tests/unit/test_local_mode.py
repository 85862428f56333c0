"""Issue 11 item 2: which fakes `qwen-bot serve` may start (bot/cli/local_mode.py), and the shared-database
processes refusing the key-file fallback (bot/storage/keys.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.base.config import Settings
from bot.base.errors import ConfigError
from bot.cli.local_mode import Fakes, choose
from bot.storage.keys import load_keys

SIM = {"QWENCLOUD_API_ENDPOINT": "http://127.0.0.1:9", "QWENCLOUD_AUTH_ENDPOINT": "http://127.0.0.1:9"}
SINGLE = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
OAUTH = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c", "SLACK_SIGNING_SECRET": "s"}


def settings(**env: str) -> Settings:
    return Settings.from_env({"QWEN_BOT_DATA_DIR": "/tmp/unused", **env})


def test_nothing_configured_is_the_local_try_out() -> None:
    assert choose(settings(), local=False) == Fakes(workspace=True, simulator=True)


def test_real_slack_settings_never_use_the_simulator() -> None:
    assert choose(settings(**SINGLE), local=False) == Fakes(workspace=False, simulator=False)
    assert choose(settings(**OAUTH), local=False) == Fakes(workspace=False, simulator=False)
    assert choose(settings(**SINGLE, **SIM), local=False) == Fakes(workspace=False, simulator=False)


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"SLACK_SIGNING_SECRET": "sig-VALUE-1"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET"),
        ({"SLACK_CLIENT_ID": "1.2345", "SLACK_SIGNING_SECRET": "sig-VALUE-2"}, "SLACK_CLIENT_SECRET"),
        ({"SLACK_CLIENT_SECRET": "cs-VALUE-3"}, "SLACK_CLIENT_ID, SLACK_SIGNING_SECRET"),
    ],
)
def test_partial_slack_settings_refuse_naming_what_is_missing(env: dict[str, str], missing: str) -> None:
    with pytest.raises(ConfigError, match=f"missing {missing} ") as raised:
        choose(settings(**env), local=False)
    assert raised.value.exit_code == 4
    assert all(value not in raised.value.message for value in env.values())  # names, never values


def test_qwencloud_without_slack_needs_local() -> None:
    with pytest.raises(ConfigError, match="--local"):
        choose(settings(**SIM), local=False)
    assert choose(settings(**SIM), local=True) == Fakes(workspace=True, simulator=False)


def test_local_always_uses_the_workspace() -> None:
    assert choose(settings(**SINGLE), local=True) == Fakes(workspace=True, simulator=True)


def test_web_and_worker_refuse_the_key_file_unless_opted_in(tmp_path: Path) -> None:
    base = dataclasses.replace(settings(QWEN_BOT_DATA_DIR=str(tmp_path)), shared_process=True)
    with pytest.raises(ConfigError, match="QWEN_BOT_ALLOW_KEY_FILE=1") as raised:
        load_keys(base, keyring_backend=None)
    assert raised.value.exit_code == 4
    assert not (tmp_path / "encryption.key").exists()
    opted = Settings.from_env({"QWEN_BOT_DATA_DIR": str(tmp_path), "QWEN_BOT_ALLOW_KEY_FILE": "1"})
    keys = load_keys(dataclasses.replace(opted, shared_process=True), keyring_backend=None)
    assert keys.source == "file" and (tmp_path / "encryption.key").exists()
    # serve and the terminal (not shared processes) keep the fallback
    assert load_keys(settings(QWEN_BOT_DATA_DIR=str(tmp_path)), keyring_backend=None).source == "file"
