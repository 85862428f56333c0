"""The team part of the `/qwen` grammar (and of admin DMs): digests, alerts, team accounts. Pure.

digest subscribe [weekly|monthly] [DAY] [HH:MM] [TIMEZONE] [ACCOUNT]
digest list | digest unsubscribe [ID|ACCOUNT] | digest preview [weekly|monthly] [ACCOUNT]
alert add free-tier MODEL below X% [ACCOUNT]
alert add coding-plan 5h|week|month above Y% [ACCOUNT]
alert add payg daily|monthly above AMOUNT [ACCOUNT]
alert add error-rate [1h] above X% [ACCOUNT] | alert add spend-limit within X% [ACCOUNT]
alert list | alert remove ID   (parsed in team_alerts.py)
link NAME | relink NAME | unlink NAME | accounts
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import time
from typing import Literal

from bot.base.schedule import WEEKDAYS, Cadence, zone

# the alert grammar and the shared texts live beside this module; their names stay importable from here
from bot.core.grammar.team_alerts import MAX_AMOUNT as MAX_AMOUNT
from bot.core.grammar.team_alerts import MAX_DECIMALS as MAX_DECIMALS
from bot.core.grammar.team_alerts import WINDOWS as WINDOWS
from bot.core.grammar.team_alerts import AlertAdd as AlertAdd
from bot.core.grammar.team_alerts import AlertKind as AlertKind
from bot.core.grammar.team_alerts import AlertList as AlertList
from bot.core.grammar.team_alerts import AlertRemove as AlertRemove
from bot.core.grammar.team_alerts import parse_alert
from bot.core.grammar.team_help import ACCOUNT_NAME as ACCOUNT_NAME
from bot.core.grammar.team_help import TEAM_HELP as TEAM_HELP
from bot.core.grammar.team_help import TEAM_USAGE as TEAM_USAGE
from bot.core.grammar.team_help import account_name as account_name
from bot.core.grammar.team_help import team_error as team_error

TEAM_HEADS = ("digest", "alert", "alerts", "link", "relink", "unlink", "accounts")


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
        return parse_alert(rest if head == "alert" else ["list", *rest])
    if head == "accounts":
        return AccountAction("list")
    if len(rest) != 1:
        raise team_error(f"`{head}` needs one account name, e.g. `{head} prod`.")
    return AccountAction(head, account_name(rest[0]))  # type: ignore[arg-type]


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
