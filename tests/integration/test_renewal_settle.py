"""Renewal DMs whose outcome is unknown (Slack 5xx after or before the post, a worker that died while posting)
are settled from the DM's history (bot/team/jobs/renewal_settle.py): found -> posted, absent and still
needed -> sent again once, otherwise they stay failed. SQLite and PostgreSQL, the local Slack Web API.
"""

from __future__ import annotations

from datetime import time, timedelta

from bot.base.schedule import Schedule
from bot.bootstrap import Services
from bot.devtools.localslack import ADMIN, GENERAL, FakeSlack
from bot.team.model import Team
from tests.integration.test_renewal import NOW, SLOT, asks, job, login, services, team

__all__ = ["services", "team"]  # the fixtures, shared with test_renewal.py


def add_digest(team: Team, team_id: str, account: str) -> None:
    team.health.linked_by(team_id, account, ADMIN, now=NOW)
    team.subscriptions.add(
        team_id=team_id,
        channel_id=GENERAL,
        account=account,
        schedule=Schedule("weekly", 0, time(9, 0), "UTC"),
        created_by=ADMIN,
        now=NOW,
    )


def dm_rows(team: Team, team_id: str, *accounts: str) -> list[dict[str, object]]:
    rows = [
        team.renewal_notices.find(
            {"team_id": team_id, "account": a, "slot": SLOT, "kind": "ahead", "target": ADMIN}
        )
        for a in accounts
    ]
    return [dict(r) if r is not None else {} for r in rows]


ASKED = SLOT - timedelta(hours=20)


def test_a_dm_posted_but_answered_5xx_is_found_in_the_history_not_sent_again(
    services: Services, team: Team, slack: FakeSlack
) -> None:
    """One DM naming two accounts; Slack posts it but the answer is lost: both rows are settled from the DM's
    history (its metadata names both), and the admin is asked once."""
    team_id = slack.ws.team_id
    login(services, team_id, SLOT - timedelta(hours=2))
    login(services, team_id, SLOT - timedelta(hours=3), name="prod")
    add_digest(team, team_id, "prod")
    slack.faults.server_error("chat.postMessage", status=503, after_effect=True)
    assert job(team, "w1").run_due(ASKED) == 2
    assert len(asks(slack)) == 1
    assert all(str(r["error"]).startswith("outcome unknown:") for r in dm_rows(team, team_id, "ops", "prod"))
    assert job(team, "w2").run_due(ASKED + timedelta(minutes=1)) == 0  # still within the settle delay
    assert dm_rows(team, team_id, "ops")[0]["state"] == "failed"
    assert job(team, "w2").run_due(ASKED + timedelta(minutes=3)) == 0  # settled: found, nothing to send
    assert len(asks(slack)) == 1
    for row in dm_rows(team, team_id, "ops", "prod"):
        assert row["state"] == "posted" and row["message_ts"] == slack.dms(ADMIN)[-1].ts
    assert job(team, "w1").run_due(ASKED + timedelta(minutes=10)) == 0
    assert len(asks(slack)) == 1


def test_a_dm_lost_on_5xx_is_sent_again_once(services: Services, team: Team, slack: FakeSlack) -> None:
    team_id = slack.ws.team_id
    login(services, team_id, SLOT - timedelta(hours=2))
    slack.faults.server_error("chat.postMessage", status=500)  # nothing posted, outcome unknown to us
    assert job(team, "w1").run_due(ASKED) == 1
    assert asks(slack) == [] and dm_rows(team, team_id, "ops")[0]["state"] == "failed"
    assert job(team, "w2").run_due(ASKED + timedelta(minutes=3)) == 1  # not in the history: sent again
    [dm] = asks(slack)
    assert "*ops*" in dm and dm_rows(team, team_id, "ops")[0]["state"] == "posted"
    for minutes in (4, 5, 10):
        assert job(team, "w1").run_due(ASKED + timedelta(minutes=minutes)) == 0
    assert len(asks(slack)) == 1


def test_an_unknown_dm_stays_failed_when_no_longer_needed_or_history_unreadable(
    services: Services, team: Team, slack: FakeSlack
) -> None:
    team_id = slack.ws.team_id
    login(services, team_id, SLOT - timedelta(hours=2))
    login(services, team_id, SLOT - timedelta(hours=3), name="prod")
    add_digest(team, team_id, "prod")
    slack.faults.server_error("chat.postMessage", status=500)
    assert job(team, "w1").run_due(ASKED) == 2
    login(services, team_id, SLOT + timedelta(days=1), name="prod")  # prod renewed meanwhile
    slack.faults.slack_error("conversations.history", "missing_scope", times=1)  # first lookup only
    assert job(team, "w2").run_due(ASKED + timedelta(minutes=3)) == 0
    ops, prod = dm_rows(team, team_id, "ops", "prod")
    assert ops["state"] == "failed" and "history unavailable: missing_scope" in str(ops["error"])
    assert prod["state"] == "failed" and "no longer needed" in str(prod["error"])
    assert job(team, "w1").run_due(ASKED + timedelta(minutes=10)) == 0
    assert asks(slack) == []



def test_a_dm_whose_worker_died_while_posting_is_sent_once_more(
    services: Services, team: Team, slack: FakeSlack
) -> None:
    team_id = slack.ws.team_id
    login(services, team_id, SLOT - timedelta(hours=2))
    key = {"team_id": team_id, "account": "ops", "slot": SLOT, "kind": "ahead", "target": ADMIN}
    claim = team.renewal_notices.create(key, worker_id="dead", now=ASKED)
    poster = team.slack.for_team(team_id)
    channel = poster.open_dm(ADMIN) if poster is not None else None
    assert claim is not None and channel is not None
    assert team.renewal_notices.sending(claim, now=ASKED, channel_id=channel)  # ...and the worker died here
    assert job(team, "w1").run_due(ASKED + timedelta(minutes=1)) == 0  # its lease still runs
    assert job(team, "w1").run_due(ASKED + timedelta(minutes=3)) == 0  # lease over: outcome unknown
    assert dm_rows(team, team_id, "ops")[0]["state"] == "failed"
    assert job(team, "w2").run_due(ASKED + timedelta(minutes=6)) == 1  # not in the DM's history: sent again
    assert len(asks(slack)) == 1 and dm_rows(team, team_id, "ops")[0]["state"] == "posted"
    assert job(team, "w1").run_due(ASKED + timedelta(minutes=10)) == 0
    assert len(asks(slack)) == 1
