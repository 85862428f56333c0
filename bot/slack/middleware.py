"""Bolt middleware and error handler: a request id per request, malformed payloads answered 400, listener
errors logged (events still answer 200)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.middleware import Middleware
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

from bot.base.logs import start_request

log = logging.getLogger("bot.app")


class RequestIdMiddleware(Middleware):
    """A request id per Slack request (bot.base.logs). A class on purpose: Bolt builds every keyword
    argument of a function middleware eagerly and raises on malformed payloads (found by fuzzing)."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        start_request(req.context)
        if not readable(req.body):
            log.warning("malformed Slack payload rejected")
            return BoltResponse(status=400, body={"ok": False, "error": "invalid_payload"})
        return next()


def event_listener_failed(error: Exception, body: dict[str, Any], response: BoltResponse | None) -> None:
    """Listener errors are logged. Events run before the response (process_before_response), so a failing
    event listener still answers 200: Slack would only redeliver the same event, up to three times."""
    log.error("listener failed: %s", type(error).__name__, exc_info=error)
    if response is not None and body.get("type") == "event_callback":
        response.status, response.body = 200, ""


_OBJECTS = ("view", "event", "message", "user", "channel", "container", "state", "options")


def readable(body: Any) -> bool:
    """False for payload shapes Slack never sends and Bolt's matchers crash on (they read `actions[0]`,
    `view["..."]`, `user.get(...)` for every listener); such requests get 400 instead of 500."""
    if not isinstance(body, dict):
        return False
    if any(key in body and not isinstance(body[key], dict) for key in _OBJECTS):
        return False
    if "view" in body and not isinstance(body["view"].get("type"), str):
        return False
    actions = body.get("actions", [{}])
    return isinstance(actions, list) and bool(actions) and all(isinstance(a, dict) for a in actions)
