"""App Home (app_home_opened -> views.publish) and its buttons: log in, log out, refresh; for admins, link."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.admin import AdminCheck
from bot.clock import Clock
from bot.home import HomeService
from bot.login import LoginService
from bot.qwencloud.client import QwenCloudClient
from bot.render.digest import notice
from bot.render.home import home_view
from bot.storage.credentials import CredentialStore
from bot.storage.owner import Owner
from bot.storage.pending import NotifyTarget
from bot.team_commands import REFUSAL
from handlers.common import TimezoneResolver, asker_from, log

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
        credentials: CredentialStore,
        client: QwenCloudClient,
        admins: AdminCheck,
        timezones: TimezoneResolver,
        clock: Clock,
    ) -> None:
        self._home = home
        self._login = login
        self._credentials = credentials
        self._qwen = client
        self._admins = admins
        self._timezones = timezones
        self._clock = clock

    def publish(
        self, client: Any, team_id: str, user_id: str, *, fresh: bool = False, login_url: str | None = None
    ) -> None:
        from handlers.common import Asker

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
        view = self._login.start(asker.owner, notify=NotifyTarget(dm=asker.user_id))
        self.publish(client, asker.team_id, asker.user_id, login_url=view.verification_url)

    def on_logout(self, body: dict[str, Any], client: Any) -> None:
        asker = asker_from(body)
        cred = self._credentials.get(Owner(asker.team_id, asker.user_id))
        if cred is not None:
            self._qwen.logout(cred.access_token)  # best effort
        self._credentials.delete(asker.owner)
        self.publish(client, asker.team_id, asker.user_id)

    def on_refresh(self, body: dict[str, Any], client: Any) -> None:
        asker = asker_from(body)
        self.publish(client, asker.team_id, asker.user_id, fresh=True)

    def on_link(self, body: dict[str, Any], client: Any) -> None:
        """The device flow runs in the admin's DM: point them there."""
        asker = asker_from(body)
        allowed = self._admins.is_admin(client, asker.team_id, asker.user_id)
        message = notice(LINK_HINT if allowed else REFUSAL)
        try:
            channel = client.conversations_open(users=asker.user_id)["channel"]["id"]
            client.chat_postMessage(channel=channel, **message.payload())
        except Exception as exc:
            log.info("could not DM the link hint (%s)", type(exc).__name__)
