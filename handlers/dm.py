"""Direct messages to the bot: admins `link NAME`, `relink NAME`, `unlink NAME`, `accounts` (the device flow
runs in the DM); anything else gets a pointer to `/qwen`."""

from __future__ import annotations

from typing import Any

from slack_bolt import Say

from bot.render import messages as render
from handlers.common import Asker, TimezoneResolver, log
from handlers.team import TeamCommandHandler


class DirectMessageHandler:
    def __init__(self, *, team: TeamCommandHandler, timezones: TimezoneResolver) -> None:
        self._team = team
        self._timezones = timezones

    def on_message(self, event: dict[str, Any], body: dict[str, Any], say: Say, client: Any) -> None:
        """message.im from a person (edits, bots and other channels are ignored)."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        text = str(event.get("text") or "").strip()
        if not self._team.handles(text):
            message = render.help_message()
            say(text="Use /qwen in any channel. " + message.text, blocks=message.blocks)
            return
        asker = Asker(
            str(body.get("team_id") or event.get("team") or ""),
            str(event.get("user") or ""),
            str(event.get("channel") or ""),
            None,
        )
        try:
            answer = self._team.instant(text) or self._team.answer(
                text, asker, self._timezones.name(client, asker), client
            )
        except Exception as exc:
            log.info("DM command failed (%s)", type(exc).__name__)
            answer = render.error_message(exc)
        say(**answer.payload())
