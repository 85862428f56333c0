"""Usage questions for one owner: the stored token, the usage service (twice, concurrently, where the
analysis compares with the previous equal period) and the analysis. Shared by chat and digests."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from bot.base.clock import Clock
from bot.base.errors import QwenBotError
from bot.base.periods import DateRange, check_bounds, resolve
from bot.core.accounts import Accounts
from bot.core.analysis import Finding, analyse_summary, free_tier_findings, payg_findings, previous_period
from bot.core.grammar.usage import Period
from bot.core.usage import UsageService
from bot.qwencloud.results import Breakdown, CodingPlan, FreeTierEntry, Payg, Summary, TokenPlan
from bot.storage.owner import Owner

log = logging.getLogger("bot.answer")
_ZERO = Decimal(0)
_NO_PLAN = CodingPlan(subscribed=False)
_NO_TOKEN_PLAN = TokenPlan(subscribed=False)


@dataclass(frozen=True, slots=True)
class SummaryAnswer:
    summary: Summary
    findings: list[Finding]
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class PaygAnswer:
    payg: Payg
    period: DateRange
    findings: list[Finding]
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class FreeTierAnswer:
    entries: tuple[FreeTierEntry, ...]
    findings: list[Finding]
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class BreakdownAnswer:
    breakdown: Breakdown
    fetched_at: datetime


def date_range(period: Period, *, today: date) -> DateRange:
    return resolve(today=today, period=period.preset, days=period.days, from_=period.from_, to=period.to)


def bounded_range(period: Period, *, today: date) -> DateRange:
    """The range, refused before any call when in the future, beyond the lookback or too long."""
    rng = date_range(period, today=today)
    check_bounds(rng, today=today, explicit_end=period.to)
    return rng


class Answers:
    def __init__(self, *, usage: UsageService, accounts: Accounts, clock: Clock) -> None:
        self._usage = usage
        self._accounts = accounts
        self._clock = clock
        self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="answer")

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def summary(self, owner: Owner, period: Period, *, today: date, fresh: bool = False) -> SummaryAnswer:
        token, account = self._accounts.token_for(owner), _account(owner)
        rng = bounded_range(period, today=today)
        previous = self._previous_payg(token, rng, account)
        summary = self._usage.summary(token, rng, account=account, fresh=fresh)
        findings = analyse_summary(summary, today=today, previous=_result(previous))
        return SummaryAnswer(summary, findings, self._clock.now())

    def payg(self, owner: Owner, period: Period, *, today: date, fresh: bool = False) -> PaygAnswer:
        token, account = self._accounts.token_for(owner), _account(owner)
        rng = bounded_range(period, today=today)
        previous = self._previous_payg(token, rng, account)
        payg = self._usage.payg(token, rng, account=account, fresh=fresh)
        findings = payg_findings(payg, rng, today=today, previous=_result(previous))
        return PaygAnswer(payg, rng, findings, self._clock.now())

    def free_tier(self, owner: Owner, *, today: date, fresh: bool = False) -> FreeTierAnswer:
        token, account = self._accounts.token_for(owner), _account(owner)
        entries = self._usage.free_tier(token, account=account, fresh=fresh)
        month = date_range(Period(), today=today)
        stub = Summary(month, entries, _NO_PLAN, _NO_TOKEN_PLAN, Payg((), _ZERO))
        return FreeTierAnswer(entries, free_tier_findings(stub, today=today), self._clock.now())

    def breakdown(
        self, owner: Owner, model: str, period: Period, granularity: str, *, today: date, fresh: bool = False
    ) -> BreakdownAnswer:
        token, account = self._accounts.token_for(owner), _account(owner)
        rng = bounded_range(period, today=today)
        result = self._usage.breakdown(token, model, rng, granularity, account=account, fresh=fresh)
        return BreakdownAnswer(result, self._clock.now())

    def models_with_usage(self, owner: Owner, *, today: date) -> list[str]:
        """Models with pay-as-you-go usage this month (the breakdown picker), by cost."""
        token, account = self._accounts.token_for(owner), _account(owner)
        payg = self._usage.payg(token, date_range(Period(), today=today), account=account)
        ranked = sorted(payg.models, key=lambda m: m.cost, reverse=True)
        return [m.model_id for m in ranked if m.cost > 0 or any(q for _, q in m.usage)]

    def known_models(self, owner: Owner, *, today: date) -> list[str]:
        """The account's models, for reading a model named in a question: the free-tier list (every model the
        account can call) and this month's pay-as-you-go models. Best effort: [] when neither answers."""
        token, account = self._accounts.token_for(owner), _account(owner)
        found: set[str] = set()
        try:
            found |= {e.model_id for e in self._usage.free_tier(token, account=account)}
        except QwenBotError as exc:
            log.info("free-tier models unavailable (%s)", exc.code)
        try:
            payg = self._usage.payg(token, date_range(Period(), today=today), account=account)
            found |= {m.model_id for m in payg.models}
        except QwenBotError as exc:
            log.info("pay-as-you-go models unavailable (%s)", exc.code)
        return sorted(found)

    def _previous_payg(self, token: str, rng: DateRange, account: str) -> Future[Payg]:
        return self._executor.submit(self._usage.payg, token, previous_period(rng), account=account)


def _result(future: Future[Payg]) -> Payg | None:
    """The previous period is a nice-to-have: beyond the lookback or failing, the analysis does without."""
    try:
        return future.result()
    except QwenBotError as exc:
        log.info("previous period unavailable (%s)", exc.code)
        return None


def _account(owner: Owner) -> str:
    return f"{owner.team_id}:{owner.user_id}"
