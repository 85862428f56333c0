"""manifest.yml stays in step with what handlers.register() listens to."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest.mock import Mock

import yaml

import handlers
from bot.render import messages as render

ROOT = Path(__file__).resolve().parents[2]
EVENT_FOR_MANIFEST = {"app_home_opened": "app_home_opened", "message": "message.im"}


class RecordingApp:
    """Stands in for slack_bolt.App: records what register() asks to listen to."""

    def __init__(self) -> None:
        self.commands: list[str] = []
        self.actions: list[str] = []
        self.events: list[str] = []

    def _decorator(self, bucket: list[str], key: str) -> Callable[..., Any]:
        bucket.append(key)
        return lambda *args, **kwargs: None

    def command(self, name: str) -> Callable[..., Any]:
        return self._decorator(self.commands, name)

    def action(self, action_id: str) -> Callable[..., Any]:
        return self._decorator(self.actions, action_id)

    def event(self, event: str) -> Callable[..., Any]:
        return self._decorator(self.events, event)

    def view(self, callback_id: str) -> Callable[..., Any]:
        return self._decorator([], callback_id)


def _registered() -> RecordingApp:
    app = RecordingApp()
    handlers.register(app, Mock())  # type: ignore[arg-type]  # register reads only the listeners' methods
    return app


def _manifest() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    return data


def test_slash_commands_match() -> None:
    declared = [c["command"] for c in _manifest()["features"]["slash_commands"]]
    assert sorted(declared) == sorted(_registered().commands) == ["/qwen"]


def test_events_match() -> None:
    declared = set(_manifest()["settings"]["event_subscriptions"]["bot_events"])
    assert declared == {EVENT_FOR_MANIFEST[e] for e in _registered().events}


def test_every_action_id_the_renderer_emits_has_a_listener() -> None:
    assert set(_registered().actions) == set(handlers.ACTIONS) >= set(render.ACTION_IDS)
    assert _manifest()["settings"]["interactivity"]["is_enabled"] is True


def test_scopes_cover_what_the_bot_calls() -> None:
    from bot.slack.bolt import BOT_SCOPES

    scopes = set(_manifest()["oauth_config"]["scopes"]["bot"])
    assert scopes == set(BOT_SCOPES)
    assert {"commands", "chat:write", "users:read", "im:write", "im:history", "files:write"} <= scopes


def test_urls_point_at_the_bolt_paths() -> None:
    from bot.slack.bolt import EVENTS_PATH, REDIRECT_PATH

    m = _manifest()
    assert m["settings"]["event_subscriptions"]["request_url"].endswith(EVENTS_PATH)
    assert m["settings"]["interactivity"]["request_url"].endswith(EVENTS_PATH)
    assert all(c["url"].endswith(EVENTS_PATH) for c in m["features"]["slash_commands"])
    assert m["oauth_config"]["redirect_urls"][0].endswith(REDIRECT_PATH)
    assert m["features"]["app_home"]["home_tab_enabled"] is True
