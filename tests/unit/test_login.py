from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.base.clock import FixedClock
from bot.base.errors import HttpError, NetworkError
from bot.core.login import LoginOutcome, LoginService
from bot.qwencloud.models import AccountInfo, DeviceCode, DeviceCredentials, DevicePoll, QwenUser
from bot.storage.app_state import AppStateStore
from bot.storage.credentials import CredentialStore
from bot.storage.crypto import Crypto
from bot.storage.db import make_engine
from bot.storage.migrate import upgrade
from bot.storage.owner import Owner
from bot.storage.pending import NotifyTarget, PendingLogin, PendingLoginStore
from tests.conftest import T0

ALICE = Owner("T1", "U1")
W = "worker-1"


class FakeClient:
    def __init__(self) -> None:
        self.started = 0
        self.polls: list[dict[str, str]] = []
        self.answers: list[DevicePoll | Exception] = []
        self.account: AccountInfo | Exception = AccountInfo(aliyun_id="alice-aliyun", email="a@x.com")

    def start_device_flow(self, *, client_id: str, code_challenge: str) -> DeviceCode:
        self.started += 1
        self.challenge = code_challenge
        return DeviceCode(f"devtok-{self.started}", f"http://sim/verify?c={self.started}", 600, 5)

    def poll_device_flow(self, *, client_id: str, device_token: str, code_verifier: str) -> DevicePoll:
        self.polls.append({"client_id": client_id, "token": device_token, "verifier": code_verifier})
        answer = self.answers.pop(0) if self.answers else DevicePoll("authorization_pending")
        if isinstance(answer, Exception):
            raise answer
        return answer

    def account_info(self, access_token: str, *, timeout: float = 3.0) -> AccountInfo:
        if isinstance(self.account, Exception):
            raise self.account
        return self.account


def complete(token: str = "sk-new") -> DevicePoll:
    return DevicePoll(
        "complete", DeviceCredentials(token, T0 + timedelta(hours=12), QwenUser("id1", "e", None))
    )


class World:
    def __init__(self, engine: Engine, crypto: Crypto, clock: FixedClock) -> None:
        self.clock = clock
        self.client = FakeClient()
        self.pending = PendingLoginStore(engine=engine, crypto=crypto)
        self.credentials = CredentialStore(engine=engine, crypto=crypto, clock=clock)
        self.notified: list[LoginOutcome] = []
        self.login = LoginService(
            client=self.client,  # type: ignore[arg-type]
            credentials=self.credentials,
            pending=self.pending,
            app_state=AppStateStore(engine=engine, clock=clock),
            clock=clock,
            notify=self.notified.append,
        )

    def poll_due(self) -> LoginOutcome | None:
        """Advance to the row's next poll, claim it and poll once."""
        row = self.pending.latest_for_owner(ALICE)
        assert row is not None
        self.clock.advance(max(timedelta(0), row.next_poll_at - self.clock.now()))
        claimed = self.pending.claim(row.id, worker_id=W, now=self.clock.now(), lease=timedelta(seconds=60))
        return None if claimed is None else self.login.poll_once(claimed, worker_id=W)

    def row(self) -> PendingLogin:
        row = self.pending.latest_for_owner(ALICE)
        assert row is not None
        return row


@pytest.fixture
def world(sqlite_url: str, crypto: Crypto, clock: FixedClock) -> Iterator[World]:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    yield World(engine, crypto, clock)
    engine.dispose()


def test_start_then_second_start_reuses_the_same_link(world: World) -> None:
    first = world.login.start(ALICE, "personal", NotifyTarget(dm="U1"))
    second = world.login.start(ALICE)
    assert not first.reused and second.reused
    assert second.verification_url == first.verification_url and second.id == first.id
    assert world.client.started == 1
    assert first.expires_in(T0) == 600


def test_start_after_expiry_opens_a_new_flow(world: World) -> None:
    first = world.login.start(ALICE)
    world.clock.advance(timedelta(seconds=601))
    second = world.login.start(ALICE)
    assert not second.reused and second.verification_url != first.verification_url


def test_client_id_is_persistent_and_pkce_verifier_matches_challenge(world: World) -> None:
    from bot.qwencloud.pkce import challenge_for

    world.login.start(ALICE)
    world.poll_due()
    poll = world.client.polls[0]
    assert poll["client_id"] == world.login.client_id()
    assert challenge_for(poll["verifier"]) == world.client.challenge
    assert poll["token"] == "devtok-1"


def test_pending_then_complete_stores_credentials_and_notifies(world: World) -> None:
    world.login.start(ALICE, notify=NotifyTarget(response_url="https://hooks/1"))
    world.client.answers = [DevicePoll("authorization_pending"), complete()]
    first = world.poll_due()
    assert first is not None and first.kind == "pending" and not first.final
    assert world.row().next_poll_at == world.clock.now() + timedelta(seconds=5)
    outcome = world.poll_due()
    assert outcome is not None and outcome.kind == "complete"
    stored = world.credentials.get(ALICE)
    assert stored is not None and stored.access_token == "sk-new"
    assert stored.user.aliyun_id == "alice-aliyun"  # from account info
    assert [o.kind for o in world.notified] == ["complete"]
    assert world.notified[0].login.notify.response_url == "https://hooks/1"
    assert world.row().status == "complete"


def test_account_info_failure_falls_back_to_credential_user(world: World) -> None:
    world.login.start(ALICE)
    world.client.account = NetworkError("down")
    world.client.answers = [complete()]
    outcome = world.poll_due()
    assert outcome is not None and outcome.kind == "complete"
    assert outcome.user == QwenUser("id1", "e", None)


def test_slow_down_adds_five_seconds_for_good(world: World) -> None:
    world.login.start(ALICE)
    world.client.answers = [DevicePoll("slow_down"), DevicePoll("authorization_pending")]
    outcome = world.poll_due()
    assert outcome is not None and outcome.kind == "slow_down"
    assert world.row().interval == 10
    at = world.clock.now()
    assert world.row().next_poll_at == at + timedelta(seconds=10)
    world.poll_due()
    assert world.row().interval == 10  # stays
    assert world.row().next_poll_at - world.clock.now() == timedelta(seconds=10)


def test_denied_ends_the_row(world: World) -> None:
    world.login.start(ALICE)
    world.client.answers = [DevicePoll("access_denied")]
    outcome = world.poll_due()
    assert outcome is not None and outcome.kind == "denied" and outcome.final
    assert outcome.message == "Authorization was denied by the user."
    assert world.row().status == "denied" and world.credentials.get(ALICE) is None
    assert world.poll_due() is None  # nothing to claim any more


def test_expired_token_answer_and_local_expiry(world: World) -> None:
    world.login.start(ALICE)
    world.client.answers = [DevicePoll("expired_token")]
    assert world.poll_due().kind == "expired"  # type: ignore[union-attr]
    world.clock.advance(timedelta(seconds=1))
    world.login.start(ALICE)
    world.clock.advance(timedelta(seconds=600))
    calls = len(world.client.polls)
    row = world.pending.claim(world.row().id, worker_id=W, now=world.clock.now(), lease=timedelta(seconds=60))
    assert row is not None
    assert world.login.poll_once(row, worker_id=W).kind == "expired"
    assert len(world.client.polls) == calls  # expired locally: no poll sent
    assert [o.kind for o in world.notified] == ["expired", "expired"]


def test_transient_failures_back_off_then_recover(world: World) -> None:
    world.login.start(ALICE)
    boom = HttpError(502, "Bad Gateway", "http://x", "")
    world.client.answers = [NetworkError("refused"), boom, boom, boom, complete()]
    delays = []
    for _ in range(4):
        outcome = world.poll_due()
        assert outcome is not None and outcome.kind == "retry"
        delays.append(int((world.row().next_poll_at - world.clock.now()).total_seconds()))
    assert delays == [10, 20, 30, 30]
    assert world.row().failures == 4
    assert world.poll_due().kind == "complete"  # type: ignore[union-attr]


def test_next_poll_never_after_expiry(world: World) -> None:
    world.login.start(ALICE)
    world.clock.advance(timedelta(seconds=590))
    world.client.answers = [DevicePoll("slow_down")]
    world.poll_due()
    assert world.row().next_poll_at == world.row().expires_at


def test_team_account_login_stores_under_account_owner(world: World) -> None:
    world.login.start(ALICE, "team_account", account_name="prod")
    row = world.pending.latest_for_owner(ALICE, "team_account", "prod")
    assert row is not None
    world.clock.advance(timedelta(seconds=5))
    world.client.answers = [complete("sk-team")]
    claimed = world.pending.claim(row.id, worker_id=W, now=world.clock.now(), lease=timedelta(seconds=60))
    assert claimed is not None
    assert world.login.poll_once(claimed, worker_id=W).kind == "complete"
    team = world.credentials.get(Owner.team_account("T1", "prod"))
    assert team is not None and team.access_token == "sk-team"
    assert world.credentials.get(ALICE) is None


def test_a_failing_notifier_does_not_break_the_state_machine(world: World) -> None:
    def broken(_: Any) -> None:
        raise RuntimeError("slack down")

    world.login.set_notifier(broken)
    world.login.start(ALICE)
    world.client.answers = [DevicePoll("access_denied")]
    assert world.poll_due().kind == "denied"  # type: ignore[union-attr]
    assert world.row().status == "denied"


def test_concurrent_starts_converge_on_one_link(world: World) -> None:
    import threading

    barrier = threading.Barrier(2)
    original = world.client.start_device_flow

    def slow_start(**kwargs: str) -> DeviceCode:
        code = original(**kwargs)
        barrier.wait(timeout=10)  # both flows are opened before either is stored
        return code

    world.client.start_device_flow = slow_start  # type: ignore[method-assign]
    views: list[Any] = []
    threads = [threading.Thread(target=lambda: views.append(world.login.start(ALICE))) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=20)
    assert world.client.started == 2 and len(views) == 2
    assert views[0].verification_url == views[1].verification_url
    assert sorted(v.reused for v in views) == [False, True]
    active = world.pending.get_active_for_owner(ALICE, now=world.clock.now())
    assert active is not None and active.id == views[0].id
