"""The embedded default of `qwen-bot serve`: what runs when nothing outside is configured.

With `--local`, or when nothing of Slack and QwenCloud is configured (bot/cli/local_mode.py), the built-in
QwenCloud simulator (unless `QWENCLOUD_*` is set) and a local Slack workspace (fake Web API + page) take
their places, with a signing secret generated for this run,
so the bot's real HTTP endpoint and signature check are exercised exactly as with Slack.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.base.config import Secret, Settings
from bot.cli.local_mode import choose

LOCAL_BOT_TOKEN = "xoxb-local-workspace"


@dataclass
class Embedded:
    settings: Settings
    banner: list[str] = field(default_factory=list)
    stops: list[Callable[[], None]] = field(default_factory=list)
    workspace: object | None = None

    def attach_bot(self, bot_url: str) -> None:
        """Tell the local workspace where the bot's /slack/events listens (known once the bot started)."""
        if self.workspace is not None:
            self.workspace.bot_url = bot_url + "/slack/events"  # type: ignore[attr-defined]

    def stop(self) -> None:
        for stop in reversed(self.stops):
            stop()


def prepare(settings: Settings, *, host: str, port: int, local: bool = False) -> Embedded:
    """Start the fakes `local_mode.choose` allows; return settings pointing at them (ConfigError: none)."""
    fakes = choose(settings, local=local)
    embedded = Embedded(settings=settings)
    if fakes.simulator:
        _start_simulator(embedded, host=host)
    if fakes.workspace:
        _start_workspace(embedded, host=host, port=port)
    return embedded


def _start_simulator(embedded: Embedded, *, host: str) -> None:
    from bot.devtools.simulator.server import start_simulator

    # A short poll interval keeps the local login snappy; the data are the simulator's seeded dataset.
    sim = start_simulator(host=_loopback(host), port=0, device_interval=2)
    embedded.stops.append(sim.stop)
    embedded.settings = dataclasses.replace(
        embedded.settings,
        api_endpoint=sim.url,
        auth_endpoint=sim.url,
        model_map_url=sim.url + "/cdn/model-mapping",
    )
    embedded.banner.append(f"QwenCloud simulator: {sim.url} (set QWENCLOUD_API_ENDPOINT to use another)")


def _start_workspace(embedded: Embedded, *, host: str, port: int) -> None:
    from bot.devtools.localslack import new_signing_secret, start_local_workspace

    secret = new_signing_secret()
    workspace = start_local_workspace(
        signing_secret=secret, bot_token=LOCAL_BOT_TOKEN, port=port, host=_loopback(host)
    )
    embedded.workspace = workspace
    embedded.stops.append(workspace.stop)
    embedded.settings = dataclasses.replace(
        embedded.settings,
        slack_bot_token=Secret(LOCAL_BOT_TOKEN),
        slack_app_token=None,  # --local with real settings around: nothing may reach the real Slack
        slack_client_id=None,
        slack_client_secret=None,
        slack_signing_secret=Secret(secret),
        slack_api_url=workspace.api_url,
    )
    embedded.banner.append(f"Local Slack workspace: {workspace.url} (open it in a browser)")


def _loopback(host: str) -> str:
    # The fakes act as any user and show made-up spend: never reachable from the network, whatever --host.
    return "127.0.0.1"
