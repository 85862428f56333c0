"""The `/qwen alert …` part of the team grammar. Pure.

alert add free-tier MODEL below X% [ACCOUNT]
alert add coding-plan 5h|week|month above Y% [ACCOUNT]
alert add payg daily|monthly above AMOUNT [ACCOUNT]
alert add error-rate [1h] above X% [ACCOUNT]        (failed calls over the last hour)
alert add spend-limit within X% [ACCOUNT]           (month-to-date spend at 100 - X % of the limit or more)
alert list | alert remove ID
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from bot.core.grammar.team_help import account_name, team_error

AlertKind = Literal["free_tier", "coding_plan", "payg_daily", "payg_monthly", "error_rate", "spend_limit"]
WINDOWS = {
    "5h": "per_5h",
    "per-5h": "per_5h",
    "per_5h": "per_5h",
    "5-hour": "per_5h",
    "week": "weekly",
    "weekly": "weekly",
    "month": "monthly",
    "monthly": "monthly",
}
ERROR_RATE_WINDOW = "1h"  # the only window: the hour before each check
_HOUR_WORDS = ("1h", "hour", "1-hour", "last-hour", "60m")
_ERROR_RATE_WORDS = ("error-rate", "errorrate", "error_rate", "errors", "error")
_SPEND_LIMIT_WORDS = ("spend-limit", "spendlimit", "spend_limit", "limit")

MAX_AMOUNT = Decimal(10**9)  # a bound, far above any real spend: views render what is stored
MAX_DECIMALS = 4  # money is shown to 4 places; more would be stored and never shown


@dataclass(frozen=True, slots=True)
class AlertAdd:
    kind: AlertKind
    target: str  # model id, window key, "1h" for the error rate, or "" for payg and the spend limit
    threshold: Decimal
    account: str | None = None


@dataclass(frozen=True, slots=True)
class AlertList:
    pass


@dataclass(frozen=True, slots=True)
class AlertRemove:
    rule_id: int


AlertCommand = AlertAdd | AlertList | AlertRemove


def parse_alert(words: list[str]) -> AlertCommand:
    """The words after `alert`."""
    sub = words[0].lower() if words else "list"
    rest = words[1:]
    if sub == "list" and not rest:
        return AlertList()
    if sub in ("remove", "delete", "rm") and len(rest) == 1:
        raw = rest[0].lstrip("#")
        if not raw.isdigit():
            raise team_error(f"'{rest[0]}' is not an alert id (see `/qwen alert list`).")
        return AlertRemove(int(raw))
    if sub == "add":
        if rest and rest[0].lower() in (*_ERROR_RATE_WORDS, *_SPEND_LIMIT_WORDS):
            return _new_kind(rest)
        return _alert_add(rest)
    raise team_error(f"I don't understand `alert {' '.join(words)}`.")


def _alert_add(words: list[str]) -> AlertAdd:
    low = [w.lower() for w in words]
    account = account_name(words[4]) if len(words) == 5 else None
    if len(words) not in (4, 5):
        raise team_error("An alert is: KIND TARGET below|above VALUE [ACCOUNT].")
    kind_word, target, direction, value = low[0], words[1], low[2], low[3]
    if kind_word in ("free-tier", "freetier", "free"):
        _expect(direction, "below")
        return AlertAdd("free_tier", target, _percent(value), account)
    if kind_word in ("coding-plan", "codingplan", "coding"):
        _expect(direction, "above")
        window = WINDOWS.get(target.lower())
        if window is None:
            raise team_error(f"Unknown coding-plan window '{target}' (5h, week or month).")
        return AlertAdd("coding_plan", window, _percent(value), account)
    if kind_word == "payg":
        _expect(direction, "above")
        if target.lower() not in ("daily", "monthly", "day", "month"):
            raise team_error("A payg alert is daily or monthly.")
        kind: AlertKind = "payg_daily" if target.lower().startswith("da") else "payg_monthly"
        return AlertAdd(kind, "", _amount(value), account)
    raise team_error(
        f"Unknown alert kind '{words[0]}' (free-tier, coding-plan, payg, error-rate or spend-limit)."
    )


def _new_kind(words: list[str]) -> AlertAdd:
    """error-rate [1h] above X% [ACCOUNT] · spend-limit within X% [ACCOUNT]: no target word of their own."""
    error_rate = words[0].lower() in _ERROR_RATE_WORDS
    rest = words[1:]
    if error_rate and rest and rest[0].lower() in _HOUR_WORDS:
        rest = rest[1:]
    example = "error-rate above 10%" if error_rate else "spend-limit within 10%"
    if len(rest) not in (2, 3) or rest[0].lower() != ("above" if error_rate else "within"):
        window = " (over the last hour)" if error_rate else ""
        raise team_error(f"This alert is written `{example} [ACCOUNT]`{window}.")
    account = account_name(rest[2]) if len(rest) == 3 else None
    threshold = _below_100(rest[1])
    if error_rate:
        return AlertAdd("error_rate", ERROR_RATE_WINDOW, threshold, account)
    return AlertAdd("spend_limit", "", threshold, account)


def _expect(direction: str, wanted: str) -> None:
    if direction != wanted:
        raise team_error(f"This alert fires {wanted} a threshold: use `{wanted}`.")


def _percent(raw: str) -> Decimal:
    value = _number(raw.rstrip("%"))
    if not 0 <= value <= 100 or _decimals(value) > MAX_DECIMALS:
        raise team_error(f"'{raw}' is not a percentage between 0 and 100 (at most {MAX_DECIMALS} decimals).")
    return value


def _below_100(raw: str) -> Decimal:
    """An error rate or a distance to the limit: 100 would make the rule meaningless (never / always)."""
    value = _number(raw.rstrip("%"))
    if not 0 <= value < 100 or _decimals(value) > MAX_DECIMALS:
        raise team_error(
            f"'{raw}' must be a percentage from 0 up to (not including) 100, at most {MAX_DECIMALS} decimals."
        )
    return value


def _amount(raw: str) -> Decimal:
    value = _number(raw.lstrip("$"))
    if value <= 0 or value > MAX_AMOUNT or _decimals(value) > MAX_DECIMALS:
        raise team_error(f"'{raw}' must be a positive amount up to 1000000000, with at most 4 decimals.")
    return value


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _number(raw: str) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise team_error(f"'{raw}' is not a number.") from exc
    if not value.is_finite():
        raise team_error(f"'{raw}' is not a number.")
    return value
