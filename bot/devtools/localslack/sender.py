"""Signed requests to the bot, shaped exactly as Slack sends them (slash commands, interactions, events)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from bot.devtools.localslack.payloads import Payloads
from bot.devtools.localslack.responses import Interactions
from bot.devtools.localslack.state import Message, Workspace

JSON = dict[str, Any]


@dataclass(frozen=True)
class Sent:
    """One request made to the bot: kind is slash_command, block_actions, view_submission, event_callback,
    url_verification or raw; body is the form (slash) or the JSON payload."""

    kind: str
    body: JSON
    reply: BotReply
    at: float


@dataclass(frozen=True)
class BotReply:
    """What the bot answered (the ack): HTTP status, raw body, parsed JSON body when there is one."""

    status: int
    body: str
    elapsed: float
    error: str | None = None  # Slack's words when the request failed: operation_timeout, dispatch_failed

    @property
    def json(self) -> JSON | None:
        try:
            parsed = json.loads(self.body)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """The two headers Slack adds: X-Slack-Request-Timestamp and X-Slack-Signature (v0 HMAC-SHA256)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = str(SignatureVerifier(secret).generate_signature(timestamp=ts, body=body))
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


class Sender:
    def __init__(self, ws: Workspace, interactions: Interactions, *, signing_secret: str, bot_url: str,
                 base_url: Callable[[], str], ack_timeout: float = 3.0) -> None:
        self.ws, self.interactions = ws, interactions
        self.signing_secret, self.bot_url, self.ack_timeout = signing_secret, bot_url, ack_timeout
        self.payloads = Payloads(ws, interactions, base_url)
        self._http = httpx.Client(timeout=ack_timeout)
        self.sent: list[Sent] = []

    def close(self) -> None:
        self._http.close()

    def send(self, body: str, content_type: str, *, secret: str | None = None,
             timestamp: int | None = None) -> BotReply:
        headers = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)"}
        headers.update(sign(secret or self.signing_secret, body, timestamp))
        started = time.monotonic()
        try:
            resp = self._http.post(self.bot_url, content=body.encode(), headers=headers)
        except httpx.TimeoutException:
            return BotReply(0, "", time.monotonic() - started, "operation_timeout")
        except httpx.HTTPError:
            return BotReply(0, "", time.monotonic() - started, "dispatch_failed")
        elapsed = time.monotonic() - started
        error = None if resp.status_code == 200 else "dispatch_failed"
        return BotReply(resp.status_code, resp.text, elapsed, error)

    def send_form(self, form: dict[str, str], **kw: Any) -> BotReply:
        reply = self.send(urlencode(form), "application/x-www-form-urlencoded", **kw)
        body: JSON = json.loads(form["payload"]) if "payload" in form else dict(form)
        self._log("slash_command" if "command" in form else str(body.get("type")), body, reply)
        return reply

    def send_json(self, payload: JSON, **kw: Any) -> BotReply:
        reply = self.send(json.dumps(payload), "application/json", **kw)
        self._log(str(payload.get("type")), payload, reply)
        return reply

    def _log(self, kind: str, body: JSON, reply: BotReply) -> None:
        with self.ws.lock:
            self.sent.append(Sent(kind, body, reply, time.time()))
            self.ws.touch()

    # ---- slash commands ----------------------------------------------------------------------------
    def slash(self, user: str, channel: str, text: str, *, command: str = "/qwen") -> BotReply:
        form, token = self.payloads.slash(user, channel, text, command)
        ch = form["channel_id"]
        self.ws.add_message(Message(ch, self.ws.new_ts(), f"{command} {text}".strip(), user=user,
                                    ephemeral_for=user, kind="command"))
        reply = self.send_form(form)
        if reply.error:
            self._slackbot(ch, user, f'{command} failed with the error "{reply.error}"')
        elif reply.body.strip():
            self._ack_message(reply, ch, user, token)
        self.interactions.mark_acked(token)
        return reply

    def _ack_message(self, reply: BotReply, channel: str, user: str, token: str) -> None:
        body = reply.json
        if body is None:
            body = {"text": reply.body}
        text, blocks = str(body.get("text") or ""), body.get("blocks") or []
        if not text and not blocks:
            return
        in_channel = body.get("response_type") == "in_channel"
        msg = Message(channel, self.ws.new_ts(), text, blocks, user=self.ws.bot.id, bot_id=self.ws.bot_id,
                      ephemeral_for=None if in_channel else user,
                      kind="message" if in_channel else "ephemeral")
        self.interactions.attach_ack(token, msg)

    def _slackbot(self, channel: str, user: str, text: str) -> None:
        self.ws.add_message(Message(channel, self.ws.new_ts(), text, user="USLACKBOT", ephemeral_for=user,
                                    kind="error"))

    # ---- interactions ------------------------------------------------------------------------------
    def click(self, user: str, message: Message, action_id: str, *, value: str | None = None,
              selected: str | None = None) -> BotReply:
        """A button click (or a static_select choice when `selected` is given) on a message."""
        payload = self.payloads.block_actions_message(user, message, action_id, value=value,
                                                      selected=selected)
        return self._interaction(payload, user, message.channel)

    def click_view(self, user: str, view_id: str, action_id: str, *, value: str | None = None,
                   selected: str | None = None) -> BotReply:
        payload = self.payloads.block_actions_view(user, view_id, action_id, value=value, selected=selected)
        return self._interaction(payload, user, None)

    def submit_view(self, user: str, view_id: str, values: JSON | None = None) -> BotReply:
        payload = self.payloads.view_submission(user, view_id, values or {})
        reply = self._interaction(payload, user, None)
        self._after_submission(view_id, reply)
        return reply

    def close_view(self, user: str, view_id: str) -> None:
        with self.ws.lock:
            view = self.ws.views.get(view_id)
            if view is not None:
                view.closed = True
                self.ws.touch()

    def _interaction(self, payload: JSON, user: str, channel: str | None) -> BotReply:
        reply = self.send_form({"payload": json.dumps(payload)})
        if reply.error and channel:
            self._slackbot(channel, user, f"Something went wrong: the app answered \"{reply.error}\"")
        return reply

    def _after_submission(self, view_id: str, reply: BotReply) -> None:
        body = reply.json or {}
        action = body.get("response_action")
        with self.ws.lock:
            view = self.ws.views.get(view_id)
            if view is None or reply.error:
                return
            if action == "errors":
                view.errors = dict(body.get("errors") or {})
            elif action in {"update", "push"} and isinstance(body.get("view"), dict):
                self.ws.put_view(type_="modal", user=view.user, payload=body["view"],
                                 view_id=view.id if action == "update" else None)
            else:
                view.closed = True
            self.ws.touch()

    # ---- events ------------------------------------------------------------------------------------
    def dm(self, user: str, text: str) -> BotReply:
        """The user writes to the bot in their DM (the app's Messages tab): a `message.im` event."""
        channel = self.ws.dm_of(user).id
        msg = self.ws.add_message(Message(channel, self.ws.new_ts(), text, user=user))
        event = {"type": "message", "channel": channel, "user": user, "text": text, "ts": msg.ts,
                 "event_ts": msg.ts, "channel_type": "im", "client_msg_id": self.ws.new_id("cm-"),
                 "team": self.ws.team_id}
        return self.send_json(self.payloads.event(event))

    def say(self, user: str, channel: str, text: str) -> Message:
        """A person's message in a channel (the bot subscribes to no channel events, so nothing is sent)."""
        ch = self.ws.resolve_channel(channel)
        if ch is None:
            raise KeyError(channel)
        return self.ws.add_message(Message(ch.id, self.ws.new_ts(), text, user=user))

    def open_home(self, user: str, tab: str = "home") -> BotReply:
        home = self.ws.home_view(user)
        event: JSON = {"type": "app_home_opened", "user": user, "channel": self.ws.dm_of(user).id, "tab": tab,
                       "event_ts": self.ws.new_ts()}
        if home is not None and tab == "home":
            event["view"] = home.to_api()
        return self.send_json(self.payloads.event(event))

    def url_verification(self, challenge: str) -> BotReply:
        return self.send_json({"token": "legacy-verification-token", "challenge": challenge,
                               "type": "url_verification"})
