"""`usage logs`: flags -> the time range and the listModelLogs request (qwencloud-api-billing.md §1.1-§1.3).

Pure: `now` and the local zone are passed in. JavaScript date semantics where the official CLI relies on
them (`Date.parse` of a bare date is UTC midnight; a date-time without an offset is local time).
Deliberate differences (docs/differences.md): `--to` alone as a date-time, `from` after `to` and unknown
`--status` values are handled, not passed on silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from bot.base.errors import InvalidArgument, QwenBotError
from bot.base.periods import preset_range
from bot.qwencloud.parse_data import iso_ms

MAX_DAYS = 14
STATUS_TYPES = {
    "0": "CANCEL",
    "cancel": "CANCEL",
    "canceled": "CANCEL",
    "2xx": "SUCCESS",
    "200": "SUCCESS",
    "success": "SUCCESS",
    "4xx": "CLIENT_ERROR",
    "client-error": "CLIENT_ERROR",
    "client_error": "CLIENT_ERROR",
    "5xx": "SERVER_ERROR",
    "server-error": "SERVER_ERROR",
    "server_error": "SERVER_ERROR",
}
_RELATIVE = re.compile(r"^(\d+)([hd])$")
_BARE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?"
    r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"(Z|[+-]\d{2}:\d{2})?$"
)
DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class LogsQuery:
    from_text: str
    to_text: str
    page: int
    page_size: int
    request: dict[str, Any]  # reqDTO, official key order; skip/maxResults for `page`


def js_parse(text: str, tz: tzinfo) -> int | None:
    """Date.parse for the ISO forms: ms since the epoch, or None (NaN)."""
    match = _ISO.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        base = datetime(
            int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:
        return None
    if int(hour or 0) == 24:
        return None
    ms = int((fraction or "0")[:3].ljust(3, "0"))
    if offset == "Z" or (hour is None and offset is None):
        aware = base.replace(tzinfo=UTC)
    elif offset:
        sign = 1 if offset[0] == "+" else -1
        delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
        aware = base.replace(tzinfo=UTC) - sign * delta
    else:
        aware = base.replace(tzinfo=tz)
    return int(aware.timestamp()) * 1000 + ms


def _local_midnight(day: date, tz: tzinfo) -> str:
    return iso_ms(datetime(day.year, day.month, day.day, tzinfo=tz))


def time_range(
    *, from_: str | None, to: str | None, period: str | None, now: datetime, tz: tzinfo
) -> tuple[str, str]:
    """§1.1: the (from, to) strings, as the official CLI computes them."""
    today = now.astimezone(tz).date()
    if from_ or to:
        if not from_ and to:
            anchor = js_parse(to[:10], tz) if _BARE_DATE.match(to[:10]) else None
            if anchor is None:
                raise InvalidArgument(f"Invalid date '{to}'. Use YYYY-MM-DD or RFC 3339.")
            # The official CLI reads `to + "T00:00:00"` (NaN for a date-time); we use the date part.
            return (date.fromisoformat(to[:10]) - timedelta(days=7)).isoformat(), to
        return str(from_), to or today.isoformat()
    if period:
        relative = _RELATIVE.match(period)
        if relative:
            amount = int(relative.group(1))
            span = timedelta(hours=amount) if relative.group(2) == "h" else timedelta(days=amount)
            return iso_ms(now - span), iso_ms(now)
        if period == "today":
            return _local_midnight(today, tz), iso_ms(now)
        if period == "yesterday":
            return _local_midnight(today - timedelta(days=1), tz), _local_midnight(today, tz)
        try:
            rng = preset_range(period, today=today)
        except QwenBotError as exc:
            raise InvalidArgument(exc.message) from exc
        return rng.from_text, rng.to_text
    return _local_midnight(today - timedelta(days=7), tz), iso_ms(now)


def _int_or(value: str | None, default: int) -> float:
    """commander's parseInt, then the CLI's Number.isFinite test (NaN -> default)."""
    if value is None:
        return default
    match = re.match(r"^\s*([+-]?\d+)", value)
    return int(match.group(1)) if match else float("nan")


def build_query(
    *,
    from_: str | None,
    to: str | None,
    period: str | None,
    models: list[str] | None,
    statuses: list[str] | None,
    request_id: str | None,
    page: str | None,
    page_size: str | None,
    now: datetime,
    tz: tzinfo,
) -> LogsQuery:
    """§1.2-§1.3 in order: range, 14-day check, (ours) order and status checks, then the request."""
    start_text, end_text = time_range(from_=from_, to=to, period=period, now=now, tz=tz)
    start_ms, end_ms = js_parse(start_text, tz), js_parse(end_text, tz)
    if start_ms is not None and end_ms is not None:
        if (end_ms - start_ms) / DAY_MS > MAX_DAYS:
            raise InvalidArgument("Time range cannot be longer than 14 days.")
        if start_ms > end_ms:
            raise InvalidArgument(
                f"Invalid date range: from ({start_text}) is after to ({end_text})", code="INVALID_RANGE"
            )
    types: list[str] = []
    for status in statuses or []:
        mapped = STATUS_TYPES.get(status.lower())
        if mapped is None:
            raise InvalidArgument(
                f"Invalid status '{status}'. Valid: 0 (cancel), 2xx, 4xx, 5xx"
                " (also cancel, success, client-error, server-error)"
            )
        types.append(mapped)
    raw_page, raw_size = _int_or(page, 1), _int_or(page_size, 20)
    page_no = int(raw_page) if raw_page == raw_page and raw_page >= 1 else 1
    size = min(100, int(raw_size)) if raw_size == raw_size and raw_size >= 1 else 20
    end_wire = end_ms if end_ms is not None else 0
    if _BARE_DATE.match(end_text) and end_ms is not None:
        end_wire = end_ms + DAY_MS
    request: dict[str, Any] = {
        "startTime": start_ms if start_ms is not None else 0,
        "endTime": end_wire,
        "maxResults": size,
        "skip": (page_no - 1) * size,
    }
    if request_id:
        request["modelRequestId"] = request_id
    else:
        if models:
            request["models"] = list(models)
        if types:
            request["statusCodeTypes"] = types
    return LogsQuery(start_text, end_text, page_no, size, request)


def page_request(query: LogsQuery, page: int) -> dict[str, Any]:
    return {**query.request, "skip": (page - 1) * query.page_size}
