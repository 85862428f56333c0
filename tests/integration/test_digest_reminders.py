"""Expiry reminders: one DM a day before a login expires, once per credential, whatever the worker count."""

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


def put(services: Services, owner: Owner, expires: datetime) -> None:
    services.credentials.put(owner, DeviceCredentials("tok", expires, QwenUser("u", None, None)))


def reminders(slack: FakeSlack) -> list[str]:
    return [m.text for m in slack.dms(MEMBER) if "login expires" in m.text]


def test_one_reminder_per_credential(services: Services, slack: FakeSlack) -> None:
    team_id = slack.ws.team_id
    expires = NOW + timedelta(days=3)
    put(services, Owner(team_id, MEMBER), expires)
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
    put(services, Owner(team_id, MEMBER), renewed)
    assert w1.run_due(renewed - timedelta(hours=12)) == 1
    assert len(reminders(slack)) == 2


def test_expired_login_is_not_reminded(services: Services, slack: FakeSlack) -> None:
    put(services, Owner(slack.ws.team_id, MEMBER), NOW - timedelta(minutes=1))
    assert job(services, "w1").run_due(NOW) == 0
    assert reminders(slack) == []


def test_team_account_expiry_reminds_its_linker(services: Services, slack: FakeSlack) -> None:
    from bot.devtools.localslack import ADMIN

    team = static_team(services, TOKEN)
    team_id = slack.ws.team_id
    expires = NOW + timedelta(hours=20)
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
    assert full.run_due(NOW) == 2
    assert full.run_due(NOW + timedelta(hours=1)) == 0
    texts = [m.text for m in slack.dms(ADMIN) if "team account *prod* expires" in m.text]
    assert len(texts) == 1 and "relink prod" in texts[0]
