"""The device-flow state machine (contract §1): `start()` opens or reuses a flow, `poll_once()` advances it.

State lives only in `pending_login` rows, so any worker (or the terminal's `--complete`) can drive a flow
and a restart loses nothing. The caller holds the row's lease while calling `poll_once`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.base.clock import Clock
from bot.base.errors import QwenBotError
from bot.qwencloud.client import QwenCloudClient
from bot.qwencloud.models import DeviceCredentials, DevicePoll, QwenUser
from bot.qwencloud.pkce import new_client_id, new_pkce
from bot.storage.app_state import CLIENT_ID_KEY, AppStateStore
from bot.storage.credentials import CredentialStore, StoredCredential
from bot.storage.owner import Owner
from bot.storage.pending import NotifyTarget, PendingLogin, PendingLoginStore, Purpose, Status

log = logging.getLogger("bot.login")

OutcomeKind = Literal["pending", "slow_down", "retry", "lost", "complete", "denied", "expired", "failed"]
FINAL_KINDS = frozenset({"complete", "denied", "expired", "failed"})
SLOW_DOWN_STEP = 5
MAX_BACKOFF = 30
DENIED_MESSAGE = "Authorization was denied by the user."
EXPIRED_MESSAGE = "Device code has expired."


@dataclass(frozen=True, slots=True)
class PendingLoginView:
    """What a user is shown: the link, how long it lives, and whether it is the one shown before."""

    id: str
    verification_url: str
    expires_at: datetime
    interval: int
    reused: bool

    def expires_in(self, now: datetime) -> int:
        return max(0, math.ceil((self.expires_at - now).total_seconds()))


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    login: PendingLogin
    kind: OutcomeKind
    user: QwenUser | None = None
    message: str = ""

    @property
    def final(self) -> bool:
        return self.kind in FINAL_KINDS


Notifier = Callable[[LoginOutcome], None]


class LoginService:
    def __init__(
        self,
        *,
        client: QwenCloudClient,
        credentials: CredentialStore,
        pending: PendingLoginStore,
        app_state: AppStateStore,
        clock: Clock,
        notify: Notifier | None = None,
    ) -> None:
        self._client = client
        self._credentials = credentials
        self._pending = pending
        self._app_state = app_state
        self._clock = clock
        self._notify = notify

    def set_notifier(self, notify: Notifier | None) -> None:
        """The Slack layer injects how a finished login is announced (response_url or DM)."""
        self._notify = notify

    def client_id(self) -> str:
        """This installation's persistent QwenCloud device-flow client id."""
        return self._app_state.get_or_create(CLIENT_ID_KEY, new_client_id)

    def start(
        self,
        owner: Owner,
        purpose: Purpose = "personal",
        notify: NotifyTarget | None = None,
        *,
        account_name: str = "",
    ) -> PendingLoginView:
        """Open a device flow, or return the still-valid one this owner already has (same link)."""
        now = self._clock.now()
        active = self._pending.get_active_for_owner(
            owner, now=now, purpose=purpose, account_name=account_name
        )
        if active is not None:
            return _view(active, reused=True)
        verifier, challenge = new_pkce()
        code = self._client.start_device_flow(client_id=self.client_id(), code_challenge=challenge)
        row, reused = self._pending.create_unless_active(
            owner=owner,
            purpose=purpose,
            account_name=account_name,
            code=code,
            code_verifier=verifier,
            notify=notify or NotifyTarget(),
            now=now,
        )
        if reused:  # a concurrent start stored its flow first: everyone gets that one link
            return _view(row, reused=True)
        log.info("device flow %s started for %s (%s)", row.id, owner.team_id, purpose)
        return _view(row, reused=False)

    # -- what the chat asks of a personal login (handlers never touch the stores or the wire client)
    def start_for_chat(
        self,
        owner: Owner,
        *,
        response_url: str | None = None,
        channel: str | None = None,
        dm: str | None = None,
    ) -> PendingLoginView:
        """A personal flow whose outcome is announced where it was asked (response_url, else channel/DM)."""
        return self.start(owner, notify=NotifyTarget(response_url=response_url, channel=channel, dm=dm))

    def current(self, owner: Owner) -> StoredCredential | None:
        return self._credentials.get(owner)

    def pending_url(self, owner: Owner) -> str | None:
        """The verification link of this owner's personal flow still waiting for approval, if any."""
        pending = self._pending.get_active_for_owner(owner, now=self._clock.now())
        return pending.verification_url if pending is not None else None

    def sign_out(self, owner: Owner) -> bool:
        """Revoke upstream (best effort: the client swallows errors), forget the token; False: none stored."""
        cred = self._credentials.get(owner)
        if cred is not None:
            self._client.logout(cred.access_token)
        return self._credentials.delete(owner)

    def poll_once(self, row: PendingLogin, *, worker_id: str, now: datetime | None = None) -> LoginOutcome:
        """One poll of a leased row; writes the result and releases the lease."""
        now = now or self._clock.now()
        if now >= row.expires_at:
            return self._finish(row, worker_id, "expired", now, message=EXPIRED_MESSAGE)
        try:
            answer = self._client.poll_device_flow(
                client_id=self.client_id(), device_token=row.device_token, code_verifier=row.code_verifier
            )
        except Exception as exc:  # transient: network, HTTP 5xx, malformed answer; back off and retry
            if not isinstance(exc, QwenBotError):
                log.exception("device flow %s: unexpected poll failure", row.id)
            else:
                log.info("device flow %s: poll failed (%s), backing off", row.id, type(exc).__name__)
            return self._retry(row, worker_id, max(now, self._clock.now()))
        # Interval counts from the answer, not from the start of the worker's pass over many rows
        return self._apply(row, worker_id, max(now, self._clock.now()), answer)

    def _apply(self, row: PendingLogin, worker_id: str, now: datetime, answer: DevicePoll) -> LoginOutcome:
        if answer.status == "complete":
            return self._complete(row, worker_id, now, answer.credentials)
        if answer.status == "access_denied":
            return self._finish(row, worker_id, "denied", now, message=DENIED_MESSAGE)
        if answer.status == "expired_token":
            return self._finish(row, worker_id, "expired", now, message=EXPIRED_MESSAGE)
        interval = row.interval + (SLOW_DOWN_STEP if answer.status == "slow_down" else 0)
        kind: OutcomeKind = "slow_down" if answer.status == "slow_down" else "pending"
        return self._schedule(row, worker_id, now, interval=interval, failures=0, delay=interval, kind=kind)

    def _retry(self, row: PendingLogin, worker_id: str, now: datetime) -> LoginOutcome:
        failures = row.failures + 1
        delay = max(row.interval, min(row.interval * 2 ** min(failures, 3), MAX_BACKOFF))
        return self._schedule(
            row, worker_id, now, interval=row.interval, failures=failures, delay=delay, kind="retry"
        )

    def _schedule(
        self,
        row: PendingLogin,
        worker_id: str,
        now: datetime,
        *,
        interval: int,
        failures: int,
        delay: int,
        kind: OutcomeKind,
    ) -> LoginOutcome:
        next_poll = min(now + timedelta(seconds=delay), row.expires_at)
        ok = self._pending.reschedule(
            row, worker_id=worker_id, next_poll_at=next_poll, interval=interval, failures=failures
        )
        return LoginOutcome(row, kind if ok else "lost")

    def _complete(
        self, row: PendingLogin, worker_id: str, now: datetime, creds: DeviceCredentials | None
    ) -> LoginOutcome:
        if creds is None:
            return self._finish(row, worker_id, "failed", now, message="QwenCloud sent no credentials.")
        user = self._with_account_info(creds)
        self._credentials.put(row.target, DeviceCredentials(creds.access_token, creds.expires_at, user))
        return self._finish(row, worker_id, "complete", now, user=user)

    def _with_account_info(self, creds: DeviceCredentials) -> QwenUser:
        """The user with the aliyun id from account/info.json, falling back to the credential's own."""
        try:
            info = self._client.account_info(creds.access_token)
        except QwenBotError as exc:
            log.info("account info unavailable after login (%s)", type(exc).__name__)
            return creds.user
        return QwenUser(
            id=creds.user.id,
            email=info.email or creds.user.email,
            aliyun_id=info.aliyun_id or creds.user.aliyun_id,
        )

    def _finish(
        self,
        row: PendingLogin,
        worker_id: str,
        status: Status,
        now: datetime,
        *,
        user: QwenUser | None = None,
        message: str = "",
    ) -> LoginOutcome:
        if not self._pending.finish(row, worker_id=worker_id, status=status, now=now):
            return LoginOutcome(row, "lost")
        outcome = LoginOutcome(row, status, user=user, message=message)
        log.info("device flow %s ended: %s", row.id, status)
        if self._notify is not None:
            try:
                self._notify(outcome)
            except Exception:
                log.exception("device flow %s: notifying the user failed", row.id)
        return outcome


def _view(row: PendingLogin, *, reused: bool) -> PendingLoginView:
    return PendingLoginView(row.id, row.verification_url, row.expires_at, row.interval, reused)
