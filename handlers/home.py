"""App Home (app_home_opened -> views.publish) and its buttons: log in, log out, refresh; for admins, link."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.base.clock import Clock
from bot.base.errors import UsageError
from bot.core.grammar.team import account_name
from bot.core.login import LoginService
from bot.render.blocks import Message
from bot.render.messages import error_message as render_error
from bot.render.messages import notice
from bot.slack.posting import open_dm
from bot.team.accounts import AdminCheck
from bot.team.commands import REFUSAL
from bot.team.home import HomeService
from bot.team.home_view import LINK_BLOCK, home_view, link_modal, modal_account_name
from handlers.common import Asker, TimezoneResolver, asker_from, log
from handlers.team import TeamCommandHandler

LINK_HINT = (
    "To link a team account, reply here with `link NAME` (for example `link prod`). "
    "`accounts` lists them; `relink NAME` and `unlink NAME` replace or remove one."
)


class HomeHandler:
    def __init__(
        self,
        *,
        home: HomeService,
        login: LoginService,
        admins: AdminCheck,
        timezones: TimezoneResolver,
        clock: Clock,
        commands: TeamCommandHandler | None = None,
    ) -> None:
        self._commands = commands
        self._home = home
        self._login = login
        self._admins = admins
        self._timezones = timezones
        self._clock = clock

    def publish(
        self, client: Any, team_id: str, user_id: str, *, fresh: bool = False, login_url: str | None = None
    ) -> None:
        tz_name = self._timezones.name(client, Asker(team_id, user_id, None, None))
        data = self._home.build(
            team_id, user_id, client=client, tz_name=tz_name, fresh=fresh, login_url=login_url
        )
        try:
            client.views_publish(user_id=user_id, view=home_view(data))
        except Exception as exc:
            log.info("views.publish failed (%s)", type(exc).__name__)

    def on_home_opened(self, event: dict[str, Any], body: dict[str, Any], client: Any) -> None:
        if event.get("tab") not in (None, "home"):
            return
        team_id = str(body.get("team_id") or event.get("view", {}).get("team_id") or "")
        self.publish(client, team_id, str(event["user"]))

    def ack(self, ack: Ack) -> None:
        ack()

    def on_login(self, body: dict[str, Any], client: Any) -> None:
        asker = asker_from(body)
        view = self._login.start_for_chat(asker.owner, dm=asker.user_id)
        self.publish(client, asker.team_id, asker.user_id, login_url=view.verification_url)

    def on_logout(self, body: dict[str, Any], client: Any) -> None:
        asker = asker_from(body)
        self._login.sign_out(asker.owner)
        self.publish(client, asker.team_id, asker.user_id)

    def on_refresh(self, body: dict[str, Any], client: Any) -> None:
        asker = asker_from(body)
        self.publish(client, asker.team_id, asker.user_id, fresh=True)

    def on_link(self, body: dict[str, Any], client: Any) -> None:
        """Admins get a modal asking the account's name; anyone else a refusal in the DM."""
        asker = asker_from(body)
        if self._admins.is_admin(client, asker.team_id, asker.user_id):
            try:
                client.views_open(trigger_id=body["trigger_id"], view=link_modal())
                return
            except Exception as exc:  # an expired trigger: fall back to the DM hint
                log.info("views.open failed (%s)", type(exc).__name__)
        self._dm(
            client,
            asker.user_id,
            notice(LINK_HINT if self._admins.is_admin(client, asker.team_id, asker.user_id) else REFUSAL),
        )

    def ack_link_submit(self, ack: Ack, view: dict[str, Any]) -> None:
        try:
            account_name(modal_account_name(view))
        except UsageError:
            ack(
                response_action="errors",
                errors={LINK_BLOCK: "Use letters, digits, . _ - (up to 40), e.g. prod"},
            )
            return
        ack()

    def on_link_submit(self, body: dict[str, Any], view: dict[str, Any], client: Any) -> None:
        """The device flow runs in the admin's DM: the same answer as DMing `link NAME`."""
        asker = asker_from(body)
        name = account_name(modal_account_name(view))
        channel = open_dm(client, asker.user_id)
        if channel is None or self._commands is None:
            return
        try:
            tz_name = self._timezones.name(client, asker)
            answer = self._commands.answer(
                f"link {name}", Asker(asker.team_id, asker.user_id, channel, None), tz_name, client
            )
        except Exception as exc:  # told through the error table, as a DMed `link NAME` would be
            log.info("link from the modal failed (%s)", type(exc).__name__)
            answer = render_error(exc)
        self._post(client, channel, answer)

    def _dm(self, client: Any, user_id: str, message: Message) -> None:
        channel = open_dm(client, user_id)
        if channel is not None:
            self._post(client, channel, message)

    @staticmethod
    def _post(client: Any, channel: str, message: Message) -> None:
        try:
            client.chat_postMessage(channel=channel, **message.payload())
        except Exception as exc:
            log.info("DM failed (%s)", type(exc).__name__)
