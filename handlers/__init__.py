"""Bolt listeners only: parse -> service -> render -> respond. `register(app, listeners)` wires them.

Listeners are bound methods of small classes built with their services by bot/bootstrap.py (never services
in Bolt's context: lazy listeners get a deep copy of it).
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App

from bot.render import messages as render
from bot.team.home_view import HOME_ACTIONS, HOME_LINK, HOME_LOGIN, HOME_LOGOUT, HOME_REFRESH, LINK_MODAL
from bot.team.renewal_view import RENEW_ACTION
from handlers.command import COMMAND, CommandRouter
from handlers.dm import DirectMessageHandler
from handlers.home import HomeHandler
from handlers.login import LoginHandler
from handlers.renew import RenewHandler
from handlers.usage import UsageHandler

# what manifest.yml must declare (tests/unit/test_manifest.py)
COMMANDS = (COMMAND,)
EVENTS = ("app_home_opened", "message")
ACTIONS = (*render.ACTION_IDS, *HOME_ACTIONS, RENEW_ACTION)


@dataclass(frozen=True, slots=True)
class Listeners:
    router: CommandRouter  # `/qwen …`, handing team commands to handlers/team.py
    login: LoginHandler
    usage: UsageHandler
    dm: DirectMessageHandler
    home: HomeHandler
    renew: RenewHandler  # the renewal DM's *Renew login* button


def register(app: App, listeners: Listeners) -> None:
    router, login, usage, home = listeners.router, listeners.login, listeners.usage, listeners.home
    app.command(COMMAND)(ack=router.ack, lazy=[router.run])
    app.action(render.LOGIN_ACTION)(ack=login.ack_button, lazy=[login.on_button])
    app.action(render.OPEN_LINK_ACTION)(login.ack_link)
    app.action(render.SHARE_ACTION)(ack=usage.ack_action, lazy=[usage.on_share])
    app.action(render.PICK_MODEL_ACTION)(ack=usage.ack_action, lazy=[usage.on_pick])
    app.event("app_home_opened")(home.on_home_opened)
    app.event("message")(listeners.dm.on_message)
    app.action(HOME_LOGIN)(ack=home.ack, lazy=[home.on_login])
    app.action(HOME_LOGOUT)(ack=home.ack, lazy=[home.on_logout])
    app.action(HOME_REFRESH)(ack=home.ack, lazy=[home.on_refresh])
    app.action(HOME_LINK)(ack=home.ack, lazy=[home.on_link])
    app.action(RENEW_ACTION)(ack=listeners.renew.ack, lazy=[listeners.renew.on_renew])
    app.view(LINK_MODAL)(ack=home.ack_link_submit, lazy=[home.on_link_submit])
