"""Plain questions about call logs, the spend limit and plans, English and Chinese -> `Logs`, `Limit`, `Plan`.

Asked by words.py before its usage intents, so "any 5xx errors on qwen-plus today" is a question about
calls, not a breakdown of qwen-plus. Plan status needs a plan word AND a status word ("what plans are
active", "coding plan status", "我的套餐状态"): "coding plan" or "编码套餐" alone keeps its usage-summary
reading, as before this family existed.
"""

from __future__ import annotations

import re
from datetime import date

from bot.base.periods import resolve
from bot.core.grammar import dates_en, dates_zh
from bot.core.grammar.calls import (
    FAILURES,
    HEADS,
    MAX_DAYS,
    UUID,
    Limit,
    Logs,
    Plan,
    Window,
    checked,
    find_window,
    logs_error,
)
from bot.core.grammar.terms import Options
from bot.core.grammar.usage import Period

_LOGS = re.compile(
    r"\b(?:fail(?:ed|s|ing|ures?)?|errors?|erroring|errored|[45]xx|[45]\d\d|call[\s-]?logs?|logs|"
    r"log(?![\s-]*(?:in|out|on|off)\b)|request[\s-]?ids?|error[\s-]rate)\b|失败|报错|错误|出错|日志|调用记录|错误率"
)
_SERVER = re.compile(r"\b(?:5xx|5\d\d|server[\s-]?(?:side\s+)?errors?)\b|服务端错误|服务器错误|5xx")
_CLIENT = re.compile(r"\b(?:4xx|4\d\d|client[\s-]?(?:side\s+)?errors?)\b|客户端错误|4xx")
_FAILED = re.compile(
    r"\b(?:fail(?:ed|s|ing|ures?)?|errors?|erroring|errored|error[\s-]rate)\b|失败|报错|错误|出错"
)
_LIMIT = re.compile(r"\b(?:spend(?:ing)?[\s-]limit|limits?|budget|spending\s+cap)\b|限额|上限|预算")
_FREE = re.compile(r"\bfree\b|免费")
_PLAN = re.compile(r"\b(?:plans?|subscriptions?|subscribed)\b|套餐|订阅")
_PLAN_STATUS = re.compile(
    r"\b(?:plans|subscriptions?|status|active|state|expir(?:e|es|ed|y)|renew(?:s|al|ed)?|valid)\b|"
    r"状态|有效|生效|到期|续费|续订|哪些|订阅"
)
_HOURS_ZH = re.compile(r"(?:最近|过去|近|前)\s*(\d+|半)?\s*个?\s*(小时|钟头)")


def is_command(text: str) -> bool:
    """Text that starts as a command of this family (`logs …`, `usage limit`): its form is the reading."""
    words = text.lower().split()
    words = words[1:] if words[:1] == ["usage"] else words
    return bool(words) and (words[0] in HEADS or words[:2] == ["spend", "limit"])


def read(plain: str, *, today: date, options: Options) -> Logs | Limit | Plan | None:
    """`plain` is words.normalise()d text (lower case, punctuation gone)."""
    if UUID.search(plain) or _LOGS.search(plain):
        return _logs(plain, today=today, options=options)
    if _LIMIT.search(plain) and not _FREE.search(plain):
        return Limit(options)
    if _PLAN.search(plain) and _PLAN_STATUS.search(plain):
        return Plan(options)
    return None


def _logs(plain: str, *, today: date, options: Options) -> Logs:
    request_id = m.group(0) if (m := UUID.search(plain)) else None
    text = UUID.sub(" ", plain)
    statuses: tuple[str, ...] = ()
    if _SERVER.search(text) and not _CLIENT.search(text):
        statuses = ("SERVER_ERROR",)
    elif _CLIENT.search(text) and not _SERVER.search(text):
        statuses = ("CLIENT_ERROR",)
    elif _FAILED.search(text) or (_SERVER.search(text) and _CLIENT.search(text)):
        statuses = FAILURES
    window = _window(text, today)
    return Logs(statuses, _models(text), request_id, window, options)


def _models(text: str) -> tuple[str, ...]:
    """Model ids as written (qwen-plus, qwen3.6-plus, wan2.6-t2i): a letter first, then a digit or a dash."""
    found = re.findall(r"(?<![a-z0-9._-])([a-z][a-z0-9]*(?:[.-][a-z0-9]+)+|[a-z]+\d[a-z0-9.]*)", text)
    return tuple(dict.fromkeys(w for w in found if not re.fullmatch(r"[45]xx|call-logs?|error-rate", w)))


def _window(text: str, today: date) -> Window:
    if m := _HOURS_ZH.search(dates_zh.digits(text)):
        hours = 1 if m.group(1) in (None, "半") else int(m.group(1))
        return checked(Window(hours=hours), today=today)
    found, _ = find_window(text, today=today)
    if found is not None:
        return found
    zh = dates_zh.digits(text)
    period = dates_zh.find(zh, today) if re.search(r"[\u4e00-\u9fff]", text) else dates_en.find(text, today)
    return Window() if period is None else _from_period(period.period, today)


def _from_period(period: Period, today: date) -> Window:
    if period.preset in ("today", "yesterday"):
        return Window(day=period.preset)
    if period.days is not None:
        return checked(Window(days=period.days), today=today)
    rng = resolve(today=today, period=period.preset, days=None, from_=period.from_, to=period.to)
    if (rng.end - rng.start).days + 1 > MAX_DAYS:
        raise logs_error("Call logs cover at most 14 days; ask for a shorter window.")
    return checked(Window(from_=rng.start, to=min(rng.end, today)), today=today)

