"""Spend digests: the figures for one team account and one period (`DigestBuilder`), pure of Slack.

Figures equal the official CLI's for the same dates: the period's pay-as-you-go is the same aggregation of the
same MaasListConsumeSummary rows as `usage payg --from D --to D`; free tier, coding plan and the month so far
come from `usage summary` for the current month. The daily series sums the same rows per billing date.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from bot.base.clock import Clock
from bot.base.periods import DateRange, month_chunks
from bot.base.schedule import Cadence, DigestPeriod, Span
from bot.core.accounts import Accounts
from bot.core.analysis import (
    FREE_TIER_LOW_PCT,
    Finding,
    FreeTierBurn,
    MonthEndProjection,
    coding_plan_findings,
    free_tier_findings,
    month_end_projection,
    payg_findings,
)
from bot.core.usage import UsageService
from bot.qwencloud import aggregate
from bot.qwencloud.client import QwenCloudClient
from bot.qwencloud.models import ConsumeItem
from bot.qwencloud.results import CodingPlan, Payg, Summary
from bot.storage.owner import Owner
from bot.team.digest_extras import DigestExtras, ExtrasFetcher

TOP_MODELS = 5
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class TopModels:
    top: tuple[tuple[str, Decimal], ...]
    other_cost: Decimal
    other_count: int


@dataclass(frozen=True, slots=True)
class DigestReport:
    account: str
    cadence: Cadence
    period: DigestPeriod
    payg: Payg
    previous: Payg
    daily: tuple[tuple[date, Decimal], ...]
    previous_daily: tuple[Decimal, ...]
    top: TopModels
    free_tier_low: tuple[FreeTierBurn, ...]
    coding_plan: CodingPlan
    month: Summary  # the current month so far
    projection: MonthEndProjection | None
    findings: tuple[Finding, ...]
    today: date
    timezone: str
    fetched_at: datetime
    extras: DigestExtras = field(default_factory=DigestExtras)  # API keys, spend limit (digest_extras.py)

    @property
    def current_range(self) -> DateRange:
        return span_range(self.period.current)

    @property
    def change_pct(self) -> float | None:
        if self.previous.total_cost <= 0:
            return None
        return float((self.payg.total_cost - self.previous.total_cost) / self.previous.total_cost * 100)


def span_range(span: Span) -> DateRange:
    return DateRange(span.start, span.end)


def top_models(payg: Payg, n: int = TOP_MODELS) -> TopModels:
    paying = sorted((m for m in payg.models if m.cost > 0), key=lambda m: m.cost, reverse=True)
    top = tuple((m.model_id, m.cost) for m in paying[:n])
    rest = paying[n:]
    return TopModels(top, aggregate.round4(sum((m.cost for m in rest), ZERO)), len(rest))


def daily_costs(items: Sequence[ConsumeItem], span: Span) -> tuple[tuple[date, Decimal], ...]:
    """Spend per billing date over every day of the span (days without rows are 0)."""
    totals: dict[str, Decimal] = {}
    for item in items:
        if item.is_free or not item.model_id:
            continue
        totals[item.billing_date] = totals.get(item.billing_date, ZERO) + item.cost
    return tuple((d, aggregate.round4(totals.get(d.isoformat(), ZERO))) for d in span.dates())


def running_low(findings: Sequence[Finding]) -> tuple[FreeTierBurn, ...]:
    return tuple(
        f
        for f in findings
        if isinstance(f, FreeTierBurn) and (f.exhausted or f.remaining_pct <= FREE_TIER_LOW_PCT)
    )


class DigestBuilder:
    def __init__(
        self,
        *,
        client: QwenCloudClient,
        usage: UsageService,
        accounts: Accounts,
        clock: Clock,
        extras: ExtrasFetcher | None = None,
    ) -> None:
        self._client = client
        self._usage = usage
        self._accounts = accounts
        self._clock = clock
        self._extras = extras

    def token(self, owner: Owner, *, now: datetime | None = None) -> str:
        return self._accounts.token_for(owner, now=now)

    def items(self, token: str, span: Span) -> list[ConsumeItem]:
        rng = span_range(span)
        out: list[ConsumeItem] = []
        for start, end in month_chunks(rng):
            out.extend(self._client.consume_summary(token, start.isoformat(), end.isoformat()))
        return out

    def build(
        self,
        owner: Owner,
        period: DigestPeriod,
        *,
        cadence: Cadence,
        today: date,
        timezone: str,
        now: datetime | None = None,
    ) -> DigestReport:
        token = self.token(owner, now=now)
        with self._extras_started(owner, period, today) as extras:  # fetched while the rest is built
            report = self._report(
                owner, token, period, cadence=cadence, today=today, timezone=timezone, now=now
            )
            return replace(report, extras=extras())

    def _extras_started(
        self, owner: Owner, period: DigestPeriod, today: date
    ) -> AbstractContextManager[Callable[[], DigestExtras]]:
        if self._extras is None:
            return nullcontext(DigestExtras)
        return self._extras.started(owner, span_range(period.current), today=today)

    def _report(
        self,
        owner: Owner,
        token: str,
        period: DigestPeriod,
        *,
        cadence: Cadence,
        today: date,
        timezone: str,
        now: datetime | None,
    ) -> DigestReport:
        current, previous = self.items(token, period.current), self.items(token, period.previous)
        payg, previous_payg = aggregate.payg(current), aggregate.payg(previous)
        month = self._usage.summary(token, DateRange(today.replace(day=1), today))
        projection = month_end_projection(month.payg.total_cost, month.period, today=today)
        burn = free_tier_findings(month, today=today)
        findings: list[Finding] = [
            *payg_findings(payg, span_range(period.current), today=today, previous=previous_payg),
            *[f for f in burn if f in running_low(burn)],
            *coding_plan_findings(month.coding_plan),
        ]
        if projection is not None:
            findings.append(projection)
        return DigestReport(
            account=owner.account_name or owner.user_id,
            cadence=cadence,
            period=period,
            payg=payg,
            previous=previous_payg,
            daily=daily_costs(current, period.current),
            previous_daily=tuple(cost for _, cost in daily_costs(previous, period.previous)),
            top=top_models(payg),
            free_tier_low=running_low(burn),
            coding_plan=month.coding_plan,
            month=month,
            projection=projection,
            findings=tuple(findings),
            today=today,
            timezone=timezone,
            fetched_at=now or self._clock.now(),
        )
