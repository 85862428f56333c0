"""`response_url`s and `trigger_id`s: issued with each interaction, honoured the way Slack honours them.

A response_url accepts 5 posts within 30 minutes. `replace_original` replaces the message the interaction
came from (for a slash command: the last message this URL posted, or the ack's ephemeral); `delete_original`
deletes it; otherwise a new message is posted, ephemeral unless `response_type` is `in_channel`.
A trigger_id opens a modal only within 3 seconds of the interaction.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from bot.devtools.localslack.blockcheck import block_problem, parse_blocks
from bot.devtools.localslack.state import Message, Workspace

MAX_USES = 5
RESPONSE_URL_TTL = 30 * 60.0
TRIGGER_TTL = 3.0


@dataclass
class ResponseUrl:
    token: str
    channel: str
    user: str
    original_ts: str | None  # message to replace/delete
    original_ephemeral: bool
    created: float
    uses: int = 0
    expired: bool = False
    acked: bool = False  # the ack of a slash command has been seen (it may come after a fast response)
    replaced_before_ack: bool = False


class Interactions:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace
        self._lock = threading.RLock()
        self._urls: dict[str, ResponseUrl] = {}
        self._triggers: dict[str, tuple[str, float]] = {}
        self.trigger_ttl = TRIGGER_TTL

    # ---- triggers ----------------------------------------------------------------------------------
    def new_trigger(self, user: str) -> str:
        trigger = f"{int(time.time())}.{secrets.randbelow(10**9)}.{secrets.token_hex(8)}"
        with self._lock:
            self._triggers[trigger] = (user, time.monotonic())
        return trigger

    def use_trigger(self, trigger: str) -> tuple[str | None, str | None]:
        """(user, None) when valid, else (None, error): invalid_trigger_id / expired_trigger_id."""
        with self._lock:
            found = self._triggers.pop(trigger, None)
        if found is None:
            return None, "invalid_trigger_id"
        user, at = found
        if time.monotonic() - at > self.trigger_ttl:
            return None, "expired_trigger_id"
        return user, None

    # ---- response urls -----------------------------------------------------------------------------
    def new_response_url(self, *, channel: str, user: str, original_ts: str | None = None,
                         original_ephemeral: bool = True) -> str:
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._urls[token] = ResponseUrl(token, channel, user, original_ts, original_ephemeral,
                                            time.monotonic())
        return token

    def set_original(self, token: str, ts: str, ephemeral: bool) -> None:
        with self._lock:
            if token in self._urls:
                self._urls[token].original_ts = ts
                self._urls[token].original_ephemeral = ephemeral

    def expire_all(self) -> None:
        """Make every response_url issued so far answer 404 `expired_url` (as after 30 minutes)."""
        with self._lock:
            for url in self._urls.values():
                url.expired = True

    def post(self, token: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            url = self._urls.get(token)
            if url is None:
                return 404, {"ok": False, "error": "invalid_url"}
            if url.expired or time.monotonic() - url.created > RESPONSE_URL_TTL:
                return 404, {"ok": False, "error": "expired_url"}
            if url.uses >= MAX_USES:
                return 404, {"ok": False, "error": "used_url"}
            url.uses += 1
            return self._apply(token, url, body)

    def attach_ack(self, token: str, msg: Message) -> None:
        """The slash command's ack carried a message: show it, unless a response_url post already replaced it
        (the app's listener can respond before the ack reaches Slack)."""
        with self._lock:
            url = self._urls.get(token)
            if url is None or url.replaced_before_ack:
                return
            url.acked = True
            self.ws.add_message(msg)
            if url.original_ts is None:
                url.original_ts, url.original_ephemeral = msg.ts, msg.ephemeral_for is not None

    def mark_acked(self, token: str) -> None:
        with self._lock:
            if token in self._urls:
                self._urls[token].acked = True

    def _apply(self, token: str, url: ResponseUrl, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        blocks = parse_blocks(body.get("blocks"))
        if blocks is None or block_problem(blocks):
            return 400, {"ok": False, "error": "invalid_blocks"}
        text = str(body.get("text") or "")
        if _true(body.get("delete_original")):
            if url.original_ts:
                self.ws.remove_message(url.channel, url.original_ts)
            return 200, {"ok": True}
        if not text and not blocks:
            return 400, {"ok": False, "error": "no_text"}
        in_channel = body.get("response_type") == "in_channel"
        if _true(body.get("replace_original")) and not url.acked:
            url.replaced_before_ack = True
        if _true(body.get("replace_original")) and url.original_ts:
            with self.ws.lock:
                original = self.ws.find_message(url.channel, url.original_ts)
                if original is not None and not (in_channel and original.ephemeral_for):
                    original.text, original.blocks, original.edited = text, blocks, True
                    self.ws.touch()
                    return 200, {"ok": True}
                if original is not None:  # an ephemeral becoming public: gone here, posted below
                    self.ws.remove_message(url.channel, url.original_ts)
        msg = Message(url.channel, self.ws.new_ts(), text, blocks, user=self.ws.bot.id, bot_id=self.ws.bot_id,
                      thread_ts=body.get("thread_ts"), ephemeral_for=None if in_channel else url.user,
                      kind="message" if in_channel else "ephemeral")
        self.ws.add_message(msg)
        if url.original_ts is None or (url.original_ephemeral and not in_channel):
            self.set_original(token, msg.ts, not in_channel)
        return 200, {"ok": True}


def _true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")
