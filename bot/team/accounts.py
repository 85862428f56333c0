"""Who is an admin, and team accounts: link (device flow in the admin's DM), relink, unlink, list.

Admins are the `TEAM:USER` entries of QWEN_BOT_ADMINS (bare ids: single-token mode only), and the asking
team's own admins/owners according to `users.info`.
A team account is a credential owned by Owner(team_id, "account:<name>"), encrypted like a personal one.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cachetools import TTLCache

from bot.base.clock import Clock
from bot.base.errors import NotFound
from bot.core.login import LoginService, PendingLoginView
from bot.qwencloud.client import QwenCloudClient
from bot.storage.credentials import CredentialStore, StoredCredential
from bot.storage.health import HealthStore
from bot.storage.owner import Owner
from bot.storage.pending import NotifyTarget

log = logging.getLogger("bot.admin")
ADMIN_CACHE_SECONDS = 300.0
ADMIN_CACHE_SIZE = 10_000  # users.info answers kept; a bound, so many askers cannot grow it for ever


class NotAdmin(Exception):
    """The asker is not an admin: the handler says so and changes nothing."""


class AdminCheck:
    """Admins per team. `QWEN_BOT_ADMINS` entries are `TEAM:USER`; a bare `USER` counts only in single-token
    mode, for the one team the bot token belongs to (pinned by auth.test), never in other installed
    workspaces. Slack admins/owners count only as members of the asking team: a Slack Connect user from
    another organisation (users.info team_id differs), a guest, a stranger or a deleted user never does."""

    def __init__(self, *, configured: frozenset[str], single_workspace: bool = False) -> None:
        self.configured = configured  # QWEN_BOT_ADMINS: admins whatever Slack says
        self._single = single_workspace
        self._pinned: str | None = None  # the single token's team id, once auth.test told
        self._cache: TTLCache[tuple[str, str], bool] = TTLCache(
            maxsize=ADMIN_CACHE_SIZE, ttl=ADMIN_CACHE_SECONDS
        )
        self._lock = threading.Lock()

    def configured_for(self, team_id: str) -> list[str]:
        """The configured admins of this team (user ids)."""
        out = [e.partition(":")[2] for e in self.configured if e.partition(":")[0] == team_id and ":" in e]
        if self._single and self._pinned == team_id:
            out += [e for e in self.configured if ":" not in e]
        return out

    def to_ask(self, team_id: str) -> list[str]:
        """The configured admins (user ids) to DM about this team's logins from a worker: its `TEAM:USER`
        entries, and bare ids in single-token mode (one workspace, so no auth.test pin is needed)."""
        out = {e.partition(":")[2] for e in self.configured if e.partition(":")[0] == team_id and ":" in e}
        if self._single:
            out.update(e for e in self.configured if ":" not in e)
        return sorted(out)

    def is_admin(self, client: Any, team_id: str, user_id: str) -> bool:
        if f"{team_id}:{user_id}" in self.configured:
            return True
        if user_id in self.configured and self._single and self._pin(client) == team_id:
            return True
        key = (team_id, user_id)
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None:
            return hit
        answer = self._lookup(client, team_id, user_id)
        with self._lock:
            self._cache[key] = answer
        return answer

    def require(self, client: Any, team_id: str, user_id: str) -> None:
        if not self.is_admin(client, team_id, user_id):
            raise NotAdmin(user_id)

    def _pin(self, client: Any) -> str | None:
        if self._pinned is None:
            try:
                self._pinned = str(client.auth_test().get("team_id") or "") or None
            except Exception as exc:  # unknown: bare ids do not count until Slack says which team this is
                log.info("auth.test for the admin check failed (%s)", type(exc).__name__)
        return self._pinned

    @staticmethod
    def _lookup(client: Any, team_id: str, user_id: str) -> bool:
        try:
            user = client.users_info(user=user_id).get("user") or {}
        except Exception as exc:  # no users:read, unknown user, rate limited: not an admin
            log.info("users.info for the admin check failed (%s)", type(exc).__name__)
            return False
        if user.get("team_id") != team_id or user.get("deleted") or user.get("is_bot"):
            return False  # another organisation's admin (Slack Connect) is not ours
        if user.get("is_restricted") or user.get("is_ultra_restricted") or user.get("is_stranger"):
            return False
        return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


@dataclass(frozen=True, slots=True)
class LinkStarted:
    name: str
    view: PendingLoginView


@dataclass(frozen=True, slots=True)
class AlreadyLinked:
    name: str
    credential: StoredCredential


@dataclass(frozen=True, slots=True)
class TeamAccount:
    name: str
    credential: StoredCredential
    broken_reason: str | None
    linked_by: str | None = None  # who linked it first (asked to renew it)
    renewed_by: str | None = None  # who renewed it last, if anyone


class TeamAccounts:
    def __init__(
        self,
        *,
        login: LoginService,
        credentials: CredentialStore,
        client: QwenCloudClient,
        health: HealthStore,
        clock: Clock,
    ) -> None:
        self._login = login
        self._credentials = credentials
        self._client = client
        self._health = health
        self._clock = clock

    def link(
        self, team_id: str, admin: str, name: str, *, relink: bool = False
    ) -> LinkStarted | AlreadyLinked:
        """Start (or show again) the device flow whose credential becomes team account `name`."""
        now = self._clock.now()
        existing = self._credentials.get(Owner.team_account(team_id, name))
        if existing is not None and not relink and not existing.is_expired(now):
            return AlreadyLinked(name, existing)
        view = self._login.start(
            Owner(team_id, admin), "team_account", NotifyTarget(dm=admin), account_name=name
        )
        if existing is None:  # a first link (or after unlink): this admin is the one asked to renew it
            self._health.linked_by(team_id, name, admin, now=now)
        else:  # a renewal, whoever starts it: the first linker stays
            self._health.renewed_by(team_id, name, admin, now=now)
        log.info("team account %s: device flow started by an admin", name)
        return LinkStarted(name, view)

    def unlink(self, team_id: str, name: str) -> bool:
        owner = Owner.team_account(team_id, name)
        cred = self._credentials.get(owner)
        if cred is not None:
            self._client.logout(cred.access_token)  # best effort
        return self._credentials.delete(owner)

    def names(self, team_id: str) -> list[str]:
        return [c.owner.account_name or "" for c in self._credentials.list_for_team(team_id)]

    def list(self, team_id: str) -> list[TeamAccount]:
        out = []
        for cred in self._credentials.list_for_team(team_id):
            name = cred.owner.account_name or ""
            health = self._health.get(team_id, name)
            reason = str(health["reason"]) if health is not None and health["broken_since"] else None
            linker = health["linked_by"] if health is not None else None
            renewer = health["renewed_by"] if health is not None else None
            out.append(TeamAccount(name, cred, reason, linker or None, renewer or None))
        return out

    def resolve(self, team_id: str, wanted: str | None) -> str:
        """The account a command means: the named one, or the only one linked."""
        names = self.names(team_id)
        if wanted is not None:
            if wanted not in names:
                known = ", ".join(names) or "none yet"
                raise NotFound(
                    f"No team account named *{wanted}* (linked: {known}). An admin can DM me `link {wanted}`."
                )
            return wanted
        if len(names) == 1:
            return names[0]
        if not names:
            raise NotFound("No team account is linked yet. An admin can DM me `link NAME` to link one.")
        raise NotFound(f"Which team account? Add one of: {', '.join(names)}.")


def expires_text(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"
