"""The App Home's spend-limit gauge and last-24-hour error rate, for the viewer's own QwenCloud login.

Each is fetched on its own; a failure becomes a short "unavailable" line (its error code), never a broken
Home tab, and is logged with the code only.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.base.errors import QwenBotError
from bot.core.calls import CallsAnswers, ErrorRate
from bot.core.limit import Limits, LimitStatus
from bot.storage.owner import Owner

log = logging.getLogger("bot.home")
ERROR_WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Gauges:
    limit: LimitStatus | None = None
    limit_error: str | None = None  # an error code: the gauge shows "unavailable"
    errors: ErrorRate | None = None
    errors_error: str | None = None


class GaugeService:
    def __init__(self, *, limits: Limits, calls: CallsAnswers) -> None:
        self._limits = limits
        self._calls = calls

    def fetch(self, owner: Owner, *, now: datetime, today: date) -> Gauges:
        """Both at once: the Home tab is published while Slack waits for the event's answer."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="home-gauge") as pool:
            pending = pool.submit(self._calls.error_rate, owner, start=now - ERROR_WINDOW, end=now)
            limit, limit_error = None, None
            try:
                limit = self._limits.status(owner, today=today)
            except Exception as exc:
                limit_error = _code(exc, "spend limit")
            errors, errors_error = None, None
            try:
                errors = pending.result()
            except Exception as exc:
                errors_error = _code(exc, "error rate")
        return Gauges(limit, limit_error, errors, errors_error)


def _code(exc: Exception, what: str) -> str:
    """The code shown and logged: QwenCloud's error code, else the exception's type (never its text)."""
    code = exc.code if isinstance(exc, QwenBotError) else type(exc).__name__
    log.info("home %s unavailable (%s)", what, code)
    return code
