"""Calendar arithmetic shared by the English and Chinese date readers: whole months, quarters, weeks, and the
rule that a period named without its year which would lie in the future is read as the most recent past
one (named with a year that has not come, it is a UsageError). Pure: `today` is passed in; every result
starts on or before `today`."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from bot.base.errors import UsageError
from bot.core.grammar.usage import Period


@dataclass(frozen=True, slots=True)
class Found:
    """A period read from words, and where in the text it was (so the rest can be read for other things)."""

    period: Period
    start: int
    end: int


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def future(label: str) -> UsageError:
    """A period named with its year that has not begun: said plainly, never quietly moved to another year."""
    return UsageError(f"{label} ends after today: ask about a period up to today.")


def past_month(month: int, year: int | None, today: date) -> Period:
    """A month by name: with no year the most recent one that has begun, so "May" in January is last May;
    with a year that has not reached it ("December 2099"), a UsageError."""
    if year is not None and date(year, month, 1) > today:
        raise future(f"{calendar.month_name[month]} {year}")
    if year is None:
        year = today.year if month <= today.month else today.year - 1
    return Period(preset=f"{year:04d}-{month:02d}")


def month_start(preset: str) -> date:
    year, month = preset.split("-")
    return date(int(year), int(month), 1)


def months_back(n: int, today: date) -> Period:
    """The whole calendar month n months before this one ("上上个月": n = 2)."""
    first = date(today.year, today.month, 1) - relativedelta(months=n)
    return Period(preset=f"{first.year:04d}-{first.month:02d}")


def past_quarter(quarter: int, year: int | None, today: date) -> Period:
    """Q1..Q4: the most recent such quarter that has begun; the current one ends today."""
    if year is not None and date(year, 3 * quarter - 2, 1) > today:
        raise future(f"Q{quarter} {year}")
    if year is None:
        year = today.year if date(today.year, 3 * quarter - 2, 1) <= today else today.year - 1
    start = date(year, 3 * quarter - 2, 1)
    return Period(from_=start, to=min(month_end(year, 3 * quarter), today))


def past_half(half: int, year: int | None, today: date) -> Period:
    """H1 (January-June) or H2 (July-December): the most recent such half that has begun, cut at today."""
    first_month = 1 if half == 1 else 7
    if year is not None and date(year, first_month, 1) > today:
        raise future(f"H{half} {year}")
    if year is None:
        year = today.year if date(today.year, first_month, 1) <= today else today.year - 1
    start, end = date(year, first_month, 1), month_end(year, first_month + 5)
    return Period(from_=start, to=min(end, today))


def past_year(year: int, today: date) -> Period:
    if year > today.year:
        raise future(str(year))
    return Period(from_=date(year, 1, 1), to=min(date(year, 12, 31), today))


def last_week(today: date) -> Period:
    """The calendar week (Monday to Sunday) before this one, as the command forms read "last week"."""
    start = today - timedelta(days=today.weekday() + 7)
    return Period(from_=start, to=start + timedelta(days=6))


def last_quarter(today: date) -> Period:
    first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first - timedelta(days=1)
    return Period(from_=date(end.year, end.month - 2, 1), to=end)


def day(when: date) -> Period:
    return Period(from_=when, to=when)


def rolling(count: int, unit: str, today: date) -> Period:
    """A window that ends today: N days (the official --days), N weeks (7N days), N months or years."""
    if unit == "day":
        return Period(days=max(1, min(count, 366)))
    if unit == "week":
        return Period(days=max(1, min(7 * count, 366)))
    months = {"month": 1, "quarter": 3, "year": 12}[unit] * min(count, 1200)
    delta = relativedelta(months=months)
    return Period(from_=today - delta + timedelta(days=1), to=today)


def safe_date(year: int, month: int, dom: int) -> date | None:
    try:
        return date(year, month, dom)
    except ValueError:
        return None


def past_range(
    start: tuple[int | None, int, int], end: tuple[int | None, int, int], today: date
) -> Period | None:
    """Two (year or None, month, day) ends. A missing year is the one that keeps the range out of the future
    (the most recent such range); an end before its start means the range crosses New Year. An end after
    today is cut at today: there is no usage there yet."""
    (y1, m1, d1), (y2, m2, d2) = start, end
    crosses = (m1, d1) > (m2, d2)
    if y1 is None:
        y1 = (y2 - 1 if crosses else y2) if y2 is not None else today.year
    if y2 is None:
        y2 = y1 + 1 if crosses else y1
    a, b = safe_date(y1, m1, d1), safe_date(y2, m2, d2)
    if a is None or b is None:
        return None
    a, b = min(a, b), max(a, b)
    while a > today:  # "May 3 to May 9 2099" is read as the most recent past one
        a, b = _shift_year(a, -1), _shift_year(b, -1)
    return Period(from_=a, to=min(b, today))


def month_range(start: tuple[int | None, int], end: tuple[int | None, int], today: date) -> Period:
    """ "January to March": first day of one month to the last of the other, the most recent such span that
    has begun, cut at today."""
    (y1, m1), (y2, m2) = start, end
    crosses = m1 > m2
    if y1 is None:
        y1 = (y2 - 1 if crosses else y2) if y2 is not None else today.year
    if y2 is None:
        y2 = y1 + 1 if crosses else y1
    while date(y1, m1, 1) > today and y1 > 1:
        y1, y2 = y1 - 1, y2 - 1
    first, last = date(y1, m1, 1), month_end(y2, m2)
    return Period(from_=min(first, last), to=min(max(first, last), today))


def _shift_year(when: date, years: int) -> date:
    return when + relativedelta(years=years)


def past_day(year: int | None, month: int, dom: int, today: date) -> Period | None:
    return past_range((year, month, dom), (year, month, dom), today)


Reader = Callable[[str, date], "Found | None"]


def first_found(readers: Sequence[Reader], text: str, today: date) -> Found | None:
    """The first period the readers see, in their order (most specific reader first)."""
    for reader in readers:
        if found := reader(text, today):
            return found
    return None
