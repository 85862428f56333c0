"""The digest's extra figures from the billing calls: top API keys for the period and the spend limit.

Each is fetched on its own; a failure leaves that figure out (the digest still goes) and is logged with its
error code only, never the token or the server's text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from bot.base.errors import QwenBotError
from bot.base.periods import DateRange
from bot.core.limit import Limits, LimitStatus
from bot.core.spend import SpendAnswers, TopKeys
from bot.storage.owner import Owner

log = logging.getLogger("bot.digest")
TOP_KEYS = 3
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class DigestExtras:
    api_keys: TopKeys | None = None  # None: unavailable, the section is left out
    limit: LimitStatus | None = None  # None: unavailable, the line is left out


class ExtrasFetcher:
    def __init__(self, *, spend: SpendAnswers | None, limits: Limits | None) -> None:
        self._spend = spend
        self._limits = limits

    def fetch(self, owner: Owner, rng: DateRange, *, today: date) -> DigestExtras:
        with self.started(owner, rng, today=today) as extras:
            return extras()

    @contextmanager
    def started(self, owner: Owner, rng: DateRange, *, today: date) -> Iterator[Callable[[], DigestExtras]]:
        """Both calls run in the background while the caller builds the rest of the digest; calling the
        yielded function waits for them. Never raises: a failure is a figure left out."""
        spend, limits = self._spend, self._limits
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="digest-extras") as pool:
            keys: Future[TopKeys | None] | None = None
            limit: Future[LimitStatus | None] | None = None
            if spend is not None:
                keys = pool.submit(
                    _quiet, "top API keys", owner, lambda: spend.top_api_keys(owner, rng, top=TOP_KEYS)
                )
            if limits is not None:
                limit = pool.submit(_quiet, "spend limit", owner, lambda: limits.status(owner, today=today))
            yield lambda: DigestExtras(_result(keys), _result(limit))


def _result(pending: Future[T | None] | None) -> T | None:
    return None if pending is None else pending.result()


def _quiet(what: str, owner: Owner, call: Callable[[], T]) -> T | None:
    try:
        return call()
    except QwenBotError as exc:
        log.warning("digest %s for %s unavailable (%s)", what, owner.account_name, exc.code)
    except Exception as exc:  # a parse bug must not lose the digest either; named by type only
        log.error("digest %s for %s failed (%s)", what, owner.account_name, type(exc).__name__)
    return None
