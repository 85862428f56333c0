"""The page's own HTTP API (/ui/...) and static files, without a browser."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from slack_sdk import WebClient

from bot.devtools.localslack import ADMIN, GENERAL, MEMBER, FakeSlack, start_local_workspace
from bot.devtools.localslack.pageguard import SECRET_HEADER
from tests.fakes.slack import BOT_TOKEN, SIGNING_SECRET


def post(slack: FakeSlack, path: str, **kwargs: Any) -> httpx.Response:
    """A POST as the page makes it: JSON with the per-run secret from the page's own HTML."""
    headers = {SECRET_HEADER: slack.server.page.guard.secret, **kwargs.pop("headers", {})}
    return httpx.post(slack.url + path, headers=headers, **kwargs)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = start_local_workspace(bot_url="http://127.0.0.1:9/slack/events", signing_secret=SIGNING_SECRET,
                                 bot_token=BOT_TOKEN, port=0)
    yield fake
    fake.stop()


def test_page_and_assets_are_served(slack: FakeSlack) -> None:
    page = httpx.get(slack.url)
    assert page.status_code == 200 and 'data-testid="composer"' in page.text
    for name in ("app.js", "blockkit.js", "style.css"):
        assert httpx.get(slack.url + "static/" + name).status_code == 200
    assert httpx.get(slack.url + "static/../fake.py").status_code == 404


def test_state_shows_people_channels_and_only_own_ephemerals(slack: FakeSlack) -> None:
    client = WebClient(token=BOT_TOKEN, base_url=slack.api_url)
    client.chat_postEphemeral(channel=GENERAL, user=ADMIN, text="psst")
    member = httpx.get(slack.url + "ui/state", params={"user": MEMBER}).json()
    admin = httpx.get(slack.url + "ui/state", params={"user": ADMIN}).json()
    assert {p["id"]: p["tz"] for p in member["people"]} == {MEMBER: "Asia/Tokyo", ADMIN: "America/New_York"}
    assert [c["name"] for c in member["channels"]] == ["general", "random"]
    assert member["dm"] == "D_MEMBER" and admin["dm"] == "D_ADMIN"
    assert member["messages"][GENERAL] == []
    assert [m["text"] for m in admin["messages"][GENERAL]] == ["psst"]
    assert admin["messages"][GENERAL][0]["ephemeral"] is True


def test_state_long_polls_until_something_changes(slack: FakeSlack) -> None:
    version = httpx.get(slack.url + "ui/state").json()["version"]
    quick = httpx.get(slack.url + "ui/state", params={"since": version - 1, "wait": 5}, timeout=10)
    assert quick.json()["version"] == version  # already newer: answers at once
    slow = httpx.get(slack.url + "ui/state", params={"since": version, "wait": 0.3}, timeout=10)
    assert slow.json()["version"] == version


def test_send_refuses_other_commands_and_unknown_people(slack: FakeSlack) -> None:
    other = post(slack, "ui/send", json={"user": MEMBER, "channel": GENERAL, "text": "/giphy cat"})
    assert other.json() == {"ok": False, "error": "/giphy is not a valid command"}
    nobody = post(slack, "ui/send", json={"user": "U_NOBODY", "channel": GENERAL, "text": "hi"})
    assert nobody.status_code == 400
    plain = post(slack, "ui/send", json={"user": MEMBER, "channel": GENERAL, "text": "hi all"})
    assert plain.json()["ok"] is True and [m.text for m in slack.messages(GENERAL)] == ["hi all"]


def test_send_reports_an_unreachable_app(slack: FakeSlack) -> None:
    resp = post(slack, "ui/send", json={"user": MEMBER, "channel": GENERAL, "text": "/qwen help"})
    assert resp.json()["ok"] is False and resp.json()["error"] == "dispatch_failed"
    assert [m.kind for m in slack.ephemerals(MEMBER)] == ["error"]


def test_the_page_carries_its_secret_and_posts_need_it(slack: FakeSlack) -> None:
    secret = slack.server.page.guard.secret
    assert f'content="{secret}"' in httpx.get(slack.url).text
    body = {"user": ADMIN, "channel": GENERAL, "text": "/qwen help"}
    assert httpx.post(slack.url + "ui/send", json=body).json()["error"] == "bad_secret"
    wrong = httpx.post(slack.url + "ui/send", json=body, headers={SECRET_HEADER: "guess"})
    assert wrong.status_code == 403
    assert slack.messages(GENERAL) == []


@pytest.mark.parametrize(
    ("headers", "content", "error"),
    [
        ({"Content-Type": "text/plain"}, b'{"user":"U_ADMIN","channel":"C_GENERAL"}', "json_only"),
        ({"Content-Type": "application/x-www-form-urlencoded"}, b"user=U_ADMIN&text=hi", "json_only"),
        ({"Content-Type": "application/json", "Origin": "http://evil.example"}, b"{}", "foreign_origin"),
        ({"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, b"{}", "cross_site"),
        ({"Content-Type": "application/json", "Host": "evil.example"}, b"{}", "foreign_host"),
    ],
)
def test_cross_site_and_foreign_host_posts_are_refused(
    slack: FakeSlack, headers: dict[str, str], content: bytes, error: str
) -> None:
    reply = post(slack, "ui/send", content=content, headers=headers)
    assert reply.status_code == 403 and reply.json()["error"] == error
    assert slack.messages(GENERAL) == []


def test_a_rebound_host_cannot_read_the_page_or_state(slack: FakeSlack) -> None:
    port = slack.server.server_address[1]
    for path in ("", "ui/state", "static/app.js"):
        reply = httpx.get(slack.url + path, headers={"Host": f"rebind.example:{port}"})
        assert reply.status_code == 403, path
    assert httpx.get(slack.url + "ui/state", headers={"Host": f"localhost:{port}"}).status_code == 200
