"""The whole bot over real HTTP: the QwenCloud simulator, the local Slack workspace (fake Web API that
records every call and serves response_url), and `qwen-bot serve`'s start() on a free port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.base.clock import FixedClock
from bot.base.config import Secret, Settings
from bot.bootstrap import Services, build_bot, build_services
from bot.cli.serve import Running, start
from bot.devtools.localslack import FakeSlack, Message
from bot.devtools.simulator.server import SimulatorHandle, start_simulator
from bot.team.model import Team

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
        self, user: str, predicate: Callable[[Message], bool], timeout: float = 8.0
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
    sim = start_simulator(now=NOW, device_interval=1)
    slack = FakeSlack.start(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN)
    clock = FixedClock(NOW, running=True)
    settings = make_settings(
        api_endpoint=sim.url,
        auth_endpoint=sim.url,
        model_map_url=sim.url + "/cdn/model-mapping",
        endpoints_configured=True,
        slack_bot_token=Secret(BOT_TOKEN),
        slack_signing_secret=Secret(SIGNING_SECRET),
        slack_api_url=slack.api_url,
    )
    services = build_services(settings, clock=clock)
    bot = start(build_bot(services), host="127.0.0.1", port=0, worker=True, worker_idle_seconds=0.1)
    slack.bot_url = bot.url + "/slack/events"
    try:
        yield Stack(sim, slack, bot, services, clock)
    finally:
        bot.stop()
        services.close()
        slack.stop()
        sim.stop()
