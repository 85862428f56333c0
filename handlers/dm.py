"""Direct messages to the bot: admins `link NAME`, `relink NAME`, `unlink NAME`, `accounts` (the device flow
runs in the DM); usage questions (command forms or plain words, as `/qwen` reads them) are answered in the DM,
which only the asker sees; anything else gets a pointer to `/qwen`."""

from __future__ import annotations

from typing import Any

from slack_bolt import Say

from bot.base.clock import Clock
from bot.base.errors import UsageError
from bot.core.grammar import usage as grammar
from bot.core.grammar import words
from bot.render import messages as render
from bot.render.blocks import Message
from bot.render.localize import localize
from handlers.common import Asker, TimezoneResolver, log
from handlers.team import TeamCommandHandler
from handlers.usage import UsageHandler

_QUESTIONS = (grammar.UsageSummary, grammar.UsageBreakdown, grammar.Payg, grammar.FreeTier)


class DirectMessageHandler:
    def __init__(
        self,
        *,
        team: TeamCommandHandler,
        timezones: TimezoneResolver,
        usage: UsageHandler | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._team = team
        self._timezones = timezones
        self._usage = usage
        self._clock = clock

    def on_message(self, event: dict[str, Any], body: dict[str, Any], say: Say, client: Any) -> None:
        """message.im from a person (edits, bots and other channels are ignored)."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        text = str(event.get("text") or "").strip()
        asker = Asker(
            str(body.get("team_id") or event.get("team") or ""),
            str(event.get("user") or ""),
            str(event.get("channel") or ""),
            None,
        )
        if not self._team.handles(text):  # personal: in the asker's language (admin texts stay English)
            answer = localize(self._question(text, asker, client), self._timezones.lang(client, asker))
            say(**answer.payload())
            return
        try:
            answer = self._team.instant(text) or self._team.answer(
                text, asker, self._timezones.name(client, asker), client
            )
        except Exception as exc:
            log.info("DM command failed (%s)", type(exc).__name__)
            answer = render.error_message(exc)
        say(**answer.payload())

    def _question(self, text: str, asker: Asker, client: Any) -> Message:
        """A usage question answered in the DM; a short "closest commands" reply when it cannot be read."""
        if self._usage is None or self._clock is None:
            return _pointer()
        try:
            command = words.understand(text, today=self._clock.now().date()).command
        except UsageError as exc:
            return render.error_message(exc)
        if not isinstance(command, _QUESTIONS) and not self._usage.asks_more(command):
            return _pointer()
        try:
            return self._usage.reply(text, asker, client, share=False)
        except Exception as exc:
            log.info("DM question failed (%s)", type(exc).__name__)
            return render.error_message(exc)


def _pointer() -> Message:
    message = render.help_message()
    return Message("Use /qwen in any channel. " + message.text, message.blocks)
