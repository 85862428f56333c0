"""Who spent what: spend by API key or by model over any date range, the daily series, settled bills.

One computation with the terminal's `billing breakdown` (core/billing_report.BillingReports): a calendar
month that the range covers whole (or up to today) is one MONTH query, as `billing breakdown --from YYYY-MM`
asks; a part of a month is a DAY query over that part, as `--granularity day` asks. So a total here equals
the official CLI's total for the same dates. Every group is fetched (TopNum 100); the cut is ours.
"""

from __future__ import annotations

import calendar
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from bot.base.clock import Clock
from bot.base.periods import DateRange
from bot.core.accounts import Accounts
from bot.core.billing_report import (
    TAX_KEY,
    BillingReports,
    BreakdownPlan,
    BreakdownSlice,
    amount_number,
    dec_sum,
    summary_cycles,
)
from bot.qwencloud.billing import BillingApi
from bot.qwencloud.billing_models import SettledBills
from bot.storage.owner import Owner

ALL_GROUPS = 100  # the server's TopNum ceiling; groups beyond it still count in the totals
CURRENCY = "USD"  # MaasDescribeCostAnalysis results carry no currency the CLI reads (contract §3.5)
GROUPS = ("model", "api-key")


@dataclass(frozen=True, slots=True)
class KeySpend:
    key: str  # the API key id (or model id) the server groups by
    label: str  # its display name (server text: escape when rendering)
    amount: Decimal


@dataclass(frozen=True, slots=True)
class TopKeys:
    rows: tuple[KeySpend, ...]  # largest first, at most `top`
    other: Decimal  # every other group's spend, plus the tax (a bill line of no key), so rows + other = total
    total: Decimal  # equals the official `billing breakdown` total for the same dates
    currency: str
    tax: Decimal = Decimal(0)  # the part of `other` that is tax


@dataclass(frozen=True, slots=True)
class Spend:
    group_by: str  # model | api-key
    period: DateRange
    rows: tuple[KeySpend, ...]  # every group, largest first (ties: first seen)
    tax: Decimal
    total: Decimal  # rows + tax
    currency: str
    daily: tuple[tuple[date, Decimal], ...]  # spend before tax per day, when asked for

    def top(self, n: int) -> TopKeys:
        rows = self.rows[: max(0, n)]
        shown = sum((r.amount for r in rows), Decimal(0))
        return TopKeys(rows, self.total - shown, self.total, self.currency, self.tax)


@dataclass(frozen=True, slots=True)
class SettledMonth:
    cycle: str  # YYYY-MM, as the server sent it
    pretax: Decimal
    tax: Decimal
    aftertax: Decimal


@dataclass(frozen=True, slots=True)
class Bills:
    start: str  # YYYY-MM
    end: str
    months: tuple[SettledMonth, ...]  # the server's order
    pretax: Decimal  # totals: the official decSum of each column
    tax: Decimal
    aftertax: Decimal
    currency: str
    settled: SettledBills | None = None  # the server's answer, for the CLI's own layout (--format)


@dataclass(frozen=True, slots=True)
class Chunk:
    start: date
    end: date
    whole: bool  # a MONTH query answers it exactly


def month_chunks(rng: DateRange, *, today: date) -> list[Chunk]:
    """The calendar-month parts of `rng`; a part from the 1st to the month's end (or to today, as no later
    day has spend yet) is whole."""
    chunks: list[Chunk] = []
    start = rng.start
    while start <= rng.end:
        month_end = date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
        end = min(month_end, rng.end)
        whole = start.day == 1 and (end == month_end or end >= today)
        chunks.append(Chunk(start, end, whole))
        start = end + timedelta(days=1)
    return chunks


class SpendAnswers:
    def __init__(
        self,
        *,
        billing: BillingApi,
        accounts: Accounts,
        clock: Clock,
        reports: BillingReports | None = None,
    ) -> None:
        self._reports = reports or BillingReports(billing)
        self._accounts = accounts
        self._clock = clock

    def top_api_keys(self, owner: Owner, rng: DateRange, *, top: int = 3) -> TopKeys:
        return self.spend(owner, rng, group_by="api-key").top(top)

    def spend(self, owner: Owner, rng: DateRange, *, group_by: str = "api-key", daily: bool = False) -> Spend:
        token = self._accounts.token_for(owner)
        return self.spend_for_token(token, rng, group_by=group_by, daily=daily)

    def spend_for_token(self, token: str, rng: DateRange, *, group_by: str, daily: bool = False) -> Spend:
        if group_by not in GROUPS:
            raise ValueError(f"group_by must be one of {GROUPS}")
        chunks = month_chunks(rng, today=self._clock.now().date())
        whole = [c for c in chunks if c.whole]
        parts = chunks if daily else [c for c in chunks if not c.whole]
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="spend") as pool:  # one round trip, not two
            months = pool.submit(self._run, token, rng, "month", whole, group_by)
            days = pool.submit(self._run, token, rng, "day", parts, group_by)
            month_slices, day_slices = months.result(), days.result()
        partial = [c for c in chunks if not c.whole]
        counted = month_slices + [s for s in day_slices if _within(s.period, partial)]
        return _spend(group_by, rng, counted, _series(day_slices) if daily else ())

    def bills(self, owner: Owner, start: str | None, end: str | None, *, today: date) -> Bills:
        """Settled totals per month, `start`..`end` (YYYY-MM; each defaults to this month, as the CLI)."""
        first, last = summary_cycles(start, end, today)
        token = self._accounts.token_for(owner)
        settled = self._reports.settled(token, first, last, "all")
        months = tuple(
            SettledMonth(c.billing_cycle, _dec(c.pretax), _dec(c.tax), _dec(c.aftertax))
            for c in settled.cycles
        )
        columns = [[c.pretax for c in settled.cycles], [c.tax for c in settled.cycles]]
        columns.append([c.aftertax for c in settled.cycles])
        pretax, tax, aftertax = (Decimal(dec_sum(list(col))) for col in columns)
        return Bills(first, last, months, pretax, tax, aftertax, settled.currency, settled)

    @property
    def reports(self) -> BillingReports:
        return self._reports

    def now(self) -> datetime:
        return self._clock.now()

    def _run(
        self, token: str, rng: DateRange, granularity: str, chunks: list[Chunk], group_by: str
    ) -> list[BreakdownSlice]:
        if not chunks:
            return []
        fmt = "%Y%m" if granularity == "month" else "%Y%m%d"
        queries = tuple((c.start.strftime(fmt), c.end.strftime(fmt)) for c in chunks)
        plan = BreakdownPlan(rng.from_text, rng.to_text, granularity, False, queries)
        return self._reports.breakdown(token, plan, charge="all", group_by=group_by, top=ALL_GROUPS)


def _dec(value: Decimal | str) -> Decimal:
    return amount_number(value) or Decimal(0)


def _day(period: str) -> date | None:
    try:
        return date.fromisoformat(period)
    except ValueError:
        return None  # a chunk the server did not split by day ("a → b")


def _within(period: str, chunks: list[Chunk]) -> bool:
    day = _day(period)
    if day is None:  # a whole-chunk slice: it belongs to the partial chunk it was asked for
        first = period.split(" → ")[0]
        return any(c.start.isoformat() == first for c in chunks)
    return any(c.start <= day <= c.end for c in chunks)


def _spend(
    group_by: str, rng: DateRange, slices: list[BreakdownSlice], daily: tuple[tuple[date, Decimal], ...]
) -> Spend:
    sums: dict[str, Decimal] = {}
    labels: dict[str, str] = {}
    tax = Decimal(0)
    for piece in slices:
        for row in piece.rows:
            if row.key == TAX_KEY:
                tax += _dec(row.amount)
                continue
            sums[row.key] = sums.get(row.key, Decimal(0)) + _dec(row.amount)
            labels.setdefault(row.key, row.label)
    ordered = sorted(sums.items(), key=lambda kv: -kv[1])
    rows = tuple(KeySpend(key, labels[key], amount) for key, amount in ordered)
    total = Decimal(dec_sum([s.total_amount for s in slices]))
    return Spend(group_by, rng, rows, tax, total, CURRENCY, daily)


def _series(slices: list[BreakdownSlice]) -> tuple[tuple[date, Decimal], ...]:
    days: dict[date, Decimal] = {}
    for piece in slices:
        day = _day(piece.period)
        if day is not None:
            spend = sum((_dec(r.amount) for r in piece.rows if r.key != TAX_KEY), Decimal(0))
            days[day] = days.get(day, Decimal(0)) + spend
    return tuple(sorted(days.items()))
