"""`/qwen logs`, `/qwen limit`, `/qwen plan`: the command forms -> `Logs`, `Limit`, `Plan`, and a window of
call logs -> the instants it covers.

`logs` words in any order: a status (errors, 4xx, 5xx, ...), models (ids with a dash or a digit), a request
id (a UUID, or the word after "request"), a window ("last 6 hours", "6h", "3d", "today", "yesterday",
"last 3 days", a date or two) or the flags `--status --model --request-id --period --from --to`. The
window is the last 24 hours by default and at most 14 days, the server's limit (contract §1.3). Pure:
`today` and `now` are passed in. Must not import usage.py, which imports this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo

from bot.base.errors import UsageError
from bot.core.grammar.terms import Options
from bot.core.logs_query import STATUS_TYPES

MAX_DAYS = 14
FAILURES = ("CLIENT_ERROR", "SERVER_ERROR")
LOGS_HELP = (
    "Usage: /qwen logs [errors|4xx|5xx] [MODEL] [REQUEST_ID] [WINDOW]\n"
    "WINDOW: last 6 hours, today, yesterday, last 3 days, --period 6h|3d, --from YYYY-MM-DD --to YYYY-MM-DD "
    "(last 24 hours by default, at most 14 days)\n"
    "Examples: /qwen logs errors · /qwen logs 5xx qwen-plus last 6 hours · /qwen logs <request id>"
)
HEADS = {
    **dict.fromkeys(("logs", "log", "call-logs"), "logs"),
    **dict.fromkeys(("limit", "limits", "spend-limit"), "limit"),
    **dict.fromkeys(("plan", "plans", "subscription", "subscriptions"), "plan"),
}
STATUS_WORDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("errors", "error", "failed", "failures", "failure", "fail", "failing"), FAILURES),
    **dict.fromkeys(("4xx", "client-error", "client-errors"), ("CLIENT_ERROR",)),
    **dict.fromkeys(("5xx", "server-error", "server-errors"), ("SERVER_ERROR",)),
    **dict.fromkeys(("2xx", "success", "successful", "succeeded", "ok"), ("SUCCESS",)),
    **dict.fromkeys(("cancel", "canceled", "cancelled", "cancels"), ("CANCEL",)),
}
_VALUED = ("--status", "--model", "--request-id", "--period", "--from", "--to", "--format")
_FILLER = {"in", "the", "for", "of", "on", "from", "over", "during", "calls", "call", "with", "and", "any"}
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
_MODEL = re.compile(r"^[a-z][a-z0-9._:/-]*$")
_NUMBER = r"(\d{1,4}|an?|one|two|three|four|five|six|twelve|twenty-four)"
_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_WORD_NUMBERS |= {"twelve": 12, "twenty-four": 24}
_RELATIVE = re.compile(
    r"\b(?:(?:last|past|previous)\s+(?:" + _NUMBER + r"\s*)?|" + r"(\d{1,4})\s*)(hours?|hrs?|h|days?|d)\b"
)
_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")


@dataclass(frozen=True, slots=True)
class Window:
    """At most one form is set; none: the last 24 hours."""

    hours: int | None = None  # the last N hours, up to now
    days: int | None = None  # the last N days (N x 24 hours), up to now
    day: str | None = None  # "today" (local midnight to now) or "yesterday" (the whole local day)
    from_: date | None = None  # whole local days, from_ .. to
    to: date | None = None

    @property
    def is_default(self) -> bool:
        return self == Window()


@dataclass(frozen=True, slots=True)
class Logs:
    statuses: tuple[str, ...] = ()  # wire status types (CLIENT_ERROR, ...); empty: every status
    models: tuple[str, ...] = ()
    request_id: str | None = None  # alone: that one call
    window: Window = field(default_factory=Window)
    options: Options = field(default_factory=Options)


@dataclass(frozen=True, slots=True)
class Limit:
    options: Options = field(default_factory=Options)


@dataclass(frozen=True, slots=True)
class Plan:
    options: Options = field(default_factory=Options)


def logs_error(reason: str) -> UsageError:
    return UsageError(f"{reason}\n{LOGS_HELP}")


def parse_calls(tokens: list[str], *, today: date) -> Logs | Limit | Plan | None:
    """The command forms of this family, or None when `tokens` are another command."""
    lowered = [t.lower() for t in tokens]
    at = 1 if lowered[:1] == ["usage"] else 0
    if lowered[at : at + 2] == ["spend", "limit"]:
        lowered[at : at + 2] = ["spend-limit"]
        tokens = [*tokens[:at], "spend-limit", *tokens[at + 2 :]]
    kind = HEADS.get(lowered[at] if len(lowered) > at else "")
    if kind is None:
        return None
    words, values, options = _flags(tokens[at + 1 :])
    if kind == "logs":
        return _logs(words, values, options, today=today)
    if [w for w in words if w != "status"] or values:
        extra = " ".join([*words, *values])
        raise UsageError(f"`/qwen {kind}` takes no '{extra}'. Try: /qwen {kind}")
    return Limit(options) if kind == "limit" else Plan(options)


def _flags(tokens: list[str]) -> tuple[list[str], dict[str, list[str]], Options]:
    words: list[str] = []
    values: dict[str, list[str]] = {}
    refresh, i = False, 0
    while i < len(tokens):
        name, eq, inline = tokens[i].partition("=")
        if name.lower() in _VALUED:
            if not eq and i + 1 >= len(tokens):
                raise logs_error(f"{name} needs a value.")
            value = inline if eq else tokens[i + 1]
            i += 0 if eq else 1
            values.setdefault(name.lower(), []).append(value)
        elif name.lower() in ("--refresh", "--no-cache"):
            refresh = True
        elif name.startswith("--"):
            raise logs_error(f"Unknown option {name}.")
        else:
            words.append(tokens[i].lower())
        i += 1
    fmt = (values.pop("--format", [""])[-1] or "").lower() or None
    if fmt not in (None, "text", "json"):
        raise logs_error(f"Unknown format '{fmt}'. Use text or json.")
    return words, values, Options(format=fmt, refresh=refresh)  # type: ignore[arg-type]


def _logs(words: list[str], values: dict[str, list[str]], options: Options, *, today: date) -> Logs:
    statuses: list[str] = []
    for raw in values.get("--status", []):
        if raw.lower() not in STATUS_TYPES:
            raise logs_error(f"Invalid status '{raw}'. Valid: 0 (cancel), 2xx, 4xx, 5xx.")
        statuses.append(STATUS_TYPES[raw.lower()])
    request_id = _last(values, "--request-id")
    window = flag_window(values, today=today)
    text, request_id = _request_id(" ".join(words), request_id)
    found, text = find_window(text, today=today)
    if found is not None:
        if not window.is_default:
            raise logs_error(f"Two windows: '{' '.join(words)}' and the flags.")
        window = found
    models = list(values.get("--model", []))
    for word in text.split():
        if word in STATUS_WORDS:
            statuses += [s for s in STATUS_WORDS[word] if s not in statuses]
        elif _MODEL.match(word) and re.search(r"[\d-]", word):
            models.append(word)
        elif word not in _FILLER:
            raise logs_error(f"I don't understand '{word}' (a status, a model id, a request id or a window).")
    return Logs(tuple(dict.fromkeys(statuses)), tuple(dict.fromkeys(models)), request_id, window, options)


def _request_id(text: str, flag: str | None) -> tuple[str, str | None]:
    """A UUID anywhere, or the word after "request" / "id"; it is taken out of the text."""
    if m := UUID.search(text):
        return text[: m.start()] + text[m.end() :], flag or m.group(0)
    if m := re.search(r"\b(?:request(?:[\s-]id)?|id)[\s:]+([a-z0-9][a-z0-9_-]{5,})\b", text):
        return text[: m.start()] + text[m.end() :], flag or m.group(1)
    return text, flag


def _last(values: dict[str, list[str]], name: str) -> str | None:
    given = values.get(name)
    return given[-1] if given else None


def flag_window(values: dict[str, list[str]], *, today: date) -> Window:
    period = _last(values, "--period")
    start, end = _last(values, "--from"), _last(values, "--to")
    if start or end:
        first, last = _date(start) if start else None, _date(end) if end else today
        return checked(Window(from_=first or last - timedelta(days=7), to=last), today=today)  # as the CLI
    if period is None:
        return Window()
    found, rest = find_window(period.lower(), today=today)
    if found is None or rest.strip():
        raise logs_error(f"Invalid period '{period}'. Use 6h, 3d, today or yesterday.")
    return found


def find_window(text: str, *, today: date) -> tuple[Window | None, str]:
    """The first window phrase in `text` (lower case) and the text without it."""
    for rx, make in _READERS:
        if m := rx.search(text):
            return checked(make(m, today), today=today), text[: m.start()] + " " + text[m.end() :]
    return None, text


def _relative(m: re.Match[str], today: date) -> Window:
    raw = m.group(1) or m.group(2) or "1"
    count = int(raw) if raw.isdigit() else _WORD_NUMBERS[raw]
    return Window(hours=count) if m.group(3).startswith("h") else Window(days=count)


def _dates(m: re.Match[str], today: date) -> Window:
    first = _date(m.group(1))
    last = _date(m.group(2)) if m.group(2) else first
    return Window(from_=first, to=last)


_READERS = (
    (_RELATIVE, _relative),
    (re.compile(r"\b(today|yesterday)\b"), lambda m, today: Window(day=m.group(1))),
    (re.compile(r"\b(?:this|last|past)\s+week\b|^week$"), lambda m, today: Window(days=7)),
    (re.compile(r"\b(\d{4}-\d{2}-\d{2})(?:\s*(?:to|-|→|\.\.)\s*(\d{4}-\d{2}-\d{2}))?\b"), _dates),
)


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise logs_error(f"Invalid date '{raw}'. Use YYYY-MM-DD.") from exc


def checked(window: Window, *, today: date) -> Window:
    """Refused before any call: empty, reversed, in the future or longer than the server keeps."""
    too_long = logs_error("Call logs cover at most 14 days; ask for a shorter window.")
    if window.hours is not None and not 1 <= window.hours <= MAX_DAYS * 24:
        raise too_long if window.hours else logs_error("The window needs at least 1 hour.")
    if window.days is not None and not 1 <= window.days <= MAX_DAYS:
        raise too_long if window.days else logs_error("The window needs at least 1 day.")
    if window.from_ is not None and window.to is not None:
        if window.from_ > window.to:
            raise logs_error(f"The window starts ({window.from_}) after it ends ({window.to}).")
        if window.from_ > today:
            raise logs_error(f"{window.from_} is in the future.")
        if (window.to - window.from_).days + 1 > MAX_DAYS:
            raise too_long
    return window


def resolve(window: Window, *, now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """The instants a window covers for an asker in `tz`: [start, end), end never after now."""
    midnight = datetime.combine(now.astimezone(tz).date(), time(), tzinfo=tz)
    if window.hours is not None:
        return now - timedelta(hours=window.hours), now
    if window.days is not None:
        return now - timedelta(days=window.days), now
    if window.day == "today":
        return midnight, now
    if window.day == "yesterday":
        return midnight - timedelta(days=1), midnight
    if window.from_ is not None and window.to is not None:
        start = datetime.combine(window.from_, time(), tzinfo=tz)
        end = datetime.combine(window.to + timedelta(days=1), time(), tzinfo=tz)
        return start, min(end, now)
    return now - timedelta(hours=24), now


def with_lookup_window(command: Logs) -> Logs:
    """A request id alone is looked for over everything the server keeps."""
    if command.request_id and command.window.is_default:
        return replace(command, window=Window(days=MAX_DAYS))
    return command
