"""`/qwen billing [by model|by api-key] [PERIOD]` and `/qwen bills [FROM] [TO]`, in the command forms and
in plain words (English and Chinese).

The periods are usage.py's (passed in as readers, so this module sits below usage.py): `billing` takes
exactly what `/qwen usage` takes; `bills` takes months (`2026-01 2026-06`, `march`, `this year`, `q1`), whole
settled billing cycles, as `billing summary --from/--to` does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.base.errors import UsageError
from bot.base.periods import resolve
from bot.core.grammar.terms import Options, Period

GROUPS = ("model", "api-key")
MAX_MONTHS = 36  # one message; the settled summary itself has no limit
BILLING_HELP = "Try: `/qwen billing by api-key last month` · `/qwen billing by model q1`"
BILLS_HELP = "Try: `/qwen bills` · `/qwen bills march` · `/qwen bills 2026-01 2026-06`"
_GROUP = re.compile(
    r"^(?:by\s+|per\s+)?(?:(?P<key>api[\s-]?keys?|apikeys?|keys?)|(?P<model>models?))(?:\s+|$)"
)
_CYCLE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_JOINERS = {"from", "to", "through", "thru", "until", "till", "-", "..", "and", "in", "for", "of", "the"}
# Plain words: a question naming API keys is a billing question by key; settled bills are `bills`.
API_KEYS = re.compile(
    r"(?<![a-z])(?:api[\s-]?keys?|apikeys?|(?:which|each|per|by|every)\s+keys?)(?![a-z])"
    r"|api\s*密钥|密钥|每个\s*key|哪个\s*key"
)
SETTLED = re.compile(r"\bsettled\b|\bsettlement\b|\binvoices?\b|已结算|结算账单|月结|出账")


@dataclass(frozen=True, slots=True)
class Billing:
    group: str  # model | api-key
    period: Period
    options: Options


@dataclass(frozen=True, slots=True)
class Bills:
    from_: str | None  # YYYY-MM; None: this month, as `billing summary`
    to: str | None
    options: Options


def parse(
    head: str,
    words: list[str],
    values: dict[str, str],
    options: Options,
    *,
    today: date,
    period_of: Callable[[list[str]], Period],
    period_words: Callable[[list[str]], Period | None],
) -> Billing | Bills:
    """`head` is "billing" or "bills"; `period_of` reads words and flags as `/qwen usage` does;
    `period_words` reads bare period words (None when they are not a period)."""
    if head == "bills":
        return bills(words, values, options, today=today, period_words=period_words)
    group, rest = _group(words)
    return Billing(group, period_of(rest), options)


def _group(words: list[str]) -> tuple[str, list[str]]:
    text = " ".join(words)
    match = _GROUP.match(text)
    if match is None:
        return "model", words
    return ("api-key" if match.group("key") else "model"), text[match.end() :].split()


def bills(
    words: list[str],
    values: dict[str, str],
    options: Options,
    *,
    today: date,
    period_words: Callable[[list[str]], Period | None],
) -> Bills:
    if "--from" in values or "--to" in values:
        if words:
            raise UsageError(f"Unexpected words: {' '.join(words)}.\n{BILLS_HELP}")
        start, end = _cycle_flag(values.get("--from")), _cycle_flag(values.get("--to"))
        return _checked(start or end, end or start, options, today)
    words = [w for w in words if w not in _JOINERS]
    if not words:
        return Bills(None, None, options)
    whole = period_words(words)
    if whole is not None:
        first, last = _months(whole, today)
        return _checked(first, last, options, today)
    for cut in range(1, len(words)):
        left, right = period_words(words[:cut]), period_words(words[cut:])
        if left is not None and right is not None:
            return _checked(_months(left, today)[0], _months(right, today)[1], options, today)
    raise UsageError(f"I don't understand '{' '.join(words)}' as months.\n{BILLS_HELP}")


def _cycle_flag(raw: str | None) -> str | None:
    if raw is None:
        return None
    if not _CYCLE.match(raw[:7]) or len(raw) not in (7, 10):
        raise UsageError(f"Invalid month '{raw}'. Use YYYY-MM.\n{BILLS_HELP}")
    return raw[:7]


def _months(period: Period, today: date) -> tuple[str, str]:
    rng = resolve(today=today, period=period.preset, days=period.days, from_=period.from_, to=period.to)
    return rng.start.strftime("%Y-%m"), rng.end.strftime("%Y-%m")


def _checked(first: str | None, last: str | None, options: Options, today: date) -> Bills:
    if first is None or last is None:
        return Bills(None, None, options)
    if first > last:
        raise UsageError(f"{first} is after {last}: give the earlier month first.\n{BILLS_HELP}")
    current = today.strftime("%Y-%m")
    if first > current:
        raise UsageError(f"{first} has not been billed yet.\n{BILLS_HELP}")
    count = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) + 1
    if count > MAX_MONTHS:
        raise UsageError(f"That is {count} months; ask for at most {MAX_MONTHS}.\n{BILLS_HELP}")
    return Bills(first, min(last, current), options)


def read(rest: str, period: Period, dated: bool, options: Options, *, today: date) -> Billing | Bills | None:
    """A plain question about API keys (-> billing by api-key) or settled bills (-> bills), else None."""
    if SETTLED.search(rest):
        if not dated:
            return Bills(None, None, options)
        first, last = _months(period, today)
        return _checked(first, last, options, today)
    if API_KEYS.search(rest):
        return Billing("api-key", period, options)
    return None

