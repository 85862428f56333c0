"""Wiring of the team listeners (team commands, admin DMs, App Home) from Services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from slack_bolt import App

from bot.team.accounts import AdminCheck, TeamAccounts
from bot.team.commands import TeamCommands
from bot.team.home import HomeService
from bot.team.home_view import HOME_LINK, HOME_LOGIN, HOME_LOGOUT, HOME_REFRESH, LINK_MODAL
from bot.team.model import team_of
from handlers.admin import DirectMessageHandler
from handlers.common import TimezoneResolver
from handlers.digest import TeamCommandHandler
from handlers.home import HomeHandler

if TYPE_CHECKING:
    from bot.app import Services


@dataclass(frozen=True, slots=True)
class TeamHandlers:
    commands: TeamCommandHandler
    dm: DirectMessageHandler
    home: HomeHandler


def build(services: Services, timezones: TimezoneResolver) -> TeamHandlers:
    team = team_of(services)
    admins = AdminCheck(configured=services.settings.admins)
    accounts = TeamAccounts(
        login=services.login,
        credentials=services.credentials,
        client=services.client,
        health=team.health,
        clock=services.clock,
    )
    commands = TeamCommandHandler(
        commands=TeamCommands(team=team, accounts=accounts, admins=admins, clock=services.clock)
    )
    home = HomeService(
        credentials=services.credentials,
        usage=services.usage,
        team=team,
        accounts=accounts,
        admins=admins,
        clock=services.clock,
    )
    return TeamHandlers(
        commands=commands,
        dm=DirectMessageHandler(team=commands, timezones=timezones),
        home=HomeHandler(
            home=home,
            login=services.login,
            credentials=services.credentials,
            client=services.client,
            admins=admins,
            timezones=timezones,
            clock=services.clock,
            commands=commands,
        ),
    )


def register(app: App, handlers: TeamHandlers) -> None:
    home = handlers.home
    app.event("app_home_opened")(home.on_home_opened)
    app.event("message")(handlers.dm.on_message)
    app.action(HOME_LOGIN)(ack=home.ack, lazy=[home.on_login])
    app.action(HOME_LOGOUT)(ack=home.ack, lazy=[home.on_logout])
    app.action(HOME_REFRESH)(ack=home.ack, lazy=[home.on_refresh])
    app.action(HOME_LINK)(ack=home.ack, lazy=[home.on_link])
    app.view(LINK_MODAL)(ack=home.ack_link_submit, lazy=[home.on_link_submit])
