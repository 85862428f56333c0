"""Reliability fixtures: the whole bot in-process over real HTTP (QwenCloud simulator, local Slack Web API,
`qwen-bot serve`'s start() with its worker thread), fault switches for the database, and the fault report
that becomes docs/reliability.md."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

from bot.base.clock import FixedClock
from bot.base.config import Settings
from bot.bootstrap import Services
from bot.cli.serve import Running
from bot.devtools.localslack import FakeSlack, Message
from bot.devtools.simulator.server import SimulatorHandle
from bot.team.model import Team
from tests.fakes.stack import local_world, served
from tests.fakes.waits import WAIT_S
from tests.reliability.report import Report, Row

SIGNING_SECRET = "reliability-signing-secret"
BOT_TOKEN = "xoxb-reliability-bot-token"
NOW = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
UPSTREAM_TIMEOUT = 1  # seconds; the simulator's latency knob goes beyond it


@pytest.fixture(scope="session")
def report() -> Iterator[Report]:
    collected = Report()
    yield collected
    collected.write()


@pytest.fixture
def record(report: Report, request: pytest.FixtureRequest) -> Iterator[Callable[..., None]]:
    """`record(id, area, fault, injected, user_sees, next_step, nothing_lost)`; the result is the test's."""
    pending: list[Row] = []

    def add(*cells: str) -> None:
        pending.append(Row(*cells))

    yield add
    failed = getattr(request.node, "rep_call_failed", True)
    gap = getattr(request.node, "rep_known_gap", False)
    result = "KNOWN GAP (xfail)" if gap else "FAIL" if failed else "pass"
    for row in pending:
        cells = (row.id, row.area, row.fault, row.injected, row.user_sees, row.next_step, row.nothing_lost)
        report.add(Row(*cells, result=result))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call":
        item.rep_call_failed = rep.failed  # type: ignore[attr-defined]
        item.rep_known_gap = hasattr(rep, "wasxfail")  # type: ignore[attr-defined]


class DatabaseSwitch:
    """Every statement on the engine raises OperationalError while `down` (the server went away)."""

    def __init__(self, engine: Engine) -> None:
        self.down = threading.Event()
        self.refused = 0  # statements refused so far (a test waits on this to know the outage was felt)
        event.listen(engine, "before_cursor_execute", self._check)

    def _check(self, *args: Any, **kwargs: Any) -> None:
        if self.down.is_set():
            self.refused += 1
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("database unavailable (test)"))

    @contextmanager
    def outage(self) -> Iterator[None]:
        self.down.set()
        try:
            yield
        finally:
            self.down.clear()


@dataclass
class Stack:
    sim: SimulatorHandle
    slack: FakeSlack
    bot: Running
    services: Services
    clock: FixedClock
    db: DatabaseSwitch

    @property
    def team(self) -> Team:
        return self.bot.bot.team  # the served bot's team features

    def seen(self, user: str) -> set[str]:
        return {m.ts for m in self.slack.ephemerals(user)}

    def wait_ephemeral(
        self,
        user: str,
        predicate: Callable[[Message], bool],
        timeout: float = WAIT_S,
        *,
        exclude: set[str] | None = None,
    ) -> Message:
        """The newest private message to `user` matching `predicate` (and not among `exclude`)."""
        skip = exclude or set()

        def found() -> Message | None:
            for message in reversed(self.slack.ephemerals(user)):
                if message.ts not in skip and predicate(message):
                    return message
            return None

        return self.slack.wait_for(found, timeout=timeout)


def has_text(needle: str) -> Callable[[Message], bool]:
    return lambda m: needle in m.text or needle in repr(m.blocks)


def not_working(m: Message) -> bool:
    return "Working" not in m.text and m.kind == "ephemeral" and m.user != m.ephemeral_for


@pytest.fixture
def stack(make_settings: Callable[..., Settings], request: pytest.FixtureRequest) -> Iterator[Stack]:
    """`@pytest.mark.parametrize("stack", [600], indirect=True)` turns the results cache on (TTL seconds)."""
    clock = FixedClock(NOW, running=True)
    with local_world(
        make_settings,
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        clock=clock,
        simulator={"now": NOW, "device_interval": 1},
        upstream_timeout=float(UPSTREAM_TIMEOUT),
        # by default every command goes upstream, so every fault is seen
        cache_ttl_seconds=int(getattr(request, "param", 0)),
        digest_settle_seconds=1,  # an unknown digest outcome is checked in the channel's history after 1 s
    ) as world:
        db = DatabaseSwitch(world.services.engine)
        with served(world) as bot:
            yield Stack(world.sim, world.slack, bot, world.services, clock, db)
