"""Expiry reminders: one DM before a login expires (a quarter of its lifetime before, at most a day), once
per credential, whatever the worker count; only for people who used the bot recently; never right after a
login, whatever its lifetime (1 hour to 30 days)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.bootstrap import Services
from bot.devtools.localslack import MEMBER, FakeSlack
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.storage.owner import Owner
from bot.team.jobs.reminders import ReminderJob
from tests.fakes.slack import static_team
from tests.integration.conftest import TOKEN

NOW = datetime(2026, 4, 13, 9, 0, tzinfo=UTC)


@pytest.fixture
def services(team_services: Callable[..., Services]) -> Services:
    return team_services(NOW)


def job(services: Services, worker: str) -> ReminderJob:
    team = static_team(services, TOKEN)
    return ReminderJob(
        credentials_engine=services.engine,
        credentials=services.credentials,
        reminders=team.reminders,
        slack=team.slack,
        worker_id=worker,
    )


def put(services: Services, owner: Owner, expires: datetime, *, used: datetime | None = None) -> None:
    """A login stored now (the services' clock) until `expires`; `used`: the owner asked the bot then."""
    stored = services.credentials.put(owner, DeviceCredentials("tok", expires, QwenUser("u", None, None)))
    if used is not None:
        services.credentials.touch(stored, now=used)


def login_at(services: Services, moment: datetime) -> None:
    services.clock.advance(moment - services.clock.now())  # type: ignore[attr-defined]


def reminders(slack: FakeSlack) -> list[str]:
    return [m.text for m in slack.dms(MEMBER) if "login expires" in m.text]


def test_one_reminder_per_credential(services: Services, slack: FakeSlack) -> None:
    team_id = slack.ws.team_id
    expires = NOW + timedelta(days=30)
    put(services, Owner(team_id, MEMBER), expires, used=expires - timedelta(days=2))
    put(services, Owner.team_account(team_id, "prod"), expires)
    put(services, Owner("local", "cli:me"), expires)
    w1, w2 = job(services, "w1"), job(services, "w2")
    assert w1.run_due(expires - timedelta(days=1, minutes=1)) == 0  # not yet
    assert w1.run_due(expires - timedelta(hours=23)) == 1
    assert w2.run_due(expires - timedelta(hours=23)) == 0
    assert w2.run_due(expires - timedelta(hours=2)) == 0
    assert len(reminders(slack)) == 1
    assert expires.strftime("%Y-%m-%d %H:%M") in reminders(slack)[0]
    # a new login is a new credential: it gets its own reminder when its time comes
    renewed = expires + timedelta(days=30)
    login_at(services, expires - timedelta(hours=1))
    put(services, Owner(team_id, MEMBER), renewed, used=renewed - timedelta(days=3))
    assert w1.run_due(renewed - timedelta(hours=12)) == 1
    assert len(reminders(slack)) == 2


@pytest.mark.parametrize(
    ("lifetime", "lead"),
    [
        (timedelta(hours=1), timedelta(minutes=15)),
        (timedelta(hours=2), timedelta(minutes=30)),
        (timedelta(hours=12), timedelta(hours=3)),
        (timedelta(days=30), timedelta(days=1)),
    ],
)
def test_reminder_fits_the_login_lifetime(
    services: Services, slack: FakeSlack, lifetime: timedelta, lead: timedelta
) -> None:
    expires = NOW + lifetime
    put(services, Owner(slack.ws.team_id, MEMBER), expires, used=max(NOW, expires - timedelta(days=2)))
    worker = job(services, "w1")
    assert worker.run_due(NOW) == 0  # never right after the login
    assert worker.run_due(NOW + timedelta(minutes=1)) == 0
    assert worker.run_due(expires - lead - timedelta(minutes=1)) == 0
    assert worker.run_due(expires - lead) == 1
    assert worker.run_due(expires - lead / 2) == 0  # once
    assert len(reminders(slack)) == 1


def test_only_recent_users_are_reminded(services: Services, slack: FakeSlack) -> None:
    team_id = slack.ws.team_id
    expires = NOW + timedelta(days=30)
    put(services, Owner(team_id, MEMBER), expires)  # logged in, never asked anything
    put(services, Owner(team_id, "U_STALE"), expires, used=NOW)  # asked on day 1 only
    worker = job(services, "w1")
    assert worker.run_due(expires - timedelta(hours=12)) == 0
    # asking (the chat's token lookup) marks the user as recent: reminded next pass
    services.accounts.credential_for(Owner(team_id, MEMBER), now=expires - timedelta(hours=11))
    assert worker.run_due(expires - timedelta(hours=10)) == 1
    assert len(reminders(slack)) == 1


def test_expired_login_is_not_reminded(services: Services, slack: FakeSlack) -> None:
    put(services, Owner(slack.ws.team_id, MEMBER), NOW - timedelta(minutes=1), used=NOW)
    assert job(services, "w1").run_due(NOW) == 0
    assert reminders(slack) == []


def test_team_account_expiry_reminds_its_linker(services: Services, slack: FakeSlack) -> None:
    from bot.devtools.localslack import ADMIN

    team = static_team(services, TOKEN)
    team_id = slack.ws.team_id
    expires = NOW + timedelta(hours=80)  # reminded a day before (a quarter of 80 h is more)
    put(services, Owner.team_account(team_id, "prod"), expires)
    put(services, Owner.team_account(team_id, "orphan"), expires)
    team.health.linked_by(team_id, "prod", ADMIN, now=NOW)
    full = ReminderJob(
        credentials_engine=services.engine,
        credentials=services.credentials,
        reminders=team.reminders,
        slack=team.slack,
        worker_id="w1",
        linker=team.linker,
    )
    assert full.run_due(NOW) == 0
    assert full.run_due(expires - timedelta(hours=20)) == 2
    assert full.run_due(expires - timedelta(hours=19)) == 0
    texts = [m.text for m in slack.dms(ADMIN) if "team account *prod* expires" in m.text]
    assert len(texts) == 1 and "relink prod" in texts[0]
