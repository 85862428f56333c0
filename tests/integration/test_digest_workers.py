"""Exactly once with real worker processes (`qwen-bot worker --once --now`) on PostgreSQL.

Two workers racing for the same slot; a worker killed while posting (the post may have happened: never
retried); a worker killed before posting (taken over after the lease). One digest in every case.
Renewal included: with the team login expired, racing workers send one renewal DM and one channel notice,
then one digest once it is renewed; a worker killed while posting the notice never makes it repeat.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time as clock
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.base.clock import FixedClock
from bot.base.schedule import Schedule
from bot.bootstrap import Services, build_services
from bot.devtools.localslack import ADMIN, GENERAL, FakeSlack
from bot.devtools.simulator.server import SimulatorHandle, start_simulator
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.storage.db import credential, make_engine
from bot.storage.health import HealthStore
from bot.storage.migrate import upgrade
from bot.storage.owner import Owner
from bot.storage.renewal import renewal_notice
from bot.storage.team import digest_run
from tests.fakes.slack import static_team

pytestmark = pytest.mark.postgres
NOW = datetime(2026, 4, 13, 9, 5, tzinfo=UTC)
TOKEN = "xoxb-workers-test"
PERIOD = date(2026, 4, 6)


class Env:
    def __init__(self, url: str, sim: SimulatorHandle, slack: FakeSlack, key: str, tmp: Path) -> None:
        self.url, self.sim, self.slack = url, sim, slack
        self.vars = {
            **os.environ,
            "DATABASE_URL": url,
            "QWEN_BOT_ENCRYPTION_KEYS": key,
            "QWEN_BOT_DATA_DIR": str(tmp),
            "QWENCLOUD_API_ENDPOINT": sim.url,
            "QWENCLOUD_AUTH_ENDPOINT": sim.url,
            "QWENCLOUD_MODEL_MAP_URL": sim.url + "/cdn/model-mapping",
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_API_URL": slack.api_url,
            "QWEN_BOT_LOG_LEVEL": "WARNING",
        }

    def start(self, at: datetime) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "bot", "worker", "--once", "--now", at.isoformat()]
        return subprocess.Popen(command, env=self.vars, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def run(self, at: datetime) -> None:
        proc = self.start(at)
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()[-2000:]

    def run_state(self) -> str | None:
        engine = make_engine(self.url)
        try:
            with engine.connect() as conn:
                return conn.execute(select(digest_run.c.state)).scalar()
        finally:
            engine.dispose()

    def wait_state(self, state: str, timeout: float = 60) -> None:
        deadline = clock.monotonic() + timeout
        while clock.monotonic() < deadline:
            if self.run_state() == state:
                return
            clock.sleep(0.05)
        raise AssertionError(f"run never reached {state} (now {self.run_state()})")

    def digests(self) -> list[object]:
        return [m for m in self.slack.messages(GENERAL) if "QwenCloud spend" in m.text]


@pytest.fixture
def env(postgres_url: str, make_settings: Callable[..., object], key: str, tmp_path: Path) -> Iterator[Env]:
    upgrade(postgres_url)
    with start_simulator(now=NOW) as sim, FakeSlack.start(signing_secret="s", bot_token=TOKEN) as slack:
        settings = make_settings(
            database_url=postgres_url,
            api_endpoint=sim.url,
            auth_endpoint=sim.url,
            model_map_url=sim.url + "/cdn/model-mapping",
        )
        services: Services = build_services(settings, clock=FixedClock(NOW))  # type: ignore[arg-type]
        try:
            team_id = slack.ws.team_id
            creds = DeviceCredentials(sim.issue_token(), NOW + timedelta(days=30), QwenUser("u", None, None))
            services.credentials.put(Owner.team_account(team_id, "prod"), creds)
            static_team(services).subscriptions.add(
                team_id=team_id,
                channel_id=GENERAL,
                account="prod",
                schedule=Schedule("weekly", 0, time(9, 0), "UTC"),
                created_by="U_ADMIN",
                now=NOW - timedelta(days=3),
            )
        finally:
            services.close()
        yield Env(postgres_url, sim, slack, key, tmp_path)


def test_two_workers_racing_post_one_digest(env: Env) -> None:
    first, second = env.start(NOW), env.start(NOW)
    for proc in (first, second):
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()[-2000:]
    assert len(env.digests()) == 1
    assert env.run_state() == "posted"
    env.run(NOW + timedelta(hours=1))
    assert len(env.digests()) == 1


def test_worker_killed_while_posting_is_settled_from_history_never_reposted(env: Env) -> None:
    env.slack.faults.delay("chat.postMessage", 3.0, times=1)
    victim = env.start(NOW)
    env.wait_state("sending")
    # killed once Slack holds the post (its delay running): the post happens, the worker never hears of it
    env.slack.wait_for(lambda: env.slack.faults.applied("chat.postMessage") or None)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    env.slack.wait_for(lambda: env.digests() or None)
    for later in (timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=2)):
        env.run(NOW + later)
    assert len(env.digests()) == 1
    # outcome unknown to the workers; the run id in the post's metadata is found in the channel's history
    assert env.run_state() == "posted"


def test_worker_killed_before_posting_is_taken_over_after_the_lease(env: Env) -> None:
    env.slack.faults.delay("files.getUploadURLExternal", 8.0, times=1)
    victim = env.start(NOW)
    env.wait_state("claimed")
    clock.sleep(0.5)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    env.run(NOW + timedelta(minutes=1))  # the dead worker's lease still holds
    assert env.digests() == []
    env.run(NOW + timedelta(minutes=6))
    assert len(env.digests()) == 1
    assert env.run_state() == "posted"


# -- renewal included (issue 14): the login of "prod" has expired ------------------------------------------
def set_login(env: Env, expires: datetime, *, stored: datetime = NOW - timedelta(days=2)) -> None:
    """The team login's expiry and when it was stored (a renewal stores a new login; the simulator's token
    itself stays valid)."""
    engine = make_engine(env.url)
    try:
        with engine.begin() as conn:
            conn.execute(update(credential).values(expires_at=expires, updated_at=stored))
        HealthStore(engine=engine).linked_by(env.slack.ws.team_id, "prod", ADMIN, now=NOW)
    finally:
        engine.dispose()


def race(env: Env, at: datetime) -> None:
    first, second = env.start(at), env.start(at)
    for proc in (first, second):
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()[-2000:]


def notices(env: Env, needle: str = "waiting for an admin to renew") -> list[object]:
    return [m for m in env.slack.messages(GENERAL) if needle in m.text]


def notice_state(env: Env) -> str | None:
    engine = make_engine(env.url)
    try:
        with engine.connect() as conn:
            query = select(renewal_notice.c.state).where(renewal_notice.c.kind == "channel")
            return conn.execute(query).scalar()
    finally:
        engine.dispose()


def test_two_workers_with_an_expired_login_ask_once_notice_once_then_post_once(env: Env) -> None:
    set_login(env, NOW - timedelta(days=1))
    race(env, NOW - timedelta(hours=3))  # within the lead time: one DM to the admin who linked it
    asks = [m for m in env.slack.dms(ADMIN) if "QwenCloud login to renew" in str(m.blocks)]
    assert len(asks) == 1 and "*prod*" in str(asks[0].blocks)
    race(env, NOW)  # the slot: one notice, no digest
    assert len(notices(env)) == 1 and env.digests() == []
    set_login(env, NOW + timedelta(days=30), stored=NOW + timedelta(minutes=15))  # renewed
    race(env, NOW + timedelta(minutes=20))
    race(env, NOW + timedelta(hours=1))
    assert len(env.digests()) == 1 and env.run_state() == "posted"
    assert notices(env) == [] and len(notices(env, "was renewed")) == 1  # updated in place


def test_worker_killed_while_posting_the_notice_never_repeats_it(env: Env) -> None:
    set_login(env, NOW - timedelta(days=1))
    env.slack.faults.delay("chat.postMessage", 3.0, times=1)  # the notice (the admins were asked ahead)
    victim = env.start(NOW)
    deadline = clock.monotonic() + 60
    while (state := notice_state(env)) != "sending":
        assert state in (None, "claimed"), f"notice went past sending unseen ({state})"
        assert clock.monotonic() < deadline, f"notice never reached sending (now {state})"
        clock.sleep(0.05)
    env.slack.wait_for(lambda: env.slack.faults.applied("chat.postMessage") or None)  # Slack holds it
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    env.slack.wait_for(lambda: notices(env) or None)
    env.run(NOW + timedelta(minutes=5))  # the lease ran out: outcome unknown, not posted again
    assert len(notices(env)) == 1
    set_login(env, NOW + timedelta(days=30), stored=NOW + timedelta(minutes=8))
    env.run(NOW + timedelta(minutes=10))
    env.run(NOW + timedelta(minutes=40))
    assert len(env.digests()) == 1
    # the notice whose outcome was unknown was found by its metadata in the history, and updated
    assert notices(env) == [] and len(notices(env, "was renewed")) == 1
