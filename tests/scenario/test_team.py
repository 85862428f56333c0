"""Team features through the running app: an admin links a team account by DM, subscribes a channel, the
worker posts one digest; non-admins are refused and nothing changes; an alert fires once per crossing."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.devtools.localslack import ADMIN, GENERAL, MEMBER, Message
from bot.storage.owner import Owner
from tests.scenario.conftest import NOW, Stack


def _bot_dms(stack: Stack, user: str, needle: str) -> list[Message]:
    return [m for m in stack.slack.dms(user) if m.bot_id and needle in (m.text + json.dumps(m.blocks))]


def link_prod(stack: Stack) -> None:
    assert stack.slack.dm(ADMIN, "link prod").status == 200
    stack.slack.wait_for(lambda: _bot_dms(stack, ADMIN, "Linking team account *prod*"))
    stack.sim.approve()
    stack.slack.wait_for(lambda: _bot_dms(stack, ADMIN, "Team account *prod* is linked"))


def test_admin_links_by_dm_and_non_admin_is_refused(stack: Stack) -> None:
    assert stack.slack.dm(MEMBER, "link prod").status == 200
    stack.slack.wait_for(lambda: _bot_dms(stack, MEMBER, "Only workspace admins"))
    assert stack.services.pending_logins.get_active_for_owner(Owner("T0LOCAL01", MEMBER), now=NOW) is None
    link_prod(stack)
    team_id = stack.slack.ws.team_id
    stored = stack.services.credentials.get(Owner.team_account(team_id, "prod"))
    assert stored is not None
    # the encrypted row holds no token in clear
    with stack.services.engine.connect() as conn:
        from sqlalchemy import text

        rows = conn.execute(text("select ciphertext from credential")).scalars().all()
    assert all(stored.access_token not in row for row in rows)
    stack.slack.dm(ADMIN, "accounts")
    stack.slack.wait_for(lambda: _bot_dms(stack, ADMIN, "*prod*"))


def test_subscribe_then_one_digest_per_period(stack: Stack) -> None:
    link_prod(stack)
    stack.slack.slash(MEMBER, GENERAL, "digest subscribe weekly friday 12:30 UTC prod")
    stack.wait_ephemeral(MEMBER, lambda m: "Only workspace admins" in m.text)
    assert stack.team.subscriptions.active() == []
    stack.slack.slash(ADMIN, GENERAL, "digest subscribe weekly friday 12:30 UTC prod")
    stack.wait_ephemeral(ADMIN, lambda m: "Digest #1 for *prod*" in m.text)
    stack.slack.slash(ADMIN, GENERAL, "digest list")
    stack.wait_ephemeral(ADMIN, lambda m: "#1" in m.text and "weekly, Friday at 12:30 UTC" in m.text)
    slot = NOW + timedelta(minutes=30)  # the team login (simulator) lasts until midnight
    for name, late in (("w-a", 1), ("w-b", 1), ("w-a", 90)):
        stack.bot.bot.worker(worker_id=name).run_once(slot + timedelta(minutes=late))
    digests = [m for m in stack.slack.messages(GENERAL) if "Weekly QwenCloud spend · prod" in m.text]
    assert len(digests) == 1
    assert any(b["type"] == "image" for b in digests[0].blocks)
    assert "Analysis" in json.dumps(digests[0].blocks)


def test_preview_is_only_for_the_caller(stack: Stack) -> None:
    link_prod(stack)
    before = len(stack.slack.messages(GENERAL))
    stack.slack.slash(ADMIN, GENERAL, "digest preview")
    msg = stack.wait_ephemeral(ADMIN, lambda m: "Weekly QwenCloud spend · prod" in m.text)
    assert msg.ephemeral_for == ADMIN
    assert len(stack.slack.messages(GENERAL)) == before


def test_alert_posts_once_per_crossing(stack: Stack) -> None:
    link_prod(stack)
    stack.slack.slash(ADMIN, GENERAL, "alert add payg monthly above 0.01 prod")
    stack.wait_ephemeral(ADMIN, lambda m: "Alert #1 for *prod*" in m.text)

    def alerts() -> list[Message]:
        return [m for m in stack.slack.messages(GENERAL) if "Alert #1 · prod" in m.text]

    stack.slack.wait_for(alerts)  # the app's own worker checks new rules at once
    for minutes in (6, 12, 30):
        stack.bot.bot.worker(worker_id="w2").run_once(NOW + timedelta(minutes=minutes))
    assert len(alerts()) == 1
    stack.slack.slash(ADMIN, GENERAL, "alert list")
    stack.wait_ephemeral(ADMIN, lambda m: "#1" in m.text and "firing" in m.text)


def test_app_home_shows_admin_sections(stack: Stack) -> None:
    link_prod(stack)
    stack.slack.open_home(ADMIN)
    view = stack.slack.wait_for(lambda: stack.slack.home(ADMIN))
    text = json.dumps(view.payload)
    assert "Team accounts" in text and "prod" in text and "Link a team account" in text
    stack.slack.open_home(MEMBER)
    member_view = stack.slack.wait_for(lambda: stack.slack.home(MEMBER))
    assert "Team accounts" not in json.dumps(member_view.payload)
    assert "Log in" in json.dumps(member_view.payload)


def test_app_home_login_refresh_logout_and_link_button(stack: Stack) -> None:
    def home_text() -> str:
        view = stack.slack.home(MEMBER)
        return json.dumps(view.payload) if view is not None else ""

    stack.slack.open_home(MEMBER)
    stack.slack.wait_for(lambda: "Not linked" in home_text())
    stack.slack.click_home(MEMBER, "qwen_home_login")
    stack.slack.wait_for(lambda: "Open QwenCloud to approve this login" in home_text())
    stack.sim.approve()
    stack.slack.wait_for(lambda: [m for m in stack.slack.dms(MEMBER) if "Logged in" in m.text])
    stack.slack.click_home(MEMBER, "qwen_home_refresh")
    stack.slack.wait_for(lambda: "Linked as" in home_text() and "This month" in home_text())
    stack.slack.click_home(MEMBER, "qwen_home_logout")
    stack.slack.wait_for(lambda: "Not linked" in home_text())
    assert stack.services.credentials.get(Owner(stack.slack.ws.team_id, MEMBER)) is None
    stack.slack.open_home(ADMIN)
    stack.slack.wait_for(lambda: stack.slack.home(ADMIN))
    stack.slack.click_home(ADMIN, "qwen_home_link")
    stack.slack.wait_for(lambda: stack.slack.modal(ADMIN))
    bad = stack.slack.submit(ADMIN, {"account": {"name": {"type": "plain_text_input", "value": "no/slash"}}})
    assert "errors" in bad.body
    stack.slack.submit(ADMIN, {"account": {"name": {"type": "plain_text_input", "value": "staging"}}})
    stack.slack.wait_for(lambda: _bot_dms(stack, ADMIN, "Linking team account *staging*"))
    stack.slack.open_home(MEMBER)
    stack.slack.click_home(MEMBER, "qwen_home_refresh")
    assert stack.slack.modal(MEMBER) is None


def test_unlink_and_unsubscribe_admin_only(stack: Stack) -> None:
    link_prod(stack)
    team_id = stack.slack.ws.team_id
    stack.slack.slash(ADMIN, GENERAL, "digest subscribe monthly 1 08:00 UTC")
    stack.wait_ephemeral(ADMIN, lambda m: "Digest #1 for *prod*" in m.text and "monthly, day 1" in m.text)
    stack.slack.slash(MEMBER, GENERAL, "digest unsubscribe")
    stack.wait_ephemeral(MEMBER, lambda m: "Only workspace admins" in m.text)
    assert len(stack.team.subscriptions.active()) == 1
    stack.slack.slash(ADMIN, GENERAL, "digest unsubscribe")
    stack.wait_ephemeral(ADMIN, lambda m: "Unsubscribed 1 digest: #1 (prod)" in m.text)
    assert stack.team.subscriptions.active() == []
    stack.slack.dm(MEMBER, "unlink prod")
    stack.slack.wait_for(lambda: _bot_dms(stack, MEMBER, "Only workspace admins"))
    assert stack.services.credentials.get(Owner.team_account(team_id, "prod")) is not None
    stack.slack.dm(ADMIN, "unlink prod")
    stack.slack.wait_for(lambda: _bot_dms(stack, ADMIN, "Team account *prod* unlinked"))
    assert stack.services.credentials.get(Owner.team_account(team_id, "prod")) is None
    stack.slack.slash(ADMIN, GENERAL, "digest subscribe")
    stack.wait_ephemeral(ADMIN, lambda m: "No team account is linked yet" in m.text)


def test_link_from_a_channel_points_to_the_dm(stack: Stack) -> None:
    stack.slack.slash(ADMIN, GENERAL, "link prod")
    stack.wait_ephemeral(ADMIN, lambda m: "Linking runs in our private DM" in m.text)
    owner = Owner(stack.slack.ws.team_id, ADMIN)
    assert (
        stack.services.pending_logins.get_active_for_owner(
            owner, now=NOW, purpose="team_account", account_name="prod"
        )
        is None
    )
