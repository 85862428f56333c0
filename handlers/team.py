"""`/qwen digest …`, `/qwen alert …`, `/qwen accounts|link …`: the team commands, for admins only.

The router hands these over: a parse error is answered in the ack; the rest runs in the lazy half."""

from __future__ import annotations

from typing import Any

from bot.base.errors import UsageError
from bot.core.grammar import team as team_grammar
from bot.render import messages as render
from bot.render.blocks import Message
from bot.slack.posting import WebPoster
from bot.team.commands import Asked, TeamCommands
from handlers.common import Asker


class TeamCommandHandler:
    def __init__(self, *, commands: TeamCommands) -> None:
        self._commands = commands

    @staticmethod
    def handles(text: str) -> bool:
        return team_grammar.is_team_text(text)

    @staticmethod
    def instant(text: str) -> Message | None:
        """A parse error, answered at once; None when the command is well formed."""
        try:
            team_grammar.parse_team(text)
        except UsageError as exc:
            return render.error_message(exc)
        return None

    def answer(self, text: str, asker: Asker, tz_name: str, client: Any) -> Message:
        command = team_grammar.parse_team(text)
        asked = Asked(asker.team_id, asker.user_id, asker.channel_id, tz_name)
        return self._commands.answer(command, asked, client, WebPoster(client))
