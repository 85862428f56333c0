"""The delivery state machine on SQLite and PostgreSQL: one owner per period, no retry after 'sending'."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, insert

from bot.storage.delivery import Deliveries
from bot.storage.team import digest_run, digest_subscription
from tests.conftest import T0


@pytest.fixture
def runs(engine: Engine) -> Deliveries:
    with engine.begin() as conn:
        conn.execute(
            insert(digest_subscription).values(
                id=1,
                team_id="T1",
                channel_id="C1",
                account="prod",
                cadence="weekly",
                day=0,
                at_time="09:00",
                timezone="UTC",
                created_by="U1",
                created_at=T0,
            )
        )
    return Deliveries(engine=engine, table=digest_run, lease=timedelta(minutes=5), max_attempts=3)


KEY = {"subscription_id": 1, "period_start": date(2026, 4, 6)}
EXTRA = {"occurrence": T0}


def test_second_insert_for_the_same_period_loses(runs: Deliveries) -> None:
    first = runs.create(KEY, worker_id="w1", now=T0, extra=EXTRA)
    second = runs.create(KEY, worker_id="w2", now=T0, extra=EXTRA)
    assert first is not None and first.attempts == 1
    assert second is None


def test_claim_of_a_dead_worker_is_taken_over_after_the_lease(runs: Deliveries) -> None:
    assert runs.create(KEY, worker_id="w1", now=T0, extra=EXTRA) is not None
    assert runs.create(KEY, worker_id="w2", now=T0 + timedelta(minutes=4), extra=EXTRA) is None
    taken = runs.create(KEY, worker_id="w2", now=T0 + timedelta(minutes=6), extra=EXTRA)
    assert taken is not None and taken.worker_id == "w2" and taken.attempts == 2


def test_posted_row_is_never_claimed_again(runs: Deliveries) -> None:
    claim = runs.create(KEY, worker_id="w1", now=T0, extra=EXTRA)
    assert claim is not None
    assert runs.sending(claim, now=T0, channel_id="C1")
    assert runs.posted(claim, now=T0, ts="123.456")
    later = T0 + timedelta(days=1)
    assert runs.create(KEY, worker_id="w2", now=later, extra=EXTRA) is None
    assert runs.due_ids(now=later) == []
    row = runs.find(KEY)
    assert row is not None and row["state"] == "posted" and row["message_ts"] == "123.456"


def test_sending_with_expired_lease_becomes_failed_not_retried(runs: Deliveries) -> None:
    claim = runs.create(KEY, worker_id="w1", now=T0, extra=EXTRA)
    assert claim is not None and runs.sending(claim, now=T0, channel_id="C1")
    later = T0 + timedelta(minutes=10)
    assert runs.due_ids(now=later) == []
    assert runs.create(KEY, worker_id="w2", now=later, extra=EXTRA) is None
    assert runs.expire_unknown(now=later) == 1
    row = runs.find(KEY)
    assert row is not None and row["state"] == "failed" and "unknown" in row["error"]
    assert runs.due_ids(now=later + timedelta(days=1)) == []
    # a slow worker that did post after all still records its ts
    assert runs.posted(claim, now=later, ts="9.9")


def test_retry_waits_for_retry_after_then_anyone_may_take_it(runs: Deliveries) -> None:
    claim = runs.create(KEY, worker_id="w1", now=T0, extra=EXTRA)
    assert claim is not None and runs.sending(claim, now=T0, channel_id="C1")
    assert runs.retry(claim, now=T0, after=timedelta(seconds=30), error="ratelimited") == "retry"
    assert runs.due_ids(now=T0 + timedelta(seconds=29)) == []
    (row_id,) = runs.due_ids(now=T0 + timedelta(seconds=30))
    second = runs.take(row_id, worker_id="w2", now=T0 + timedelta(seconds=30))
    assert second is not None and second.attempts == 2
    assert runs.take(row_id, worker_id="w3", now=T0 + timedelta(seconds=31)) is None
    # the first worker lost the claim: it may not send again
    assert not runs.sending(claim, now=T0 + timedelta(seconds=31), channel_id="C1")


def test_gives_up_after_max_attempts(runs: Deliveries) -> None:
    now = T0
    claim = runs.create(KEY, worker_id="w1", now=now, extra=EXTRA)
    for _ in range(2):
        assert claim is not None
        assert runs.retry(claim, now=now, after=timedelta(seconds=1), error="ratelimited") == "retry"
        now += timedelta(seconds=1)
        claim = runs.take(claim.row_id, worker_id="w1", now=now)
    assert claim is not None and claim.attempts == 3
    assert runs.retry(claim, now=now, after=timedelta(seconds=1), error="ratelimited") == "failed"
    assert runs.due_ids(now=now + timedelta(hours=1)) == []
