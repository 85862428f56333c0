"""The Bolt app factory (HTTP mode: one workspace or the OAuth install flow), its WSGI wrapper with
/healthz and /metrics, and Socket Mode. Listeners are registered by bot/app.py (handlers.register)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from bot.base.config import Settings
from bot.base.errors import ConfigError
from bot.base.metrics import metrics_wsgi_app
from bot.slack.acks import AckFirstExecutor
from bot.slack.guard import body_too_big, metrics_allowed, refuse
from bot.slack.installs import EncryptedInstallationStore
from bot.slack.middleware import RequestIdMiddleware, event_listener_failed
from bot.slack.posting import web_client

log = logging.getLogger("bot.app")

# channels:history / groups:history let the digest job find a post whose answer was lost (a Slack 5xx)
# instead of losing or duplicating it.
BOT_SCOPES = (
    "commands", "chat:write", "users:read", "im:write", "im:history", "files:write",
    "channels:history", "groups:history",
)
EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
WSGIApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


def make_app(
    settings: Settings,
    *,
    engine: Engine,
    store: EncryptedInstallationStore | None,
    token_verification: bool = True,
) -> App:
    """Bolt's sync App in HTTP mode: one workspace (SLACK_BOT_TOKEN) or many (OAuth install flow)."""
    s = settings
    if s.slack_signing_secret is None:
        raise ConfigError("SLACK_SIGNING_SECRET is required to serve Slack")
    base_url = s.slack_api_url.rstrip("/") + "/"
    common: dict[str, Any] = {
        "signing_secret": s.slack_signing_secret.get(),
        "logger": logging.getLogger("bot.slack"),
        # Lazy listeners keep the request id and wait while other requests are being acked (slack/acks.py).
        "listener_executor": AckFirstExecutor(32),
        # Run ack functions inline in the request thread: Bolt's default queues them on the listener
        # executor behind slow lazy work and polls every 10 ms (bench_ack: p50 600 ms at 50 concurrent).
        # Lazy listeners still run after the response, on the executor.
        "process_before_response": True,
    }
    if store is not None and s.slack_client_id and s.slack_client_secret:
        state_store = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)  # table: 0004
        oauth = OAuthSettings(
            client_id=s.slack_client_id,
            client_secret=s.slack_client_secret.get(),
            scopes=list(BOT_SCOPES),
            installation_store=store,
            state_store=state_store,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
        )
        app = App(**common, oauth_settings=oauth, client=web_client(None, base_url))
    elif s.slack_bot_token is not None:
        token = s.slack_bot_token.get()
        client = web_client(token, base_url)
        app = App(**common, client=client, token_verification_enabled=token_verification)
    else:
        raise ConfigError("Set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID + SLACK_CLIENT_SECRET")
    app.middleware(RequestIdMiddleware())
    app.error(event_listener_failed)
    return app


def wsgi_app(app: App, *, metrics: WSGIApp | None = None, metrics_token: str | None = None) -> WSGIApp:
    """Bolt's WSGI adapter (POST /slack/events, OAuth pages) with GET /healthz and GET /metrics (bearer
    `metrics_token`) in front; bodies over 1 MB are refused unread (bot/slack/guard.py)."""
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)
    prometheus = metrics or metrics_wsgi_app()
    executor = app.listener_runner.listener_executor
    acks = executor if isinstance(executor, AckFirstExecutor) else None

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"ok":true}']
        if environ.get("PATH_INFO") == "/metrics" and environ.get("REQUEST_METHOD") == "GET":
            if not metrics_allowed(environ, metrics_token):
                return refuse(start_response, "404 Not Found", "not_found")
            return prometheus(environ, start_response)
        too_big = body_too_big(environ)
        if too_big is not None:
            return refuse(start_response, too_big, "request_refused")
        if acks is not None:
            acks.begin()  # lazy work started meanwhile waits until no request is in here (bot/slack/acks.py)
        try:
            result: Iterable[bytes] = bolt(environ, start_response)
        except Exception:  # Bolt cannot even build a request from this body (a well-signed but odd payload)
            log.warning("unreadable Slack request rejected", exc_info=True)
            start_response("400 Bad Request", [("Content-Type", "application/json")])
            return [b'{"ok":false,"error":"invalid_payload"}']
        finally:
            if acks is not None:
                acks.end()
        return result

    return application


def socket_mode(app: App, settings: Settings) -> SocketModeHandler:
    """Socket Mode for local development (SLACK_APP_TOKEN); `.connect()` returns, `.start()` blocks."""
    if settings.slack_app_token is None:
        raise ConfigError("SLACK_APP_TOKEN is not set")
    return SocketModeHandler(app, settings.slack_app_token.get())
