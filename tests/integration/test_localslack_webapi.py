"""The fake Slack Web API through slack_sdk's real WebClient over HTTP: answers as Slack does."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from tests.fakes.slack import ADMIN, BOT_TOKEN, GENERAL, MEMBER, RANDOM, FakeSlack, fake_slack

__all__ = ["fake_slack"]  # the fixture


@pytest.fixture
def client(fake_slack: FakeSlack) -> Iterator[WebClient]:
    yield WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)


SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*Total* 12.30 USD"}}


def test_auth_test_names_the_bot_and_rejects_other_tokens(fake_slack: FakeSlack, client: WebClient) -> None:
    me = client.auth_test()
    assert me["user_id"] == fake_slack.bot_user_id and me["team_id"] == fake_slack.ws.team_id
    with pytest.raises(SlackApiError) as err:
        WebClient(token="xoxb-wrong", base_url=fake_slack.api_url).auth_test()
    assert err.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as err:
        WebClient(base_url=fake_slack.api_url).auth_test()
    assert err.value.response["error"] == "not_authed"
    assert [c.status for c in fake_slack.calls("auth.test")] == [200, 200, 200]


def test_post_message_is_stored_and_recorded(fake_slack: FakeSlack, client: WebClient) -> None:
    resp = client.chat_postMessage(channel=GENERAL, text="fallback", blocks=[SECTION])
    assert resp["channel"] == GENERAL and resp["message"]["blocks"] == [SECTION]
    [msg] = fake_slack.messages(GENERAL)
    assert (msg.ts, msg.text, msg.blocks) == (resp["ts"], "fallback", [SECTION])
    assert msg.user == fake_slack.bot_user_id
    [call] = fake_slack.calls("chat.postMessage")
    assert call.params["channel"] == GENERAL and call.params["text"] == "fallback"


def test_post_message_to_a_user_id_lands_in_their_dm(fake_slack: FakeSlack, client: WebClient) -> None:
    resp = client.chat_postMessage(channel=MEMBER, text="hello")
    assert resp["channel"] == "D_MEMBER"
    assert [m.text for m in fake_slack.dms(MEMBER)] == ["hello"]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"channel": "C_NOPE", "text": "x"}, "channel_not_found"),
        ({"channel": RANDOM, "text": "x"}, "not_in_channel"),
        ({"channel": GENERAL, "text": "x", "blocks": [SECTION] * 51}, "invalid_blocks"),
        ({"channel": GENERAL, "text": "x", "blocks": [{"type": "section", "text": {"type": "mrkdwn",
                                                                                    "text": "a" * 3001}}]},
         "invalid_blocks"),
        ({"channel": GENERAL, "text": "x", "blocks": [{"type": "section", "fields": [
            {"type": "mrkdwn", "text": "f"}] * 11}]}, "invalid_blocks"),
    ],
)
def test_post_message_errors(client: WebClient, kwargs: dict[str, object], error: str) -> None:
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(**kwargs)  # type: ignore[arg-type]
    assert err.value.response["error"] == error


def test_image_blocks_may_name_uploaded_files_only(fake_slack: FakeSlack, client: WebClient) -> None:
    file_id = client.files_upload_v2(filename="c.png", content=b"png", title="c")["file"]["id"]
    assert fake_slack.messages(GENERAL) == []  # uploaded without a channel: private, not posted
    image = {"type": "image", "slack_file": {"id": file_id}, "alt_text": "chart"}
    assert client.chat_postMessage(channel=GENERAL, text="chart", blocks=[image])["ok"]
    with pytest.raises(SlackApiError) as err:
        missing = {**image, "slack_file": {"id": "F_NOPE"}}
        client.chat_postMessage(channel=GENERAL, text="chart", blocks=[missing])
    assert err.value.response["error"] == "invalid_blocks"


def test_ephemeral_is_only_for_its_user(fake_slack: FakeSlack, client: WebClient) -> None:
    resp = client.chat_postEphemeral(channel=GENERAL, user=MEMBER, text="only you")
    assert resp["message_ts"]
    assert fake_slack.messages(GENERAL) == []
    assert [m.text for m in fake_slack.ephemerals(MEMBER)] == ["only you"]
    assert fake_slack.ephemerals(ADMIN) == []


def test_update_and_delete(fake_slack: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel=GENERAL, text="Working…")["ts"]
    client.chat_update(channel=GENERAL, ts=ts, text="done", blocks=[SECTION])
    [msg] = fake_slack.messages(GENERAL)
    assert (msg.text, msg.blocks, msg.edited) == ("done", [SECTION], True)
    with pytest.raises(SlackApiError) as err:
        client.chat_update(channel=GENERAL, ts="1.000001", text="x")
    assert err.value.response["error"] == "message_not_found"
    client.chat_delete(channel=GENERAL, ts=ts)
    assert fake_slack.messages(GENERAL) == []


def test_users_info_carries_timezone_and_admin_flags(client: WebClient) -> None:
    member = client.users_info(user=MEMBER)["user"]
    admin = client.users_info(user=ADMIN)["user"]
    assert (member["tz"], member["tz_offset"], member["is_admin"]) == ("Asia/Tokyo", 32400, False)
    assert (admin["tz"], admin["is_admin"], admin["is_owner"]) == ("America/New_York", True, True)
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U_NOBODY")
    assert err.value.response["error"] == "user_not_found"


def test_conversations_open_and_info(client: WebClient) -> None:
    dm = client.conversations_open(users=ADMIN)["channel"]["id"]
    assert dm == "D_ADMIN"
    info = client.conversations_info(channel=dm)["channel"]
    assert info["is_im"] is True and info["user"] == ADMIN
    assert client.conversations_info(channel=GENERAL)["channel"]["name"] == "general"


def test_views_publish_and_update(fake_slack: FakeSlack, client: WebClient) -> None:
    home = {"type": "home", "blocks": [SECTION]}
    view = client.views_publish(user_id=MEMBER, view=home)["view"]
    assert fake_slack.home(MEMBER) is not None
    again = client.views_publish(user_id=MEMBER, view={"type": "home", "blocks": []})["view"]
    assert again["id"] == view["id"] and fake_slack.home(MEMBER).payload["blocks"] == []  # type: ignore[union-attr]
    with pytest.raises(SlackApiError) as err:
        client.views_update(view_id=view["id"], view=home, hash="stale")
    assert err.value.response["error"] == "hash_conflict"


def test_views_open_needs_a_fresh_trigger(fake_slack: FakeSlack, client: WebClient) -> None:
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Digest"}, "blocks": [SECTION]}
    trigger = fake_slack.interactions.new_trigger(ADMIN)
    opened = client.views_open(trigger_id=trigger, view=modal)["view"]
    assert fake_slack.modal(ADMIN) is not None and fake_slack.modal(ADMIN).id == opened["id"]  # type: ignore[union-attr]
    with pytest.raises(SlackApiError) as err:
        client.views_open(trigger_id=trigger, view=modal)  # used once only
    assert err.value.response["error"] == "invalid_trigger_id"
    fake_slack.set_trigger_ttl(0.01)
    late = fake_slack.interactions.new_trigger(ADMIN)
    time.sleep(0.05)
    with pytest.raises(SlackApiError) as err:
        client.views_open(trigger_id=late, view=modal)
    assert err.value.response["error"] == "expired_trigger_id"


def test_files_upload_v2_stores_bytes_and_posts_them(fake_slack: FakeSlack, client: WebClient) -> None:
    data = b"\x89PNG\r\n\x1a\nchart-bytes"
    resp = client.files_upload_v2(channel=GENERAL, filename="usage.png", content=data, title="Usage",
                                  initial_comment="Chart")
    file = resp["file"]
    assert (file["name"], file["title"], file["mimetype"]) == ("usage.png", "Usage", "image/png")
    assert file["size"] == len(data)
    assert fake_slack.file_bytes(file["id"]) == data
    assert httpx.get(file["url_private"]).content == data
    [msg] = fake_slack.messages(GENERAL)
    assert msg.text == "Chart" and msg.files[0]["id"] == file["id"]
    assert [c.method for c in fake_slack.calls()] == [
        "files.getUploadURLExternal", "file_upload", "files.completeUploadExternal"]


def test_legacy_files_upload_multipart(fake_slack: FakeSlack, client: WebClient) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        resp = client.files_upload(channels=GENERAL, file=b"a,b\n1,2\n", filename="u.csv", title="CSV")
    assert fake_slack.file_bytes(resp["file"]["id"]) == b"a,b\n1,2\n"
    assert fake_slack.messages(GENERAL)[0].files[0]["name"] == "u.csv"


def _raw_post(fake_slack: FakeSlack, method: str, data: dict[str, str]) -> httpx.Response:
    auth = {"Authorization": f"Bearer {BOT_TOKEN}"}
    return httpx.post(fake_slack.api_url + method, headers=auth, data=data)


def test_no_text_is_refused(fake_slack: FakeSlack) -> None:
    assert _raw_post(fake_slack, "chat.postMessage", {"channel": GENERAL}).json() == {
        "ok": False, "error": "no_text"}


def test_rate_limit_answers_429_with_retry_after(fake_slack: FakeSlack) -> None:
    fake_slack.faults.rate_limit("chat.postMessage", channel=GENERAL, retry_after=7)
    raw = _raw_post(fake_slack, "chat.postMessage", {"channel": GENERAL, "text": "x"})
    assert raw.status_code == 429 and raw.headers["Retry-After"] == "7"
    assert raw.json() == {"ok": False, "error": "ratelimited"}
    ok = _raw_post(fake_slack, "chat.postMessage", {"channel": GENERAL, "text": "x"})
    assert ok.json()["ok"] is True  # only once


def test_slack_sdk_retry_handler_honours_retry_after(fake_slack: FakeSlack) -> None:
    fake_slack.faults.rate_limit("chat.postMessage", retry_after=1)
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url,
                       retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    started = time.monotonic()
    assert client.chat_postMessage(channel=GENERAL, text="x")["ok"]
    assert time.monotonic() - started >= 1.0
    assert [c.status for c in fake_slack.calls("chat.postMessage")] == [429, 200]


def test_channel_rate_is_enforced_per_channel(fake_slack: FakeSlack, client: WebClient) -> None:
    fake_slack.enforce_channel_rate(per_second=1)
    client.chat_postMessage(channel=GENERAL, text="1")
    client.chat_postMessage(channel=MEMBER, text="other channel is fine")
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel=GENERAL, text="2")
    assert err.value.response.status_code == 429 and int(err.value.response.headers["Retry-After"]) >= 1


def test_server_error_and_slack_error_knobs(fake_slack: FakeSlack, client: WebClient) -> None:
    fake_slack.faults.server_error("users.info", status=503)
    with pytest.raises(SlackApiError) as err:
        client.users_info(user=MEMBER)
    assert err.value.response.status_code == 503
    fake_slack.faults.slack_error("chat.postEphemeral", "user_not_in_channel")
    with pytest.raises(SlackApiError) as err:
        client.chat_postEphemeral(channel=GENERAL, user=MEMBER, text="x")
    assert err.value.response["error"] == "user_not_in_channel"
    assert client.users_info(user=MEMBER)["ok"]


def _slash_url(fake_slack: FakeSlack) -> str:
    form, _ = fake_slack.sender.payloads.slash(MEMBER, GENERAL, "usage", "/qwen")
    return form["response_url"]


def test_response_url_posts_replaces_and_deletes(fake_slack: FakeSlack) -> None:
    url = _slash_url(fake_slack)
    hook = WebhookClient(url)
    assert hook.send(text="Working…").status_code == 200
    [working] = fake_slack.ephemerals(MEMBER)
    assert hook.send(text="Result", blocks=[SECTION], replace_original=True).status_code == 200
    [result] = fake_slack.ephemerals(MEMBER)
    assert (result.ts, result.text, result.blocks) == (working.ts, "Result", [SECTION])
    assert hook.send(text="Shared", response_type="in_channel").status_code == 200
    assert [m.text for m in fake_slack.messages(GENERAL)] == ["Shared"]
    assert hook.send(text="", delete_original=True).status_code == 200
    [call] = fake_slack.calls("response_url")[-1:]
    assert call.params["delete_original"] is True


def test_response_url_is_limited_to_five_uses_and_expires(fake_slack: FakeSlack) -> None:
    url = _slash_url(fake_slack)
    statuses = [httpx.post(url, json={"text": str(i)}).status_code for i in range(6)]
    assert statuses == [200] * 5 + [404]
    other = _slash_url(fake_slack)
    fake_slack.expire_response_urls()
    resp = httpx.post(other, json={"text": "late"})
    assert resp.status_code == 404 and resp.json()["error"] == "expired_url"


def test_response_url_rejects_bad_blocks(fake_slack: FakeSlack) -> None:
    body = json.dumps({"text": "x", "blocks": [{"type": "bogus"}]})
    resp = httpx.post(_slash_url(fake_slack), content=body)
    assert resp.status_code == 400


def test_a_response_that_beats_the_ack_still_replaces_it(fake_slack: FakeSlack) -> None:
    """Bolt runs the listener while the ack is on its way: the replacement can reach Slack first."""
    from bot.devtools.localslack.state import Message

    form, token = fake_slack.sender.payloads.slash(MEMBER, GENERAL, "usage", "/qwen")
    early = httpx.post(form["response_url"], json={"text": "Result", "replace_original": True})
    assert early.status_code == 200
    working = Message(GENERAL, fake_slack.ws.new_ts(), "Working…", user=fake_slack.bot_user_id,
                      ephemeral_for=MEMBER, kind="ephemeral")
    fake_slack.interactions.attach_ack(token, working)
    assert [m.text for m in fake_slack.ephemerals(MEMBER)] == ["Result"]


def test_conversations_history_newest_first_with_metadata(fake_slack: FakeSlack, client: WebClient) -> None:
    before = client.chat_postMessage(channel=GENERAL, text="before")["ts"]
    tagged = {"event_type": "qwen_digest", "event_payload": {"run_id": 7}}
    posted = [
        client.chat_postMessage(channel=GENERAL, text=f"m{i}", metadata=tagged if i == 1 else None)["ts"]
        for i in range(3)
    ]
    page = client.conversations_history(channel=GENERAL, oldest=before, limit=2, include_all_metadata=True)
    assert [m["ts"] for m in page["messages"]] == [posted[2], posted[1]] and page["has_more"] is True
    assert page["messages"][1]["metadata"] == tagged and "metadata" not in page["messages"][0]
    rest = client.conversations_history(channel=GENERAL, oldest=before, latest=posted[1], limit=2)
    assert [m["ts"] for m in rest["messages"]] == [posted[0]] and rest["has_more"] is False
    assert "metadata" not in client.conversations_history(channel=GENERAL)["messages"][2]
    with pytest.raises(SlackApiError) as err:
        client.conversations_history(channel="C_NOPE")
    assert err.value.response["error"] == "channel_not_found"
