"""One in-flight answer per user: a second question while the first is still being fetched is refused,
so one user cannot stack fan-outs on the shared pool.

`AnswerSlots` is what the `/qwen` router uses: the slot lives in the database (bot/storage/answer_slots.py),
so it holds across every web process and host; a slot whose process died frees itself after the expiry
(`QWEN_BOT_ANSWER_SLOT_SECONDS`). The ack's decision is also kept in this process (`InFlight`), because
the lazy half always runs in the process whose ack admitted it: it asks no database, and a database that
fails between the two halves loses no answer. While the database fails, the slot is per process (as
before it was shared) rather than refusing everyone or failing the ack."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from time import monotonic
from typing import Protocol

STILL_WORKING = "I'm still working on your last question; ask again when it has been answered."

log = logging.getLogger("bot.inflight")


class SharedSlots(Protocol):
    """bot.storage.answer_slots.AnswerSlotStore: atomic acquire, release of one's own slot only."""

    def acquire(self, key: str, holder: str) -> bool: ...

    def release(self, key: str, holder: str) -> None: ...


class InFlight:
    """The slots of this process only (a slot left by a lost lazy run expires after `ttl` seconds)."""

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

    def take(self, key: str, holder: str) -> None:
        """`holder` has `key` now, whatever this process remembered (the shared slot said so)."""
        with self._lock:
            self._slots[key] = (holder, self._now())

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


class AnswerSlots:
    """The shared slot (when there is one) in front of this process's memory of what its acks admitted."""

    def __init__(self, *, shared: SharedSlots | None = None, ttl: float = 120.0) -> None:
        self._shared = shared
        self._local = InFlight(ttl=ttl)

    def acquire(self, key: str, holder: str) -> bool:
        if self._shared is not None:
            try:
                won = self._shared.acquire(key, holder)
            except Exception as exc:  # database down or saturated: fall back to this process's slots
                log.warning("shared answer slot unavailable (%s); this process decides", type(exc).__name__)
            else:
                if won:
                    self._local.take(key, holder)
                return won
        return self._local.acquire(key, holder)

    def holds(self, key: str, holder: str) -> bool:
        """Did this process's ack admit `holder`? (The lazy half runs where its ack ran.)"""
        return self._local.holds(key, holder)

    def release(self, key: str, holder: str) -> None:
        self._local.release(key, holder)
        if self._shared is None:
            return
        try:
            self._shared.release(key, holder)
        except Exception as exc:  # the row expires on its own
            log.warning("shared answer slot not released (%s); it expires", type(exc).__name__)
