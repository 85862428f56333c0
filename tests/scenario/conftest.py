"""The whole bot over real HTTP: the QwenCloud simulator, the local Slack workspace (fake Web API that
records every call and serves response_url), and `qwen-bot serve`'s start() on a free port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.base.clock import FixedClock
from bot.base.config import Settings
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


@pytest.fixture
def stack(make_settings: Callable[..., Settings]) -> Iterator[Stack]:
    clock = FixedClock(NOW, running=True)
    with (
        local_world(
            make_settings,
            bot_token=BOT_TOKEN,
            signing_secret=SIGNING_SECRET,
            clock=clock,
            simulator={"now": NOW, "device_interval": 1},
        ) as world,
        served(world) as bot,
    ):
        yield Stack(world.sim, world.slack, bot, world.services, clock)
