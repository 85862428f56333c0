"""The one builder of a local bot stack: the QwenCloud simulator and the local Slack Web API over real HTTP,
settings pointing at both, and the services over them (`local_world`); `served()` adds `qwen-bot serve`'s
start() (web + worker) in this process. Scenario and reliability tests and the e2e bench build on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bot.base.clock import Clock
from bot.base.config import Secret, Settings
from bot.bootstrap import Services, build_bot, build_services
from bot.cli.serve import Running, start
from bot.devtools.localslack import FakeSlack
from bot.devtools.simulator.server import SimulatorHandle, start_simulator


@dataclass
class World:
    sim: SimulatorHandle
    slack: FakeSlack
    services: Services


@contextmanager
def local_world(
    settings: Callable[..., Settings],
    *,
    bot_token: str,
    signing_secret: str,
    clock: Clock,
    simulator: dict[str, Any],
    **overrides: Any,
) -> Iterator[World]:
    """`settings(**fields)` makes the Settings (a test's make_settings, or Settings with a data dir)."""
    sim = start_simulator(**simulator)
    slack = FakeSlack.start(signing_secret=signing_secret, bot_token=bot_token)
    try:
        built = settings(
            api_endpoint=sim.url,
            auth_endpoint=sim.url,
            model_map_url=sim.url + "/cdn/model-mapping",
            endpoints_configured=True,
            slack_bot_token=Secret(bot_token),
            slack_signing_secret=Secret(signing_secret),
            slack_api_url=slack.api_url,
            **overrides,
        )
        services = build_services(built, clock=clock)
        try:
            yield World(sim, slack, services)
        finally:
            services.close()
    finally:
        slack.stop()
        sim.stop()


@contextmanager
def served(world: World, *, worker_idle_seconds: float = 0.1, worker: bool = True) -> Iterator[Running]:
    """The bot (web, and a worker thread unless `worker=False`) on a free port, Slack pointed at it."""
    composed = build_bot(world.services)
    bot = start(composed, host="127.0.0.1", port=0, worker=worker, worker_idle_seconds=worker_idle_seconds)
    world.slack.bot_url = bot.url + "/slack/events"
    try:
        yield bot
    finally:
        bot.stop()
