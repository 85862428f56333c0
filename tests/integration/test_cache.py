"""The shared usage cache: hits skip QwenCloud, shared via the database, TTL, --refresh, logout, owners."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine, select, update

from bot.base import metrics
from bot.base.clock import FixedClock
from bot.base.periods import DateRange
from bot.core.usage import UsageService
from bot.devtools.simulator.server import SimulatorHandle, start_simulator
from bot.qwencloud.client import QwenCloudClient
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.storage.cache import DbCache, account_key, decode, encode, usage_cache
from bot.storage.credentials import CredentialStore
from bot.storage.crypto import Crypto
from bot.storage.db import make_engine
from bot.storage.owner import Owner
from tests.conftest import T0

ALICE, BOB, ALICE_ELSEWHERE = Owner("T1", "U1"), Owner("T1", "U2"), Owner("T2", "U1")
MARCH = DateRange(date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with start_simulator(now=T0) as handle:
        yield handle


@pytest.fixture
def client(sim: SimulatorHandle) -> Iterator[QwenCloudClient]:
    http = httpx.Client()
    yield QwenCloudClient(http=http, api_endpoint=sim.url, auth_endpoint=sim.url,
                          model_map_url=f"{sim.url}/model-mapping")
    http.close()


OPENED: list[UsageService] = []


@pytest.fixture(autouse=True)
def _close_services() -> Iterator[None]:
    """Each service owns a thread pool: closed after the test, so its threads do not outlive it."""
    yield
    while OPENED:
        OPENED.pop().close()


def service(client: QwenCloudClient, cache: DbCache, clock: FixedClock) -> UsageService:
    svc = UsageService(client=client, clock=clock, cache=cache)
    OPENED.append(svc)
    return svc


def calls(sim: SimulatorHandle) -> int:
    return len(sim.state.calls)


def test_second_query_is_served_from_the_database(
    engine: Engine, client: QwenCloudClient, sim: SimulatorHandle, clock: FixedClock
) -> None:
    m = metrics.reset_metrics()
    token = sim.issue_token()
    usage = service(client, DbCache(engine=engine, clock=clock), clock)
    before = calls(sim)
    first = usage.summary(token, MARCH, account=account_key(ALICE))
    upstream = calls(sim) - before
    assert upstream >= 3  # free tier, plans, consume summaries
    again = usage.summary(token, MARCH, account=account_key(ALICE))
    assert calls(sim) - before == upstream and again == first
    assert m.cache.labels(result="hit")._value.get() == 1
    assert m.cache.labels(result="miss")._value.get() == 1
    usage.close()


def test_cache_is_shared_by_processes_through_the_database(
    db_url: str, engine: Engine, client: QwenCloudClient, sim: SimulatorHandle, clock: FixedClock
) -> None:
    token = sim.issue_token()
    writer = service(client, DbCache(engine=engine, clock=clock), clock)
    other_engine = make_engine(db_url)  # another process's connection pool
    reader = service(client, DbCache(engine=other_engine, clock=clock), clock)
    try:
        expected = writer.payg(token, MARCH, account=account_key(ALICE))
        before = calls(sim)
        assert reader.payg(token, MARCH, account=account_key(ALICE)) == expected
        assert calls(sim) == before
    finally:
        writer.close(), reader.close()
        other_engine.dispose()


def test_ttl_refresh_and_owners(
    engine: Engine, client: QwenCloudClient, sim: SimulatorHandle, clock: FixedClock
) -> None:
    token = sim.issue_token()
    usage = service(client, DbCache(engine=engine, clock=clock, ttl_seconds=600), clock)
    usage.free_tier(token, account=account_key(ALICE))
    n = calls(sim)
    usage.free_tier(token, account=account_key(ALICE))
    assert calls(sim) == n  # hit
    usage.free_tier(token, account=account_key(ALICE), fresh=True)
    assert calls(sim) > n  # --refresh went upstream
    n = calls(sim)
    usage.free_tier(token, account=account_key(BOB))
    usage.free_tier(token, account=account_key(ALICE_ELSEWHERE))
    assert calls(sim) > n  # never another user's or another workspace's row
    n = calls(sim)
    clock.advance(timedelta(seconds=599))
    usage.free_tier(token, account=account_key(ALICE))
    assert calls(sim) == n
    clock.advance(timedelta(seconds=2))  # the refresh above was written at T0: 601 s old now
    usage.free_tier(token, account=account_key(ALICE))
    assert calls(sim) > n
    usage.close()


def test_logout_and_relogin_drop_the_owners_rows_only(engine: Engine, clock: FixedClock, key: str) -> None:
    cache = DbCache(engine=engine, clock=clock)
    store = CredentialStore(engine=engine, crypto=Crypto([key.encode()]), clock=clock)
    creds = DeviceCredentials(access_token="at-1", expires_at=T0 + timedelta(hours=12),
                              user=QwenUser(id="q1", email="a@example.com", aliyun_id="a1"))
    for owner in (ALICE, BOB):
        cache.put(account_key(owner), "free_tier", ())
    store.put(ALICE, creds)  # re-login: may be another QwenCloud account
    assert cache.get(account_key(ALICE), "free_tier") is None
    assert cache.get(account_key(BOB), "free_tier") == ()
    cache.put(account_key(ALICE), "free_tier", ())
    store.delete(ALICE)  # logout
    assert cache.get(account_key(ALICE), "free_tier") is None
    assert cache.get(account_key(BOB), "free_tier") == ()
    assert cache.invalidate_owner(BOB) == 1 and cache.get(account_key(BOB), "free_tier") is None


def test_codec_round_trips_every_result_type(
    engine: Engine, client: QwenCloudClient, sim: SimulatorHandle, clock: FixedClock
) -> None:
    token = sim.issue_token()
    usage = UsageService(client=client, clock=clock)  # no cache: the originals
    models = usage.payg(token, MARCH).models
    values: list[object] = [usage.summary(token, MARCH), usage.free_tier(token), usage.payg(token, MARCH)]
    if models:
        values.append(usage.breakdown(token, models[0].model_id, MARCH, "day"))
    usage.close()
    for value in values:
        assert decode(json.loads(json.dumps(encode(value)))["value"]) == value


def test_rows_that_do_not_decode_are_misses_and_foreign_classes_are_refused(
    engine: Engine, clock: FixedClock
) -> None:
    cache = DbCache(engine=engine, clock=clock)
    cache.put("acct", "k", DateRange(date(2026, 3, 1), date(2026, 3, 2)))
    assert cache.get("acct", "k") == DateRange(date(2026, 3, 1), date(2026, 3, 2))
    evil = json.dumps({"v": 1, "value": {"$dc": "subprocess:Popen", "f": {"args": ["true"]}}})
    with engine.begin() as conn:
        conn.execute(update(usage_cache).values(value=evil))
    assert cache.get("acct", "k") is None
    with pytest.raises(TypeError):
        encode(object())
    cache.put("acct", "k2", object())  # not cacheable: ignored, not raised
    assert cache.get("acct", "k2") is None


def test_long_keys_and_purge(engine: Engine, clock: FixedClock) -> None:
    cache = DbCache(engine=engine, clock=clock, ttl_seconds=60)
    long_a, long_b = "breakdown:" + "m" * 400 + ":a", "breakdown:" + "m" * 400 + ":b"
    cache.put("acct", long_a, 1)
    cache.put("acct", long_b, 2)
    assert (cache.get("acct", long_a), cache.get("acct", long_b)) == (1, 2)
    clock.advance(timedelta(seconds=61))
    assert cache.purge_expired() == 2
    with engine.connect() as conn:
        assert conn.execute(select(usage_cache)).first() is None


def test_ttl_zero_disables_and_a_missing_database_is_only_a_miss(tmp_path: object, clock: FixedClock) -> None:
    off = DbCache(engine=make_engine("sqlite://"), clock=clock, ttl_seconds=0)
    off.put("a", "k", 1)
    assert off.get("a", "k") is None
    # no usage_cache table at all (database not migrated, or unreachable): reads miss, writes are dropped
    broken = DbCache(engine=make_engine("sqlite://"), clock=FixedClock(datetime(2026, 1, 1, tzinfo=UTC)))
    broken.put("a", "k", 1)
    assert broken.get("a", "k") is None
