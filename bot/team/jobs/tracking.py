"""Team-account tracking health: when a team token expires or is revoked, or QwenCloud keeps failing for it,
the admins are DMed once per breakage (again only after it recovered and broke again)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from bot.base.errors import AuthError, QwenBotError, TokenExpired
from bot.render.messages import notice
from bot.storage.health import HealthStore
from bot.team.outbox import SlackClients

log = logging.getLogger("bot.tracking")

FAILURES_BEFORE_NOTICE = 3


class TrackingMonitor:
    def __init__(
        self,
        *,
        health: HealthStore,
        slack: SlackClients,
        admins_for: Callable[[str, str], Iterable[str]],
        failures_before_notice: int = FAILURES_BEFORE_NOTICE,
        renewal_asks: bool = False,
    ) -> None:
        self._health = health
        self._slack = slack
        self._admins_for = admins_for
        self._threshold = failures_before_notice
        # The renewal job asks the admins ahead of each slot, with a button, to renew a login that expires:
        # a second DM at the slot for the same expiry would only repeat it. Revoked logins still get one.
        self._renewal_asks = renewal_asks

    def ok(self, team_id: str, account: str, *, now: datetime) -> None:
        self._health.success(team_id, account, now=now)

    def failed(self, team_id: str, account: str, exc: BaseException, *, now: datetime) -> None:
        auth = isinstance(exc, AuthError)
        code = (
            getattr(exc, "code", type(exc).__name__) if isinstance(exc, QwenBotError) else type(exc).__name__
        )
        reason = "login expired or revoked" if auth else f"QwenCloud keeps failing ({code})"
        failures = self._health.failure(team_id, account, reason=reason, now=now)
        if not auth and failures < self._threshold:
            return
        if self._renewal_asks and isinstance(exc, TokenExpired):
            return
        if self._health.claim_notice(team_id, account, now=now):
            self._tell_admins(team_id, account, reason, auth=auth)

    def _tell_admins(self, team_id: str, account: str, reason: str, *, auth: bool) -> None:
        client = self._slack.for_team(team_id)
        if client is None:
            log.error(
                "tracking of %s/%s broke (%s) and no Slack client to tell the admins",
                team_id,
                account,
                reason,
            )
            return
        step = f"DM me `relink {account}` to link it again." if auth else "I will keep trying."
        text = (
            f":warning: Tracking of team account *{account}* stopped: {reason}. Digests and alerts for it "
            f"are paused until it works again. {step}"
        )
        message = notice(text)
        for admin in sorted(set(self._admins_for(team_id, account))):
            channel = client.open_dm(admin)
            if channel is None:
                continue
            outcome = client.post(channel=channel, **message.payload())
            log.info("told admin about %s/%s tracking: %s", team_id, account, type(outcome).__name__)
