"""The *Renew login* button of a renewal DM: starts the team account's device flow (as DMing `relink NAME`
would) and posts the login link in the clicker's own DM with the bot, so only that admin sees it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.core.grammar.team import account_name
from bot.render.blocks import Message
from bot.render.messages import error_message
from bot.slack.posting import open_dm
from handlers.common import Asker, TimezoneResolver, asker_from, log
from handlers.team import TeamCommandHandler


class RenewHandler:
    def __init__(self, *, team: TeamCommandHandler, timezones: TimezoneResolver) -> None:
        self._team = team
        self._timezones = timezones

    def ack(self, ack: Ack) -> None:
        ack()

    def on_renew(self, body: dict[str, Any], client: Any) -> None:
        asker = asker_from(body)
        action = (body.get("actions") or [{}])[0]
        channel = open_dm(client, asker.user_id)  # the clicker's own DM, whatever channel held the button
        if channel is None:
            return
        try:
            name = account_name(str(action.get("value") or ""))
            dm = Asker(asker.team_id, asker.user_id, channel, None)
            answer = self._team.answer(f"relink {name}", dm, self._timezones.name(client, dm), client)
        except Exception as exc:  # refused (not an admin) or failed: told through the error table
            log.info("renew button failed (%s)", type(exc).__name__)
            answer = error_message(exc)
        _post(client, channel, answer)


def _post(client: Any, channel: str, message: Message) -> None:
    try:
        client.chat_postMessage(channel=channel, **message.payload())
    except Exception as exc:
        log.info("renew DM failed (%s)", type(exc).__name__)
