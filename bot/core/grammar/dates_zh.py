"""Chinese period phrases anywhere in a sentence -> a Period ("五月份", "去年六月", "上个月", "过去两周",
"本季度", "第二季度", "5月3日到5月9日", "今年以来").

Hand-written over a closed vocabulary: jionlp reads far more (and takes seconds to import, with a large
dictionary load); the brief's Chinese periods are a few dozen fixed words around numbers. Chinese numerals
are turned into digits first, so one set of patterns reads "十月" and "10月" alike."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from bot.core.grammar import spans
from bot.core.grammar.spans import Found
from bot.core.grammar.usage import Period

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMERAL = re.compile(r"[零〇一二两俩三四五六七八九十百]+")


def _numeral(run: str) -> str:
    """Chinese numerals to digits: "十" 10, "十二" 12, "二十" 20, "一百" 100, "二〇二六" 2026."""
    if all(c in _DIGITS for c in run):
        return "".join(str(_DIGITS[c]) for c in run) if len(run) > 1 else str(_DIGITS[run])
    total, current = 0, 0
    for c in run:
        if c in _DIGITS:
            current = _DIGITS[c]
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        elif c == "百":
            total += (current or 1) * 100
            current = 0
    return str(total + current)


def digits(text: str) -> str:
    return _NUMERAL.sub(lambda m: _numeral(m.group(0)), text)


_YEAR_WORDS = {"今年": 0, "本年": 0, "去年": -1, "上一年": -1, "前年": -2}
_YW = r"(?:(?P<{}>\d{{4}})\s*年|(?P<{}>今年|本年|去年|上一年|前年))?"
_MD = r"(?:(?P<{m}>\d{{1,2}})\s*月(?:份)?)?\s*(?P<{d}>\d{{1,2}})\s*[日号號]"
_RANGE = re.compile(
    r"(?:从|自)?\s*"
    + _YW.format("y1", "yw1")
    + _MD.format(m="m1", d="d1")
    + r"\s*(?:到|至|~|-|—|－|～|一直到)\s*"
    + _YW.format("y2", "yw2")
    + _MD.format(m="m2", d="d2")
)
_MONTHS_SPAN = re.compile(
    _YW.format("y1", "yw1")
    + r"(?P<m1>\d{1,2})\s*月(?:份)?\s*(?:到|至|~|-|—|－|～)\s*"
    + _YW.format("y2", "yw2")
    + r"(?P<m2>\d{1,2})\s*月(?:份)?(?!\s*\d{1,2}\s*[日号號])"
)
_DAY = re.compile(_YW.format("y1", "yw1") + r"(?P<m1>\d{1,2})\s*月(?:份)?\s*(?P<d1>\d{1,2})\s*[日号號]")
_SINCE = re.compile(
    r"(?:自从|自|从)"
    + _YW.format("y1", "yw1")
    + r"(?P<m1>\d{1,2})\s*月(?:份)?(?:(?P<d1>\d{1,2})\s*[日号號])?\s*(?:以来|至今|到现在|开始|起)"
)
_ROLLING = re.compile(
    r"(?:过去|最近|近|前|之前)\s*(?P<n>\d{1,3}|半)\s*(?:个)?\s*(?P<u>天|日|周|星期|礼拜|月|年)"
)
_AGO = re.compile(r"(?P<n>\d{1,3})\s*(?P<u>天|日|周|星期)(?:以)?前")
_QUARTER = re.compile(
    _YW.format("y", "yw") + r"(?:第\s*(?P<q>[1-4])\s*(?:个)?\s*季度|(?P<q2>[1-4])\s*季度|[qQ](?P<q3>[1-4]))"
)
_MONTH = re.compile(_YW.format("y", "yw") + r"(?P<m>\d{1,2})\s*月(?:份)?(?!\s*\d{1,2}\s*[日号號])")
_ISO_YEAR = re.compile(r"(?P<y>\d{4})\s*年(?!\s*\d)")


def _year_of(m: re.Match[str], y: str, yw: str, today: date) -> int | None:
    if m.group(y):
        return int(m.group(y))
    if m.group(yw):
        return today.year + _YEAR_WORDS[m.group(yw)]
    return None


def _ranges(text: str, today: date) -> Found | None:
    if m := _RANGE.search(text):
        y1, y2 = _year_of(m, "y1", "yw1", today), _year_of(m, "y2", "yw2", today)
        m1, m2 = m.group("m1"), m.group("m2") or m.group("m1")
        if m1 is not None and m2 is not None:
            end = (y2 if y2 is not None else y1, int(m2), int(m.group("d2")))
            period = spans.past_range((y1, int(m1), int(m.group("d1"))), end, today)
            if period is not None:
                return Found(period, m.start(), m.end())
    if (m := _MONTHS_SPAN.search(text)) and 1 <= int(m.group("m1")) <= 12 and 1 <= int(m.group("m2")) <= 12:
        y1, y2 = _year_of(m, "y1", "yw1", today), _year_of(m, "y2", "yw2", today)
        span = spans.month_range((y1, int(m.group("m1"))), (y2, int(m.group("m2"))), today)
        return Found(span, m.start(), m.end())
    if m := _SINCE.search(text):
        first = spans.past_day(
            _year_of(m, "y1", "yw1", today), int(m.group("m1")), int(m.group("d1") or 1), today
        )
        if first is not None:
            return Found(Period(from_=first.from_, to=today), m.start(), m.end())
    if m := _DAY.search(text):
        period = spans.past_day(
            _year_of(m, "y1", "yw1", today), int(m.group("m1")), int(m.group("d1")), today
        )
        if period is not None:
            return Found(period, m.start(), m.end())
    return None


def _rolling(text: str, today: date) -> Found | None:
    if m := _ROLLING.search(text):
        unit = {"天": "day", "日": "day", "周": "week", "星期": "week", "礼拜": "week", "月": "month"}.get(
            m.group("u"), "year"
        )
        if m.group("n") == "半":  # 近半年 = the past six months; 近半个月 = the past 15 days
            count, unit = (6, "month") if unit == "year" else (15, "day")
        else:
            count = int(m.group("n"))
        if count >= 1:
            return Found(spans.rolling(count, unit, today), m.start(), m.end())
    if m := _AGO.search(text):
        n = int(m.group("n")) * (7 if m.group("u") in ("周", "星期") else 1)
        return Found(spans.day(today - timedelta(days=n)), m.start(), m.end())
    return None


def _quarter(text: str, today: date) -> Found | None:
    if m := _QUARTER.search(text):
        q = int(m.group("q") or m.group("q2") or m.group("q3"))
        return Found(spans.past_quarter(q, _year_of(m, "y", "yw", today), today), m.start(), m.end())
    return None


_HALF = re.compile(_YW.format("y", "yw") + r"(?P<h>上|下)半年")


def _half(text: str, today: date) -> Found | None:
    if m := _HALF.search(text):
        half = 1 if m.group("h") == "上" else 2
        return Found(spans.past_half(half, _year_of(m, "y", "yw", today), today), m.start(), m.end())
    return None


def _month(text: str, today: date) -> Found | None:
    for m in _MONTH.finditer(text):
        month = int(m.group("m"))
        if 1 <= month <= 12:
            period = spans.past_month(month, _year_of(m, "y", "yw", today), today)
            return Found(period, m.start(), m.end())
    return None


_WORD_PERIODS: list[tuple[str, Callable[[date], Period]]] = [
    (r"大前天", lambda t: spans.day(t - timedelta(days=3))),
    (r"前天|前日", lambda t: spans.day(t - timedelta(days=2))),
    (r"昨天|昨日", lambda t: Period(preset="yesterday")),
    (r"今天|今日|当天", lambda t: Period(preset="today")),
    (r"上1?个?(?:星期|周|礼拜)", spans.last_week),
    (r"(?:本|这1?个?|这|当)(?:星期|周|礼拜)", lambda t: Period(preset="week")),
    (r"上上1?个?月", lambda t: spans.months_back(2, t)),
    (r"上1?个?月|上月", lambda t: Period(preset="last-month")),
    (r"(?:本|这1?个|这|当)月|月初至今|月初到现在", lambda t: Period(preset="month")),
    (r"上1?个?季度", spans.last_quarter),
    (r"(?:本|这1?个|这|当)季度?", lambda t: Period(preset="quarter")),
    (r"去年(?:全年|一年|整年)?", lambda t: spans.past_year(t.year - 1, t)),
    (r"前年", lambda t: spans.past_year(t.year - 2, t)),
    (r"今年|本年|年初至今|年初到现在", lambda t: Period(preset="year")),
]
_WORDS = [(re.compile(rx), fn) for rx, fn in _WORD_PERIODS]


def _words(text: str, today: date) -> Found | None:
    for rx, fn in _WORDS:
        if m := rx.search(text):
            return Found(fn(today), m.start(), m.end())
    return None


def _year(text: str, today: date) -> Found | None:
    if m := _ISO_YEAR.search(text):
        return Found(spans.past_year(int(m.group("y")), today), m.start(), m.end())
    return None


READERS: tuple[Callable[[str, date], Found | None], ...] = (
    _ranges,
    _rolling,
    _quarter,
    _half,
    _month,
    _words,
    _year,
)


def find(text: str, today: date) -> Found | None:
    """The first period the readers see in `text` (already passed through `digits`)."""
    return spans.first_found(READERS, text, today)
