"""Acks first: the lazy half of a Slack request waits while other requests are still being acknowledged.

One web process has one interpreter lock. A burst of slash commands otherwise interleaves 50 acks (~1.6 ms
of CPU each, gunicorn included) with the lazy work they started (credential read and decryption, upstream
calls, rendering: ~15 ms each), and the last ack of the burst waits for all of it (docs/benchmarks.md).

`AckFirstExecutor` is Bolt's listener executor (`App(listener_executor=...)`). `submit()` only queues the
task; one dispatcher thread hands queued tasks to the pool once no Slack request has been inside the app
for `quiet` seconds (`wsgi_app` in bot/app.py brackets each request with `begin()` / `end()`), or once the
oldest has waited `max_wait` seconds: nothing is lost and nothing waits long. `begin()`/`end()` never wake
anybody (the dispatcher polls while it holds tasks), so the ack path pays two counter updates. Tasks run in
a copy of the submitter's contextvars (request id).
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_MAX_WAIT = 0.5  # seconds a lazy task may be held back by acks in progress
DEFAULT_QUIET = 0.01  # seconds without a request in the app before held tasks start (bursts have gaps)


class AckFirstExecutor(ThreadPoolExecutor):
    def __init__(
        self, max_workers: int = 32, *, max_wait: float = DEFAULT_MAX_WAIT, quiet: float = DEFAULT_QUIET
    ) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="qwen-bot")
        self._max_wait = max_wait
        self._quiet = quiet
        self._lock = threading.Lock()
        self._held: deque[tuple[float, Callable[[], None]]] = deque()
        self._wake = threading.Event()
        self._acking = 0
        self._last_end = 0.0
        self._dispatcher: threading.Thread | None = None
        self._closed = False

    @property
    def acking(self) -> int:
        """Slack requests inside the app right now."""
        return self._acking

    def begin(self) -> None:
        with self._lock:
            self._acking += 1

    def end(self) -> None:
        with self._lock:
            self._acking = max(0, self._acking - 1)
            self._last_end = time.monotonic()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        ctx = contextvars.copy_context()
        outer: Future[T] = Future()

        def run() -> None:
            if not outer.set_running_or_notify_cancel():
                return
            try:
                outer.set_result(ctx.run(fn, *args, **kwargs))
            except BaseException as exc:
                outer.set_exception(exc)

        with self._lock:
            if self._closed:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._held.append((time.monotonic(), run))
            if self._dispatcher is None:
                self._dispatcher = threading.Thread(target=self._dispatch, name="qwen-bot-acks", daemon=True)
                self._dispatcher.start()
        self._wake.set()
        return outer

    def _due(self) -> float:
        """0 when the held tasks may start now, else how long to sleep before looking again."""
        now = time.monotonic()
        oldest = self._held[0][0]
        if now - oldest >= self._max_wait:
            return 0.0
        calm = now - self._last_end
        if self._acking == 0 and calm >= self._quiet:
            return 0.0
        return max(
            0.001,
            min(self._quiet - calm if self._acking == 0 else self._quiet, oldest + self._max_wait - now),
        )

    def _release(self) -> None:
        with self._lock:
            tasks = [run for _, run in self._held]
            self._held.clear()
        for run in tasks:
            try:
                super().submit(run)
            except RuntimeError:  # the pool shut down meanwhile (process exit): nothing left to run them
                return

    def _dispatch(self) -> None:
        while True:
            self._wake.wait()
            with self._lock:
                if not self._held:
                    self._wake.clear()
                    if self._closed:
                        return
                    continue
                pause = self._due()
            if pause:
                time.sleep(pause)
            else:
                self._release()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._closed = True
        self._release()  # held tasks run (or are cancelled) like queued ones
        self._wake.set()
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
