"""Issue 11 item 5: the web endpoint refuses bodies over 1 MB before parsing them (413), `/metrics` needs the
bearer token, `/healthz` stays open."""

from __future__ import annotations

import httpx

from bot.devtools.localslack import GENERAL, MEMBER
from bot.slack.guard import body_too_big
from tests.conftest import METRICS_TOKEN
from tests.scenario.conftest import Stack


def test_a_body_over_1_mb_gets_413_unread(stack: Stack) -> None:
    url = stack.bot.url + "/slack/events"
    big = b"token=x&text=" + b"a" * 1_000_001
    reply = httpx.post(url, content=big, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status_code == 413
    assert body_too_big({"CONTENT_LENGTH": "1e9"}) == "400 Bad Request"  # not a number: not read either
    assert body_too_big({"CONTENT_LENGTH": "12", "HTTP_TRANSFER_ENCODING": "chunked"}) is not None
    assert body_too_big({"CONTENT_LENGTH": "1000000"}) is None
    # an ordinary signed command still works
    help_reply = stack.slack.slash(MEMBER, GENERAL, "help")
    assert help_reply.status == 200 and "/qwen" in help_reply.body


def test_metrics_need_the_bearer_token_and_healthz_stays_open(stack: Stack) -> None:
    assert httpx.get(stack.bot.url + "/healthz").status_code == 200
    assert httpx.get(stack.bot.url + "/metrics").status_code == 404
    wrong = httpx.get(stack.bot.url + "/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 404 and "qwen_bot" not in wrong.text
    right = httpx.get(stack.bot.url + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert right.status_code == 200 and "qwen_bot_" in right.text
