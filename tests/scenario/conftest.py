"""The whole bot over real HTTP: the QwenCloud simulator, the local Slack workspace (fake Web API that
records every call and serves response_url), and `qwen-bot serve`'s start() on a free port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.fernet import Fernet

from bot.base.clock import FixedClock
from bot.base.config import Secret, Settings
from bot.bootstrap import Services
from bot.cli.serve import Running
from bot.devtools.localslack import FakeSlack, Message
from bot.devtools.simulator.server import SimulatorHandle
from bot.team.model import Team
from tests.fakes.stack import local_world, served
from tests.fakes.waits import WAIT_S

SIGNING_SECRET = "scenario-signing-secret"
BOT_TOKEN = "xoxb-scenario-bot-token"
NOW = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)


@dataclass
class Stack:
    sim: SimulatorHandle
    slack: FakeSlack
    bot: Running
    services: Services
    clock: FixedClock

    @property
    def team(self) -> Team:
        return self.bot.bot.team  # the served bot's team features

    def wait_ephemeral(
        self, user: str, predicate: Callable[[Message], bool], timeout: float = WAIT_S
    ) -> Message:
        def found() -> Message | None:
            for message in reversed(self.slack.ephemerals(user)):
                if predicate(message):
                    return message
            return None

        return self.slack.wait_for(found, timeout=timeout)


def has_text(needle: str) -> Callable[[Message], bool]:
    return lambda m: needle in m.text or needle in repr(m.blocks)


@contextmanager
def running_stack(
    settings: Callable[..., Settings], *, simulator: dict[str, Any] | None = None
) -> Iterator[Stack]:
    """The simulator, the local Slack workspace and the served bot, stopped on exit."""
    clock = FixedClock(NOW, running=True)
    with (
        local_world(
            settings,
            bot_token=BOT_TOKEN,
            signing_secret=SIGNING_SECRET,
            clock=clock,
            simulator={"now": NOW, "device_interval": 1, **(simulator or {})},
        ) as world,
        served(world) as bot,
    ):
        yield Stack(world.sim, world.slack, bot, world.services, clock)


def module_settings(tmp_path_factory: pytest.TempPathFactory, name: str) -> Callable[..., Settings]:
    """Settings for a stack shared by one module's tests (a fresh database and key of its own)."""
    data = tmp_path_factory.mktemp(name) / "data"
    key = Fernet.generate_key().decode()

    def settings(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "data_dir": data,
            "database_url": f"sqlite:///{data / 'qwen-bot.db'}",
            "encryption_keys": Secret(key),
        }
        return Settings(**(values | overrides))  # type: ignore[arg-type]

    return settings


@pytest.fixture
def stack(make_settings: Callable[..., Settings]) -> Iterator[Stack]:
    with running_stack(make_settings) as running:
        yield running
