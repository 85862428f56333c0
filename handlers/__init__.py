"""Bolt listeners only: parse -> service -> render -> respond. `register(app, services)` wires them.

Listeners are bound methods of small classes built with their services (never services in Bolt's context:
lazy listeners get a deep copy of it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from bot.core.answers import Answers
from bot.render import messages as render
from bot.team.home_view import HOME_ACTIONS
from handlers import team as team_handlers
from handlers.command import COMMAND, CommandRouter
from handlers.common import TimezoneResolver
from handlers.login import LoginHandler
from handlers.usage import UsageHandler

if TYPE_CHECKING:
    from bot.app import Services

# what manifest.yml must declare (tests/unit/test_manifest.py)
COMMANDS = (COMMAND,)
EVENTS = ("app_home_opened", "message")
ACTIONS = (*render.ACTION_IDS, *HOME_ACTIONS)


def register(app: App, services: Services) -> None:
    timezones = TimezoneResolver(default=services.settings.timezone)
    answers = Answers(usage=services.usage, accounts=services.accounts, clock=services.clock)
    login = LoginHandler(
        login=services.login,
        credentials=services.credentials,
        pending=services.pending_logins,
        client=services.client,
        clock=services.clock,
        timezones=timezones,
    )
    usage = UsageHandler(answers=answers, clock=services.clock, timezones=timezones)
    team = team_handlers.build(services, timezones)  # digests, alerts, admin DMs, App Home
    router = CommandRouter(
        clock=services.clock, timezones=timezones, login=login, usage=usage, team=team.commands
    )

    app.command(COMMAND)(ack=router.ack, lazy=[router.run])
    app.action(render.LOGIN_ACTION)(ack=login.ack_button, lazy=[login.on_button])
    app.action(render.OPEN_LINK_ACTION)(login.ack_link)
    app.action(render.SHARE_ACTION)(ack=usage.ack_action, lazy=[usage.on_share])
    app.action(render.PICK_MODEL_ACTION)(ack=usage.ack_action, lazy=[usage.on_pick])
    team_handlers.register(app, team)
