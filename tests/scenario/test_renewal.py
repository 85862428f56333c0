"""Team digests that survive QwenCloud logins expiring, in the shape of issue 14's check.

QwenCloud logins last two minutes (the simulator's `token_ttl`). Two team accounts, *ops* and *prod*, feed
two weekly digests a few minutes away (#general 09:00, #random 09:03 UTC). Workers are real
`qwen-bot worker --once --now ISO` processes run before and at the slots; the web app serves the buttons.

* before the slots: the admin gets ONE DM naming both accounts, with a *Renew login* button each; the
  `accounts` DM and the App Home show each login's expiry and what feeds on it;
* the admin renews *ops* from the DM (the login link is posted in their own DM only): its digest is posted
  once at its slot;
* *prod* is not renewed by its slot: #random gets one short notice, no digest; passes later add nothing;
* *prod* renewed within the catch-up window: exactly one digest, and the notice is updated (chat.update).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.base.clock import FixedClock
from bot.base.config import Settings
from bot.devtools.localslack import ADMIN, GENERAL, MEMBER, RANDOM, FakeSlack, Message
from bot.devtools.simulator.server import SimulatorHandle
from bot.team.renewal_view import RENEW_ACTION
from tests.fakes.stack import local_world, served

SIGNING_SECRET = "renewal-signing-secret"
BOT_TOKEN = "xoxb-renewal-bot-token"
NOW = datetime(2026, 4, 13, 8, 50, tzinfo=UTC)  # a Monday
OPS_SLOT = datetime(2026, 4, 13, 9, 0, tzinfo=UTC)
PROD_SLOT = datetime(2026, 4, 13, 9, 3, tzinfo=UTC)
TTL = 120  # seconds: two-minute logins


@dataclass
class World:
    sim: SimulatorHandle
    slack: FakeSlack
    clock: FixedClock
    env: dict[str, str]

    def at(self, moment: datetime) -> None:
        """Move the web app's clock and the simulator's to `moment` (both only move forward)."""
        self.clock.advance(moment - self.clock.now())
        self.sim.control(now=moment.isoformat())

    def worker(self, moment: datetime) -> dict[str, int]:
        """One `qwen-bot worker --once --now` process at `moment`; what it did."""
        self.at(moment)
        command = [sys.executable, "-m", "bot", "worker", "--once", "--now", moment.isoformat()]
        done = subprocess.run(command, env=self.env, capture_output=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr.decode()[-3000:]
        return dict(json.loads(done.stdout.decode().strip().splitlines()[-1]))

    def bot_dms(self, needle: str) -> list[Message]:
        return [m for m in self.slack.dms(ADMIN) if m.bot_id and needle in m.text + json.dumps(m.blocks)]

    def posts(self, channel: str, needle: str) -> list[Message]:
        return [m for m in self.slack.messages(channel) if m.bot_id and needle in m.text]


@pytest.fixture
def world(make_settings: Callable[..., Settings], key: str, tmp_path: object) -> Iterator[World]:
    clock = FixedClock(NOW)
    with (
        local_world(
            make_settings,
            bot_token=BOT_TOKEN,
            signing_secret=SIGNING_SECRET,
            clock=clock,
            simulator={"now": NOW, "device_interval": 1, "token_ttl": TTL},
        ) as local,
        served(local, worker=False) as _bot,  # workers are the processes below, as in production
    ):
        settings = local.services.settings
        random = local.slack.ws.resolve_channel(RANDOM)
        assert random is not None
        random.bot_is_member = True  # the bot was invited to both digest channels
        env = {
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "QWEN_BOT_DATA_DIR": str(settings.data_dir),
            "QWEN_BOT_ENCRYPTION_KEYS": key,
            "QWENCLOUD_API_ENDPOINT": local.sim.url,
            "QWENCLOUD_AUTH_ENDPOINT": local.sim.url,
            "QWENCLOUD_MODEL_MAP_URL": local.sim.url + "/cdn/model-mapping",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_API_URL": local.slack.api_url,
            "QWEN_BOT_LOG_LEVEL": "WARNING",
        }
        yield World(local.sim, local.slack, clock, env)


def link(world: World, name: str, moment: datetime, *, start: Callable[[], object]) -> None:
    """Start the device flow (`start`), approve it in QwenCloud, let a worker finish it at `moment`."""
    before = len(world.bot_dms(f"Linking team account *{name}*"))
    start()
    world.slack.wait_for(lambda: len(world.bot_dms(f"Linking team account *{name}*")) > before or None)
    world.sim.approve()
    world.worker(moment)
    assert world.bot_dms(f"Team account *{name}* is linked")


def test_renew_ahead_and_never_silence_with_two_minute_logins(world: World) -> None:
    slack = world.slack
    link(world, "ops", NOW + timedelta(seconds=10), start=lambda: slack.dm(ADMIN, "link ops"))
    link(world, "prod", NOW + timedelta(seconds=20), start=lambda: slack.dm(ADMIN, "link prod"))
    slack.slash(ADMIN, GENERAL, "digest subscribe weekly monday 09:00 UTC ops")
    slack.slash(ADMIN, RANDOM, "digest subscribe weekly monday 09:03 UTC prod")
    slack.wait_for(lambda: len([m for m in slack.ephemerals(ADMIN) if "Digest #" in m.text]) == 2 or None)

    # before the slots, both logins (two minutes) have expired: one DM naming both accounts
    world.worker(NOW + timedelta(minutes=5))
    asks = world.bot_dms("QwenCloud login to renew")
    assert len(asks) == 1
    ask = asks[0]
    assert "*ops*" in json.dumps(ask.blocks) and "*prod*" in json.dumps(ask.blocks)
    assert "09:00 UTC" in json.dumps(ask.blocks) and "09:03 UTC" in json.dumps(ask.blocks)
    world.worker(NOW + timedelta(minutes=6))  # a second pass asks nothing more
    assert len(world.bot_dms("QwenCloud login to renew")) == 1

    # visible: `accounts` in the DM and the App Home show each login's expiry and what feeds on it
    slack.dm(ADMIN, "accounts")
    listing = slack.wait_for(lambda: world.bot_dms("Team accounts") or None)[-1].text
    assert "*ops* · " in listing and "login expired 2026-04-13 08:52 UTC · feeds 1 digest" in listing
    slack.open_home(ADMIN)
    home = json.dumps(slack.wait_for(lambda: slack.home(ADMIN)).payload, ensure_ascii=False)
    assert "login expired 2026-04-13 08:52 UTC · feeds 1 digest" in home

    # a non-admin's click changes nothing (told so in their own DM)
    slack.click(MEMBER, ask, RENEW_ACTION, value="ops")
    refused = lambda: [m for m in slack.dms(MEMBER) if m.bot_id and "Only workspace admins" in m.text]  # noqa: E731
    slack.wait_for(lambda: refused() or None)
    assert not [m for m in slack.dms(MEMBER) if "Linking team account" in m.text]

    # the admin renews ops from the DM: the login link comes in their own DM
    moment = OPS_SLOT - timedelta(minutes=1)  # the renewed login lasts until 09:01
    world.at(moment)
    link(world, "ops", moment, start=lambda: slack.click(ADMIN, ask, RENEW_ACTION, value="ops"))
    assert not [m for m in slack.messages(GENERAL) if "Linking team account" in m.text]

    # ops' slot: its digest, once; prod's slot: one notice, no digest
    world.worker(OPS_SLOT + timedelta(seconds=30))
    assert len(world.posts(GENERAL, "Weekly QwenCloud spend · ops")) == 1
    world.worker(PROD_SLOT + timedelta(seconds=30))
    world.worker(PROD_SLOT + timedelta(minutes=2))
    notices = world.posts(RANDOM, "waiting for an admin to renew the QwenCloud login of account prod")
    assert len(notices) == 1
    assert world.posts(RANDOM, "QwenCloud spend") == []
    assert "This week's digest" in notices[0].text

    # prod renewed well within the catch-up window: exactly one digest, the notice updated in place
    renewed = PROD_SLOT + timedelta(minutes=20)
    world.at(renewed)
    link(world, "prod", renewed, start=lambda: slack.click(ADMIN, ask, RENEW_ACTION, value="prod"))
    world.worker(renewed + timedelta(seconds=5))
    world.worker(renewed + timedelta(hours=1))
    assert len(world.posts(RANDOM, "Weekly QwenCloud spend · prod")) == 1
    assert len(world.posts(GENERAL, "Weekly QwenCloud spend · ops")) == 1
    updated = [m for m in slack.messages(RANDOM) if m.ts == notices[0].ts]
    assert len(updated) == 1 and "was renewed" in updated[0].text
    assert world.posts(RANDOM, "waiting for an admin") == []  # not repeated
