"""UsageService: summary, breakdown, free tier and payg for one access token.

Independent upstream calls run concurrently on a thread pool (contract §10): the model map + free-tier
quotas, the coding plan, the token plan and every calendar-month chunk of consume summaries. An optional
cache (anything with get/put by account + query key) lets a later DB-backed cache skip repeat fetches.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from typing import Any, Protocol, TypeVar

from bot.base.clock import Clock
from bot.base.errors import InvalidArgument, ModelNotFound, QwenBotError
from bot.base.periods import DateRange, check_chunks, check_order, month_chunks, validate
from bot.qwencloud import aggregate
from bot.qwencloud import breakdown as breakdown_math
from bot.qwencloud.client import QwenCloudClient
from bot.qwencloud.gateway import TOKEN_PLAN_CODES
from bot.qwencloud.models import ConsumeItem, FrInstance, ModelSeriesItem
from bot.qwencloud.results import Breakdown, CodingPlan, FreeTierEntry, Granularity, Payg, Summary, TokenPlan

log = logging.getLogger("bot.core.usage")
log.addHandler(logging.NullHandler())  # a library: silent unless the application configures logging
T = TypeVar("T")


class UsageCache(Protocol):
    """Cache hook: values are the frozen result objects; keys are stable strings (see `_key`)."""

    def get(self, account: str, key: str) -> object | None: ...

    def put(self, account: str, key: str, value: object) -> None: ...


class UsageService:
    def __init__(
        self,
        *,
        client: QwenCloudClient,
        clock: Clock,
        executor: Executor | None = None,
        max_workers: int = 32,
        cache: UsageCache | None = None,
    ) -> None:
        self._client = client
        self._clock = clock
        self._own_executor = executor is None
        self._executor = executor or ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="usage")
        self._cache = cache

    def close(self) -> None:
        if self._own_executor:
            self._executor.shutdown(wait=False, cancel_futures=True)

    # -- public queries
    def summary(
        self, token: str, rng: DateRange, *, account: str | None = None, fresh: bool = False
    ) -> Summary:
        """All four sections. A from > to range is INVALID_RANGE here too (the CLI returns empty PAYG)."""
        check_order(rng)
        check_chunks(rng)
        return self._cached(
            account, f"summary:{rng.from_text}:{rng.to_text}", fresh, lambda: self._summary(token, rng)
        )

    def free_tier(
        self, token: str, *, account: str | None = None, fresh: bool = False
    ) -> tuple[FreeTierEntry, ...]:
        # Only the free-tier calls: unlike the CLI, a PAYG failure does not fail this command.
        return self._cached(account, "free_tier", fresh, lambda: self._free_tier(token))

    def payg(self, token: str, rng: DateRange, *, account: str | None = None, fresh: bool = False) -> Payg:
        validate(rng, now=self._clock.now())
        check_chunks(rng)
        key = f"payg:{rng.from_text}:{rng.to_text}"
        return self._cached(account, key, fresh, lambda: aggregate.payg(self._consume(token, rng, None)))

    def breakdown(
        self,
        token: str,
        model: str,
        rng: DateRange,
        granularity: str = "day",
        *,
        account: str | None = None,
        fresh: bool = False,
    ) -> Breakdown:
        validate(rng, now=self._clock.now())
        check_chunks(rng)
        gran = _granularity(granularity)
        if not model.strip():
            raise InvalidArgument("Model ID is required.")
        key = f"breakdown:{model}:{gran}:{rng.from_text}:{rng.to_text}"
        return self._cached(account, key, fresh, lambda: self._breakdown(token, model, rng, gran))

    def token_plan(self, token: str) -> TokenPlan:
        """The token plan alone, fetched the way the usage summary fetches it."""
        plan = _TokenPlanFetch(self, token)
        try:
            plan.second_round()
        except BaseException:
            _settle(plan.futures)
            raise
        return plan.result()

    # -- work
    def _summary(self, token: str, rng: DateRange) -> Summary:
        # Two rounds on the critical path: the model map, the subscription gray flag, the add-on instances,
        # the coding plan and every month chunk at once; then the quotas and the remaining plan instances.
        free = self._submit(self._free_tier, token)
        coding = self._submit(self._coding_plan, token)
        plan = _TokenPlanFetch(self, token)
        chunks = self._submit_chunks(token, rng, None)
        try:
            plan.second_round()
            items = self._collect(chunks)
        except BaseException:
            _settle([free, coding, *plan.futures, *chunks])
            raise
        return Summary(
            period=rng,
            free_tier=free.result(),
            coding_plan=coding.result(),
            token_plan=plan.result(),
            payg=aggregate.payg(items),
        )

    def _free_tier(self, token: str) -> tuple[FreeTierEntry, ...]:
        model_map = self._client.model_map()
        if not model_map:
            return ()
        try:
            quotas = self._client.free_tier_quotas(token, list(model_map.values()))
        except QwenBotError as exc:  # the CLI shows every model as Early Access then
            log.warning("free-tier quotas unavailable: %s", exc.code)
            quotas = {}
        return aggregate.free_tier(model_map, quotas)

    def _coding_plan(self, token: str) -> CodingPlan:
        try:
            return aggregate.coding_plan(self._client.coding_plan(token))
        except QwenBotError as exc:
            log.warning("coding plan unavailable, treated as not subscribed: %s", exc.code)
            return CodingPlan(subscribed=False)

    def _fr(self, token: str, kind: str, page_size: int) -> list[FrInstance]:
        empty: list[FrInstance] = []
        return _quiet(lambda: self._client.fr_instances(token, TOKEN_PLAN_CODES[kind], page_size), empty)

    def _consume(self, token: str, rng: DateRange, model: str | None) -> list[ConsumeItem]:
        return self._collect(self._submit_chunks(token, rng, model))

    def _submit_chunks(
        self, token: str, rng: DateRange, model: str | None
    ) -> list[Future[list[ConsumeItem]]]:
        """Every month chunk at once (leaf tasks, so the pool cannot deadlock)."""
        return [
            self._submit(self._client.consume_summary, token, start.isoformat(), end.isoformat(), model=model)
            for start, end in month_chunks(rng)
        ]

    @staticmethod
    def _collect(futures: list[Future[list[ConsumeItem]]]) -> list[ConsumeItem]:
        """Items in chunk order, like the CLI's sequential loop."""
        wait(futures)  # all chunks end before one's failure is reported (see _settle)
        items: list[ConsumeItem] = []
        for future in futures:
            items.extend(future.result())
        return items

    def _breakdown(self, token: str, model: str, rng: DateRange, gran: Granularity) -> Breakdown:
        # The catalogue first: an unknown model is refused before the month chunks fan out (one call
        # rather than one per month; the round trip is the price of bounded work).
        catalogue: list[ModelSeriesItem] = self._client.model_series(token)
        found = next((m for m in catalogue if m.model == model), None)
        if found is None:
            raise ModelNotFound(model, aggregate.suggest(model, [m.model for m in catalogue]))
        items = self._consume(token, rng, model)
        rows, total = breakdown_math.rows(items, rng, gran)
        return Breakdown(
            model_id=model,
            period=rng,
            granularity=gran,
            rows=rows,
            total=total,
            unit=breakdown_math.column_unit(found),
        )

    # -- plumbing
    def _submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        return self._executor.submit(fn, *args, **kwargs)

    def _cached(self, account: str | None, key: str, fresh: bool, compute: Callable[[], T]) -> T:
        if self._cache is None or account is None:
            return compute()
        if not fresh:
            hit = self._cache.get(account, key)
            if hit is not None:
                return hit  # type: ignore[return-value]
        value = compute()
        self._cache.put(account, key, value)
        return value


class _TokenPlanFetch:
    """The token plan as the CLI fetches it: QuerySubscriptionGray and the add-on instances at once, then the
    seat summary (gray) or the team and personal instances together. The caller's thread waits between the
    rounds, never a pool thread, so a pool of any size finishes."""

    def __init__(self, service: UsageService, token: str) -> None:
        self._service, self._token = service, token
        client = service._client
        self._gray = service._submit(_quiet, lambda: client.subscription_gray(token), False)
        self._addon = service._submit(service._fr, token, "addon", 100)
        self._seat: Future[Any] | None = None
        self._legacy: tuple[Future[list[FrInstance]], Future[list[FrInstance]]] | None = None

    @property
    def futures(self) -> list[Future[Any]]:
        return [self._gray, self._addon, *([self._seat] if self._seat else []), *(self._legacy or ())]

    def second_round(self) -> None:
        service, token = self._service, self._token
        if self._gray.result():
            code = TOKEN_PLAN_CODES["teams"]
            self._seat = service._submit(service._client.seat_subscription_summary, token, code)
        else:
            self._legacy = (
                service._submit(service._fr, token, "teams", 10),
                service._submit(service._fr, token, "personal", 10),
            )

    def result(self) -> TokenPlan:
        try:
            if self._seat is not None:
                return aggregate.token_plan_seat(self._seat.result(), self._addon.result())
            assert self._legacy is not None, "second_round() first"
            teams, personal = (f.result() for f in self._legacy)
            return aggregate.token_plan_legacy(teams, personal, self._addon.result())
        except QwenBotError as exc:
            log.warning("token plan unavailable, treated as not subscribed: %s", exc.code)
            return TokenPlan(subscribed=False)


def _settle(futures: list[Future[Any]]) -> None:
    """Wait for sibling calls before reporting a failure, so none is still using the HTTP client when the
    caller closes it (and queued ones are dropped)."""
    for future in futures:
        future.cancel()
    wait(futures)


def _quiet(call: Callable[[], T], default: T) -> T:
    """The CLI swallows these token-plan sub-calls one by one (DescribeFrInstances, QuerySubscriptionGray)."""
    try:
        return call()
    except QwenBotError as exc:
        log.warning("token plan sub-call failed: %s", exc.code)
        return default


def _granularity(raw: str) -> Granularity:
    if raw == "day":
        return "day"
    if raw == "month":
        return "month"
    if raw == "quarter":
        return "quarter"
    raise InvalidArgument(f"Invalid granularity '{raw}'. Allowed: day, month, quarter")
