"""The shared one-answer-per-user slot (bot/storage/answer_slots.py) on SQLite and PostgreSQL, and its
fallback in bot/core/inflight.py when the database fails."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, select, text
from sqlalchemy.exc import OperationalError

from bot.base.clock import FixedClock
from bot.core.inflight import AnswerSlots
from bot.storage.answer_slots import AnswerSlotStore, answer_slot
from bot.storage.db import make_engine
from bot.storage.migrate import upgrade

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


def test_slots_admit_in_the_process_and_claim_in_the_database(store: AnswerSlotStore) -> None:
    web1, web2 = AnswerSlots(shared=store, ttl=TTL), AnswerSlots(shared=store, ttl=TTL)
    assert web1.admit(KEY, "req1") and web1.claim(KEY, "req1")
    assert not web1.admit(KEY, "req2")  # the same process refuses in the ack, no database asked
    assert web2.admit(KEY, "req3")  # another process cannot know in its ack...
    assert not web2.claim(KEY, "req3")  # ...its lazy half is refused by the shared slot
    assert not web2.holds(KEY, "req3") and web2.admit(KEY, "req4")  # the refusal left nothing behind here
    assert not web2.claim(KEY, "req4")
    web1.release(KEY, "req1")
    assert web2.admit(KEY, "req5") and web2.claim(KEY, "req5")
    assert web1.admit(KEY, "req6") and not web1.claim(KEY, "req6")


def test_a_failing_database_falls_back_to_this_process(
    store: AnswerSlotStore, outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    slots = AnswerSlots(shared=store, ttl=TTL)
    outage.down.set()
    assert slots.admit(KEY, "req1") and slots.claim(KEY, "req1")  # not refused because the database is down
    assert "shared answer slot unavailable (OperationalError)" in caplog.text
    assert not slots.admit(KEY, "req2")  # ...and this process still allows one at a time
    assert slots.holds(KEY, "req1")
    slots.release(KEY, "req1")  # the shared release fails quietly; the local slot is freed
    assert "shared answer slot not released (OperationalError)" in caplog.text
    assert slots.admit(KEY, "req2")
    outage.down.clear()
    assert slots.claim(KEY, "req2") and slots.holds(KEY, "req2")
    slots.release(KEY, "req2")
    assert store.acquire(KEY, "req3")


def test_database_failing_during_the_answer_loses_nothing(store: AnswerSlotStore, outage: Outage) -> None:
    slots = AnswerSlots(shared=store, ttl=TTL)
    assert slots.admit(KEY, "req1") and slots.claim(KEY, "req1")
    outage.down.set()
    assert slots.holds(KEY, "req1")  # the lazy half asks this process, not the database
    slots.release(KEY, "req1")  # the shared row stays behind
    outage.down.clear()
    assert store.holds(KEY, "req1")
    other = AnswerSlots(shared=store, ttl=TTL)
    assert other.admit(KEY, "req2") and not other.claim(KEY, "req2")  # elsewhere: held until released
    assert slots.admit(KEY, "req3") and slots.claim(KEY, "req3")  # here: the release is retried first
    assert not store.holds(KEY, "req1")


def test_group_commit_shares_commits_and_keeps_each_answer(engine: Engine, clock: FixedClock) -> None:
    """Forty threads acquiring at once: each gets its own answer, in fewer commits than acquires."""
    store = AnswerSlotStore(engine=engine, clock=clock, ttl_seconds=TTL)
    commits: list[int] = []
    event.listen(engine, "commit", lambda conn: commits.append(1))
    threads = 40
    barrier = threading.Barrier(threads)
    won: list[bool] = [False] * threads

    def ask(i: int) -> None:
        barrier.wait()
        won[i] = store.acquire(f"T1:U{i % 20}", f"req{i}")  # two askers per user

    runners = [threading.Thread(target=ask, args=(i,)) for i in range(threads)]
    for t in runners:
        t.start()
    for t in runners:
        t.join()
    assert sum(won) == 20 and all(won[i] != won[i + 20] for i in range(20))
    assert len(commits) < threads
    with engine.connect() as conn:
        assert len(conn.execute(select(answer_slot)).all()) == 20


def test_group_commit_failure_reaches_every_caller(store: AnswerSlotStore, outage: Outage) -> None:
    outage.down.set()
    with pytest.raises(OperationalError):
        store.acquire(KEY, "req1")
    outage.down.clear()
    assert store.acquire(KEY, "req1")  # the next batch is led again


@pytest.mark.postgres
def test_postgres_keeps_slots_out_of_the_wal(postgres_url: str) -> None:
    pg = make_engine(postgres_url)
    try:
        upgrade(pg)
        with pg.connect() as conn:
            query = text("SELECT relpersistence FROM pg_class WHERE oid = to_regclass('answer_slot')")
            assert conn.execute(query).scalar_one() == "u"  # UNLOGGED
    finally:
        pg.dispose()
