"""Call logs as answers: the error rate of a window (digests, alerts, App Home) and the `/qwen logs` report.

Counts come from the server's `totalCount` with a status filter and a page size of 1, so they are exact
however many calls there were; only the per-model counts need rows, and those are read from at most
MAX_PAGES pages (the report says how many rows they cover). The server's window is start <= t < end.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from bot.base.clock import Clock
from bot.core.accounts import Accounts
from bot.qwencloud.billing import BillingApi
from bot.qwencloud.billing_models import CallLog, LogPage
from bot.storage.owner import Owner

CLASSES = ("SUCCESS", "CLIENT_ERROR", "SERVER_ERROR", "CANCEL")
FAILURES = ("CLIENT_ERROR", "SERVER_ERROR")  # cancels are the caller's choice, not failures
PAGE = 100  # the server's largest page
MAX_PAGES = 5  # rows read for the per-model counts: at most 500 per question
LATEST = 5  # failures listed by request id
WORKERS = 8
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ErrorRate:
    start: datetime
    end: datetime
    calls: int
    failures: int  # 4xx + 5xx (CLIENT_ERROR + SERVER_ERROR); cancels are not failures
    rate_pct: Decimal | None  # failures / calls * 100; None when there were no calls


@dataclass(frozen=True, slots=True)
class ModelCounts:
    counts: tuple[tuple[str, int], ...]  # most first
    rows_read: int  # the rows counted; less than `of` when the window has more than MAX_PAGES pages
    of: int

    @property
    def complete(self) -> bool:
        return self.rows_read >= self.of


@dataclass(frozen=True, slots=True)
class LogsReport:
    start: datetime
    end: datetime
    statuses: tuple[str, ...]  # the wire status filter (empty: all)
    models: tuple[str, ...]  # the model filter (empty: all)
    matching: int  # calls matching the filters (the official `usage logs` totalCount)
    by_status: tuple[tuple[str, int], ...]  # every class in the window, the model filter applied
    by_model: ModelCounts  # of the matching calls
    latest_failures: tuple[CallLog, ...]  # newest first, at most LATEST
    failures_by_model: ModelCounts
    rate: ErrorRate
    previous: ErrorRate  # the equal window just before


def rate_of(start: datetime, end: datetime, calls: int, failures: int) -> ErrorRate:
    pct = Decimal(failures) * 100 / Decimal(calls) if calls else None
    return ErrorRate(start, end, calls, failures, pct)


def request(
    start: datetime,
    end: datetime,
    *,
    size: int,
    skip: int = 0,
    models: Sequence[str] = (),
    statuses: Sequence[str] = (),
    request_id: str | None = None,
) -> dict[str, Any]:
    """A listModelLogs reqDTO in the official key order (qwencloud-api-billing.md §1.2)."""
    req: dict[str, Any] = {
        "startTime": _ms(start),
        "endTime": _ms(end),
        "maxResults": size,
        "skip": skip,
    }
    if request_id:
        req["modelRequestId"] = request_id
        return req
    if models:
        req["models"] = list(models)
    if statuses:
        req["statusCodeTypes"] = list(statuses)
    return req


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def count_models(pages: Sequence[LogPage]) -> ModelCounts:
    rows = [item for page in pages for item in page.items]
    counts = Counter(item.model for item in rows)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    total = pages[0].total_count if pages else 0
    return ModelCounts(tuple(ordered), len(rows), total)


class CallsAnswers:
    def __init__(self, *, billing: BillingApi, accounts: Accounts, clock: Clock) -> None:
        self._billing = billing
        self._accounts = accounts
        self._clock = clock

    def error_rate(
        self, owner: Owner, *, start: datetime, end: datetime, models: Sequence[str] = ()
    ) -> ErrorRate:
        """Two counting calls (page size 1, totalCount), made concurrently."""
        token = self._accounts.token_for(owner)
        return self._rate(token, start, end, models)

    def find(self, owner: Owner, request_id: str, *, start: datetime, end: datetime) -> CallLog | None:
        """One call by its request id, within the window; None when the server has no such call there."""
        token = self._accounts.token_for(owner)
        page = self._billing.model_logs(token, request(start, end, size=1, request_id=request_id))
        return page.items[0] if page.items else None

    def logs(
        self,
        owner: Owner,
        *,
        start: datetime,
        end: datetime,
        statuses: Sequence[str] = (),
        models: Sequence[str] = (),
    ) -> LogsReport:
        token = self._accounts.token_for(owner)
        wanted_failures = [s for s in (statuses or CLASSES) if s in FAILURES]
        previous_start = start - (end - start)
        with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="calls") as pool:
            classes = {c: pool.submit(self._count, token, start, end, models, (c,)) for c in CLASSES}
            everything = pool.submit(self._count, token, start, end, models, ())
            matching = pool.submit(self._pages, token, start, end, models, tuple(statuses))
            failing = (
                pool.submit(self._pages, token, start, end, models, tuple(wanted_failures))
                if wanted_failures
                else None
            )
            previous = pool.submit(self._rate, token, previous_start, start, models)
            by_status = tuple((c, f.result()) for c, f in classes.items())
            listed, failed = matching.result(), failing.result() if failing else []
            failures = sum(n for c, n in by_status if c in FAILURES)
            return LogsReport(
                start=start,
                end=end,
                statuses=tuple(statuses),
                models=tuple(models),
                matching=listed[0].total_count if listed else 0,
                by_status=by_status,
                by_model=count_models(listed),
                latest_failures=tuple(failed[0].items[:LATEST]) if failed else (),
                failures_by_model=count_models(failed),
                rate=rate_of(start, end, everything.result(), failures),
                previous=previous.result(),
            )

    # -- calls ----------------------------------------------------------------------------------------------
    def _count(
        self, token: str, start: datetime, end: datetime, models: Sequence[str], statuses: Sequence[str]
    ) -> int:
        req = request(start, end, size=1, models=models, statuses=statuses)
        return self._billing.model_logs(token, req).total_count

    def _rate(self, token: str, start: datetime, end: datetime, models: Sequence[str]) -> ErrorRate:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="rate") as pool:
            calls = pool.submit(self._count, token, start, end, models, ())
            failures = pool.submit(self._count, token, start, end, models, FAILURES)
            return rate_of(start, end, calls.result(), failures.result())

    def _pages(
        self,
        token: str,
        start: datetime,
        end: datetime,
        models: Sequence[str],
        statuses: tuple[str, ...],
    ) -> list[LogPage]:
        """The first page, then the rest up to MAX_PAGES concurrently (totalCount says how many exist)."""

        def page(n: int) -> LogPage:
            req = request(start, end, size=PAGE, skip=n * PAGE, models=models, statuses=statuses)
            return self._billing.model_logs(token, req)

        first = page(0)
        wanted = min(MAX_PAGES, -(-first.total_count // PAGE))
        return [first, *_gather([partial(page, n) for n in range(1, wanted)])]


def _gather(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Run in a pool of their own: the caller may already be a task of the shared pool (no deadlock)."""
    if not calls:
        return []
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(calls)), thread_name_prefix="pages") as pool:
        return [f.result() for f in [pool.submit(c) for c in calls]]
