"""The team part of the `/qwen` grammar (and of admin DMs): digests, alerts, team accounts. Pure.

digest subscribe [weekly|monthly] [DAY] [HH:MM] [TIMEZONE] [ACCOUNT]
digest list | digest unsubscribe [ID|ACCOUNT] | digest preview [weekly|monthly] [ACCOUNT]
alert add free-tier MODEL below X% [ACCOUNT]
alert add coding-plan 5h|week|month above Y% [ACCOUNT]
alert add payg daily|monthly above AMOUNT [ACCOUNT]
alert list | alert remove ID
link NAME | relink NAME | unlink NAME | accounts
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import time
from decimal import Decimal, InvalidOperation
from typing import Literal

from bot.base.errors import UsageError
from bot.base.schedule import WEEKDAYS, Cadence, zone

TEAM_HEADS = ("digest", "alert", "alerts", "link", "relink", "unlink", "accounts")
ACCOUNT_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
AlertKind = Literal["free_tier", "coding_plan", "payg_daily", "payg_monthly"]
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

TEAM_USAGE = """\
Team commands (admins):
  /qwen digest subscribe [weekly|monthly] [DAY] [HH:MM] [TIMEZONE] [ACCOUNT]
  /qwen digest list · /qwen digest unsubscribe [ID] · /qwen digest preview [weekly|monthly] [ACCOUNT]
  /qwen alert add free-tier MODEL below 20% · /qwen alert add coding-plan 5h above 80%
  /qwen alert add payg daily|monthly above 25 · /qwen alert list · /qwen alert remove ID
  DM the bot: link NAME · relink NAME · unlink NAME · accounts"""
# the compact form in `/qwen help` (every example parses: tests/unit/test_grammar_team.py)
TEAM_HELP = """\
Team (admins): digest subscribe|list|unsubscribe|preview    alert add|list|remove
  DM the bot: link NAME · relink NAME · unlink NAME · accounts
  e.g. /qwen digest subscribe weekly mon 09:00 · /qwen alert add payg daily above 25"""


@dataclass(frozen=True, slots=True)
class DigestSubscribe:
    cadence: Cadence = "weekly"
    day: int | None = None
    at: time | None = None
    timezone: str | None = None
    account: str | None = None


@dataclass(frozen=True, slots=True)
class DigestList:
    pass


@dataclass(frozen=True, slots=True)
class DigestUnsubscribe:
    target: str | None = None  # a subscription id or an account name; None: every one in the channel


@dataclass(frozen=True, slots=True)
class DigestPreview:
    cadence: Cadence = "weekly"
    account: str | None = None


@dataclass(frozen=True, slots=True)
class AlertAdd:
    kind: AlertKind
    target: str  # model id, window key, or "" for payg
    threshold: Decimal
    account: str | None = None


@dataclass(frozen=True, slots=True)
class AlertList:
    pass


@dataclass(frozen=True, slots=True)
class AlertRemove:
    rule_id: int


@dataclass(frozen=True, slots=True)
class AccountAction:
    action: Literal["link", "relink", "unlink", "list"]
    name: str | None = None


TeamCommand = (
    DigestSubscribe
    | DigestList
    | DigestUnsubscribe
    | DigestPreview
    | AlertAdd
    | AlertList
    | AlertRemove
    | AccountAction
)


def team_error(reason: str) -> UsageError:
    return UsageError(f"{reason}\n{TEAM_USAGE}")


def is_team_text(text: str) -> bool:
    words = text.strip().split(maxsplit=1)
    return bool(words) and words[0].lower() in TEAM_HEADS


def parse_team(text: str) -> TeamCommand:
    try:
        tokens = shlex.split(text.strip())
    except ValueError:
        tokens = text.split()
    if not tokens or tokens[0].lower() not in TEAM_HEADS:
        raise team_error("Not a team command.")
    head, rest = tokens[0].lower(), tokens[1:]
    if head == "digest":
        return _digest(rest)
    if head in ("alert", "alerts"):
        return _alert(rest if head == "alert" else ["list", *rest])
    if head == "accounts":
        return AccountAction("list")
    if len(rest) != 1:
        raise team_error(f"`{head}` needs one account name, e.g. `{head} prod`.")
    return AccountAction(head, account_name(rest[0]))  # type: ignore[arg-type]


def account_name(raw: str) -> str:
    name = raw.strip().lower()
    if not ACCOUNT_NAME.match(name):
        raise team_error(f"'{raw}' is not a valid account name (letters, digits, . _ -; up to 40).")
    return name


def _digest(words: list[str]) -> TeamCommand:
    sub = words[0].lower() if words else "list"
    rest = words[1:]
    if sub == "subscribe":
        return _subscribe(rest)
    if sub == "list" and not rest:
        return DigestList()
    if sub == "unsubscribe" and len(rest) <= 1:
        return DigestUnsubscribe(rest[0].lower() if rest else None)
    if sub == "preview" and len(rest) <= 2:
        cadence: Cadence = "weekly"
        account = None
        for word in rest:
            if word.lower() in ("weekly", "monthly"):
                cadence = "monthly" if word.lower() == "monthly" else "weekly"
            else:
                account = account_name(word)
        return DigestPreview(cadence, account)
    raise team_error(f"I don't understand `digest {' '.join(words)}`.")


def _subscribe(words: list[str]) -> DigestSubscribe:
    cadence: Cadence | None = None
    day: int | None = None
    at: time | None = None
    tz: str | None = None
    account: str | None = None
    for word in words:
        low = word.lower()
        if low in ("weekly", "monthly") and cadence is None:
            cadence = "weekly" if low == "weekly" else "monthly"
        elif day is None and (parsed_day := _day(low)) is not None:
            day = parsed_day
        elif at is None and (parsed_at := _time(low)) is not None:
            at = parsed_at
        elif tz is None and (parsed_tz := _timezone(word)) is not None:
            tz = parsed_tz
        elif account is None:
            account = account_name(word)
        else:
            raise team_error(f"Unexpected '{word}' in `digest subscribe`.")
    if cadence is None:
        cadence = "monthly" if day is not None and day >= 100 else "weekly"
    return DigestSubscribe(cadence, _check_day(cadence, day), at, tz, account)


def _day(word: str) -> int | None:
    """Weekdays as 0..6; month days as 100 + N (told apart later, once the cadence is known)."""
    for index, name in enumerate(WEEKDAYS):
        if word in (name, name[:3]) or (len(word) >= 3 and name.startswith(word)):
            return index
    m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?", word)
    return 100 + int(m.group(1)) if m else None


def _check_day(cadence: Cadence, day: int | None) -> int | None:
    if day is None:
        return None
    if cadence == "weekly":
        if day >= 100:
            raise team_error("A weekly digest takes a weekday (monday .. sunday).")
        return day
    if day < 100:
        raise team_error("A monthly digest takes a day of the month (1 .. 28).")
    if not 1 <= day - 100 <= 28:
        raise team_error("A monthly digest day must be 1 .. 28 (every month has those).")
    return day - 100


def _time(word: str) -> time | None:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", word)
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23 or minute > 59:
        raise team_error(f"'{word}' is not a time of day (HH:MM, 24-hour).")
    return time(hour, minute)


def _timezone(word: str) -> str | None:
    if "/" not in word and word.upper() not in ("UTC", "GMT"):
        return None
    for candidate in (word, word.upper(), "/".join(part.title() for part in word.split("/"))):
        try:
            zone(candidate)
        except ValueError:
            continue
        return candidate
    raise team_error(f"Unknown timezone '{word}' (use an IANA name such as Europe/Berlin).")


def _alert(words: list[str]) -> TeamCommand:
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
    raise team_error(f"Unknown alert kind '{words[0]}' (free-tier, coding-plan or payg).")


def _expect(direction: str, wanted: str) -> None:
    if direction != wanted:
        raise team_error(f"This alert fires {wanted} a threshold: use `{wanted}`.")


MAX_AMOUNT = Decimal(10**9)  # a bound, far above any real spend: views render what is stored
MAX_DECIMALS = 4  # money is shown to 4 places; more would be stored and never shown


def _percent(raw: str) -> Decimal:
    value = _number(raw.rstrip("%"))
    if not 0 <= value <= 100 or _decimals(value) > MAX_DECIMALS:
        raise team_error(f"'{raw}' is not a percentage between 0 and 100 (at most {MAX_DECIMALS} decimals).")
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
