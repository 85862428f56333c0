"""App Home tab and direct messages: both point at `/qwen` (answers stay in one place)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Say

from bot.grammar import USAGE_TEXT
from bot.render import slack as render
from bot.render.blocks import code_sections, header, section
from handlers.common import log


class HomeHandler:
    def on_home_opened(self, event: dict[str, Any], client: Any) -> None:
        if event.get("tab") not in (None, "home"):
            return
        blocks = [
            header("QwenCloud usage"),
            section("Ask with `/qwen` anywhere; answers are private until you share them."),
            *code_sections(USAGE_TEXT),
        ]
        try:
            client.views_publish(user_id=event["user"], view={"type": "home", "blocks": blocks})
        except Exception as exc:
            log.info("views.publish failed (%s)", type(exc).__name__)

    def on_message(self, event: dict[str, Any], say: Say) -> None:
        """A DM to the bot (message.im): point at the command; ignore edits, bots and other channels."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        message = render.help_message()
        say(text="Use /qwen in any channel. " + message.text, blocks=message.blocks)
