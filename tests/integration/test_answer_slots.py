"""The shared one-answer-per-user slot (bot/storage/answer_slots.py) on SQLite and PostgreSQL, and its
fallback in bot/core/inflight.py when the database fails."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.exc import OperationalError

from bot.base.clock import FixedClock
from bot.core.inflight import AnswerSlots
from bot.storage.answer_slots import AnswerSlotStore, answer_slot
from bot.storage.db import make_engine

TTL = 120
KEY = "T1:U1"


@pytest.fixture
def store(engine: Engine, clock: FixedClock) -> AnswerSlotStore:
    return AnswerSlotStore(engine=engine, clock=clock, ttl_seconds=TTL)


def test_one_holder_per_user_until_released(store: AnswerSlotStore) -> None:
    assert store.acquire(KEY, "req1")
    assert not store.acquire(KEY, "req2")
    assert store.acquire("T1:U2", "req3")  # another user is not held up
    assert store.acquire(KEY, "req1")  # the holder itself may ask again
    assert store.holds(KEY, "req1") and not store.holds(KEY, "req2")
    store.release(KEY, "req1")
    assert not store.holds(KEY, "req1")
    assert store.acquire(KEY, "req2")


def test_release_by_another_holder_does_nothing(store: AnswerSlotStore, engine: Engine) -> None:
    assert store.acquire(KEY, "req1")
    store.release(KEY, "req2")
    store.release("T1:U9", "req1")  # same holder name, another user's key
    assert store.holds(KEY, "req1")
    assert not store.acquire(KEY, "req2")
    with engine.connect() as conn:
        assert conn.execute(select(answer_slot.c.holder)).scalars().all() == ["req1"]


def test_expiry_frees_a_slot_whose_process_died(store: AnswerSlotStore, clock: FixedClock) -> None:
    assert store.acquire(KEY, "req1")
    clock.advance(timedelta(seconds=TTL - 1))
    assert not store.acquire(KEY, "req2")  # still within its time
    clock.advance(timedelta(seconds=1))
    assert not store.holds(KEY, "req1")
    assert store.acquire(KEY, "req2")  # taken over, with a fresh expiry
    store.release(KEY, "req1")  # the dead holder coming back late frees nothing
    assert store.holds(KEY, "req2")
    clock.advance(timedelta(seconds=TTL - 1))
    assert not store.acquire(KEY, "req3")


def test_long_keys_and_holders_are_hashed_not_cut(store: AnswerSlotStore) -> None:
    url = "https://hooks.slack.com/commands/T1/1/" + "x" * 400
    assert store.acquire(KEY, url)
    assert not store.acquire(KEY, url[:-1] + "y")  # would collide if cut at 255
    assert store.holds(KEY, url)
    store.release(KEY, url)
    assert store.acquire("T1:" + "U" * 400, url)


def test_concurrent_acquirers_exactly_one_wins(db_url: str, engine: Engine, clock: FixedClock) -> None:
    """Eight acquirers per user, each on its own engine (as separate processes are), released at once."""
    threads, users = 8, 10
    engines = [make_engine(db_url) for _ in range(threads)]
    stores = [AnswerSlotStore(engine=e, clock=clock, ttl_seconds=TTL) for e in engines]
    wins: dict[str, list[int]] = {f"T1:U{u}": [] for u in range(users)}
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def race(i: int) -> None:
        for key in wins:
            barrier.wait()
            if stores[i].acquire(key, f"req{i}"):
                with lock:
                    wins[key].append(i)

    try:
        runners = [threading.Thread(target=race, args=(i,)) for i in range(threads)]
        for t in runners:
            t.start()
        for t in runners:
            t.join()
    finally:
        for e in engines:
            e.dispose()
    assert all(len(winners) == 1 for winners in wins.values()), wins
    with engine.connect() as conn:
        rows = dict(conn.execute(select(answer_slot.c.owner_key, answer_slot.c.holder)).tuples().all())
    assert rows == {key: f"req{winners[0]}" for key, winners in wins.items()}


class Outage:
    """Every statement on the engine raises OperationalError while `down` is set."""

    def __init__(self, engine: Engine) -> None:
        self.down = threading.Event()
        event.listen(engine, "before_cursor_execute", self._check)

    def _check(self, *args: Any, **kwargs: Any) -> None:
        if self.down.is_set():
            raise OperationalError("INSERT", {}, ConnectionRefusedError("database unavailable (test)"))


@pytest.fixture
def outage(engine: Engine) -> Iterator[Outage]:
    switch = Outage(engine)
    yield switch
    event.remove(engine, "before_cursor_execute", switch._check)


def test_slots_use_the_database_and_remember_their_own_admissions(
    store: AnswerSlotStore, clock: FixedClock
) -> None:
    web1, web2 = AnswerSlots(shared=store, ttl=TTL), AnswerSlots(shared=store, ttl=TTL)
    assert web1.acquire(KEY, "req1")
    assert not web2.acquire(KEY, "req2")  # the other process sees the same slot
    assert web1.holds(KEY, "req1") and not web2.holds(KEY, "req2")
    web1.release(KEY, "req1")
    assert web2.acquire(KEY, "req3")
    assert not web1.acquire(KEY, "req4")


def test_a_failing_database_falls_back_to_this_process(
    store: AnswerSlotStore, outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    slots = AnswerSlots(shared=store, ttl=TTL)
    outage.down.set()
    assert slots.acquire(KEY, "req1")  # the question is not refused because the database is down
    assert not slots.acquire(KEY, "req2")  # ...and this process still allows one at a time
    assert slots.holds(KEY, "req1")
    slots.release(KEY, "req1")  # the shared release fails quietly; the local slot is freed
    assert slots.acquire(KEY, "req2")
    assert "shared answer slot unavailable (OperationalError)" in caplog.text
    outage.down.clear()
    assert slots.holds(KEY, "req2")  # admitted while down: the lazy half still answers it
    slots.release(KEY, "req2")
    assert store.acquire(KEY, "req3")


def test_database_failing_after_the_ack_loses_no_answer(store: AnswerSlotStore, outage: Outage) -> None:
    slots = AnswerSlots(shared=store, ttl=TTL)
    assert slots.acquire(KEY, "req1")  # the ack, with the database up
    outage.down.set()
    assert slots.holds(KEY, "req1")  # the lazy half asks this process, not the database
    slots.release(KEY, "req1")
    outage.down.clear()
    assert store.holds(KEY, "req1")  # the row stays until it expires; nothing else is touched
