"""Renew ahead and never silence, job by job, on SQLite and PostgreSQL, with the local Slack Web API.

The renewal job DMs whoever linked a team account once from the lead time before a digest slot the login
will not reach, and once more an hour before; whatever the number of workers. A digest that waited for a
renewal past the catch-up window is skipped and its channel notice says so (updated, not reposted).
"""

from __future__ import annotations

import json
import time as clock
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from bot.base.schedule import Schedule
from bot.bootstrap import Services, digest_job
from bot.core.grammar.team import AccountAction
from bot.devtools.localslack import ADMIN, GENERAL, MEMBER, FakeSlack
from bot.devtools.simulator.server import SimulatorHandle, start_simulator
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.storage.owner import Owner
from bot.team.accounts import AdminCheck, LinkStarted, TeamAccounts
from bot.team.commands import Asked, TeamCommands
from bot.team.jobs.renewal import RenewalJob
from bot.team.model import Team
from bot.team.renewal_view import RENEW_ACTION
from tests.fakes.slack import static_team
from tests.integration.conftest import TOKEN

SLOT = datetime(2026, 4, 13, 9, 0, tzinfo=UTC)  # a Monday
NOW = SLOT - timedelta(hours=30)


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    """Only for the tests that start a real device flow (link / relink)."""
    with start_simulator(now=NOW) as handle:
        yield handle


@pytest.fixture
def services(team_services: Callable[..., Services]) -> Services:
    return team_services(NOW)


@pytest.fixture
def team(services: Services, slack: FakeSlack) -> Team:
    team = static_team(services, TOKEN)
    team.health.linked_by(slack.ws.team_id, "ops", ADMIN, now=NOW)
    team.subscriptions.add(
        team_id=slack.ws.team_id,
        channel_id=GENERAL,
        account="ops",
        schedule=Schedule("weekly", 0, time(9, 0), "UTC"),
        created_by=ADMIN,
        now=NOW,
    )
    return team


def login(services: Services, team_id: str, expires: datetime, name: str = "ops") -> None:
    creds = DeviceCredentials("tok", expires, QwenUser("u", None, None))
    services.credentials.put(Owner.team_account(team_id, name), creds)


def job(team: Team, worker: str, lead: timedelta = timedelta(hours=24)) -> RenewalJob:
    return RenewalJob(
        logins=team.logins,
        notices=team.renewal_notices,
        slack=team.slack,
        recipients=team.renewers,
        worker_id=worker,
        lead=lead,
    )


def asks(slack: FakeSlack) -> list[str]:
    dms = [m.text + json.dumps(m.blocks) for m in slack.dms(ADMIN)]
    return [dm for dm in dms if "QwenCloud login to renew" in dm]


def test_one_dm_from_the_lead_time_and_one_last_call(
    services: Services, team: Team, slack: FakeSlack
) -> None:
    login(services, slack.ws.team_id, SLOT - timedelta(hours=2))
    w1, w2 = job(team, "w1"), job(team, "w2")
    assert w1.run_due(SLOT - timedelta(hours=25)) == 0  # before the lead time
    assert w1.run_due(SLOT - timedelta(hours=23)) == 1
    assert w2.run_due(SLOT - timedelta(hours=23)) == 0  # one DM however many workers
    assert w2.run_due(SLOT - timedelta(hours=2)) == 0
    [first] = asks(slack)
    assert "*ops*" in first and "expires 2026-04-13 07:00 UTC" in first and "09:00 UTC" in first
    assert RENEW_ACTION in first and "Last call" not in first
    assert w2.run_due(SLOT - timedelta(minutes=50)) == 1  # still not renewed an hour before
    assert w1.run_due(SLOT - timedelta(minutes=50)) == 0
    assert w1.run_due(SLOT - timedelta(minutes=10)) == 0
    assert len(asks(slack)) == 2 and "Last call" in asks(slack)[1]


def test_renewed_in_time_gets_no_last_call(services: Services, team: Team, slack: FakeSlack) -> None:
    login(services, slack.ws.team_id, SLOT - timedelta(hours=2))
    assert job(team, "w1").run_due(SLOT - timedelta(hours=20)) == 1
    login(services, slack.ws.team_id, SLOT + timedelta(hours=12))  # renewed
    assert job(team, "w1").run_due(SLOT - timedelta(minutes=50)) == 0
    assert len(asks(slack)) == 1


def test_first_ask_within_the_last_hour_is_the_only_one(
    services: Services, team: Team, slack: FakeSlack
) -> None:
    login(services, slack.ws.team_id, SLOT - timedelta(hours=2))
    worker = job(team, "w1", lead=timedelta(minutes=45))  # QWEN_BOT_RENEW_LEAD_HOURS can be short too
    assert worker.run_due(SLOT - timedelta(minutes=50)) == 0
    assert worker.run_due(SLOT - timedelta(minutes=40)) == 1
    assert worker.run_due(SLOT - timedelta(minutes=5)) == 0
    assert len(asks(slack)) == 1


def test_dm_names_the_alerts_and_every_account_of_the_admin(
    services: Services, team: Team, slack: FakeSlack
) -> None:
    team_id = slack.ws.team_id
    login(services, team_id, SLOT - timedelta(hours=2))
    login(services, team_id, SLOT - timedelta(hours=3), name="prod")  # alerts only: its slot is its expiry
    team.health.linked_by(team_id, "prod", ADMIN, now=NOW)
    for account in ("ops", "prod"):
        team.alert_rules.add(
            team_id=team_id,
            channel_id=GENERAL,
            account=account,
            kind="payg_daily",
            target="",
            threshold=Decimal(5),
            created_by=ADMIN,
            now=NOW,
        )
    assert job(team, "w1").run_due(SLOT - timedelta(hours=20)) == 3  # ops: its alerts' expiry and the digest
    [dm] = asks(slack)
    assert "*ops*" in dm and "*prod*" in dm and dm.count(RENEW_ACTION) == 2
    assert "pay-as-you-go spend today above" in dm and "its alerts stop" not in dm


def test_not_renewed_within_the_catch_up_window_is_skipped_and_said(
    services: Services, team: Team, slack: FakeSlack
) -> None:
    login(services, slack.ws.team_id, SLOT - timedelta(hours=2))
    digests = digest_job(team, "w1", catchup=timedelta(hours=2))
    digests.run_due(SLOT + timedelta(minutes=1))
    digests.run_due(SLOT + timedelta(minutes=40))
    [notice] = slack.messages(GENERAL)
    assert "waiting for an admin to renew" in notice.text
    digests.run_due(SLOT + timedelta(hours=2, minutes=5))
    login(services, slack.ws.team_id, SLOT + timedelta(days=1))  # renewed, but too late for this digest
    digests.run_due(SLOT + timedelta(hours=3))
    [skipped] = slack.messages(GENERAL)
    assert skipped.ts == notice.ts and "skipped" in skipped.text
    assert team.subscriptions.last_run(1)["state"] == "failed"  # type: ignore[index]


def test_many_accounts_fit_block_kit_and_one_pass_stays_fast(
    services: Services, team: Team, slack: FakeSlack
) -> None:
    team_id = slack.ws.team_id
    names = [f"acct{i:03d}" for i in range(100)]
    for name in names:
        login(services, team_id, SLOT - timedelta(hours=2), name=name)
        team.health.linked_by(team_id, name, ADMIN, now=NOW)
        team.subscriptions.add(
            team_id=team_id,
            channel_id=GENERAL,
            account=name,
            schedule=Schedule("weekly", 0, time(9, 0), "UTC"),
            created_by=ADMIN,
            now=NOW,
        )
    started = clock.perf_counter()
    assert job(team, "w1").run_due(SLOT - timedelta(hours=20)) == 101  # ops too
    elapsed = clock.perf_counter() - started
    dms = asks(slack)
    assert len(dms) == 3  # 40 account slots per DM: within Block Kit's 50 blocks
    assert all(name in "".join(dms) for name in names)
    print(f"renewal pass: 101 account slots, {len(dms)} DMs in {elapsed:.2f}s")
    started = clock.perf_counter()
    assert job(team, "w2").run_due(SLOT - timedelta(hours=19)) == 0
    print(f"renewal pass with nothing to send: {clock.perf_counter() - started:.2f}s")


def test_a_relink_by_another_admin_keeps_the_first_linker(
    team_services: Callable[..., Services], slack: FakeSlack, sim: SimulatorHandle
) -> None:
    """The renewal DM goes to whoever linked the account first; the `accounts` DM shows both admins."""
    services = team_services(NOW, api_endpoint=sim.url, auth_endpoint=sim.url)
    team, team_id = static_team(services, TOKEN), slack.ws.team_id
    accounts = TeamAccounts(
        login=services.login,
        credentials=services.credentials,
        client=services.client,
        health=team.health,
        clock=services.clock,
    )
    assert isinstance(accounts.link(team_id, ADMIN, "ops"), LinkStarted)
    login(services, team_id, SLOT - timedelta(hours=2))  # the admin's device flow completed
    assert isinstance(accounts.link(team_id, MEMBER, "ops", relink=True), LinkStarted)  # another admin
    assert team.renewers(team_id, "ops") == [ADMIN]
    team.subscriptions.add(
        team_id=team_id,
        channel_id=GENERAL,
        account="ops",
        schedule=Schedule("weekly", 0, time(9, 0), "UTC"),
        created_by=MEMBER,
        now=NOW,
    )
    assert job(team, "w1").run_due(SLOT - timedelta(hours=20)) == 1
    assert len(asks(slack)) == 1
    assert not [m for m in slack.dms(MEMBER) if "QwenCloud login to renew" in m.text]
    admins = AdminCheck(configured=frozenset({f"{team_id}:{ADMIN}"}))
    commands = TeamCommands(team=team, accounts=accounts, admins=admins, clock=services.clock)
    listing = json.dumps(
        commands.answer(AccountAction("list"), Asked(team_id, ADMIN, None, "UTC"), None, None).payload()  # type: ignore[arg-type]
    )
    assert f"linked by <@{ADMIN}>" in listing and f"renewed by <@{MEMBER}>" in listing
    accounts.unlink(team_id, "ops")  # gone: whoever links it next is its first linker
    assert isinstance(accounts.link(team_id, MEMBER, "ops"), LinkStarted)
    assert team.renewers(team_id, "ops") == [MEMBER]


def add_alert(team: Team, team_id: str, account: str) -> None:
    team.alert_rules.add(
        team_id=team_id,
        channel_id=GENERAL,
        account=account,
        kind="payg_daily",
        target="",
        threshold=Decimal(5),
        created_by=ADMIN,
        now=NOW,
    )


def test_an_alerts_only_account_is_asked_from_the_lead_time_before_its_expiry_and_an_hour_before(
    services: Services, team: Team, slack: FakeSlack
) -> None:
    team_id = slack.ws.team_id
    expiry = SLOT - timedelta(hours=3)  # its alerts stop then
    login(services, team_id, expiry, name="prod")
    team.health.linked_by(team_id, "prod", ADMIN, now=NOW)
    add_alert(team, team_id, "prod")
    login(services, team_id, SLOT + timedelta(days=30))  # ops (the digest) is fine: only prod is asked for
    w1, w2 = job(team, "w1"), job(team, "w2")
    assert w1.run_due(expiry - timedelta(hours=25)) == 0  # before the lead time
    assert w1.run_due(expiry - timedelta(hours=23)) == 1
    assert w2.run_due(expiry - timedelta(hours=23)) == 0
    assert w2.run_due(expiry - timedelta(hours=2)) == 0
    assert w1.run_due(expiry - timedelta(minutes=50)) == 1  # the last call, an hour before
    assert w2.run_due(expiry - timedelta(minutes=10)) == 0
    assert w2.run_due(expiry + timedelta(minutes=10)) == 0  # the expiry itself brings nothing new
    first, last = asks(slack)
    assert "*prod*" in first and "expires 2026-04-13 06:00 UTC" in first and "pay-as-you-go" in first
    assert "Last call" in last and "*ops*" not in first + last


def test_an_account_with_digests_and_alerts_is_asked_before_its_alerts_stop_too(
    services: Services, team: Team, slack: FakeSlack
) -> None:
    """ops feeds Monday's digest and an alert; its login expires the Friday before: asked from the lead time
    before Friday (the alerts stop then), not only before Monday's digest; one section per account."""
    team_id = slack.ws.team_id
    expiry = SLOT - timedelta(days=3)
    login(services, team_id, expiry)
    add_alert(team, team_id, "ops")
    worker = job(team, "w1")
    assert worker.run_due(expiry - timedelta(hours=23)) == 1
    assert worker.run_due(expiry - timedelta(minutes=50)) == 1  # the last call before the alerts stop
    assert worker.run_due(expiry + timedelta(hours=1)) == 0
    assert worker.run_due(SLOT - timedelta(hours=23)) == 1  # still expired: asked before the digest too
    ahead, last, digest = asks(slack)
    assert "pay-as-you-go" in ahead and "weekly digest" not in ahead and "Last call" in last
    assert "weekly digest" in digest and digest.count(RENEW_ACTION) == 1


def test_both_slots_in_one_pass_make_one_section_per_account(
    services: Services, team: Team, slack: FakeSlack
) -> None:
    team_id = slack.ws.team_id
    login(services, team_id, SLOT - timedelta(hours=5))  # the expiry and the digest within one lead time
    add_alert(team, team_id, "ops")
    assert job(team, "w1").run_due(SLOT - timedelta(hours=20)) == 2  # two slots: two rows, one DM
    [dm] = asks(slack)
    assert dm.count(RENEW_ACTION) == 1 and "weekly digest" in dm and dm.count("pay-as-you-go") == 1


def test_without_a_linker_the_configured_admins_of_the_team_are_asked(
    team_services: Callable[..., Services], slack: FakeSlack
) -> None:
    """QWEN_BOT_ADMINS entries are `TEAM:USER`: the DM goes to the user id, and only for their own team."""
    team_id = slack.ws.team_id
    admins = frozenset({f"{team_id}:{ADMIN}", f"T_ELSEWHERE:{MEMBER}"})
    services = team_services(NOW, admins=admins)
    team = static_team(services, TOKEN)
    assert team.renewers(team_id, "ops") == [ADMIN]
    login(services, team_id, SLOT - timedelta(hours=2))
    team.subscriptions.add(
        team_id=team_id,
        channel_id=GENERAL,
        account="ops",
        schedule=Schedule("weekly", 0, time(9, 0), "UTC"),
        created_by=ADMIN,
        now=NOW,
    )
    assert job(team, "w1").run_due(SLOT - timedelta(hours=20)) == 1
    assert len(asks(slack)) == 1
    assert team.renewal_notices.find({"team_id": team_id, "target": ADMIN, "kind": "ahead"}) is not None
