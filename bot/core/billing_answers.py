"""The chat's `/qwen billing` and `/qwen bills` answers: the figures (core/spend.py) and what the analysis
says about them (the API key whose spend grew most vs the previous equal period, the top row's share; the
largest settled month and the last month's change). Pure of Slack; shared by any view."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from bot.base.clock import Clock
from bot.base.errors import QwenBotError, UsageError
from bot.base.periods import DateRange
from bot.core.accounts import Accounts
from bot.core.analysis import previous_period
from bot.core.answers import bounded_range
from bot.core.billing_report import BreakdownPlan, BreakdownSlice, plan_breakdown
from bot.core.grammar.terms import Period
from bot.core.spend import Bills, SettledMonth, Spend, SpendAnswers, TopKeys, month_chunks
from bot.storage.owner import Owner

log = logging.getLogger("bot.answer")
TOP_ROWS = 5
CHART_AFTER_DAYS = 7  # a daily chart for ranges over a week
CLI_TOP = 10  # `billing breakdown`'s default --top, for the CLI's own layout


@dataclass(frozen=True, slots=True)
class KeyGrowth:
    key: str
    label: str  # server text
    now: Decimal
    before: Decimal

    @property
    def change(self) -> Decimal:
        return self.now - self.before


@dataclass(frozen=True, slots=True)
class BillingAnswer:
    spend: Spend  # grouped as asked; the daily series when the range is over a week
    top: TopKeys  # the first TOP_ROWS rows, the rest as "other"
    previous: DateRange
    compared: bool  # False: the previous period could not be fetched (beyond the lookback, a failure)
    growth: KeyGrowth | None  # the API key whose spend grew most; None when none grew
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class BillsAnswer:
    bills: Bills
    largest: SettledMonth | None  # by the amount after tax
    last: SettledMonth | None  # the latest month, and the one before it (None with fewer than two)
    before: SettledMonth | None
    fetched_at: datetime


class BillingAnswers:
    def __init__(self, *, spend: SpendAnswers, accounts: Accounts, clock: Clock) -> None:
        self._spend = spend
        self._accounts = accounts
        self._clock = clock

    def billing(self, owner: Owner, group: str, period: Period, *, today: date) -> BillingAnswer:
        rng = bounded_range(period, today=today)  # the same bounds as /qwen usage, before any call
        token = self._accounts.token_for(owner)
        prev = previous_period(rng)
        daily = (rng.end - rng.start).days + 1 > CHART_AFTER_DAYS
        fetch = self._spend.spend_for_token
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="billing") as pool:
            asked = pool.submit(fetch, token, rng, group_by=group, daily=daily)
            keys = pool.submit(fetch, token, rng, group_by="api-key") if group != "api-key" else asked
            before = pool.submit(fetch, token, prev, group_by="api-key")
            spend, by_key = asked.result(), keys.result()
            try:
                earlier: Spend | None = before.result()
            except QwenBotError as exc:  # a nice-to-have: the figures stand without it
                log.info("previous period unavailable (%s)", exc.code)
                earlier = None
        growth = grew_most(by_key, earlier) if earlier is not None else None
        top = spend.top(TOP_ROWS)
        return BillingAnswer(spend, top, prev, earlier is not None, growth, self._clock.now())

    def cli_breakdown(
        self, owner: Owner, group: str, period: Period, *, today: date
    ) -> tuple[BreakdownPlan, list[BreakdownSlice]]:
        """What `billing breakdown --group-by G` prints for the same dates (`--format text|json` in chat)."""
        plan = cli_plan(bounded_range(period, today=today), today=today)
        token = self._accounts.token_for(owner)
        return plan, self._spend.reports.breakdown(token, plan, charge="all", group_by=group, top=CLI_TOP)

    def bills(self, owner: Owner, start: str | None, end: str | None, *, today: date) -> BillsAnswer:
        bills = self._spend.bills(owner, start, end, today=today)
        ordered = sorted(bills.months, key=lambda m: m.cycle)
        largest = max(ordered, key=lambda m: m.aftertax, default=None)
        last, before = (ordered[-1], ordered[-2]) if len(ordered) >= 2 else (None, None)
        return BillsAnswer(bills, largest, last, before, self._clock.now())


def cli_plan(rng: DateRange, *, today: date) -> BreakdownPlan:
    """The official flags for these dates: whole months by month (`--from YYYY-MM --to YYYY-MM`), up to 31
    days by day (`--granularity day --from --to`); other ranges have no one official command."""
    if all(c.whole for c in month_chunks(rng, today=today)):
        first, last = rng.start.strftime("%Y-%m"), rng.end.strftime("%Y-%m")
        return plan_breakdown(granularity=None, from_=first, to=last, period=None, today=today)
    if (rng.end - rng.start).days <= 31:
        start, end = rng.from_text, rng.to_text
        return plan_breakdown(granularity="day", from_=start, to=end, period=None, today=today)
    raise UsageError(
        "--format text|json shows `billing breakdown` for whole months or up to 31 days.\n"
        "Try: `/qwen billing by api-key last month --format text`"
    )


def grew_most(now: Spend, before: Spend) -> KeyGrowth | None:
    """The key with the largest increase (a key new this period grows from zero); None when none grew."""
    zero = Decimal(0)
    earlier = {r.key: r.amount for r in before.rows}
    current = {r.key: r.amount for r in now.rows}
    labels = {r.key: r.label for r in before.rows} | {r.key: r.label for r in now.rows}
    growths = [KeyGrowth(k, labels[k], current.get(k, zero), earlier.get(k, zero)) for k in labels]
    best = max(growths, key=lambda g: g.change, default=None)
    return best if best is not None and best.change > 0 else None
