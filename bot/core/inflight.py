"""One in-flight answer per user: a second question while the first is still being fetched is refused,
so one user cannot stack fan-outs on the shared pool. In-process (each web process keeps its own); a slot
left by a lost lazy run expires after `ttl` seconds."""

from __future__ import annotations

import threading
from collections.abc import Callable
from time import monotonic

STILL_WORKING = "I'm still working on your last question; ask again when it has been answered."


class InFlight:
    def __init__(self, *, ttl: float = 120.0, now: Callable[[], float] = monotonic) -> None:
        self._ttl = ttl
        self._now = now
        self._lock = threading.Lock()
        self._slots: dict[str, tuple[str, float]] = {}  # key -> (holder, started)

    def acquire(self, key: str, holder: str) -> bool:
        """True when `key` had no answer in flight (now `holder` has it); False while another one is."""
        with self._lock:
            now = self._now()
            slot = self._slots.get(key)
            if slot is not None and slot[0] != holder and now - slot[1] < self._ttl:
                return False
            self._slots[key] = (holder, now)
            return True

    def holds(self, key: str, holder: str) -> bool:
        with self._lock:
            return self.__held(key, holder)

    def release(self, key: str, holder: str) -> None:
        with self._lock:
            if self.__held(key, holder):
                del self._slots[key]

    def __held(self, key: str, holder: str) -> bool:
        slot = self._slots.get(key)
        return slot is not None and slot[0] == holder
