"""Fixtures shared by the team-feature integration tests (alerts, digests, reminders): the local Slack
Web API, and services over the migrated test database (SQLite, or PostgreSQL in CI) that post to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest

from bot.base.clock import FixedClock
from bot.bootstrap import Services, build_services
from bot.devtools.localslack import FakeSlack

TOKEN = "xoxb-integration"  # the bot token FakeSlack accepts; static_team(services, TOKEN) posts with it


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack.start(signing_secret="s", bot_token=TOKEN) as fake:
        yield fake


@pytest.fixture
def team_services(make_settings, db_url: str, slack: FakeSlack) -> Iterator[Callable[..., Services]]:  # type: ignore[no-untyped-def]
    """`team_services(now, **settings)`: services at a fixed instant, posting to `slack`; closed after."""
    from bot.storage.migrate import upgrade

    upgrade(db_url)
    built: list[Services] = []

    def build(now: datetime, **overrides: object) -> Services:
        settings = make_settings(database_url=db_url, slack_api_url=slack.api_url, **overrides)
        built.append(build_services(settings, clock=FixedClock(now)))
        return built[-1]

    yield build
    for services in built:
        services.close()
