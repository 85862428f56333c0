"""One in-flight answer per user: a second question while the first is still being fetched is refused,
so one user cannot stack fan-outs on the shared pool.

`AnswerSlots` is what the `/qwen` router uses, in two steps:
* `admit` in the ack: this process's own slots only (`InFlight`, no I/O), so a repeat that reaches the
  same process is refused in the ack itself;
* `claim` first thing in the lazy half: the slot in the database (bot/storage/answer_slots.py), shared by
  every web process and host; a question whose user has an answer in flight elsewhere is refused there,
  replacing its "Working…", before any upstream call. A write per ack cost p99 0.4-1.1 s at 50 concurrent
  acks on the loaded 2-CPU bench box (docs/benchmarks.md), so the shared slot stays off the ack.
A slot whose process died frees itself after `QWEN_BOT_ANSWER_SLOT_SECONDS`. While the database fails, the
process's own slot decides (logged), so nothing is refused or lost because of the outage."""

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
    """This process's slots in front of the shared one (when there is one)."""

    def __init__(self, *, shared: SharedSlots | None = None, ttl: float = 120.0) -> None:
        self._shared = shared
        self._local = InFlight(ttl=ttl)
        self._unreleased: dict[str, str] = {}  # key -> holder whose shared release failed (retried on claim)

    def admit(self, key: str, holder: str) -> bool:
        """The ack: False while this process is answering `key` already."""
        return self._local.acquire(key, holder)

    def claim(self, key: str, holder: str) -> bool:
        """The lazy half, after `admit`: False while another process is answering `key` (admission undone)."""
        if self._shared is None:
            return True
        try:
            if (stale := self._unreleased.pop(key, None)) is not None:
                self._shared.release(key, stale)  # else this user waits for its expiry after an outage
            won = self._shared.acquire(key, holder)
        except Exception as exc:  # database down or saturated: this process's slot decides
            log.warning("shared answer slot unavailable (%s); this process decides", type(exc).__name__)
            return True
        if not won:
            self._local.release(key, holder)
        return won

    def holds(self, key: str, holder: str) -> bool:
        """Did this process's ack admit `holder`? (The lazy half runs where its ack ran.)"""
        return self._local.holds(key, holder)

    def release(self, key: str, holder: str) -> None:
        self._local.release(key, holder)
        if self._shared is None:
            return
        try:
            self._shared.release(key, holder)
        except Exception as exc:  # retried by this user's next claim here; else the row expires
            self._unreleased[key] = holder
            log.warning("shared answer slot not released (%s); it expires", type(exc).__name__)
