"""Injected clocks: the system one, and a frozen one for tests and `QWEN_BOT_NOW`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """Starts at a given instant and moves only when told (or, with `running`, with real time)."""

    def __init__(self, start: datetime, *, running: bool = False) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._start = start.astimezone(UTC)
        self._offset = timedelta(0)
        self._running = running
        self._origin = datetime.now(UTC)

    def now(self) -> datetime:
        base = self._start + self._offset
        if self._running:
            base += datetime.now(UTC) - self._origin
        return base

    def advance(self, delta: timedelta) -> None:
        self._offset += delta
