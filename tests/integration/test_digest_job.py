"""Digest job against the simulator and the local Slack Web API over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.base.periods import DateRange
from bot.base.schedule import Schedule
from bot.bootstrap import Services, digest_job
from bot.devtools.localslack import GENERAL, FakeSlack
from bot.devtools.simulator.server import SimulatorHandle, start_simulator
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.render.usage import money
from bot.storage.owner import Owner
from bot.team.jobs.digest import DigestJob
from bot.team.model import Team
from tests.fakes.slack import static_team
from tests.integration.conftest import TOKEN

NOW = datetime(2026, 4, 13, 9, 5, tzinfo=UTC)  # a Monday, 5 minutes after the 09:00 slot
MONDAY_9 = Schedule("weekly", 0, time(9, 0), "UTC")


@pytest.fixture
def sim() -> Iterator[SimulatorHandle]:
    with start_simulator(now=NOW) as handle:
        yield handle


@pytest.fixture
def services(team_services: Callable[..., Services], sim: SimulatorHandle) -> Services:
    return team_services(
        NOW, api_endpoint=sim.url, auth_endpoint=sim.url, model_map_url=sim.url + "/cdn/model-mapping"
    )


def link_account(services: Services, sim: SimulatorHandle, team_id: str, name: str = "prod") -> None:
    creds = DeviceCredentials(sim.issue_token(), NOW + timedelta(days=30), QwenUser("u1", "ops@x.test", None))
    services.credentials.put(Owner.team_account(team_id, name), creds)


def job(services: Services, worker: str, catchup: timedelta = timedelta(hours=12)) -> DigestJob:
    return digest_job(static_team(services, TOKEN), worker, catchup=catchup)  # the worker's own wiring


def subscribe(team: Team, team_id: str, schedule: Schedule = MONDAY_9) -> int:
    sub = team.subscriptions.add(
        team_id=team_id,
        channel_id=GENERAL,
        account="prod",
        schedule=schedule,
        created_by="U_ADMIN",
        now=NOW - timedelta(days=10),
    )
    return sub.id


def test_one_digest_with_chart_and_cli_figures(
    services: Services, sim: SimulatorHandle, slack: FakeSlack
) -> None:
    team_id = slack.ws.team_id
    link_account(services, sim, team_id)
    subscribe(static_team(services, TOKEN), team_id)
    assert job(services, "w1").run_due(NOW) == 1
    assert job(services, "w2").run_due(NOW) == 0
    assert job(services, "w1").run_due(NOW + timedelta(hours=1)) == 0
    [message] = slack.messages(GENERAL)
    # the same figures as `usage payg --from 2026-04-06 --to 2026-04-12`
    token = services.credentials.get(Owner.team_account(team_id, "prod")).access_token  # type: ignore[union-attr]
    payg = services.usage.payg(token, DateRange(datetime(2026, 4, 6).date(), datetime(2026, 4, 12).date()))
    assert money(payg.total_cost) in message.text
    assert "Weekly QwenCloud spend · prod" in message.text
    [image] = [b for b in message.blocks if b["type"] == "image"]
    data = slack.file_bytes(image["slack_file"]["id"])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    texts = repr(message.blocks)
    assert "Analysis" in texts and "Top models" in texts
    period = {"subscription_id": 1, "period_start": datetime(2026, 4, 6).date()}
    row = static_team(services, TOKEN).runs.find(period)
    assert row is not None and row["state"] == "posted" and row["message_ts"] == message.ts


def test_no_files_write_falls_back_to_a_sparkline(
    services: Services, sim: SimulatorHandle, slack: FakeSlack
) -> None:
    link_account(services, sim, slack.ws.team_id)
    subscribe(static_team(services, TOKEN), slack.ws.team_id)
    slack.faults.slack_error("files.getUploadURLExternal", "missing_scope")
    assert job(services, "w1").run_due(NOW) == 1
    [message] = slack.messages(GENERAL)
    assert not [b for b in message.blocks if b["type"] == "image"]
    assert "Daily spend" in repr(message.blocks) and any(ch in repr(message.blocks) for ch in "▁▂▃▄▅▆▇█")


def test_429_is_retried_after_retry_after_never_lost_never_duplicated(
    services: Services, sim: SimulatorHandle, slack: FakeSlack
) -> None:
    link_account(services, sim, slack.ws.team_id)
    subscribe(static_team(services, TOKEN), slack.ws.team_id)
    slack.faults.rate_limit("chat.postMessage", retry_after=120, times=1)
    assert job(services, "w1").run_due(NOW) == 1
    assert slack.messages(GENERAL) == []
    assert job(services, "w2").run_due(NOW + timedelta(seconds=119)) == 0
    assert job(services, "w2").run_due(NOW + timedelta(seconds=120)) == 1
    assert len(slack.messages(GENERAL)) == 1
    assert job(services, "w1").run_due(NOW + timedelta(hours=2)) == 0
    assert len(slack.messages(GENERAL)) == 1


PERIOD = {"subscription_id": 1, "period_start": datetime(2026, 4, 6).date()}


def test_unknown_outcome_not_posted_is_posted_once_after_the_history_check(
    services: Services, sim: SimulatorHandle, slack: FakeSlack
) -> None:
    link_account(services, sim, slack.ws.team_id)
    subscribe(static_team(services, TOKEN), slack.ws.team_id)
    slack.faults.server_error("chat.postMessage", status=500)  # Slack answers 500; nothing was posted
    job(services, "w1").run_due(NOW)
    row = static_team(services, TOKEN).runs.find(PERIOD)
    assert row is not None and row["state"] == "failed" and row["error"].startswith("outcome unknown:")
    job(services, "w2").run_due(NOW + timedelta(minutes=1))  # within the settle delay: untouched
    assert slack.messages(GENERAL) == []
    assert slack.calls("conversations.history") == []
    for minutes in (10, 60, 300):
        job(services, "w2").run_due(NOW + timedelta(minutes=minutes))
    [message] = slack.messages(GENERAL)
    assert message.metadata == {"event_type": "qwen_digest", "event_payload": {"run_id": row["id"]}}
    row = static_team(services, TOKEN).runs.find(PERIOD)
    assert row is not None and row["state"] == "posted" and row["message_ts"] == message.ts


def test_unknown_outcome_not_posted_past_the_catch_up_window_is_not_posted_stale(
    services: Services, sim: SimulatorHandle, slack: FakeSlack
) -> None:
    link_account(services, sim, slack.ws.team_id)
    subscribe(static_team(services, TOKEN), slack.ws.team_id)
    slack.faults.server_error("chat.postMessage", status=500)
    job(services, "w1").run_due(NOW)
    job(services, "w2", timedelta(hours=6)).run_due(NOW + timedelta(hours=7))  # first settle: too late
    assert slack.messages(GENERAL) == []
    row = static_team(services, TOKEN).runs.find(PERIOD)
    assert row is not None and row["state"] == "failed" and "catch-up" in row["error"]


def test_unknown_outcome_already_posted_is_found_in_history_never_duplicated(
    services: Services, sim: SimulatorHandle, slack: FakeSlack
) -> None:
    link_account(services, sim, slack.ws.team_id)
    subscribe(static_team(services, TOKEN), slack.ws.team_id)
    slack.faults.server_error("chat.postMessage", status=503, after_effect=True)  # posted, answer lost
    job(services, "w1").run_due(NOW)
    [message] = slack.messages(GENERAL)
    for minutes in (10, 60, 300):
        job(services, "w2").run_due(NOW + timedelta(minutes=minutes))
    assert slack.messages(GENERAL) == [message]
    row = static_team(services, TOKEN).runs.find(PERIOD)
    assert row is not None and row["state"] == "posted" and row["message_ts"] == message.ts
    [history] = slack.calls("conversations.history")
    assert history.params["include_all_metadata"] in (True, "true", "1", 1)


def test_unknown_outcome_without_history_stays_failed_not_duplicated(
    services: Services, sim: SimulatorHandle, slack: FakeSlack
) -> None:
    link_account(services, sim, slack.ws.team_id)
    subscribe(static_team(services, TOKEN), slack.ws.team_id)
    slack.faults.server_error("chat.postMessage", status=500)
    slack.faults.slack_error("conversations.history", "missing_scope", times=None)
    job(services, "w1").run_due(NOW)
    for minutes in (10, 60, 300):
        job(services, "w2").run_due(NOW + timedelta(minutes=minutes))
    assert slack.messages(GENERAL) == []
    assert len(slack.calls("conversations.history")) == 1  # asked once, then left to operators
    row = static_team(services, TOKEN).runs.find(PERIOD)
    assert row is not None and row["state"] == "failed"
    assert "unknown" in row["error"] and "missing_scope" in row["error"]


def test_catch_up_within_window_and_skip_after(
    services: Services, sim: SimulatorHandle, slack: FakeSlack
) -> None:
    link_account(services, sim, slack.ws.team_id)
    subscribe(static_team(services, TOKEN), slack.ws.team_id)
    assert job(services, "w1", timedelta(hours=6)).run_due(NOW + timedelta(hours=6, minutes=30)) == 0
    assert slack.messages(GENERAL) == []
    assert job(services, "w1", timedelta(hours=6)).run_due(NOW + timedelta(hours=5)) == 1
    assert len(slack.messages(GENERAL)) == 1


def test_dead_claim_is_taken_over_after_the_lease(
    services: Services, sim: SimulatorHandle, slack: FakeSlack
) -> None:
    link_account(services, sim, slack.ws.team_id)
    subscribe(static_team(services, TOKEN), slack.ws.team_id)
    runs = static_team(services, TOKEN).runs
    key = {"subscription_id": 1, "period_start": datetime(2026, 4, 6).date()}
    assert runs.create(key, worker_id="killed", now=NOW, extra={"occurrence": NOW - timedelta(minutes=5)})
    assert job(services, "w2").run_due(NOW + timedelta(minutes=1)) == 0  # lease still held
    assert slack.messages(GENERAL) == []
    assert job(services, "w2").run_due(NOW + timedelta(minutes=6)) == 1
    assert len(slack.messages(GENERAL)) == 1


def test_expired_team_login_tells_each_channel_once_per_waiting_digest(
    services: Services, sim: SimulatorHandle, slack: FakeSlack
) -> None:
    """No digest without a login, but never silence: one short notice per waiting digest (issue 14). The
    admins are asked to renew by the renewal job ahead of the slot, so tracking adds no DM of its own."""
    team_id = slack.ws.team_id
    creds = DeviceCredentials(sim.issue_token(), NOW - timedelta(minutes=1), QwenUser("u1", None, None))
    services.credentials.put(Owner.team_account(team_id, "prod"), creds)
    subscribe(static_team(services, TOKEN), team_id)
    from bot.devtools.localslack import ADMIN

    static_team(services, TOKEN).subscriptions.add(
        team_id=team_id,
        channel_id=GENERAL,
        account="prod",
        schedule=Schedule("monthly", 1, time(0, 0), "UTC"),
        created_by=ADMIN,
        now=NOW - timedelta(days=60),
    )
    job(services, "w1").run_due(NOW)
    job(services, "w2").run_due(NOW)
    job(services, "w1").run_due(NOW + timedelta(hours=1))
    # the weekly digest is due (the monthly one's slot is past the catch-up window): one notice, no digest
    assert [m.text for m in slack.messages(GENERAL)] == [
        ":hourglass_flowing_sand: This week's digest is waiting for an admin to renew the QwenCloud login "
        "of account prod."
    ]
    assert not [m for m in slack.dms(ADMIN) if "Tracking of team account *prod* stopped" in m.text]


def test_a_revoked_team_login_still_tells_the_admins_once(
    services: Services, sim: SimulatorHandle, slack: FakeSlack
) -> None:
    """Revocation is not foreseen by the renewal job: tracking DMs the admins, once per breakage."""
    from bot.devtools.localslack import ADMIN

    link_account(services, sim, slack.ws.team_id)
    subscribe(static_team(services, TOKEN), slack.ws.team_id)
    sim.control(action="expire_tokens")  # upstream refuses the token it still holds as valid
    job(services, "w1").run_due(NOW)
    job(services, "w2").run_due(NOW + timedelta(hours=1))
    notices = [m for m in slack.dms(ADMIN) if "Tracking of team account *prod* stopped" in m.text]
    assert len(notices) == 1 and "relink prod" in notices[0].text


def test_monthly_digest_reports_the_previous_month(
    services: Services, sim: SimulatorHandle, slack: FakeSlack
) -> None:
    link_account(services, sim, slack.ws.team_id)
    subscribe(static_team(services, TOKEN), slack.ws.team_id, Schedule("monthly", 13, time(9, 0), "UTC"))
    assert job(services, "w1").run_due(NOW) == 1
    [message] = slack.messages(GENERAL)
    assert (
        message.text.startswith("Monthly QwenCloud spend · prod")
        and "2026-03-01 → 2026-03-31" in message.text
    )
    token = services.credentials.get(Owner.team_account(slack.ws.team_id, "prod")).access_token  # type: ignore[union-attr]
    march = services.usage.payg(token, DateRange(datetime(2026, 3, 1).date(), datetime(2026, 3, 31).date()))
    assert money(march.total_cost) in message.text
