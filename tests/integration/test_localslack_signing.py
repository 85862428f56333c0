"""Requests from the fake Slack reach a real Bolt app over HTTP: signed as Slack signs them, shaped as Slack
shapes them; Bolt rejects them when the secret is wrong or the timestamp stale."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from tests.fakes.slack import (
    ADMIN,
    BOT_TOKEN,
    GENERAL,
    MEMBER,
    SIGNING_SECRET,
    FakeSlack,
    bolt_wsgi,
    fake_slack,
    serve_wsgi,
)

__all__ = ["fake_slack"]  # the fixture

PICKER = {"type": "actions", "block_id": "pick", "elements": [
    {"type": "static_select", "action_id": "model", "placeholder": {"type": "plain_text", "text": "Model"},
     "options": [{"text": {"type": "plain_text", "text": m}, "value": m} for m in ("qwen-max", "qwen-plus")]},
    {"type": "button", "action_id": "share", "text": {"type": "plain_text", "text": "Share in channel"},
     "value": "v1"},
]}


def build_app(api_url: str, seen: list[dict[str, Any]]) -> App:
    app = App(signing_secret=SIGNING_SECRET, client=WebClient(token=BOT_TOKEN, base_url=api_url))

    @app.command("/qwen")
    def qwen(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        seen.append(command)
        if command["text"] == "quiet":
            ack()
            respond(text="Working…")
            respond(text="Done", blocks=[PICKER], replace_original=True)
        elif command["text"] == "modal":
            ack()
            client.views_open(trigger_id=command["trigger_id"], view={
                "type": "modal", "callback_id": "digest", "title": {"type": "plain_text", "text": "Digest"},
                "submit": {"type": "plain_text", "text": "Save"}, "blocks": [
                    {"type": "input", "block_id": "when", "label": {"type": "plain_text", "text": "When"},
                     "element": {"type": "plain_text_input", "action_id": "day"}}]})
        else:
            ack(text=f"ack {command['text']}")

    @app.action("model")
    def model(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        seen.append(body)
        respond(text=f"Breakdown for {body['actions'][0]['selected_option']['value']}", replace_original=True)

    @app.action("share")
    def share(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        seen.append(body)
        respond(text="Shared copy", response_type="in_channel", replace_original=False)

    @app.view("digest")
    def digest(ack: Ack, view: dict[str, Any]) -> None:
        seen.append(view)
        if view["state"]["values"]["when"]["day"]["value"] == "never":
            ack(response_action="errors", errors={"when": "Pick a weekday"})
        else:
            ack()

    @app.event("message")
    def dm(event: dict[str, Any], say: Any) -> None:
        seen.append(event)
        say(f"you said {event['text']}")

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        seen.append(event)
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": [PICKER]})

    return app


@pytest.fixture
def seen(fake_slack: FakeSlack) -> Iterator[list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []
    with serve_wsgi(bolt_wsgi(build_app(fake_slack.api_url, seen))) as base:
        fake_slack.bot_url = base + "/slack/events"
        yield seen


def test_slash_command_form_and_ack_text_shown_ephemerally(fake_slack: FakeSlack, seen: list[Any]) -> None:
    reply = fake_slack.slash(MEMBER, GENERAL, "usage last-month")
    assert reply.status == 200 and reply.error is None
    [command] = seen
    assert (command["user_id"], command["channel_id"], command["command"]) == (MEMBER, GENERAL, "/qwen")
    assert command["text"] == "usage last-month" and command["team_id"] == fake_slack.ws.team_id
    assert command["response_url"].startswith(fake_slack.url) and command["trigger_id"]
    assert [m.text for m in fake_slack.ephemerals(MEMBER)] == ["ack usage last-month"]
    assert fake_slack.messages(GENERAL) == []


def test_respond_replace_original_then_select_and_share(fake_slack: FakeSlack, seen: list[Any]) -> None:
    fake_slack.slash(MEMBER, GENERAL, "quiet")
    msg = fake_slack.wait_for(lambda: [m for m in fake_slack.ephemerals(MEMBER) if m.text == "Done"])[0]
    assert len(fake_slack.ephemerals(MEMBER)) == 1  # "Working…" was replaced, not added to
    assert msg.edited and msg.blocks == [PICKER]
    assert fake_slack.select(MEMBER, msg, "model", "qwen-plus").status == 200
    assert fake_slack.wait_for(lambda: msg.text == "Breakdown for qwen-plus")
    action = seen[1]
    assert action["type"] == "block_actions" and action["container"]["is_ephemeral"] is True
    assert action["actions"][0]["selected_option"]["value"] == "qwen-plus"
    assert action["state"]["values"]["pick"]["model"]["selected_option"]["value"] == "qwen-plus"
    msg.blocks = [PICKER]  # the fake keeps what the bot sent; put the button back to click it
    fake_slack.click(MEMBER, msg, "share")
    shared = fake_slack.wait_for(lambda: fake_slack.messages(GENERAL))
    assert [m.text for m in shared] == ["Shared copy"]
    assert seen[2]["actions"][0]["value"] == "v1"


def test_modal_opens_from_trigger_and_submission_errors_keep_it_open(fake_slack: FakeSlack,
                                                                     seen: list[Any]) -> None:
    fake_slack.slash(ADMIN, GENERAL, "modal")
    modal = fake_slack.wait_for(lambda: fake_slack.modal(ADMIN))
    fake_slack.submit(ADMIN, {"when": {"day": {"type": "plain_text_input", "value": "never"}}})
    assert modal.errors == {"when": "Pick a weekday"} and not modal.closed
    fake_slack.submit(ADMIN, {"when": {"day": {"type": "plain_text_input", "value": "monday"}}})
    assert modal.closed and fake_slack.modal(ADMIN) is None


def test_dm_event_and_app_home(fake_slack: FakeSlack, seen: list[Any]) -> None:
    assert fake_slack.dm(MEMBER, "hello").status == 200
    replies = fake_slack.wait_for(lambda: [m for m in fake_slack.dms(MEMBER) if m.bot_id])
    assert replies[0].text == "you said hello"
    assert seen[0]["channel_type"] == "im" and seen[0]["user"] == MEMBER
    fake_slack.open_home(ADMIN)
    home = fake_slack.wait_for(lambda: fake_slack.home(ADMIN))
    assert home.payload["blocks"] == [PICKER]
    fake_slack.click_home(ADMIN, "model", selected="qwen-max")
    assert seen[-1]["container"] == {"type": "view", "view_id": home.id}


def test_url_verification_is_answered(fake_slack: FakeSlack, seen: list[Any]) -> None:
    reply = fake_slack.url_verification("abc123")
    assert reply.status == 200 and reply.json == {"challenge": "abc123"}


def test_wrong_secret_and_stale_timestamp_are_rejected(fake_slack: FakeSlack, seen: list[Any]) -> None:
    body = "command=%2Fqwen&text=help&user_id=U_MEMBER&team_id=T0LOCAL01"
    assert fake_slack.send_raw(body, secret="not-the-secret").status == 401
    assert fake_slack.send_raw(body, timestamp=int(time.time()) - 600).status == 401
    assert seen == []


def test_bot_errors_become_slackbot_notices(fake_slack: FakeSlack) -> None:
    fake_slack.bot_url = "http://127.0.0.1:9/slack/events"  # nobody listens
    reply = fake_slack.slash(MEMBER, GENERAL, "help")
    assert reply.error == "dispatch_failed"
    [notice] = fake_slack.ephemerals(MEMBER)
    assert notice.text == '/qwen failed with the error "dispatch_failed"' and notice.kind == "error"


def test_bot_mounted_on_the_workspace_port_answers_there() -> None:
    """`start_local_workspace(bot_wsgi=...)`: page, fake Web API and the bot's /slack/events on one port."""
    from bot.devtools.localslack import start_local_workspace

    seen: list[dict[str, Any]] = []
    slack = start_local_workspace(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN, port=0)
    try:
        slack.mount_bot(bolt_wsgi(build_app(slack.api_url, seen)))
        assert slack.bot_url == slack.url + "slack/events"
        reply = slack.slash(MEMBER, GENERAL, "hello")
        assert reply.status == 200 and seen[0]["text"] == "hello"
        assert [m.text for m in slack.ephemerals(MEMBER)] == ["ack hello"]
        assert httpx.get(slack.url).status_code == 200  # the page is still the workspace's
        unsigned = httpx.post(slack.url + "slack/events", content=b"x")
        assert unsigned.status_code == 401  # Bolt's own signature check, reached through the mount
    finally:
        slack.stop()
