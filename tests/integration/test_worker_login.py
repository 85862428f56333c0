"""The worker drives device-flow logins against the simulator over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.base.clock import FixedClock
from bot.bootstrap import Services, build_bot, build_services
from bot.core.login import LoginOutcome
from bot.devtools.simulator.server import SimulatorHandle, start_simulator
from bot.jobs.worker import LoginPollJob
from bot.storage.owner import Owner
from bot.storage.pending import NotifyTarget
from tests.conftest import T0

ALICE = Owner("T1", "U1")


@pytest.fixture
def sim() -> Iterator[SimulatorHandle]:
    with start_simulator(now=T0, device_interval=2) as handle:
        yield handle


@pytest.fixture
def services(make_settings, db_url: str, sim: SimulatorHandle, clock: FixedClock) -> Iterator[Services]:
    from bot.storage.migrate import upgrade

    upgrade(db_url)  # a shared database is migrated by the release step, not by build_services
    settings = make_settings(database_url=db_url, api_endpoint=sim.url, auth_endpoint=sim.url)
    built = build_services(settings, clock=clock)
    yield built
    built.close()


def _polls(sim: SimulatorHandle) -> int:
    return sum(c["polls"] for c in sim.snapshot()["device_codes"])


def test_worker_completes_an_approved_login_and_notifies(
    services: Services, sim: SimulatorHandle, clock: FixedClock
) -> None:
    notified: list[LoginOutcome] = []
    services.login.set_notifier(notified.append)
    view = services.login.start(ALICE, "personal", NotifyTarget(response_url="https://hooks.example/1"))
    worker = build_bot(services).worker(worker_id="w1")
    assert worker.run_once(clock.now())["login_poll"] == 0  # not due before Interval
    clock.advance(timedelta(seconds=2))
    assert worker.run_once(clock.now())["login_poll"] == 1
    assert notified == [] and _polls(sim) == 1
    sim.approve()
    clock.advance(timedelta(seconds=2))
    worker.run_once(clock.now())
    assert [o.kind for o in notified] == ["complete"]
    assert notified[0].login.id == view.id and notified[0].user is not None
    stored = services.credentials.get(ALICE)
    assert stored is not None and stored.user.aliyun_id == notified[0].user.aliyun_id
    assert stored.user.aliyun_id  # from account/info.json
    assert services.pending_logins.get(view.id).status == "complete"  # type: ignore[union-attr]


def test_state_survives_a_restart(
    make_settings, db_url: str, sim: SimulatorHandle, clock: FixedClock
) -> None:
    from bot.storage.migrate import upgrade

    upgrade(db_url)
    settings = make_settings(database_url=db_url, api_endpoint=sim.url, auth_endpoint=sim.url)
    first = build_services(settings, clock=clock)
    view = first.login.start(ALICE)
    first.close()  # the process dies before any poll
    sim.approve()
    second = build_services(settings, clock=clock)
    try:
        assert second.login.start(ALICE).verification_url == view.verification_url  # same link after restart
        clock.advance(timedelta(seconds=2))
        assert build_bot(second).worker(worker_id="w2").run_once(clock.now())["login_poll"] == 1
        assert second.credentials.get(ALICE) is not None
    finally:
        second.close()


def test_slow_down_and_denial_through_the_worker(
    services: Services, sim: SimulatorHandle, clock: FixedClock
) -> None:
    view = services.login.start(ALICE)
    sim.control(slow_down_next=1)
    worker = build_bot(services).worker(worker_id="w1")
    clock.advance(timedelta(seconds=2))
    worker.run_once(clock.now())
    row = services.pending_logins.get(view.id)
    assert row is not None and row.interval == 7
    clock.advance(timedelta(seconds=6))
    assert worker.run_once(clock.now())["login_poll"] == 0  # slowed down: not due yet
    sim.deny()
    clock.advance(timedelta(seconds=1))
    assert worker.run_once(clock.now())["login_poll"] == 1
    assert services.pending_logins.get(view.id).status == "denied"  # type: ignore[union-attr]
    assert services.credentials.get(ALICE) is None


def test_two_workers_never_poll_the_same_flow_at_once(
    services: Services, sim: SimulatorHandle, clock: FixedClock, db_url: str
) -> None:
    """Many concurrent passes by two workers over 10 due flows: exactly one poll per flow."""
    for i in range(10):
        services.login.start(Owner("T1", f"U{i}"))
    clock.advance(timedelta(seconds=2))
    now = clock.now()
    jobs = [
        LoginPollJob(pending=services.pending_logins, login=services.login, worker_id=f"w{i}")
        for i in range(2)
    ]
    barrier = threading.Barrier(4)
    handled: list[int] = []

    def run(job: LoginPollJob) -> None:
        barrier.wait()
        handled.append(job.run_due(now))

    threads = [threading.Thread(target=run, args=(jobs[i % 2],)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert sum(handled) == 10
    assert [c["polls"] for c in sim.snapshot()["device_codes"]] == [1] * 10
