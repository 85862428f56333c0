"""Tells a user how their login ended: through the response_url while it lives (30 min), else a DM.

Built from settings and the team's bot tokens alone, so `qwen-bot worker` (no Bolt App) announces the
logins it completes. bootstrap.build_bot wires it into the login service, once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.base.clock import Clock
from bot.core.login import LoginOutcome
from bot.render import messages as render_messages
from bot.render.catalog import lang_of
from bot.render.localize import localize
from bot.slack.installs import BotTokens
from bot.slack.posting import no_retry_client, notice_client, open_dm, web_client
from bot.storage.owner import Owner
from bot.storage.pending import NotifyTarget
from bot.team.digest_view import account_link_result

log = logging.getLogger("bot.app")
RESPONSE_URL_LIFETIME = timedelta(minutes=30)
LOCALE_TIMEOUT_S = 5


class SlackNotifier:
    def __init__(self, *, tokens: BotTokens, clock: Clock) -> None:
        self._tokens = tokens
        self._clock = clock

    def client_for(self, team_id: str) -> WebClient | None:
        token = self._tokens.for_team(team_id)
        return notice_client(web_client(token, self._tokens.base_url)) if token is not None else None

    def __call__(self, outcome: LoginOutcome) -> None:
        if not outcome.final:
            return
        row = outcome.login
        message = (
            render_messages.login_done(render_messages.who(outcome.user))
            if outcome.kind == "complete"
            else render_messages.login_failed(outcome.kind)
        )
        if row.purpose == "team_account":  # an admin linking a team account (team/accounts.py)
            message = account_link_result(row.account_name, outcome.kind, render_messages.who(outcome.user))
        else:  # a personal login: in the user's Slack language
            message = localize(message, lang_of(self.locale_of(row.owner)))
        self.send(row.owner, row.notify, started_at=row.created_at, payload=message.payload())

    def locale_of(self, owner: Owner) -> str | None:
        """The user's Slack locale (users.info), or None: the worker has no cache of the web's lookups."""
        token = self._tokens.for_team(owner.team_id) if owner.team_id != "local" else None
        if token is None:
            return None
        # no retries and a short timeout: the language is not worth holding up the notice
        client = no_retry_client(token, self._tokens.base_url, timeout=LOCALE_TIMEOUT_S)
        try:
            user = client.users_info(user=owner.user_id, include_locale=True).get("user") or {}
            locale = user.get("locale")
        except Exception as exc:  # no scope, rate limited: English
            log.info("users.info failed (%s); announcing the login in English", type(exc).__name__)
            return None
        return locale if isinstance(locale, str) else None

    def send(
        self, owner: Owner, target: NotifyTarget, *, started_at: datetime, payload: dict[str, Any]
    ) -> None:
        if owner.team_id == "local":
            return  # the terminal polls for itself
        if target.response_url and self._clock.now() - started_at < RESPONSE_URL_LIFETIME:
            try:
                body = {**payload, "response_type": "ephemeral", "replace_original": False}
                if WebhookClient(target.response_url).send_dict(body).status_code == 200:
                    return
            except Exception as exc:  # an expired or unreachable response_url: fall back to a DM
                log.info("response_url failed (%s); sending a DM", type(exc).__name__)
        client = self.client_for(owner.team_id)
        if client is None:
            log.warning("no Slack token for team %s; cannot announce the login", owner.team_id)
            return
        channel = open_dm(client, target.dm or owner.user_id)
        if channel is not None:
            client.chat_postMessage(channel=channel, **payload)
