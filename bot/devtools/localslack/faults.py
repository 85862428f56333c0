"""The call log and the fault knobs of the fake Web API (rate limits, server errors, Slack errors, delays)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Call:
    """One request the bot made: `method` is a Web API method, `response_url` or `file_upload`."""

    method: str
    params: dict[str, Any]
    at: float  # time.time()
    status: int
    response: dict[str, Any]
    authorization: str | None = None


@dataclass
class Fault:
    method: str
    channel: str | None
    times: int | None  # None: until cleared
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    delay: float = 0.0
    after: bool = False  # the method runs first (the answer is lost on the way back)


@dataclass(frozen=True)
class Injected:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    after: bool = False  # run the method, then answer `status`/`body` anyway


class Faults:
    """Knobs tests turn; `check()` is asked before every Web API method runs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._channel_rate: float | None = None
        self._last_post: dict[str, float] = {}
        self._applied: dict[str, int] = {}

    def rate_limit(self, method: str, *, channel: str | None = None, retry_after: int = 1,
                   times: int | None = 1) -> None:
        """Answer `method` (for `channel` if given) with HTTP 429 + Retry-After, `times` times."""
        self._add(Fault(method, channel, times, status=429, error="ratelimited", retry_after=retry_after))

    def server_error(self, method: str, *, status: int = 500, channel: str | None = None,
                     times: int | None = 1, after_effect: bool = False) -> None:
        """HTTP `status`; with `after_effect` the method still runs (a post is made, its answer lost)."""
        self._add(Fault(method, channel, times, status=status, after=after_effect))

    def slack_error(self, method: str, error: str, *, channel: str | None = None,
                    times: int | None = 1) -> None:
        """Answer HTTP 200 `{"ok": false, "error": error}`."""
        self._add(Fault(method, channel, times, error=error))

    def delay(self, method: str, seconds: float, *, times: int | None = None) -> None:
        self._add(Fault(method, None, times, delay=seconds))

    def enforce_channel_rate(self, per_second: float = 1.0) -> None:
        """chat.postMessage faster than `per_second` to one channel gets 429 (Slack's ~1/s per channel)."""
        with self._lock:
            self._channel_rate = per_second

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._channel_rate = None
            self._last_post.clear()

    def applied(self, method: str) -> int:
        """How many requests for `method` a fault has met so far (a delayed one is then in the server)."""
        with self._lock:
            return self._applied.get(method, 0)

    def _add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def check(self, method: str, channel: str | None) -> Injected | None:
        with self._lock:
            for fault in self._faults:
                if fault.method != method or (fault.channel is not None and fault.channel != channel):
                    continue
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                self._applied[method] = self._applied.get(method, 0) + 1
                return _injected(fault)
            if method == "chat.postMessage" and self._channel_rate and channel:
                now = time.monotonic()
                gap = 1.0 / self._channel_rate
                last = self._last_post.get(channel)
                if last is not None and now - last < gap:
                    wait = max(1, round(gap - (now - last) + 0.5))
                    return Injected(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(wait)})
                self._last_post[channel] = now
        return None


def _injected(fault: Fault) -> Injected:
    if fault.status == 429:
        headers = {"Retry-After": str(fault.retry_after or 1)}
        return Injected(429, {"ok": False, "error": "ratelimited"}, headers)
    if fault.status >= 500:
        return Injected(fault.status, {"ok": False, "error": "fatal_error"}, after=fault.after)
    if fault.error:
        return Injected(200, {"ok": False, "error": fault.error})
    return Injected(0, {}, delay=fault.delay)  # status 0: only a delay, then the real answer
