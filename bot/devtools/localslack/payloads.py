"""The bodies Slack sends to apps: slash command forms, block_actions, view_submission, event envelopes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bot.devtools.localslack.responses import Interactions
from bot.devtools.localslack.state import Message, View, Workspace

JSON = dict[str, Any]
VERIFICATION_TOKEN = "legacy-verification-token"


def find_element(blocks: list[JSON], action_id: str) -> tuple[str, JSON] | None:
    """(block_id, element) of the interactive element with `action_id`, in actions/section/input blocks."""
    for i, block in enumerate(blocks):
        block_id = str(block.get("block_id") or f"b{i}")
        elements = list(block.get("elements") or [])
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                elements.append(block[key])
        for element in elements:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return block_id, element
    return None


def _option(element: JSON, value: str) -> JSON:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    for option in options:
        if option.get("value") == value:
            return dict(option)
    raise KeyError(f"no option {value!r} in {element.get('action_id')!r}")


class Payloads:
    def __init__(self, ws: Workspace, interactions: Interactions, base_url: Callable[[], str]) -> None:
        self.ws, self.interactions, self.base_url = ws, interactions, base_url

    def _user(self, user: str) -> JSON:
        u = self.ws.users[user]
        return {"id": u.id, "username": u.name, "name": u.name, "team_id": self.ws.team_id}

    def _team(self) -> JSON:
        return {"id": self.ws.team_id, "domain": self.ws.domain}

    def response_url(self, token: str) -> str:
        return f"{self.base_url()}response/{token}"

    def slash(self, user: str, channel: str, text: str, command: str) -> tuple[dict[str, str], str]:
        ch = self.ws.resolve_channel(channel)
        if ch is None:
            raise KeyError(channel)
        token = self.interactions.new_response_url(channel=ch.id, user=user)
        form = {
            "token": VERIFICATION_TOKEN, "team_id": self.ws.team_id, "team_domain": self.ws.domain,
            "channel_id": ch.id, "channel_name": "directmessage" if ch.is_im else ch.name,
            "user_id": user, "user_name": self.ws.users[user].name, "command": command, "text": text,
            "api_app_id": self.ws.app_id, "is_enterprise_install": "false",
            "response_url": self.response_url(token), "trigger_id": self.interactions.new_trigger(user),
        }
        return form, token

    def _action(self, element: JSON, block_id: str, value: str | None,
                selected: str | None) -> tuple[JSON, JSON]:
        kind = str(element.get("type") or "button")
        action: JSON = {"action_id": element["action_id"], "block_id": block_id, "type": kind,
                        "action_ts": f"{time.time():.6f}"}
        state: JSON = {}
        if kind == "button":
            action["text"] = element.get("text")
            if value is not None or element.get("value") is not None:
                action["value"] = value if value is not None else element.get("value")
            if element.get("style"):
                action["style"] = element["style"]
        elif kind in {"static_select", "overflow", "radio_buttons"}:
            if selected is None:
                raise ValueError(f"{element['action_id']!r} is a {kind}: pass selected=<option value>")
            option = _option(element, selected)
            action["selected_option"] = option
            if element.get("placeholder"):
                action["placeholder"] = element["placeholder"]
            state = {block_id: {element["action_id"]: {"type": kind, "selected_option": option}}}
        return action, state

    def _resolve(self, blocks: list[JSON], action_id: str) -> tuple[str, JSON]:
        found = find_element(blocks, action_id)
        if found is None:
            raise KeyError(f"no element with action_id {action_id!r}")
        return found

    def block_actions_message(self, user: str, message: Message, action_id: str, *, value: str | None,
                              selected: str | None) -> JSON:
        block_id, element = self._resolve(message.blocks, action_id)
        action, state = self._action(element, block_id, value, selected)
        ephemeral = message.ephemeral_for is not None
        token = self.interactions.new_response_url(channel=message.channel, user=user, original_ts=message.ts,
                                                   original_ephemeral=ephemeral)
        ch = self.ws.channels[message.channel]
        payload: JSON = {
            "type": "block_actions", "user": self._user(user), "api_app_id": self.ws.app_id,
            "token": VERIFICATION_TOKEN,
            "container": {"type": "message", "message_ts": message.ts, "channel_id": message.channel,
                          "is_ephemeral": ephemeral},
            "trigger_id": self.interactions.new_trigger(user), "team": self._team(), "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": ch.id, "name": "directmessage" if ch.is_im else ch.name},
            "state": {"values": state}, "response_url": self.response_url(token), "actions": [action],
        }
        if not ephemeral:
            payload["message"] = message.to_api(self.ws.team_id)
        return payload

    def block_actions_view(self, user: str, view_id: str, action_id: str, *, value: str | None,
                           selected: str | None) -> JSON:
        view = self.ws.views[view_id]
        block_id, element = self._resolve(view.payload.get("blocks") or [], action_id)
        action, state = self._action(element, block_id, value, selected)
        api_view = view.to_api()
        api_view["state"] = {"values": state}
        return {
            "type": "block_actions", "user": self._user(user), "api_app_id": self.ws.app_id,
            "token": VERIFICATION_TOKEN, "container": {"type": "view", "view_id": view.id},
            "trigger_id": self.interactions.new_trigger(user), "team": self._team(), "enterprise": None,
            "is_enterprise_install": False, "view": api_view, "actions": [action],
        }

    def view_submission(self, user: str, view_id: str, values: JSON) -> JSON:
        view: View = self.ws.views[view_id]
        api_view = view.to_api()
        api_view["state"] = {"values": values}
        return {
            "type": "view_submission", "team": self._team(), "user": self._user(user),
            "api_app_id": self.ws.app_id, "token": VERIFICATION_TOKEN,
            "trigger_id": self.interactions.new_trigger(user), "view": api_view, "response_urls": [],
            "is_enterprise_install": False, "enterprise": None,
        }

    def event(self, event: JSON) -> JSON:
        return {
            "token": VERIFICATION_TOKEN, "team_id": self.ws.team_id, "api_app_id": self.ws.app_id,
            "event": event, "type": "event_callback", "event_id": self.ws.new_id("Ev"),
            "event_time": int(time.time()), "is_ext_shared_channel": False,
            "authorizations": [{"enterprise_id": None, "team_id": self.ws.team_id, "user_id": self.ws.bot.id,
                                "is_bot": True, "is_enterprise_install": False}],
            "event_context": self.ws.new_id("EC"),
        }
