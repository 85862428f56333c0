"""`/qwen login | logout | status` and the Login button: device flow started privately, link shown only
to the asker; the worker finishes the flow and the injected notifier tells the user."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond

from bot.base.clock import Clock
from bot.core.login import LoginService
from bot.render import messages as render
from bot.render.blocks import Message
from bot.render.localize import localize
from handlers.common import Asker, TimezoneResolver, asker_from, log


class LoginHandler:
    def __init__(
        self,
        *,
        login: LoginService,
        clock: Clock,
        timezones: TimezoneResolver,
    ) -> None:
        self._login = login
        self._clock = clock
        self._timezones = timezones

    def login(self, asker: Asker) -> Message:
        now = self._clock.now()
        cred = self._login.current(asker.owner)
        if cred is not None and not cred.is_expired(now):
            return render.already_linked(render.who(cred.user))
        view = self._login.start_for_chat(
            asker.owner, response_url=asker.response_url, channel=asker.channel_id, dm=asker.user_id
        )
        return render.login_link(view.verification_url, expires_in=view.expires_in(now), again=view.reused)

    def logout(self, asker: Asker) -> Message:
        return render.logged_out(self._login.sign_out(asker.owner))

    def status(self, asker: Asker, tz_name: str) -> Message:
        now = self._clock.now()
        cred = self._login.current(asker.owner)
        if cred is None:
            url = self._login.pending_url(asker.owner)
            return render.status_message(render.StatusView(linked=False, pending_url=url), tz_name=tz_name)
        view = render.StatusView(
            linked=True, who=render.who(cred.user), expires_at=cred.expires_at, expired=cred.is_expired(now)
        )
        return render.status_message(view, tz_name=tz_name)

    # -- the Login button (in error and status messages)
    def ack_button(self, ack: Ack) -> None:
        ack()

    def on_button(self, body: dict[str, Any], client: Any, respond: Respond) -> None:
        asker = asker_from(body)
        try:
            message = self.login(asker)
        except Exception as exc:
            log.info("login from button failed (%s)", type(exc).__name__)
            message = render.error_message(exc)
        message = localize(message, self._timezones.lang(client, asker))
        respond(replace_original=True, response_type="ephemeral", **message.payload())

    def ack_link(self, ack: Ack) -> None:
        """The verification link is a URL button; Slack still sends an action, which needs only an ack."""
        ack()
