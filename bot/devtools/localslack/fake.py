"""`FakeSlack`: the local workspace as one handle, for tests and for `qwen-bot serve`.

    slack = FakeSlack.start(signing_secret="s", bot_token="xoxb-local", bot_url="http://127.0.0.1:3000/slack/events")
    os.environ["SLACK_API_URL"] = slack.api_url          # http://127.0.0.1:<port>/api/
    slack.slash("U_MEMBER", "C_GENERAL", "usage last-month")
    msg = slack.wait_for(lambda: slack.last_ephemeral("U_MEMBER"))
    slack.click("U_MEMBER", msg, "share")
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from bot.devtools.localslack.faults import Call, Faults
from bot.devtools.localslack.responses import Interactions
from bot.devtools.localslack.sender import BotReply, Sender, Sent
from bot.devtools.localslack.server import LocalSlackServer
from bot.devtools.localslack.state import Message, User, View, Workspace
from bot.devtools.localslack.wsgimount import WsgiApp

T = TypeVar("T")
MEMBER, ADMIN, GENERAL, RANDOM = "U_MEMBER", "U_ADMIN", "C_GENERAL", "C_RANDOM"


class FakeSlack:
    def __init__(self, *, server: LocalSlackServer, sender: Sender) -> None:
        self.server, self.sender = server, sender
        self.ws: Workspace = server.ws
        self.faults: Faults = server.faults
        self.interactions: Interactions = server.interactions

    @classmethod
    def start(cls, *, signing_secret: str, bot_token: str = "xoxb-local-workspace",
              bot_url: str = "http://127.0.0.1:3000/slack/events", host: str = "127.0.0.1", port: int = 0,
              ack_timeout: float = 3.0, workspace: Workspace | None = None,
              serve_page: bool = False) -> FakeSlack:
        ws = workspace or Workspace()
        interactions = Interactions(ws)
        server = LocalSlackServer(host, port, ws=ws, faults=Faults(), interactions=interactions,
                                  bot_token=bot_token)
        sender = Sender(ws, interactions, signing_secret=signing_secret, bot_url=bot_url,
                        base_url=lambda: server.base_url, ack_timeout=ack_timeout)
        fake = cls(server=server, sender=sender)
        if serve_page:
            from bot.devtools.localslack.page import PageApi

            server.page = PageApi(fake)
        server.start()
        return fake

    def stop(self) -> None:
        self.server.stop()
        self.sender.close()

    def __enter__(self) -> FakeSlack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- addresses ---------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The page (when served) and the server root, ending in `/`."""
        return self.server.base_url

    @property
    def api_url(self) -> str:
        """For SLACK_API_URL / WebClient(base_url=...): ends in `/api/`."""
        return self.server.base_url + "api/"

    @property
    def bot_token(self) -> str:
        return self.server.bot_token

    @property
    def signing_secret(self) -> str:
        return self.sender.signing_secret

    @property
    def bot_url(self) -> str:
        """Where signed requests go (the bot's /slack/events); settable once the bot is listening."""
        return self.sender.bot_url

    @bot_url.setter
    def bot_url(self, value: str) -> None:
        self.sender.bot_url = value

    @property
    def bot_user_id(self) -> str:
        return self.ws.bot.id

    def mount_bot(self, app: WsgiApp, events_path: str = "/slack/events") -> None:
        """Serve the bot's WSGI app from this server (all paths the workspace does not use) and send the
        signed requests to it here."""
        self.server.mounted = app
        self.sender.bot_url = self.url.rstrip("/") + events_path

    # ---- acting as people --------------------------------------------------------------------------
    def slash(self, user: str, channel: str, text: str, *, command: str = "/qwen") -> BotReply:
        return self.sender.slash(user, channel, text, command=command)

    def click(self, user: str, message: Message, action_id: str, *, value: str | None = None,
              selected: str | None = None) -> BotReply:
        return self.sender.click(user, message, action_id, value=value, selected=selected)

    def select(self, user: str, message: Message, action_id: str, option_value: str) -> BotReply:
        return self.sender.click(user, message, action_id, selected=option_value)

    def click_home(self, user: str, action_id: str, *, value: str | None = None,
                   selected: str | None = None) -> BotReply:
        view = self.home(user)
        if view is None:
            raise KeyError(f"{user} has no App Home view")
        return self.sender.click_view(user, view.id, action_id, value=value, selected=selected)

    def submit(self, user: str, values: dict[str, Any] | None = None) -> BotReply:
        view = self.modal(user)
        if view is None:
            raise KeyError(f"{user} has no open modal")
        return self.sender.submit_view(user, view.id, values)

    def dm(self, user: str, text: str) -> BotReply:
        return self.sender.dm(user, text)

    def open_home(self, user: str) -> BotReply:
        return self.sender.open_home(user)

    def url_verification(self, challenge: str = "challenge-token") -> BotReply:
        return self.sender.url_verification(challenge)

    def send_raw(self, body: str, content_type: str = "application/x-www-form-urlencoded", *,
                 secret: str | None = None, timestamp: int | None = None) -> BotReply:
        """A request signed with another secret or an old timestamp, for rejection tests."""
        return self.sender.send(body, content_type, secret=secret, timestamp=timestamp)

    def add_user(self, user_id: str, name: str, *, tz: str = "UTC", tz_offset: int = 0,
                 is_admin: bool = False, locale: str = "en-US", home_team: str | None = None,
                 guest: bool = False) -> User:
        return self.ws.add_user(User(user_id, name, name.title(), tz=tz, tz_label=tz, tz_offset=tz_offset,
                                     is_admin=is_admin, locale=locale, home_team=home_team, guest=guest))

    # ---- what Slack holds --------------------------------------------------------------------------
    def messages(self, channel: str) -> list[Message]:
        """Messages everyone sees in `channel` (a channel id, `#name`, or a user id for their DM)."""
        ch = self.ws.resolve_channel(channel)
        return self.ws.channel_messages(ch.id) if ch else []

    def ephemerals(self, user: str, channel: str | None = None) -> list[Message]:
        """Ephemeral messages from the bot (and Slack's own error notices) shown to `user`."""
        return [m for m in self.ws.ephemerals(user, channel) if m.kind != "command"]

    def last_ephemeral(self, user: str) -> Message | None:
        found = [m for m in self.ephemerals(user) if m.kind == "ephemeral"]
        return found[-1] if found else None

    def dms(self, user: str) -> list[Message]:
        return self.ws.channel_messages(self.ws.dm_of(user).id)

    def home(self, user: str) -> View | None:
        return self.ws.home_view(user)

    def modal(self, user: str) -> View | None:
        return self.ws.open_modal(user)

    def file_bytes(self, file_id: str) -> bytes:
        return self.ws.files[file_id].data

    def calls(self, method: str | None = None) -> list[Call]:
        with self.server.calls_lock:
            return [c for c in self.server.calls if method is None or c.method == method]

    def sent(self, kind: str | None = None) -> list[Sent]:
        """Requests made to the bot (kind: slash_command, block_actions, view_submission, event_callback…)."""
        with self.ws.lock:
            return [s for s in self.sender.sent if kind is None or s.kind == kind]

    def clear_calls(self) -> None:
        with self.server.calls_lock:
            self.server.calls.clear()

    def wait_for(self, predicate: Callable[[], T], timeout: float = 60.0) -> T:
        return self.ws.wait_for(predicate, timeout)

    # ---- knobs -------------------------------------------------------------------------------------
    def expire_response_urls(self) -> None:
        self.interactions.expire_all()

    def set_trigger_ttl(self, seconds: float) -> None:
        self.interactions.trigger_ttl = seconds

    def enforce_channel_rate(self, per_second: float = 1.0) -> None:
        self.faults.enforce_channel_rate(per_second)


def new_signing_secret() -> str:
    return secrets.token_hex(16)


def start_local_workspace(*, signing_secret: str, bot_token: str, bot_url: str | None = None,
                          port: int = 3000, host: str = "127.0.0.1",
                          bot_wsgi: WsgiApp | None = None) -> FakeSlack:
    """The local workspace for `qwen-bot serve` without Slack credentials: Web API + page on `port`.

    Either the bot listens elsewhere (`bot_url`, its /slack/events URL; settable later as `.bot_url`), or
    `bot_wsgi` mounts the bot's WSGI app on this same port for every path the workspace does not use
    (/slack/events, /healthz, ...), and signed requests go to `<this server>/slack/events`.
    Point the bot's SLACK_API_URL at `.api_url` either way.
    """
    slack = FakeSlack.start(signing_secret=signing_secret, bot_token=bot_token,
                            bot_url=bot_url or "http://127.0.0.1:9/slack/events", host=host, port=port,
                            serve_page=True)
    if bot_wsgi is not None:
        slack.mount_bot(bot_wsgi)
    return slack
