"""Pytest fixtures and helpers around the local Slack workspace (bot.devtools.localslack), for scenario tests.

Use as a plugin (`pytest_plugins = ["tests.fakes.slack"]` in a conftest) or import the helpers:

    def test_x(fake_slack):                     # FakeSlack on port 0; SIGNING_SECRET / BOT_TOKEN below
        app = build_my_bolt_app(api_url=fake_slack.api_url)
        with serve_wsgi(app) as base:           # the bot over real HTTP
            fake_slack.bot_url = base + "/slack/events"
            reply = fake_slack.slash(MEMBER, GENERAL, "help")
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from bot.bootstrap import Services, build_team
from bot.devtools.localslack import ADMIN, GENERAL, MEMBER, RANDOM, BotReply, Call, FakeSlack, Message
from bot.slack.posting import WebPoster, no_retry_client
from bot.team.model import Team

__all__ = [
    "ADMIN",
    "BOT_TOKEN",
    "GENERAL",
    "MEMBER",
    "RANDOM",
    "SIGNING_SECRET",
    "BotReply",
    "Call",
    "FakeSlack",
    "Message",
    "StaticSlackClients",
    "bolt_wsgi",
    "fake_slack",
    "serve_wsgi",
    "static_team",
]

SIGNING_SECRET = "local-test-signing-secret"
BOT_TOKEN = "xoxb-local-test-token"


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_wsgi(app: Callable[..., Any], host: str = "127.0.0.1") -> Iterator[str]:
    """Serve a WSGI app on a free port in a thread; yields its base URL (no trailing slash)."""
    server = make_server(host, 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def bolt_wsgi(bolt_app: Any) -> Callable[..., Any]:
    """Bolt's own WSGI adapter around a slack_bolt.App (what gunicorn serves in production)."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    return SlackRequestHandler(bolt_app)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    slack = FakeSlack.start(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN, bot_url="http://127.0.0.1:9/")
    try:
        yield slack
    finally:
        slack.stop()


class StaticSlackClients:
    """One workspace: the same bot token for every team id."""

    def __init__(self, *, token: str, base_url: str, timeout: int = 20) -> None:
        self._poster = WebPoster(no_retry_client(token, base_url, timeout=timeout))

    def for_team(self, team_id: str) -> WebPoster | None:
        return self._poster


def static_team(services: Services, token: str = BOT_TOKEN) -> Team:
    """The team features over `services` (their stores hold no state of their own), posting background
    messages with one bot token to `services.settings.slack_api_url`."""
    clients = StaticSlackClients(token=token, base_url=services.settings.slack_api_url)
    return build_team(services, slack=clients)
