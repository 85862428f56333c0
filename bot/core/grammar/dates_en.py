"""English period phrases anywhere in a sentence -> a Period (the brief's patterns: a named month, a relative
period, "last N days", explicit dates or a named quarter).

Hand-written over a closed vocabulary: the phrases are a few dozen words, and dateparser (the library that
would read them) takes ~10x the import time of the whole grammar and still cannot say "the previous month"
is a range. Text comes in lower-case and NFKC-normalised (words.normalise)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from bot.core.grammar import spans
from bot.core.grammar.spans import Found
from bot.core.grammar.usage import Period

_MONTH_WORDS = (
    "jan january|feb february|mar march|apr april|may|jun june|jul july|aug august|sep sept september|"
    "oct october|nov november|dec december"
)
MONTHS = {w: i for i, ws in enumerate(_MONTH_WORDS.split("|"), start=1) for w in ws.split()}
_NUMBERS = (
    "a one an|two couple|three few|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen|twenty"
)
NUMBERS = {w: i for i, ws in enumerate(_NUMBERS.split("|"), start=1) for w in ws.split()}
NUMBERS |= {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90, "hundred": 100}
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUM = r"(?P<n>\d{1,3}|" + "|".join(sorted(NUMBERS, key=len, reverse=True)) + r")"


def _m(name: str) -> str:
    return rf"(?P<{name}>{_MONTH_ALT})\.?"


def _end_rx(p: str) -> str:
    """One end of a range: "may 3", "may 3rd, 2026", "3 may", "the 3rd of may", "the 3rd", "2026-05-03"."""
    year = r"(?:,?\s*(?P<{}>\d{{4}}))?"
    dom = r"(?:the\s+)?(?P<{}>\d{{1,2}})(?:st|nd|rd|th)?"
    return (
        rf"(?:(?P<{p}iso>\d{{4}}-\d{{1,2}}-\d{{1,2}})"
        rf"|{_m(p + 'm1')}\s+{dom.format(p + 'd1')}{year.format(p + 'y1')}"
        rf"|(?P<{p}um>\d{{1,2}})/(?P<{p}ud>\d{{1,2}})(?:/(?P<{p}uy>\d{{4}}))?"
        rf"|{dom.format(p + 'd2')}(?:\s+(?:of\s+)?{_m(p + 'm2')})?{year.format(p + 'y2')})"
    )


_MONTH_SPAN = re.compile(
    r"\b(?:from|between)?\s*"
    + _m("a")
    + r"(?:\s+(?P<ay>\d{4}))?\s*(?:to|until|till|through|thru|and|-|~)\s*"
    + _m("b")
    + r"(?:\s+(?P<by>\d{4}))?\b"
)
_TO = r"\s*(?:to|until|till|through|thru|and|-|~|->|→|到|至)\s*"
_RANGE = re.compile(
    r"\b(?P<lead>from|between|since)?\s*" + _end_rx("a") + r"(?:" + _TO + _end_rx("b") + r")?\b"
)


def _end(m: re.Match[str], p: str) -> tuple[int | None, int | None, int] | None:
    """(year, month, day) of one end; the month may be missing ("the 3rd to the 9th of May")."""
    if iso := m.group(p + "iso"):
        y, mo, d = (int(x) for x in iso.split("-"))
        return y, mo, d
    if m.group(p + "um"):  # 3/15: month/day, as US English and Chinese write it
        year = m.group(p + "uy")
        return (int(year) if year else None), int(m.group(p + "um")), int(m.group(p + "ud"))
    for k in ("1", "2"):
        if m.group(f"{p}d{k}"):
            month = m.group(f"{p}m{k}")
            year = m.group(f"{p}y{k}")
            return (int(year) if year else None), (MONTHS[month] if month else None), int(m.group(f"{p}d{k}"))
    return None


def _ranges(text: str, today: date) -> Found | None:
    for m in _RANGE.finditer(text):
        a, b = _end(m, "a"), _end(m, "b")
        if a is None:
            continue
        if b is None:
            if a[1] is None:
                continue  # a bare number is not a date
            if m.group("lead") == "since":
                start = spans.past_day(a[0], a[1], a[2], today)
                period = start and Period(from_=start.from_, to=today)
            else:
                period = spans.past_day(a[0], a[1], a[2], today)
        else:
            ma, mb = a[1] or b[1], b[1] or a[1]
            if ma is None or mb is None:
                continue
            period = spans.past_range(
                (a[0] or b[0] if a[1] is None else a[0], ma, a[2]), (b[0], mb, b[2]), today
            )
        if period is not None:
            return Found(period, m.start(), m.end())
    return None


_WORD_PERIODS: list[tuple[str, Callable[[date], Period]]] = [
    (r"(?:the\s+)?day\s+before\s+yesterday", lambda t: spans.day(t - timedelta(days=2))),
    (r"yesterday", lambda t: Period(preset="yesterday")),
    (r"today|so\s+far\s+today", lambda t: Period(preset="today")),
    (r"(?:the\s+)?(?:last|previous|prior)\s+(?:calendar\s+)?week|week\s+before", spans.last_week),
    (
        r"(?:this|current)\s+week|week\s+to\s+date|wtd|(?:the\s+)?(?:past|last)\s+week",
        lambda t: Period(preset="week"),
    ),
    (r"(?:the\s+)?(?:last|previous|prior)\s+month", lambda t: Period(preset="last-month")),
    (r"(?:the\s+)?past\s+month", lambda t: spans.rolling(1, "month", t)),
    (r"(?:the\s+)?past\s+quarter", lambda t: spans.rolling(1, "quarter", t)),
    (r"(?:the\s+)?past\s+(?:year|12\s+months)", lambda t: spans.rolling(1, "year", t)),
    (
        r"(?:this|current)\s+month(?:\s+so\s+far)?|month\s+to\s+date|mtd|so\s+far\s+this\s+month",
        lambda t: Period(preset="month"),
    ),
    (r"(?:the\s+)?(?:last|previous|prior)\s+quarter", spans.last_quarter),
    (
        r"(?:this|current)\s+quarter(?:\s+so\s+far)?|quarter\s+to\s+date|qtd",
        lambda t: Period(preset="quarter"),
    ),
    (r"(?:the\s+)?(?:last|previous|prior)\s+year", lambda t: spans.past_year(t.year - 1, t)),
    (
        r"(?:this|current)\s+year(?:\s+so\s+far)?|year\s+to\s+date|ytd|so\s+far\s+this\s+year",
        lambda t: Period(preset="year"),
    ),
]
_WORDS = [(re.compile(r"\b(?:" + rx + r")\b"), fn) for rx, fn in _WORD_PERIODS]
_ROLLING = re.compile(
    r"\b(?:(?:the\s+)?(?:last|past|previous|prior|trailing|recent)\s+)"
    + _NUM
    + r"\s+(?P<u>day|week|month|quarter|year)s?\b"
    r"|\b" + _NUM.replace("<n>", "<n2>") + r"\s+(?P<u2>day|week|month|year)s?\s+(?P<ago>ago|back)?"
)
_QUARTER = re.compile(
    r"\b(?:q(?P<q>[1-4])(?:\s*(?P<y>\d{4}))?|(?P<y2>\d{4})\s*-?\s*q(?P<q2>[1-4])"
    r"|(?:the\s+)?(?P<o>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter(?:\s+(?:of\s+)?(?P<y3>\d{4}))?)\b"
)
_MONTH = re.compile(
    r"\b(?:(?:last|this|previous|past|in)\s+)?" + _m("m") + r"(?:\s+(?:of\s+)?(?P<y>\d{4}))?\b"
    r"|\b(?P<iy>\d{4})-(?P<im>\d{2})\b|\b(?P<m2>\d{1,2})/(?P<y2>\d{4})\b"
)
_YEAR = re.compile(r"\b(?:in\s+|for\s+|during\s+)?(?P<y>(?:19|20|21)\d{2})\b")


def _month_span(text: str, today: date) -> Found | None:
    for m in _MONTH_SPAN.finditer(text):
        ya, yb = m.group("ay"), m.group("by")
        start = (int(ya) if ya else None, MONTHS[m.group("a")])
        end = (int(yb) if yb else None, MONTHS[m.group("b")])
        return Found(spans.month_range(start, end, today), m.start(), m.end())
    return None


def _rolling(text: str, today: date) -> Found | None:
    for m in _ROLLING.finditer(text):
        raw = m.group("n") or m.group("n2")
        count = int(raw) if raw.isdigit() else NUMBERS[raw]
        unit = m.group("u") or m.group("u2")
        if count < 1:
            continue
        if m.group("u2"):
            if not m.group("ago"):
                continue  # "3 days" alone is not a period; "3 days ago" is one day
            back = {"day": timedelta(days=count), "week": timedelta(weeks=count)}.get(unit)
            if back is None:
                continue
            return Found(spans.day(today - back), m.start(), m.end())
        return Found(spans.rolling(count, unit, today), m.start(), m.end())
    return None


_HALF = re.compile(
    r"\b(?:h(?P<h>[12])|(?:the\s+)?(?P<o>first|second|1st|2nd)\s+half)(?:\s+(?:of\s+)?(?P<y>\d{4}))?\b"
)
_HOURS = re.compile(r"\b(?:last|past|previous)\s+" + _NUM.replace("<n>", "<hn>") + r"\s+hours?\b")


def _half(text: str, today: date) -> Found | None:
    if m := _HALF.search(text):
        half = int(m.group("h") or (1 if m.group("o") in ("first", "1st") else 2))
        year = int(m.group("y")) if m.group("y") else None
        return Found(spans.past_half(half, year, today), m.start(), m.end())
    if m := _HOURS.search(text):  # usage is kept per day: every day the window touches, today included
        raw = m.group("hn")
        hours = int(raw) if raw.isdigit() else NUMBERS[raw]
        return Found(spans.rolling(-(-hours // 24) + 1, "day", today), m.start(), m.end())
    return None


def _quarter(text: str, today: date) -> Found | None:
    m = _QUARTER.search(text)
    if m is None:
        return None
    q = int(m.group("q") or m.group("q2") or _ORDINALS.get(m.group("o") or "", 0))
    year = m.group("y") or m.group("y2") or m.group("y3")
    return Found(spans.past_quarter(q, int(year) if year else None, today), m.start(), m.end())


def _month(text: str, today: date) -> Found | None:
    for m in _MONTH.finditer(text):
        if m.group("m"):
            if m.group("m") == "may" and not _may_is_month(text, m):
                continue
            month, year = MONTHS[m.group("m")], m.group("y")
        else:
            month, year = int(m.group("im") or m.group("m2")), m.group("iy") or m.group("y2")
        if not 1 <= month <= 12 or (year is not None and int(year) < 1):
            continue
        end = m.end()
        if year is None and (tail := _LAST_YEAR.match(text, end)):
            year, end = str(today.year - 1), tail.end()  # "June last year", "June of last year"
        elif year is None and _LAST_YEARS.search(text[: m.start()]):
            year = str(today.year - 1)  # "last year's June"
        period = spans.past_month(month, int(year) if year else None, today)
        if re.search(r"\bsince\s+$", text[: m.start()]) and period.preset:
            start = spans.month_start(period.preset)
            period = Period(from_=start, to=today)  # "since March": March 1st to today
        return Found(period, m.start(), end)
    return None


_LAST_YEAR = re.compile(r"\s+(?:of\s+)?(?:last|previous)\s+year\b")
_LAST_YEARS = re.compile(r"\b(?:last|previous)\s+year'?s\s+$")


def _may_is_month(text: str, m: re.Match[str]) -> bool:
    """ "May" the month, not "may I see": a preposition or a year around it, or nothing else to read."""
    before = text[: m.start("m")].split()[-1:]
    after = text[m.end("m") :].split()[:1]
    return (
        bool(
            before and before[0] in ("in", "for", "of", "during", "last", "this", "since", "previous", "past")
        )
        or bool(after and re.fullmatch(r"\d{4}|\?|", after[0]))
        or not after
    )


def _year(text: str, today: date) -> Found | None:
    m = _YEAR.search(text)
    return Found(spans.past_year(int(m.group("y")), today), m.start(), m.end()) if m else None


def _words(text: str, today: date) -> Found | None:
    for rx, fn in _WORDS:
        if m := rx.search(text):
            return Found(fn(today), m.start(), m.end())
    return None


READERS: tuple[Callable[[str, date], Found | None], ...] = (
    _ranges,
    _month_span,
    _rolling,
    _quarter,
    _half,
    _month,
    _words,
    _year,
)


def find(text: str, today: date) -> Found | None:
    """The first period the readers see, most specific reader first."""
    return spans.first_found(READERS, text, today)
