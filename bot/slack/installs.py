"""Bolt's SQLAlchemy installation store with every Slack token sealed by our keys, and the one answer to
"the bot token for this team" (SLACK_BOT_TOKEN, else the OAuth installation's)."""

from __future__ import annotations

import copy
import threading
from typing import Any, cast

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Engine, Text

from bot.base.config import Settings
from bot.storage.crypto import Crypto


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """Bolt's SQLAlchemy installation store with every Slack token sealed by our MultiFernet keys."""

    TOKENS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")

    def __init__(self, *, client_id: str, engine: Engine, crypto: Crypto) -> None:
        super().__init__(client_id=client_id, engine=engine)
        self._crypto = crypto
        self._local = threading.local()
        for table in (self.installations, self.bots):
            for name in self.TOKENS:
                if name in table.c:
                    table.c[name].type = Text()  # ciphertext is longer than a token's 200 chars

    def _ctx(self, obj: Any) -> str:
        return f"slack_token\x1f{obj.enterprise_id or ''}\x1f{obj.team_id or ''}"

    def _sealed(self, obj: Any) -> Any:
        out = copy.copy(obj)
        for name in self.TOKENS:
            if getattr(out, name, None):
                setattr(out, name, self._crypto.seal(getattr(out, name), context=self._ctx(out)).ciphertext)
        return out

    def _opened(self, obj: Any) -> Any:
        for name in self.TOKENS if obj is not None else ():
            if getattr(obj, name, None):
                setattr(obj, name, self._crypto.open(getattr(obj, name), context=self._ctx(obj)))
        return obj

    def save(self, installation: Installation) -> None:
        self._local.presealed = True  # Bolt's save() hands the (already sealed) bot to save_bot()
        try:
            super().save(self._sealed(installation))
        finally:
            self._local.presealed = False

    def save_bot(self, bot: Bot) -> None:
        super().save_bot(bot if getattr(self._local, "presealed", False) else self._sealed(bot))

    def find_bot(self, **kwargs: Any) -> Bot | None:
        return cast("Bot | None", self._opened(super().find_bot(**kwargs)))

    def find_installation(self, **kwargs: Any) -> Installation | None:
        return cast("Installation | None", self._opened(super().find_installation(**kwargs)))


def installation_store(
    settings: Settings, *, engine: Engine, crypto: Crypto
) -> EncryptedInstallationStore | None:
    """The store of the OAuth install flow (SLACK_CLIENT_ID + SLACK_CLIENT_SECRET), else None."""
    if not (settings.slack_client_id and settings.slack_client_secret):
        return None
    # its tables come from our migrations (0004_slack_oauth), never create_all
    return EncryptedInstallationStore(client_id=settings.slack_client_id, engine=engine, crypto=crypto)


class BotTokens:
    """The bot token for a team: SLACK_BOT_TOKEN for every team, else the OAuth installation's; or None."""

    def __init__(self, *, settings: Settings, store: EncryptedInstallationStore | None) -> None:
        self._static = settings.slack_bot_token.get() if settings.slack_bot_token is not None else None
        self.store = store
        self.base_url = settings.slack_api_url.rstrip("/") + "/"

    @property
    def single_workspace(self) -> bool:
        return self._static is not None

    def for_team(self, team_id: str) -> str | None:
        if self._static is not None:
            return self._static
        bot = self.store.find_bot(enterprise_id=None, team_id=team_id) if self.store is not None else None
        return bot.bot_token if bot is not None else None
