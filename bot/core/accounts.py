"""The one answer to "the token for this owner, or why not", asked by chat, digests, alerts and the terminal.

The words of the refusal depend on who asks: a Slack user is told to log in, a team account is named, the
terminal gets the official CLI's messages.
"""

from __future__ import annotations

from datetime import datetime

from bot.base.clock import Clock
from bot.base.errors import AuthRequired, TokenExpired
from bot.storage.credentials import CredentialStore, StoredCredential
from bot.storage.owner import Owner as Owner  # re-exported: the handlers name an owner through core

LOCAL_TEAM = "local"  # the terminal's owner: Owner("local", "cli:<OS user name>")


class Accounts:
    def __init__(self, *, credentials: CredentialStore, clock: Clock) -> None:
        self._credentials = credentials
        self._clock = clock

    def credential_for(self, owner: Owner, *, now: datetime | None = None) -> StoredCredential:
        """The owner's stored login, unexpired at `now`; else AuthRequired / TokenExpired."""
        cred = self._credentials.get(owner)
        if cred is None:
            raise _not_linked(owner)
        at = now or self._clock.now()
        if at >= cred.expires_at:
            raise _expired(owner)
        if not owner.is_team_account and owner.team_id != LOCAL_TEAM:
            self._credentials.touch(cred, now=at)  # a Slack user asked: reminders go to recent users
        return cred

    def token_for(self, owner: Owner, *, now: datetime | None = None) -> str:
        return self.credential_for(owner, now=now).access_token


def _not_linked(owner: Owner) -> AuthRequired:
    if owner.is_team_account:
        return AuthRequired(f"The team account '{owner.account_name}' is not linked.")
    if owner.team_id == LOCAL_TEAM:
        return AuthRequired()
    return AuthRequired("Not linked to QwenCloud. Log in first.")


def _expired(owner: Owner) -> TokenExpired:
    if owner.is_team_account:
        return TokenExpired(f"The QwenCloud login of team account '{owner.account_name}' has expired.")
    if owner.team_id == LOCAL_TEAM:
        return TokenExpired()
    return TokenExpired("The QwenCloud login has expired. Log in again.")
