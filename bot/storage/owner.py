"""Who a credential or a pending login belongs to."""

from __future__ import annotations

from dataclasses import dataclass

TEAM_ACCOUNT_PREFIX = "account:"


@dataclass(frozen=True, slots=True)
class Owner:
    """A Slack user (team_id, user_id), the terminal ("local", "cli:<os user>"), or a team account
    (team_id, "account:<name>")."""

    team_id: str
    user_id: str

    @classmethod
    def team_account(cls, team_id: str, name: str) -> Owner:
        return cls(team_id, TEAM_ACCOUNT_PREFIX + name)

    @property
    def is_team_account(self) -> bool:
        return self.user_id.startswith(TEAM_ACCOUNT_PREFIX)

    @property
    def account_name(self) -> str | None:
        return self.user_id[len(TEAM_ACCOUNT_PREFIX) :] if self.is_team_account else None

    def context(self, kind: str) -> str:
        """The binding string mixed into every ciphertext this owner's rows hold."""
        return f"{kind}\x1f{self.team_id}\x1f{self.user_id}"
