"""`billing summary|breakdown|limit`: flags -> requests -> results (qwencloud-api-billing.md §2-§4).

Pure rules (period checks, decSum, the top-N cut) plus `BillingReports`, which makes the calls. Deliberate
differences from 1.4.1 (docs/differences.md): malformed or reversed cycles and reversed date ranges are
errors; the breakdown total is the whole spend (not only the rows shown after `--top`); the month
queries of a multi-month breakdown run concurrently.
"""

from __future__ import annotations

import calendar
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_DOWN, Decimal

from bot.base.errors import InvalidArgument, UsageError
from bot.qwencloud.billing import BillingApi
from bot.qwencloud.billing_models import CostAnalysis, CostGroup, SettledBills
from bot.qwencloud.parse_billing import js_number

CHARGE_TYPES = {"all": "all", "subscription": "prepaid", "payg": "postpaid"}
GROUP_CODES = {"model": "BASE_MODEL", "api-key": "API_KEY_ID"}
_CYCLE = re.compile(r"^\d{4}-\d{2}$")
_MONTH_FLAG = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")
_DAY_FLAG = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TAX_KEY = "__tax__"
DAY_MS = 86_400_000


def amount_number(value: Decimal | str | None) -> Decimal | None:
    """Number(s) for an amount string: None when NaN (a parsed Decimal is kept; no amount is None)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    return js_number(value)  # the parser's Number() of a JSON string: "" is 0, junk and infinities None


def dec_sum(values: list[Decimal | str]) -> str:
    """The CLI's decSum: exact, each fraction truncated to 12 digits, trailing zeros dropped."""
    total = Decimal(0)
    for value in values:
        if isinstance(value, str) and (not value.strip() or value.strip() == "0"):
            continue
        number = amount_number(value)
        if number is None:
            continue
        total += number.quantize(Decimal("1e-12"), rounding=ROUND_DOWN)
    if total == 0:
        return "0"
    text = format(total, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def plain(value: Decimal | str) -> str:
    return value if isinstance(value, str) else format(value, "f")


# -- summary ------------------------------------------------------------------------------------------------
def summary_cycles(from_: str | None, to: str | None, today: date) -> tuple[str, str]:
    """§2.1; ours rejects a malformed or reversed cycle instead of silently using this month."""
    current = f"{today.year:04d}-{today.month:02d}"
    for flag, value in (("--from", from_), ("--to", to)):
        if value is not None and not (_CYCLE.match(value) and 1 <= int(value[5:]) <= 12):
            raise InvalidArgument(f"Invalid {flag} '{value}'. Expected YYYY-MM.")
    start, end = from_ or current, to or current
    if start > end:
        raise InvalidArgument(
            f"Invalid cycle range: from ({start}) is after to ({end})", code="INVALID_RANGE"
        )
    return start, end


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    key: str
    label: str
    amount: Decimal | str


@dataclass(frozen=True, slots=True)
class BreakdownSlice:
    period: str
    rows: tuple[BreakdownRow, ...]  # shown rows, then the tax row
    total_rows: int  # groups before the top-N cut
    total_amount: str  # the whole spend of the slice: every group plus tax (ours)


@dataclass(frozen=True, slots=True)
class BreakdownPlan:
    from_: str
    to: str
    granularity: str  # day | month
    single: bool
    queries: tuple[tuple[str, str], ...]  # (Start, End) TimePeriod values


def _expand(text: str, *, end: bool) -> str:
    if _DAY.match(text):
        return text
    if _CYCLE.match(text):
        year, month = int(text[:4]), int(text[5:])
        if 1 <= month <= 12:
            return f"{text}-{calendar.monthrange(year, month)[1] if end else 1:02d}"
    return text


def _utc_ms(text: str) -> int | None:
    try:
        day = date.fromisoformat(text[:10]) if _DAY.match(text) else None
    except ValueError:
        return None
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000) if day else None


def plan_breakdown(
    *, granularity: str | None, from_: str | None, to: str | None, period: str | None, today: date
) -> BreakdownPlan:
    """§3.1-§3.2, in the CLI's order."""
    from bot.base.periods import preset_range

    gran = granularity or "month"
    if gran not in ("day", "month"):
        raise InvalidArgument(f'Invalid value "{gran}" for --granularity. Valid values: day, month')
    if from_ or to:
        start = from_ or f"{(to or '')[:7]}-01"
        end = to or today.isoformat()
    elif period:
        rng = preset_range(period, today=today)  # unknown preset: UNKNOWN_ERROR, exit 1
        start, end = rng.from_text, rng.to_text
        a, b = _utc_ms(_expand(end, end=True)), _utc_ms(_expand(start, end=False))
        days = (a - b) / DAY_MS if a is not None and b is not None else float("nan")
        if days < 31:
            if granularity == "month":
                raise InvalidArgument(
                    "Parameter conflict: --period less than a month is incompatible with --granularity month."
                )
            gran = "day"
        elif days >= 31 and granularity == "day":
            raise InvalidArgument(
                "Parameter conflict: --period spans 31+ days, incompatible with --granularity day"
                " (max 31 days)."
            )
    elif gran == "month":
        start = end = today.strftime("%Y-%m")
    else:
        start, end = today.replace(day=1).isoformat(), today.isoformat()
    pattern, expected = (_MONTH_FLAG, "YYYY-MM") if gran == "month" else (_DAY_FLAG, "YYYY-MM-DD")
    for value in (from_, to):
        if value is not None and not pattern.match(value):
            raise InvalidArgument(f"Invalid date format. Expected {expected} for {gran} granularity.")
    start, end = _expand(start, end=False), _expand(end, end=True)
    return _span_checked(start, end, gran)


def _span_checked(start: str, end: str, gran: str) -> BreakdownPlan:
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError as exc:
        raise InvalidArgument(f"Invalid date format. Expected YYYY-MM-DD for {gran} granularity.") from exc
    if gran == "month":
        if 12 * (last.year - first.year) + (last.month - first.month) > 12:
            raise UsageError("Time range cannot exceed 12 months.")
    elif (last - first).days > 31:
        raise InvalidArgument("Time range cannot exceed 31 days for day granularity.")
    if first > last:
        raise InvalidArgument(f"Invalid date range: from ({start}) is after to ({end})", code="INVALID_RANGE")
    single = start[:7] == end[:7] if gran == "month" else start == end
    queries: list[tuple[str, str]] = []
    if gran == "month":
        month = first.replace(day=1)
        while month <= last:
            queries.append((month.strftime("%Y%m"),) * 2)
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    else:
        chunk = first
        while chunk <= last:
            month_end = date(chunk.year, chunk.month, calendar.monthrange(chunk.year, chunk.month)[1])
            stop = min(month_end, last)
            queries.append((chunk.strftime("%Y%m%d"), stop.strftime("%Y%m%d")))
            chunk = date.fromordinal(stop.toordinal() + 1)
    return BreakdownPlan(start, end, gran, single, tuple(queries))


def top_of(value: str | None) -> int:
    match = re.match(r"^\s*([+-]?\d+)", value) if value is not None else None
    number = int(match.group(1)) if match else 10 if value is None else 0
    return 10 if number <= 0 else min(100, number)


def _sorted_cut(groups: list[CostGroup], tax: str, top: int, period: str) -> BreakdownSlice:
    ordered = sorted(groups, key=lambda g: -float(amount_number(g.amount) or 0))
    shown = [BreakdownRow(g.key, g.label, g.amount) for g in ordered[:top]]
    every = [g.amount for g in groups]
    tax_number = amount_number(tax)
    if tax_number is not None and tax_number != 0:
        shown.append(BreakdownRow(TAX_KEY, "Tax", Decimal(tax)))
        every.append(Decimal(tax))
    return BreakdownSlice(period, tuple(shown), len(groups), dec_sum(every))


def _merge(groups: list[CostGroup]) -> list[CostGroup]:
    merged: dict[str, list[CostGroup]] = {}
    for group in groups:
        merged.setdefault(group.key, []).append(group)
    return [
        same[0]
        if len(same) == 1
        else CostGroup(same[0].key, same[0].label, Decimal(dec_sum([g.amount for g in same])))
        for same in merged.values()
    ]


class BillingReports:
    def __init__(self, api: BillingApi, *, workers: int = 8) -> None:
        self._api = api
        self._workers = workers

    def settled(self, token: str, start: str, end: str, charge: str) -> SettledBills:
        wire = "" if charge == "all" else charge
        return self._api.settled_bills(token, start.replace("-", ""), end.replace("-", ""), wire)

    def breakdown(
        self, token: str, plan: BreakdownPlan, *, charge: str, group_by: str, top: int
    ) -> list[BreakdownSlice]:
        charges = [] if charge == "all" else [charge]
        calls = [(q, tax) for q in plan.queries for tax in (False, True)]
        granularity = "MONTH" if plan.granularity == "month" else "DAY"

        def one(call: tuple[tuple[str, str], bool]) -> CostAnalysis:
            (start, end), tax = call
            return self._api.cost_analysis(
                token,
                charge_types=charges,
                granularity=granularity,
                start=start,
                end=end,
                top=top,
                group_by=GROUP_CODES[group_by],
                tax=tax,
            )

        with ThreadPoolExecutor(max_workers=min(self._workers, len(calls))) as pool:
            answers = list(pool.map(one, calls))
        pairs = [(plan.queries[i], answers[2 * i], answers[2 * i + 1]) for i in range(len(plan.queries))]
        if plan.single:
            groups = _merge([g for _, spend, _ in pairs for g in spend.totals])
            tax = dec_sum([g.amount for _, _, taxes in pairs for g in taxes.totals])
            return [_sorted_cut(groups, tax, top, "")]
        slices: list[BreakdownSlice] = []
        for (start, end), spend, taxes in pairs:
            if plan.granularity == "month":
                month = f"{start[:4]}-{start[4:6]}"
                tax = dec_sum([g.amount for g in taxes.totals])
                slices.append(_sorted_cut(list(spend.totals), tax, top, month))
            elif spend.by_time:
                tax_by = {p.period: p for p in taxes.by_time}
                for entry in spend.by_time:
                    match = tax_by.get(entry.period)
                    tax = dec_sum([g.amount for g in match.groups]) if match else "0"
                    slices.append(_sorted_cut(list(entry.groups), tax, top, entry.period))
            else:
                a, b = _dashed(start), _dashed(end)
                label = a if a == b else f"{a} → {b}"
                tax = dec_sum([g.amount for g in taxes.totals])
                slices.append(_sorted_cut(list(spend.totals), tax, top, label))
        return sorted(slices, key=lambda s: s.period)


def _dashed(compact: str) -> str:
    return f"{compact[:4]}-{compact[4:6]}-{compact[6:8]}"
