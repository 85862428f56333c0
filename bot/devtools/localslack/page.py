"""The JSON API behind the local workspace page (`/ui/...`): state for one person, and their actions.

The page never sees the signing secret or the bot token: every action becomes a signed request made here.
"""

from __future__ import annotations

import json
from typing import Any, Protocol
from urllib.parse import parse_qsl

from bot.devtools.localslack.pageguard import PageGuard
from bot.devtools.localslack.sender import BotReply, Sender
from bot.devtools.localslack.state import Message, Workspace


class SlackLike(Protocol):
    """What the page drives: fake.FakeSlack (which serves the page; a Protocol keeps the import one-way)."""

    ws: Workspace
    sender: Sender

    def slash(self, user: str, channel: str, text: str, *, command: str = ...) -> BotReply: ...

    def dm(self, user: str, text: str) -> BotReply: ...

    def click(
        self,
        user: str,
        message: Message,
        action_id: str,
        *,
        value: str | None = ...,
        selected: str | None = ...,
    ) -> BotReply: ...

JSON = dict[str, Any]
LONG_POLL_SECONDS = 10.0


class PageApi:
    def __init__(self, slack: SlackLike) -> None:
        self.slack = slack
        self.ws = slack.ws
        self.guard = PageGuard()  # checked by the server before handle(): Host, JSON, origin, secret

    def handle(self, verb: str, path: str, query: str, raw: bytes) -> tuple[int, JSON]:
        params = dict(parse_qsl(query))
        if verb == "GET" and path == "state":
            return self.state(params)
        if verb != "POST":
            return 405, {"ok": False, "error": "method_not_allowed"}
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return 400, {"ok": False, "error": "invalid_json"}
        if not isinstance(body, dict):
            return 400, {"ok": False, "error": "invalid_json"}
        user = str(body.get("user") or "")
        if user not in self.ws.users or self.ws.users[user].is_bot:
            return 400, {"ok": False, "error": "user_not_found"}
        actions = {"send": self.send, "action": self.action, "home": self.home, "submit": self.submit,
                   "close": self.close}
        handler = actions.get(path)
        if handler is None:
            return 404, {"ok": False, "error": "not_found"}
        try:
            return handler(user, body)
        except (KeyError, ValueError) as exc:
            return 400, {"ok": False, "error": str(exc).strip("'\"")}

    # ---- reading -----------------------------------------------------------------------------------
    def state(self, params: dict[str, str]) -> tuple[int, JSON]:
        since = int(params["since"]) if params.get("since", "").lstrip("-").isdigit() else -1
        if since >= 0:
            self.ws.wait_change(since, min(float(params.get("wait") or 0) or 0.0, LONG_POLL_SECONDS))
        user = params.get("user") or "U_MEMBER"
        ws = self.ws
        with ws.lock:
            if user not in ws.users:
                return 404, {"ok": False, "error": "user_not_found"}
            people = [u for u in ws.users.values() if not u.is_bot]
            dm = ws.dm_of(user) if not ws.users[user].is_bot else None
            channels = [c for c in ws.channels.values() if not c.is_im]
            visible = [*channels, *([dm] if dm else [])]
            home, modal = ws.home_view(user), ws.open_modal(user)
            return 200, {
                "ok": True, "version": ws.version,
                "team": {"id": ws.team_id, "name": ws.team_name, "domain": ws.domain},
                "bot": {"id": ws.bot.id, "name": ws.bot.name, "real_name": ws.bot.real_name},
                "user": user,
                "people": [{"id": u.id, "name": u.name, "real_name": u.real_name, "tz": u.tz,
                            "tz_label": u.tz_label, "is_admin": u.is_admin, "is_owner": u.is_owner}
                           for u in people],
                "names": {u.id: u.real_name for u in ws.users.values()} | {"USLACKBOT": "Slackbot"},
                "channels": [{"id": c.id, "name": c.name, "is_member": c.bot_is_member} for c in channels],
                "dm": dm.id if dm else None,
                "messages": {c.id: [m.to_page(ws.team_id) for m in ws.channel_messages(c.id, viewer=user)]
                             for c in visible},
                "files": {f.id: f.url for f in ws.files.values()},
                "home": home.to_api() if home else None,
                "modal": {**modal.to_api(), "errors": modal.errors} if modal else None,
            }

    # ---- acting ------------------------------------------------------------------------------------
    @staticmethod
    def _reply(reply: BotReply | None) -> tuple[int, JSON]:
        if reply is None:
            return 200, {"ok": True}
        return 200, {"ok": reply.error is None, "status": reply.status, "error": reply.error,
                     "elapsed": round(reply.elapsed, 3)}

    def send(self, user: str, body: JSON) -> tuple[int, JSON]:
        channel, text = str(body.get("channel") or ""), str(body.get("text") or "").strip()
        if not text:
            return 400, {"ok": False, "error": "no_text"}
        if self.ws.resolve_channel(channel) is None:
            return 400, {"ok": False, "error": "channel_not_found"}
        if text.startswith("/"):
            command, _, rest = text.partition(" ")
            if command != "/qwen":
                return 200, {"ok": False, "error": f"{command} is not a valid command"}
            return self._reply(self.slack.slash(user, channel, rest.strip(), command=command))
        if channel == self.ws.dm_of(user).id:
            return self._reply(self.slack.dm(user, text))
        self.slack.sender.say(user, channel, text)
        return self._reply(None)

    def action(self, user: str, body: JSON) -> tuple[int, JSON]:
        action_id = str(body.get("action_id") or "")
        value, selected = body.get("value"), body.get("selected")
        view_id = body.get("view_id")
        if view_id:
            return self._reply(self.slack.sender.click_view(user, str(view_id), action_id, value=value,
                                                            selected=selected))
        message = self.ws.find_message(str(body.get("channel") or ""), str(body.get("ts") or ""))
        if message is None:
            return 400, {"ok": False, "error": "message_not_found"}
        return self._reply(self.slack.click(user, message, action_id, value=value, selected=selected))

    def home(self, user: str, body: JSON) -> tuple[int, JSON]:
        return self._reply(self.slack.sender.open_home(user, str(body.get("tab") or "home")))

    def submit(self, user: str, body: JSON) -> tuple[int, JSON]:
        values = body.get("values") if isinstance(body.get("values"), dict) else {}
        return self._reply(self.slack.sender.submit_view(user, str(body.get("view_id") or ""), values))

    def close(self, user: str, body: JSON) -> tuple[int, JSON]:
        self.slack.sender.close_view(user, str(body.get("view_id") or ""))
        return self._reply(None)
