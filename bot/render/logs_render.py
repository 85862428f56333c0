"""`usage logs` output: the official JSON (§1.5) and text (§1.6) of CLI 1.4.1."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo

from bot.core.logs_query import js_parse
from bot.qwencloud.billing_models import CallLog
from bot.render.jsnum import js_string, js_to_fixed
from bot.render.json import Json, dumps
from bot.render.text import DASH, table

_OFFSET_TAIL = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
_LEGACY = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(\d{2}:\d{2}:\d{2})$")


def created_at(log: CallLog, tz: tzinfo) -> str:
    """Local time with a numeric offset from the timestamp; else the legacy start_time (taken as UTC)."""
    if log.started_at is not None:
        local = log.started_at.replace(microsecond=0).astimezone(tz)
        offset = local.utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset is not None else 0
        sign = "+" if minutes >= 0 else "-"
        stamp = local.strftime("%Y-%m-%dT%H:%M:%S")
        return f"{stamp}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    raw = log.start_time
    cut = raw.rfind(".")
    text = raw[:cut] if cut >= 0 else raw
    if not text or "T" in text:
        return text
    match = _LEGACY.match(text)
    return f"{match.group(1)}T{match.group(2)}Z" if match else text


def log_item(log: CallLog, tz: tzinfo) -> Json:
    return {
        "requestId": log.request_id,
        "model": log.model,
        "createdAt": created_at(log, tz),
        "statusCode": log.status_code,
        "durationMs": log.duration_ms,
        "firstOutputDurationMs": 0,
        "errorCode": None,
        "usages": [{"key": u.key, "value": u.value} for u in log.usages],
    }


def logs_json(
    *, total: int, page: int, page_size: int, period: tuple[str, str], items: Sequence[CallLog], tz: tzinfo
) -> str:
    return dumps(
        {
            "totalCount": total,
            "page": page,
            "pageSize": page_size,
            "period": {"from": period[0], "to": period[1]},
            "items": [log_item(i, tz) for i in items],
        }
    )


def latency(ms: float) -> str:
    if ms <= 0:
        return DASH
    if ms >= 1000:
        return js_to_fixed(ms / 1000, 2) + " s"
    return f"{js_string(ms)} ms"


def logs_text(
    *,
    total: int,
    page: int,
    page_size: int,
    period: tuple[str, str],
    items: Sequence[CallLog],
    tz: tzinfo,
    all_pages: bool = False,
) -> str:
    def label(text: str) -> str:
        ms = js_parse(text, tz)
        if ms is None:
            return text
        return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M")

    title = f"{label(period[0])} → {label(period[1])}".strip()
    lines = [f"  Usage Logs  ·  {title}" if title else "  Usage Logs", ""]
    if total == 0:
        lines.append("  No call logs in this period.")
        return "\n".join(lines) + "\n"
    rows = []
    for log in items:
        stamp = created_at(log, tz)
        usage = ", ".join(f"{u.key}: {js_string(u.value)}" for u in log.usages) or DASH
        rows.append(
            [
                _OFFSET_TAIL.sub("", stamp.replace("T", " ", 1)) if stamp else DASH,
                log.request_id or DASH,
                str(log.status_code),
                log.model,
                latency(float(log.duration_ms)),
                usage,
                DASH,
            ]
        )
    lines += [table(["Time", "Request ID", "Status", "Model", "Latency", "Usage", "Error"], rows), ""]
    size = page_size if page_size > 0 else len(items)
    pages = max(1, -(-total // size)) if size > 0 else 1
    if all_pages:
        lines.append(f"  {total} entries  ·  all {pages} pages")
    else:
        lines.append(f"  {total} entries  ·  Page {page} of {pages}")
    return "\n".join(lines) + "\n"
