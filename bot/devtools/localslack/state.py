"""In-memory state of the local Slack workspace: team, users, channels, messages, views, files.

Everything is guarded by one re-entrant lock; every change bumps `version` and wakes waiters, so tests can
`wait_for` a condition and the page can long-poll for changes.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
JSON = dict[str, Any]


@dataclass
class User:
    id: str
    name: str
    real_name: str
    tz: str = "UTC"
    tz_label: str = "Coordinated Universal Time"
    tz_offset: int = 0
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False
    home_team: str | None = None  # a Slack Connect user from another organisation (their own team id)
    guest: bool = False  # a multi-channel guest (is_restricted)
    bot_id: str | None = None
    locale: str = "en-US"

    def to_api(self, team_id: str) -> JSON:
        profile: JSON = {"real_name": self.real_name, "display_name": self.name, "team": team_id}
        if self.bot_id:
            profile["bot_id"] = self.bot_id
        return {
            "id": self.id, "team_id": self.home_team or team_id, "name": self.name, "deleted": False,
            "real_name": self.real_name,
            "tz": self.tz, "tz_label": self.tz_label, "tz_offset": self.tz_offset, "profile": profile,
            "is_admin": self.is_admin, "is_owner": self.is_owner, "is_primary_owner": self.is_owner,
            "is_restricted": self.guest, "is_ultra_restricted": False, "is_bot": self.is_bot,
            "is_app_user": False, "updated": 1700000000,
        }


@dataclass
class Channel:
    id: str
    name: str
    is_im: bool = False
    user: str | None = None  # the human of an IM with the bot
    bot_is_member: bool = True

    def to_api(self) -> JSON:
        if self.is_im:
            return {"id": self.id, "is_im": True, "is_channel": False, "is_private": True, "user": self.user,
                    "is_open": True, "created": 1700000000}
        return {"id": self.id, "name": self.name, "name_normalized": self.name, "is_channel": True,
                "is_im": False, "is_private": False, "is_archived": False,
                "is_general": self.name == "general",
                "is_member": self.bot_is_member, "created": 1700000000}


@dataclass
class Message:
    channel: str
    ts: str
    text: str = ""
    blocks: list[JSON] = field(default_factory=list)
    user: str | None = None
    bot_id: str | None = None
    thread_ts: str | None = None
    files: list[JSON] = field(default_factory=list)
    ephemeral_for: str | None = None  # user id when only that user sees it
    kind: str = "message"  # message | ephemeral | command (a person's slash command echo) | error
    edited: bool = False
    metadata: JSON | None = None  # chat.postMessage `metadata` {event_type, event_payload}

    def to_api(self, team_id: str) -> JSON:
        out: JSON = {"type": "message", "ts": self.ts, "text": self.text, "team": team_id}
        if self.blocks:
            out["blocks"] = self.blocks
        if self.user:
            out["user"] = self.user
        if self.bot_id:
            out["bot_id"] = self.bot_id
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        if self.files:
            out["files"] = self.files
        if self.edited:
            out["edited"] = {"user": self.user, "ts": self.ts}
        return out

    def to_page(self, team_id: str) -> JSON:
        out = self.to_api(team_id)
        out.update(channel=self.channel, ephemeral=self.ephemeral_for is not None, kind=self.kind)
        return out


@dataclass
class StoredFile:
    id: str
    name: str
    title: str
    mimetype: str
    data: bytes
    user: str
    created: int
    channels: list[str] = field(default_factory=list)
    url: str = ""

    def to_api(self) -> JSON:
        filetype = self.name.rsplit(".", 1)[-1].lower() if "." in self.name else "binary"
        return {"id": self.id, "name": self.name, "title": self.title, "mimetype": self.mimetype,
                "filetype": filetype, "size": len(self.data), "user": self.user, "created": self.created,
                "url_private": self.url, "url_private_download": self.url, "permalink": self.url,
                "channels": list(self.channels), "is_public": True}


@dataclass
class View:
    id: str
    type: str  # home | modal
    user: str
    payload: JSON
    hash: str
    team_id: str
    app_id: str
    bot_id: str
    trigger_id: str | None = None
    errors: JSON = field(default_factory=dict)
    closed: bool = False

    def to_api(self) -> JSON:
        out: JSON = {
            "id": self.id, "team_id": self.team_id, "type": self.type,
            "blocks": self.payload.get("blocks", []),
            "private_metadata": self.payload.get("private_metadata", ""),
            "callback_id": self.payload.get("callback_id", ""),
            "external_id": self.payload.get("external_id", ""),
            "state": {"values": {}}, "hash": self.hash, "title": self.payload.get("title"),
            "submit": self.payload.get("submit"), "close": self.payload.get("close"),
            "clear_on_close": False, "notify_on_close": False, "root_view_id": self.id,
            "previous_view_id": None, "app_id": self.app_id, "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        return out


class Workspace:
    """The whole workspace. Seeded with a member, an admin, #general, #random and the bot."""

    def __init__(self, *, team_id: str = "T0LOCAL01", domain: str = "local-workspace",
                 team_name: str = "Local",
                 app_id: str = "A0QWENBOT", bot_id: str = "B0QWENBOT", bot_user_id: str = "U0QWENBOT",
                 bot_name: str = "qwen") -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.version = 0
        self.team_id, self.domain, self.team_name = team_id, domain, team_name
        self.app_id, self.bot_id = app_id, bot_id
        self.bot = User(bot_user_id, bot_name, "QwenCloud usage", is_bot=True, bot_id=bot_id)
        self.users: dict[str, User] = {self.bot.id: self.bot}
        self.channels: dict[str, Channel] = {}
        self.messages: dict[str, list[Message]] = {}
        self.views: dict[str, View] = {}
        self.home: dict[str, str] = {}  # user id -> view id
        self.files: dict[str, StoredFile] = {}
        self._ids = itertools.count(1)
        self._last_ts = 0.0
        self.add_user(User("U_MEMBER", "mina", "Mina Sato", tz="Asia/Tokyo", tz_label="Japan Standard Time",
                           tz_offset=32400))
        self.add_user(User("U_ADMIN", "alex", "Alex Admin", tz="America/New_York",
                           tz_label="Eastern Standard Time", tz_offset=-18000, is_admin=True, is_owner=True))
        self.add_channel(Channel("C_GENERAL", "general"))
        self.add_channel(Channel("C_RANDOM", "random", bot_is_member=False))

    # ---- helpers -------------------------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}"

    def new_ts(self) -> str:
        with self.lock:
            now = max(time.time(), self._last_ts + 0.000001)
            self._last_ts = now
            return f"{now:.6f}"

    def touch(self) -> None:
        with self.lock:
            self.version += 1
            self.changed.notify_all()

    def wait_for(self, predicate: Callable[[], T], timeout: float = 60.0) -> T:
        """Block until `predicate()` returns something truthy (and return it); TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                result = predicate()
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"condition not met within {timeout}s")
                self.changed.wait(min(left, 0.2))

    def wait_change(self, since: int, timeout: float) -> int:
        with self.lock:
            self.changed.wait_for(lambda: self.version != since, timeout)
            return self.version

    # ---- users and channels ------------------------------------------------------------------------
    def add_user(self, user: User) -> User:
        with self.lock:
            self.users[user.id] = user
            if not user.is_bot:
                dm = Channel("D" + user.id[1:], user.name, is_im=True, user=user.id)
                self.add_channel(dm)
            self.touch()
            return user

    def add_channel(self, channel: Channel) -> Channel:
        with self.lock:
            self.channels[channel.id] = channel
            self.messages.setdefault(channel.id, [])
            self.touch()
            return channel

    def dm_of(self, user_id: str) -> Channel:
        with self.lock:
            for ch in self.channels.values():
                if ch.is_im and ch.user == user_id:
                    return ch
        raise KeyError(user_id)

    def resolve_channel(self, ref: str) -> Channel | None:
        """A channel id, a `#name`/name, or a user id (meaning the DM with the bot), as Slack accepts."""
        with self.lock:
            if ref in self.channels:
                return self.channels[ref]
            if ref in self.users and not self.users[ref].is_bot:
                return self.dm_of(ref)
            name = ref.removeprefix("#")
            return next((c for c in self.channels.values() if not c.is_im and c.name == name), None)

    # ---- messages ----------------------------------------------------------------------------------
    def add_message(self, msg: Message) -> Message:
        with self.lock:
            self.messages.setdefault(msg.channel, []).append(msg)
            self.touch()
            return msg

    def find_message(self, channel: str, ts: str) -> Message | None:
        with self.lock:
            return next((m for m in self.messages.get(channel, []) if m.ts == ts), None)

    def remove_message(self, channel: str, ts: str) -> bool:
        with self.lock:
            msgs = self.messages.get(channel, [])
            kept = [m for m in msgs if m.ts != ts]
            self.messages[channel] = kept
            self.touch()
            return len(kept) != len(msgs)

    def channel_messages(self, channel: str, *, viewer: str | None = None) -> list[Message]:
        """Messages everyone sees in `channel`, plus the ephemerals of `viewer` when given."""
        with self.lock:
            return [m for m in self.messages.get(channel, [])
                    if m.ephemeral_for is None or (viewer is not None and m.ephemeral_for == viewer)]

    def ephemerals(self, user: str, channel: str | None = None) -> list[Message]:
        with self.lock:
            return [m for ch, msgs in self.messages.items() for m in msgs
                    if m.ephemeral_for == user and (channel is None or ch == channel)]

    # ---- views -------------------------------------------------------------------------------------
    def put_view(self, *, type_: str, user: str, payload: JSON, view_id: str | None = None,
                 trigger_id: str | None = None) -> View:
        with self.lock:
            vid = view_id or self.new_id("V")
            view = View(vid, type_, user, payload, self.new_id("h"), self.team_id, self.app_id, self.bot_id,
                        trigger_id=trigger_id)
            self.views[vid] = view
            if type_ == "home":
                self.home[user] = vid
            self.touch()
            return view

    def home_view(self, user: str) -> View | None:
        with self.lock:
            vid = self.home.get(user)
            return self.views.get(vid) if vid else None

    def open_modal(self, user: str) -> View | None:
        with self.lock:
            modals = [v for v in self.views.values() if v.type == "modal" and v.user == user and not v.closed]
            return modals[-1] if modals else None
