"""Socket Mode is only for local development, and only with SLACK_APP_TOKEN."""

from __future__ import annotations

import pytest
from slack_bolt import App

from bot.base.config import Secret, Settings
from bot.base.errors import ConfigError
from bot.slack.bolt import socket_mode


def _app() -> App:
    return App(signing_secret="s", token="xoxb-1", token_verification_enabled=False)


def test_socket_mode_needs_the_app_token() -> None:
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN"):
        socket_mode(_app(), Settings())


def test_socket_mode_handler_is_built_without_connecting() -> None:
    handler = socket_mode(_app(), Settings(slack_app_token=Secret("xapp-1-abc")))
    assert handler.app_token == "xapp-1-abc"
    assert handler.client.app_token == "xapp-1-abc"
