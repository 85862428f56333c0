"""Period resolution (contract §4): flags -> an inclusive date range. Pure: `today` (local) is passed in.

Precedence is --from/--to > --days > --period (default `month`); dates are the caller's local dates (the
process TZ in the terminal, the user's timezone in Slack). Messages are the official CLI's.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from bot.base.errors import InvalidArgument, UsageError

PRESETS = ("today", "yesterday", "week", "month", "last-month", "quarter", "year")
ALIASES = {"this-week": "week", "this-month": "month"}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INVALID_PERIOD = (
    "Invalid period: '{}'. Valid: today, yesterday, week, month, last-month, quarter, year, YYYY-MM"
)
LOOKBACK_MESSAGE = "date range exceeds maximum lookback (1 year)"
# A command's upstream work is bounded: one consume-summary fan-out per calendar month, at most this many
# (a full one-year lookback touches 13 months).
MAX_MONTH_CHUNKS = 13


@dataclass(frozen=True, slots=True)
class DateRange:
    start: date
    end: date

    @property
    def from_text(self) -> str:
        return self.start.isoformat()

    @property
    def to_text(self) -> str:
        return self.end.isoformat()


def resolve(
    *,
    today: date,
    period: str | None = None,
    days: int | None = None,
    from_: date | None = None,
    to: date | None = None,
) -> DateRange:
    if from_ is not None or to is not None:
        end = to or today
        start = from_ if from_ is not None else (end.replace(day=1) if to is not None else today)
        return DateRange(start, end)
    if days:  # 0 counts as absent, like the CLI's truthiness test
        return DateRange(today - timedelta(days=days - 1), today)
    return preset_range(period or "month", today=today)


def preset_range(name: str, *, today: date) -> DateRange:
    preset = ALIASES.get(name, name)
    if preset == "today":
        return DateRange(today, today)
    if preset == "yesterday":
        day = today - timedelta(days=1)
        return DateRange(day, day)
    if preset == "week":
        return DateRange(today - timedelta(days=6), today)
    if preset == "month":
        return DateRange(today.replace(day=1), today)
    if preset == "last-month":
        last = today.replace(day=1) - timedelta(days=1)
        return DateRange(last.replace(day=1), last)
    if preset == "quarter":
        return DateRange(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today)
    if preset == "year":
        return DateRange(date(today.year, 1, 1), today)
    match = _MONTH.match(preset)
    if match and 1 <= int(match.group(2)) <= 12 and int(match.group(1)) >= 1:
        year, month = int(match.group(1)), int(match.group(2))
        return DateRange(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))
    raise UsageError(INVALID_PERIOD.format(name))


def parse_date(raw: str, *, end: bool = False) -> date:
    """A --from/--to value: YYYY-MM-DD, or YYYY-MM meaning the month's first (or, with end, last) day."""
    text = raw.strip()
    try:
        if _DAY.match(text):
            return date.fromisoformat(text)
        match = _MONTH.match(text)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            return date(year, month, calendar.monthrange(year, month)[1] if end else 1)
    except ValueError:
        pass
    raise InvalidArgument(f"Invalid date '{raw}'. Use YYYY-MM-DD.")


def validate(rng: DateRange, *, now: datetime, tz: tzinfo | None = None) -> None:
    """payg/breakdown checks. `from` is read as UTC midnight (JS `new Date("YYYY-MM-DD")`) and compared with
    the local now minus one calendar year; from > to is INVALID_RANGE (non-zero exit: contract §10)."""
    local_now = now.astimezone(tz or UTC)
    if datetime(rng.start.year, rng.start.month, rng.start.day, tzinfo=UTC) < _minus_year(local_now):
        raise UsageError(LOOKBACK_MESSAGE)
    check_order(rng)


def check_order(rng: DateRange) -> None:
    if rng.start > rng.end:
        raise InvalidArgument(
            f"Invalid date range: from ({rng.from_text}) is after to ({rng.to_text})", code="INVALID_RANGE"
        )


def _minus_year(moment: datetime) -> datetime:
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:  # 29 February: JS setFullYear rolls over to 1 March
        return moment.replace(year=moment.year - 1, month=3, day=1)


def month_chunks(rng: DateRange) -> list[tuple[date, date]]:
    """Calendar-month pieces of the range (MaasListConsumeSummary wants both ends in one month)."""
    chunks: list[tuple[date, date]] = []
    start = rng.start
    while start <= rng.end:
        last = date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
        if last >= rng.end:
            chunks.append((start, rng.end))
            break
        chunks.append((start, last))
        start = last + timedelta(days=1)
    return chunks


def month_count(rng: DateRange) -> int:
    """How many calendar months the range touches, without building them (an absurd range is cheap)."""
    return (rng.end.year - rng.start.year) * 12 + rng.end.month - rng.start.month + 1


def check_chunks(rng: DateRange) -> None:
    """At most MAX_MONTH_CHUNKS month chunks per command: refused before any upstream call."""
    if month_count(rng) > MAX_MONTH_CHUNKS:
        raise InvalidArgument(
            f"The range {rng.from_text} to {rng.to_text} spans {month_count(rng)} months; "
            f"at most {MAX_MONTH_CHUNKS} calendar months per command.",
            code="RANGE_TOO_LONG",
        )


def check_bounds(rng: DateRange, *, today: date, explicit_end: date | None = None) -> None:
    """The chat's range rules, before any call: not in the future, the official one-year lookback (for
    summary too), the month cap. A month or quarter preset may end later this month (its days are just
    empty); an explicit `--to` may not end after today."""
    month_end = date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
    if rng.start > today or rng.end > month_end or (explicit_end is not None and explicit_end > today):
        raise UsageError(
            f"The range {rng.from_text} to {rng.to_text} ends after today ({today.isoformat()}). "
            "Pick dates up to today."
        )
    if rng.start < minus_year_date(today):
        raise UsageError(LOOKBACK_MESSAGE + ": pick a start within the last 12 months.")
    check_order(rng)
    check_chunks(rng)


def minus_year_date(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February, like _minus_year
        return day.replace(year=day.year - 1, month=3, day=1)
