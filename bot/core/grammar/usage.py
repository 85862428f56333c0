"""One parser for `/qwen` text and the terminal's flags -> a typed `Command`.

Natural words map onto the official period semantics (contract §4): presets stay presets (`last month` ->
`last-month`), `last N days` -> `--days N`, a month name -> the most recent such month not in the future
(`YYYY-MM`), quarters and other ranges -> `--from/--to`. Pure: `today` is passed in.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from bot.base.errors import UsageError
from bot.core.grammar import spend
from bot.core.grammar.terms import Format as Format  # re-exported: callers name them grammar.*
from bot.core.grammar.terms import Options as Options
from bot.core.grammar.terms import Period as Period

Granularity = Literal["day", "month", "quarter"]
PRESETS = ("today", "yesterday", "week", "month", "last-month", "quarter", "year")
_ALIASES = {"this-week": "week", "this-month": "month", "this-quarter": "quarter", "this-year": "year"}
_ALIASES |= {"ytd": "year", "mtd": "month", "qtd": "quarter", "current": "month"}
_MONTH_NAMES = (
    "jan january|feb february|mar march|apr april|may|jun june|jul july|aug august|sep sept september|"
    "oct october|nov november|dec december"
)
_MONTHS = {name: i for i, names in enumerate(_MONTH_NAMES.split("|"), start=1) for name in names.split()}

USAGE_TEXT = """\
Usage: /qwen <command>
  usage [summary] [PERIOD | --from YYYY-MM-DD --to YYYY-MM-DD]
  usage breakdown --model MODEL [--days N | --period P | --from D --to D] [--granularity day|month|quarter]
  free-tier    payg [PERIOD]    login    logout    status    version    help
  billing [by model|by api-key] [PERIOD]    bills [FROM-MONTH] [TO-MONTH]
  add --format text for the CLI's text layout
PERIOD: today, yesterday, this week, month, last month, quarter, ytd, last 7 days, march, march 2026, \
2026-03, q1
Examples: /qwen usage last month · /qwen payg last 7 days · /qwen free-tier\n\
          /qwen usage breakdown --model qwen-plus --period 2026-03"""


@dataclass(frozen=True, slots=True)
class Help:
    options: Options = field(default_factory=Options)


@dataclass(frozen=True, slots=True)
class Login:
    options: Options = field(default_factory=Options)


@dataclass(frozen=True, slots=True)
class Logout:
    options: Options = field(default_factory=Options)


@dataclass(frozen=True, slots=True)
class Status:
    options: Options = field(default_factory=Options)


@dataclass(frozen=True, slots=True)
class Version:
    options: Options = field(default_factory=Options)


@dataclass(frozen=True, slots=True)
class UsageSummary:
    period: Period = field(default_factory=Period)
    options: Options = field(default_factory=Options)


@dataclass(frozen=True, slots=True)
class UsageBreakdown:
    model: str | None = None  # None: the chat offers a picker
    period: Period = field(default_factory=Period)
    granularity: Granularity = "day"
    options: Options = field(default_factory=Options)


@dataclass(frozen=True, slots=True)
class FreeTier:
    options: Options = field(default_factory=Options)


@dataclass(frozen=True, slots=True)
class Payg:
    period: Period = field(default_factory=Period)
    options: Options = field(default_factory=Options)


Command = (
    Help | Login | Logout | Status | Version | UsageSummary | UsageBreakdown | FreeTier | Payg
    | spend.Billing | spend.Bills
)
_SIMPLE: dict[str, type[Help | Login | Logout | Status | Version | FreeTier]] = {
    **dict.fromkeys(("help", "?"), Help),
    **dict.fromkeys(("login",), Login),
    **dict.fromkeys(("logout",), Logout),
    **dict.fromkeys(("status", "whoami"), Status),
    **dict.fromkeys(("version",), Version),
    **dict.fromkeys(("free-tier", "freetier", "free"), FreeTier),
}


def usage_error(reason: str) -> UsageError:
    return UsageError(f"{reason}\n{USAGE_TEXT}")


@dataclass(slots=True)
class _Flags:
    words: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    refresh: bool = False


_VALUED = {"--format", "--model", "--days", "--period", "--from", "--to", "--granularity"}


def _split(text: str) -> list[str]:
    text = text.replace("\u2014", "--").replace("\u2013", "--").replace("\u201c", '"').replace("\u201d", '"')
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _flags(tokens: list[str]) -> _Flags:
    out = _Flags()
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        name, eq, inline = tok.partition("=")
        if tok.startswith("--") and name.lower() in _VALUED:
            if eq:
                value = inline
            elif i + 1 < len(tokens):
                i += 1
                value = tokens[i]
            else:
                raise usage_error(f"{name} needs a value.")
            out.values[name.lower()] = value
        elif tok.lower() in ("--refresh", "--no-cache"):
            out.refresh = True
        elif tok.startswith("--"):
            raise usage_error(f"Unknown option {tok}.")
        else:
            out.words.append(tok.lower())
        i += 1
    return out


def _options(flags: _Flags) -> Options:
    fmt = flags.values.get("--format")
    if fmt is not None and fmt.lower() not in ("text", "json"):
        raise usage_error(f"Unknown format '{fmt}'. Use text or json.")
    return Options(format=fmt.lower() if fmt else None, refresh=flags.refresh)  # type: ignore[arg-type]


def parse(text: str, *, today: date) -> Command:
    """Parse `/qwen` text (or the terminal's argv joined) into a Command; raise UsageError otherwise."""
    try:
        return parse_tokens(_split(text), today=today)
    except (ValueError, OverflowError) as exc:  # a date past the calendar's end (`q4 9999`) is bad input too
        raise usage_error("That date is out of range.") from exc


def parse_tokens(tokens: list[str], *, today: date) -> Command:
    flags = _flags(tokens)
    options = _options(flags)
    words = _join_names(flags.words)
    if not tokens:
        return Help(options)
    if words[:1] == ["usage"]:
        words = words[1:]
    head = words[0] if words else ""
    if head in _SIMPLE and (len(words) == 1 or head == "help"):
        return _SIMPLE[head](options)
    if head in ("payg", "pay-as-you-go"):
        return Payg(_period(words[1:], flags, today=today, days_ok=True), options)
    if head == "breakdown":
        return _breakdown(words[1:], flags, options, today=today)
    if head in ("billing", "bills"):
        return _spend(head, words[1:], flags, options, today=today)
    if head == "summary":
        words = words[1:]
    return UsageSummary(_period(words, flags, today=today, days_ok=False), options)


def _join_names(words: list[str]) -> list[str]:
    text = " ".join(words)
    text = re.sub(r"\bfree[- ]tier\b", "free-tier", text)
    text = re.sub(r"\bpay[- ]as[- ]you[- ]go\b", "payg", text)
    return text.split()


def _breakdown(words: list[str], flags: _Flags, options: Options, *, today: date) -> UsageBreakdown:
    model = flags.values.get("--model")
    if model is None and words and _period_words(words, today) is None:
        model, words = words[0], words[1:]  # "/qwen usage breakdown qwen-plus last month"
    gran = flags.values.get("--granularity", "day").lower()
    if gran not in ("day", "month", "quarter"):
        raise usage_error(f"Invalid granularity '{gran}'. Allowed: day, month, quarter")
    period = _period(words, flags, today=today, days_ok=True, breakdown=True)
    return UsageBreakdown(model, period, gran, options)  # type: ignore[arg-type]


def _spend(
    head: str, words: list[str], flags: _Flags, options: Options, *, today: date
) -> spend.Billing | spend.Bills:
    """`billing` and `bills` (grammar/spend.py), with this module's period readers."""
    return spend.parse(
        head,
        words,
        flags.values,
        options,
        today=today,
        period_of=lambda w: _period(w, flags, today=today, days_ok=True),
        period_words=lambda w: _period_words(w, today),
    )


def _period(
    words: list[str], flags: _Flags, *, today: date, days_ok: bool, breakdown: bool = False
) -> Period:
    values = flags.values
    for only in ("--model", "--granularity"):
        if only in values and not breakdown:
            raise usage_error(f"{only} is only for `usage breakdown`.")
    if "--from" in values or "--to" in values:
        period = Period(from_=_date(values.get("--from")), to=_date(values.get("--to")))
    elif "--days" in values:
        period = Period(days=_days(values["--days"]))
    elif "--period" in values:
        found = _period_words(_split(values["--period"].lower()), today)
        if found is None:
            raise usage_error(f"Invalid period: '{values['--period']}'.")
        period = found
    else:
        period = Period()
    if words:
        if not period.is_default:
            raise usage_error(f"Unexpected words: {' '.join(words)}.")
        found = _period_words(words, today)
        if found is None:
            raise usage_error(f"I don't understand '{' '.join(words)}'.")
        period = found
    if period.days is not None and not days_ok:
        # summary has no --days: "last 7 days" becomes the same window as explicit dates.
        period = Period(from_=today - timedelta(days=period.days - 1), to=today)
    return period


def _date(raw: str | None) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise usage_error(f"Invalid date '{raw}'. Use YYYY-MM-DD.") from exc


def _days(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 366:
        raise usage_error(f"Invalid --days '{raw}'. Use a whole number from 1 to 366.")
    return int(raw)


_DAYS_RE = re.compile(r"^(?:(?:last|past|previous)-)?(\d{1,3})-?(?:days?|d)$")
_QUARTER_RE = re.compile(r"^q([1-4])(?:-(\d{4}))?$")
_YM_RE = re.compile(r"^(\d{4})-(\d{2})$")


def _period_words(words: list[str], today: date) -> Period | None:
    """Natural period words -> official flags, or None when they are not a period."""
    phrase = "-".join(w.strip(",.") for w in words if w not in ("for", "in", "the", "of", "during"))
    phrase = _ALIASES.get(phrase, phrase)
    if phrase in PRESETS:
        return Period(preset=phrase)
    if phrase in ("last-week", "previous-week"):
        start = today - timedelta(days=today.weekday() + 7)
        return Period(from_=start, to=start + timedelta(days=6))
    if phrase in ("last-quarter", "previous-quarter"):
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        end = first - timedelta(days=1)
        return Period(from_=date(end.year, end.month - 2, 1), to=end)
    if phrase in ("last-year", "previous-year"):
        return Period(from_=date(today.year - 1, 1, 1), to=date(today.year - 1, 12, 31))
    if phrase in ("previous-month",):
        return Period(preset="last-month")
    if m := _DAYS_RE.match(phrase):
        return Period(days=_days(m.group(1)))
    if m := _QUARTER_RE.match(phrase) or _QUARTER_RE.match("-".join(reversed(phrase.split("-")))):
        if m.group(2) and int(m.group(2)) < 1:
            return None
        return _quarter(int(m.group(1)), int(m.group(2)) if m.group(2) else None, today)
    if m := _YM_RE.match(phrase):
        if not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1:
            return None
        return Period(preset=phrase)
    return _month_name(phrase, today)


def _quarter(q: int, year: int | None, today: date) -> Period:
    if year is None:
        year = today.year if date(today.year, 3 * q - 2, 1) <= today else today.year - 1
    start = date(year, 3 * q - 2, 1)
    end = (date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)) - timedelta(days=1)
    return Period(from_=start, to=min(end, today) if start <= today else end)


def _month_name(phrase: str, today: date) -> Period | None:
    parts = phrase.split("-")
    if parts[0] in ("last", "previous") and len(parts) > 1:
        parts = parts[1:]
    month = _MONTHS.get(parts[0])
    if month is None or len(parts) > 2:
        return None
    if len(parts) == 2:
        if not re.fullmatch(r"[0-9]{4}", parts[1]) or int(parts[1]) < 1:
            return None
        year = int(parts[1])
    else:
        year = today.year if month <= today.month else today.year - 1
    return Period(preset=f"{year:04d}-{month:02d}")
