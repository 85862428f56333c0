"""Composition root, Slack half: the Bolt app, its WSGI wrapper, the login notifier, Socket Mode.

The core half (`Services`, `build_services()`) lives in bot/services.py and is re-exported here."""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, cast

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.middleware import Middleware
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.webhook import WebhookClient
from sqlalchemy import Engine, Text

import handlers
from bot.base.config import Settings
from bot.base.errors import ConfigError
from bot.base.logs import configure_logging, start_request
from bot.base.metrics import metrics_wsgi_app
from bot.core.login import LoginOutcome
from bot.render import messages as render_slack
from bot.services import Services, build_services, make_clock, open_database
from bot.slack.acks import AckFirstExecutor
from bot.storage.crypto import Crypto
from bot.storage.db import pending_login_count
from bot.storage.owner import Owner
from bot.storage.pending import NotifyTarget

__all__ = [  # the Slack half, and the core half re-exported for callers of `bot.app`
    "Services",
    "build_app",
    "build_services",
    "make_clock",
    "open_database",
    "wsgi",
    "wsgi_app",
]

log = logging.getLogger("bot.app")


# == Slack (Bolt) ==========================================================================================
# The only module of bot/ (with bot/localslack) that imports slack_bolt / slack_sdk, and, as the composition
# root, the only one that imports handlers/.

# channels:history / groups:history let the digest job find a post whose answer was lost (a Slack 5xx)
# instead of losing or duplicating it.
BOT_SCOPES = (
    "commands", "chat:write", "users:read", "im:write", "im:history", "files:write",
    "channels:history", "groups:history",
)
EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
RESPONSE_URL_LIFETIME = timedelta(minutes=30)
WSGIApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


def web_client(token: str | None, base_url: str) -> WebClient:
    """A Web API client for SLACK_API_URL that waits out HTTP 429 (Retry-After) twice before giving up."""
    client = WebClient(token=token, base_url=base_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return client


def _notice_client(client: WebClient) -> WebClient:
    """Login notices also retry a Slack 5xx once: a notice seen twice beats a login nobody hears about."""
    client.retry_handlers.append(ServerErrorRetryHandler(max_retry_count=1))
    return client


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """Bolt's SQLAlchemy installation store with every Slack token sealed by our MultiFernet keys."""

    TOKENS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")

    def __init__(self, *, client_id: str, engine: Engine, crypto: Crypto) -> None:
        super().__init__(client_id=client_id, engine=engine)
        self._crypto = crypto
        self._local = threading.local()
        for table in (self.installations, self.bots):
            for name in self.TOKENS:
                if name in table.c:
                    table.c[name].type = Text()  # ciphertext is longer than a token's 200 chars

    def _ctx(self, obj: Any) -> str:
        return f"slack_token\x1f{obj.enterprise_id or ''}\x1f{obj.team_id or ''}"

    def _sealed(self, obj: Any) -> Any:
        out = copy.copy(obj)
        for name in self.TOKENS:
            if getattr(out, name, None):
                setattr(out, name, self._crypto.seal(getattr(out, name), context=self._ctx(out)).ciphertext)
        return out

    def _opened(self, obj: Any) -> Any:
        for name in self.TOKENS if obj is not None else ():
            if getattr(obj, name, None):
                setattr(obj, name, self._crypto.open(getattr(obj, name), context=self._ctx(obj)))
        return obj

    def save(self, installation: Installation) -> None:
        self._local.presealed = True  # Bolt's save() hands the (already sealed) bot to save_bot()
        try:
            super().save(self._sealed(installation))
        finally:
            self._local.presealed = False

    def save_bot(self, bot: Bot) -> None:
        super().save_bot(bot if getattr(self._local, "presealed", False) else self._sealed(bot))

    def find_bot(self, **kwargs: Any) -> Bot | None:
        return cast("Bot | None", self._opened(super().find_bot(**kwargs)))

    def find_installation(self, **kwargs: Any) -> Installation | None:
        return cast("Installation | None", self._opened(super().find_installation(**kwargs)))


def installation_store(services: Services) -> EncryptedInstallationStore | None:
    s = services.settings
    if not (s.slack_client_id and s.slack_client_secret):
        return None
    store = EncryptedInstallationStore(
        client_id=s.slack_client_id, engine=services.engine, crypto=services.crypto
    )
    return store  # its tables come from our migrations (0004_slack_oauth), never create_all


class SlackNotifier:
    """Tells a user how their login ended: through the response_url while it lives (30 min), else a DM.

    Built from settings alone, so `qwen-bot worker` (no Bolt App) announces the logins it completes."""

    def __init__(self, services: Services, *, store: EncryptedInstallationStore | None = None) -> None:
        self._settings = services.settings
        self._clock = services.clock
        self._store = store if store is not None else installation_store(services)

    def client_for(self, team_id: str) -> WebClient | None:
        base_url = self._settings.slack_api_url.rstrip("/") + "/"
        if self._settings.slack_bot_token is not None:
            return _notice_client(web_client(self._settings.slack_bot_token.get(), base_url))
        bot = self._store.find_bot(enterprise_id=None, team_id=team_id) if self._store else None
        return _notice_client(web_client(bot.bot_token, base_url)) if bot is not None else None

    def __call__(self, outcome: LoginOutcome) -> None:
        if not outcome.final:
            return
        row = outcome.login
        message = (
            render_slack.login_done(render_slack.who(outcome.user))
            if outcome.kind == "complete"
            else render_slack.login_failed(outcome.kind)
        )
        if row.purpose == "team_account":  # an admin linking a team account (bot/team/accounts.py)
            from bot.team.digest_view import account_link_result

            message = account_link_result(row.account_name, outcome.kind, render_slack.who(outcome.user))
        self.send(row.owner, row.notify, started_at=row.created_at, payload=message.payload())

    def send(
        self, owner: Owner, target: NotifyTarget, *, started_at: datetime, payload: dict[str, Any]
    ) -> None:
        if owner.team_id == "local":
            return  # the terminal polls for itself
        if target.response_url and self._clock.now() - started_at < RESPONSE_URL_LIFETIME:
            try:
                body = {**payload, "response_type": "ephemeral", "replace_original": False}
                if WebhookClient(target.response_url).send_dict(body).status_code == 200:
                    return
            except Exception as exc:  # an expired or unreachable response_url: fall back to a DM
                log.info("response_url failed (%s); sending a DM", type(exc).__name__)
        client = self.client_for(owner.team_id)
        if client is None:
            log.warning("no Slack token for team %s; cannot announce the login", owner.team_id)
            return
        channel = client.conversations_open(users=target.dm or owner.user_id)["channel"]["id"]
        client.chat_postMessage(channel=channel, **payload)


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


def build_app(services: Services, *, token_verification: bool = True) -> App:
    """Bolt's sync App in HTTP mode: one workspace (SLACK_BOT_TOKEN) or many (OAuth install flow)."""
    s = services.settings
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
    store = installation_store(services)
    if store is not None and s.slack_client_id and s.slack_client_secret:
        state_store = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=services.engine)  # table: 0004
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
    services.login.set_notifier(SlackNotifier(services, store=store))
    handlers.register(app, services)
    return app


def wsgi_app(app: App, *, metrics: WSGIApp | None = None) -> WSGIApp:
    """Bolt's WSGI adapter (POST /slack/events, OAuth pages) with GET /healthz and GET /metrics in front."""
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)
    prometheus = metrics or metrics_wsgi_app()
    executor = app.listener_runner.listener_executor
    acks = executor if isinstance(executor, AckFirstExecutor) else None

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"ok":true}']
        if environ.get("PATH_INFO") == "/metrics" and environ.get("REQUEST_METHOD") == "GET":
            return prometheus(environ, start_response)
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


def wsgi() -> WSGIApp:
    """gunicorn 'bot.app:wsgi()': settings from the environment -> services -> Bolt app -> WSGI callable."""
    settings = Settings.from_env()
    configure_logging(settings)
    services = build_services(settings)
    metrics = metrics_wsgi_app(
        settings.prometheus_multiproc_dir, pending_count=pending_login_count(services.engine)
    )
    return wsgi_app(build_app(services), metrics=metrics)


def socket_mode(app: App, services: Services) -> SocketModeHandler:
    """Socket Mode for local development (SLACK_APP_TOKEN); `.connect()` returns, `.start()` blocks."""
    if services.settings.slack_app_token is None:
        raise ConfigError("SLACK_APP_TOKEN is not set")
    return SocketModeHandler(app, services.settings.slack_app_token.get())
