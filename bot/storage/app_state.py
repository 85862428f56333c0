"""Small persistent key/value state of one installation (e.g. the QwenCloud device-flow client_id)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from bot.base.clock import Clock
from bot.storage.db import app_state

CLIENT_ID_KEY = "qwencloud.client_id"


class AppStateStore:
    def __init__(self, *, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def get(self, key: str) -> str | None:
        with self._engine.connect() as conn:
            value = conn.execute(select(app_state.c.value).where(app_state.c.key == key)).scalar()
        return None if value is None else str(value)

    def get_or_create(self, key: str, factory: Callable[[], str]) -> str:
        """The stored value, or `factory()` stored once (the first writer wins under concurrency)."""
        existing = self.get(key)
        if existing is not None:
            return existing
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(app_state).values(key=key, value=factory(), updated_at=self._clock.now()))
        except IntegrityError:
            pass
        value = self.get(key)
        assert value is not None
        return value
