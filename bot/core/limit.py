"""The spend limit against this month's spend: `/qwen limit`, the digest's "spend limit: N% used" line and the
"spend within X% of the limit" alert all read one `LimitStatus`.

Month-to-date is what `billing breakdown` totals for this calendar month (every group plus tax, the whole
spend, not only the top rows), so the figure equals the official CLI's for the same dates. The projection is
a straight line at this month's average daily burn: simple, and what "at the current rate" means to a reader.
"""

from __future__ import annotations

import calendar
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from bot.base.clock import Clock
from bot.core.accounts import Accounts
from bot.core.billing_report import BillingReports, amount_number, plan_breakdown
from bot.qwencloud.billing import BillingApi
from bot.qwencloud.billing_models import UsageLimit
from bot.storage.owner import Owner

HUNDRED = Decimal(100)
# The breakdown's TopNum: the total counts every group anyway (billing_report sums all of them).
TOP = 100


@dataclass(frozen=True, slots=True)
class LimitStatus:
    status: str  # the server's status ("active", "exceeded", ...; "unknown" when absent)
    limit: Decimal | None  # None: no spend limit set
    currency: str
    alert_threshold: Decimal | None  # percent; None when absent or not numeric
    month_to_date: Decimal  # this month's spend (the `billing breakdown` total, month start .. today)
    used_pct: Decimal | None  # month_to_date / limit * 100, None without a limit
    projected: date | None  # the day the limit is reached at this month's average daily burn
    as_of: date

    @property
    def daily_burn(self) -> Decimal:
        """This month's average spend per day so far (today counted as a whole day)."""
        return self.month_to_date / self.as_of.day

    @property
    def headroom_days(self) -> Decimal | None:
        """Days of spend left under the limit at the average burn; None without a limit or without spend."""
        if self.limit is None or self.daily_burn <= 0:
            return None
        return max(Decimal(0), (self.limit - self.month_to_date) / self.daily_burn)


def limit_of(raw: UsageLimit) -> Decimal | None:
    """A positive numeric limit, else None: a missing, non-numeric or zero limit caps nothing."""
    number = amount_number(raw.limit_amount)
    return number if number is not None and number > 0 else None


def threshold_of(raw: UsageLimit) -> Decimal | None:
    """The parsed threshold is "0" when the server sent none; a 0% alert means no alert, so both are None."""
    number = amount_number(raw.alert_threshold)
    return number if number is not None and number > 0 else None


def projected_day(month_to_date: Decimal, limit: Decimal | None, today: date) -> date | None:
    """The first day whose cumulative average burn reaches the limit, when that falls in this month.

    Already over the limit: that day is on or before today (an estimate of when it was crossed)."""
    if limit is None or month_to_date <= 0:
        return None
    burn = month_to_date / today.day
    day_number = max(1, math.ceil(limit / burn))
    if day_number > calendar.monthrange(today.year, today.month)[1]:
        return None
    return today.replace(day=1) + timedelta(days=day_number - 1)


def limit_status(raw: UsageLimit, month_to_date: Decimal, today: date) -> LimitStatus:
    limit = limit_of(raw)
    used = (month_to_date / limit * HUNDRED) if limit is not None else None
    return LimitStatus(
        status=raw.status or "unknown",
        limit=limit,
        currency=raw.currency,
        alert_threshold=threshold_of(raw),
        month_to_date=month_to_date,
        used_pct=used,
        projected=projected_day(month_to_date, limit, today),
        as_of=today,
    )


class Limits:
    def __init__(self, *, billing: BillingApi, accounts: Accounts, clock: Clock) -> None:
        self._billing = billing
        self._reports = BillingReports(billing)
        self._accounts = accounts
        self._clock = clock

    def status(self, owner: Owner, *, today: date) -> LimitStatus:
        """The limit and this month's spend, asked concurrently (one limit call, two breakdown calls)."""
        token = self._accounts.token_for(owner)
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="limit") as pool:
            raw = pool.submit(self._billing.usage_limit, token)
            spend = pool.submit(self.month_to_date, token, today)
            return limit_status(raw.result(), spend.result(), today)

    def month_to_date(self, token: str, today: date) -> Decimal:
        """`billing breakdown --from <1st> --to <today>`'s total: spend plus tax of this month so far."""
        first = today.replace(day=1)
        plan = plan_breakdown(
            granularity="month", from_=first.isoformat(), to=today.isoformat(), period=None, today=today
        )
        slices = self._reports.breakdown(token, plan, charge="all", group_by="model", top=TOP)
        return sum((Decimal(s.total_amount) for s in slices), Decimal(0))
