"""Issue 11 item 7: admins are per team (bot/team/accounts.py AdminCheck) against the fake Slack Web API over
real HTTP: `TEAM:USER` entries, bare ids only for the single token's own team, and Slack's admin flags only
for the asking team's own full members."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.devtools.localslack import ADMIN, MEMBER, FakeSlack
from bot.team.accounts import AdminCheck
from tests.fakes.slack import BOT_TOKEN, SIGNING_SECRET


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack.start(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN)
    fake.add_user("U_FOREIGN", "foreign", is_admin=True, home_team="T_OTHER_ORG")  # Slack Connect
    fake.add_user("U_GUEST", "guest", is_admin=True, guest=True)
    yield fake
    fake.stop()


def client(slack: FakeSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=slack.api_url)


def test_slack_admin_flags_count_only_for_the_teams_own_full_members(slack: FakeSlack) -> None:
    check, team = AdminCheck(configured=frozenset()), slack.ws.team_id
    assert check.is_admin(client(slack), team, ADMIN)
    assert not check.is_admin(client(slack), team, MEMBER)
    assert not check.is_admin(client(slack), team, "U_FOREIGN")  # another organisation's admin
    assert not check.is_admin(client(slack), team, "U_GUEST")
    assert not check.is_admin(client(slack), team, "U_NOBODY")  # a stranger users.info does not know
    assert not check.is_admin(client(slack), "T_OTHER_TEAM", ADMIN)  # asked from another team


def test_configured_admins_are_per_team(slack: FakeSlack) -> None:
    team = slack.ws.team_id
    entries = frozenset({f"{team}:U_LEAD", "T_ELSEWHERE:U_OPS", "U_BARE"})
    single = AdminCheck(configured=entries, single_workspace=True)
    assert single.is_admin(client(slack), team, "U_LEAD")
    assert not single.is_admin(client(slack), "T_ELSEWHERE", "U_LEAD")
    assert single.is_admin(client(slack), "T_ELSEWHERE", "U_OPS")
    assert not single.is_admin(client(slack), team, "U_OPS")
    assert single.is_admin(client(slack), team, "U_BARE")  # the single token's team (auth.test)
    assert not single.is_admin(client(slack), "T_ELSEWHERE", "U_BARE")
    assert sorted(single.configured_for(team)) == ["U_BARE", "U_LEAD"]
    oauth = AdminCheck(configured=entries, single_workspace=False)  # many workspaces: bare ids pin nothing
    assert not oauth.is_admin(client(slack), team, "U_BARE")
    assert oauth.configured_for(team) == ["U_LEAD"]
