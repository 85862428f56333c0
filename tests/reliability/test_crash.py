"""Crash safety: `qwen-bot worker` processes SIGKILLed in the middle of a device-code poll and in the middle
of a digest run; after a restart the login completes (and is announced once) and the digest is posted once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.base.clock import FixedClock
from bot.base.config import Secret, Settings
from bot.base.schedule import Schedule
from bot.bootstrap import Services, build_services
from bot.devtools.localslack import GENERAL, MEMBER, FakeSlack
from bot.devtools.simulator.server import SimulatorHandle, start_simulator
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.storage.db import pending_login
from bot.storage.migrate import upgrade
from bot.storage.owner import Owner
from bot.storage.pending import NotifyTarget
from bot.storage.team import digest_run
from tests.fakes.env import bot_process_env
from tests.fakes.slack import static_team
from tests.fakes.waits import WAIT_S, eventually, quiet_period
from tests.reliability.conftest import BOT_TOKEN, SIGNING_SECRET

pytestmark = pytest.mark.slow

MONDAY = datetime(2026, 4, 13, 9, 5, tzinfo=UTC)  # 5 minutes after a weekly Monday 09:00 slot
WEEKLY = Schedule("weekly", 0, datetime.min.time().replace(hour=9), "UTC")


class World:
    def __init__(
        self,
        sim: SimulatorHandle,
        slack: FakeSlack,
        settings: Settings,
        services: Services,
        env: dict[str, str],
    ) -> None:
        self.sim, self.slack, self.settings, self.services, self.env = sim, slack, settings, services, env
        self.procs: list[subprocess.Popen[bytes]] = []

    def worker(self, now: datetime) -> subprocess.Popen[bytes]:
        env = {**self.env, "QWEN_BOT_NOW": now.isoformat()}
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "worker", "--idle", "0.1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.procs.append(proc)
        return proc

    @staticmethod
    def kill9(proc: subprocess.Popen[bytes]) -> None:
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=WAIT_S) == -signal.SIGKILL

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=WAIT_S)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


@pytest.fixture
def world(make_settings: Callable[..., Settings], tmp_path: Path, key: str) -> Iterator[World]:
    sim = start_simulator(now=MONDAY, device_interval=1)
    slack = FakeSlack.start(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN)
    db = f"sqlite:///{tmp_path / 'crash.db'}"
    upgrade(db)
    settings = make_settings(
        database_url=db,
        api_endpoint=sim.url,
        auth_endpoint=sim.url,
        model_map_url=sim.url + "/cdn/model-mapping",
        endpoints_configured=True,
        slack_bot_token=Secret(BOT_TOKEN),
        slack_signing_secret=Secret(SIGNING_SECRET),
        slack_api_url=slack.api_url,
    )
    services = build_services(settings, clock=FixedClock(MONDAY))
    env = bot_process_env(
        sim_url=sim.url,
        slack_api_url=slack.api_url,
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        data_dir=str(tmp_path / "data"),
        DATABASE_URL=db,
        QWEN_BOT_ENCRYPTION_KEYS=key,
    )
    w = World(sim, slack, settings, services, env)
    try:
        yield w
    finally:
        w.stop_all()
        services.close()
        slack.stop()
        sim.stop()


def in_flight(sim: SimulatorHandle) -> int:
    return int(sim.snapshot()["in_flight"])


def test_sigkill_mid_device_poll_then_restart_completes_the_login(
    world: World, record: Callable[..., None]
) -> None:
    record(
        "crash.login",
        "crash",
        "worker SIGKILLed while its device-token poll is in flight",
        "simulator latency 3 s on every call; kill -9 the `qwen-bot worker` process mid-request",
        "after restart: one private 'Logged in to QwenCloud'",
        "none needed",
        "pending row survives; lease expires; the restarted worker completes the login once",
    )
    owner = Owner(world.slack.ws.team_id, MEMBER)
    world.services.login.start(owner, notify=NotifyTarget(channel=GENERAL, dm=MEMBER))
    world.sim.control(latency_ms=3000)
    first = world.worker(MONDAY + timedelta(seconds=2))
    eventually(lambda: _lease_owner(world))  # claimed
    eventually(lambda: in_flight(world.sim))  # its poll has reached the simulator and waits there
    world.kill9(first)
    assert world.services.credentials.get(owner) is None
    # The simulator answers the dead worker's poll ("pending") to nobody; only then is the flow approved, so
    # that answer cannot take the approval (a race the restarted worker lost on a loaded machine).
    eventually(lambda: in_flight(world.sim) == 0)
    assert _lease_owner(world) is not None  # the outcome never reached the database: the lease is still held
    world.sim.control(latency_ms=0)
    world.sim.approve()
    # restart after the 120 s lease the dead worker held has run out
    world.worker(MONDAY + timedelta(minutes=3))
    eventually(lambda: world.services.credentials.get(owner))
    eventually(lambda: [m for m in world.slack.dms(MEMBER) if "Logged in to QwenCloud" in m.text])
    quiet_period(1.0)  # further passes must not announce it again
    assert len([m for m in world.slack.dms(MEMBER) if "Logged in to QwenCloud" in m.text]) == 1
    later = MONDAY + timedelta(minutes=3)
    assert world.services.pending_logins.get_active_for_owner(owner, now=later) is None


def _lease_owner(world: World) -> object:
    with world.services.engine.connect() as conn:
        return conn.execute(select(pending_login.c.lease_owner)).scalar()


def _runs(world: World) -> list[dict[str, object]]:
    with world.services.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(digest_run)).mappings().all()]


def test_sigkill_mid_digest_run_then_restart_posts_exactly_once(
    world: World, record: Callable[..., None]
) -> None:
    record(
        "crash.digest",
        "crash",
        "worker SIGKILLed while building a due digest (run row claimed)",
        "simulator latency 4 s on data calls; kill -9 the worker once the digest_run row is claimed",
        "the channel gets the weekly digest once",
        "none needed",
        "claimed row kept; after the lease a restarted worker (and a second one) posts it exactly once",
    )
    team_id = world.slack.ws.team_id
    creds = DeviceCredentials(
        world.sim.issue_token(), MONDAY + timedelta(days=30), QwenUser("u1", "ops@example.com", None)
    )
    world.services.credentials.put(Owner.team_account(team_id, "prod"), creds)
    static_team(world.services).subscriptions.add(
        team_id=team_id,
        channel_id=GENERAL,
        account="prod",
        schedule=WEEKLY,
        created_by="U_ADMIN",
        now=MONDAY - timedelta(days=10),
    )
    world.sim.control(latency_ms=4000)
    first = world.worker(MONDAY)
    eventually(lambda: _runs(world))
    eventually(lambda: in_flight(world.sim))  # the claimed run's usage fetch waits on the simulator
    world.kill9(first)
    [row] = _runs(world)
    assert row["state"] == "claimed" and world.slack.messages(GENERAL) == []
    world.sim.control(latency_ms=0)
    later = MONDAY + timedelta(minutes=6)  # past the 5-minute delivery lease
    world.worker(later)
    world.worker(later)  # two workers racing for the same run
    eventually(lambda: world.slack.messages(GENERAL))
    quiet_period(2.0)  # both racing workers keep passing: still one post
    posted = world.slack.messages(GENERAL)
    assert len(posted) == 1 and "Weekly QwenCloud spend" in posted[0].text
    [row] = _runs(world)
    assert row["state"] == "posted" and row["message_ts"] == posted[0].ts
