"""`--format text|json` for `/qwen logs|limit|plan`: the official CLI's own output for the same question
(`usage logs` first page, `billing limit`, `subscription status` + `subscription tokenplan status`), shown
verbatim in code blocks; None when no format was asked for (Block Kit figures then). As render/layouts.py
does for the usage answers."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.calls import LogsReport
from bot.core.limit import LimitStatus
from bot.core.plans import PlansReport
from bot.qwencloud.parse_data import iso_ms
from bot.render import billing_render, logs_render, subscription_render

PAGE = 20  # the official `usage logs` default page size


def logs(r: LogsReport, fmt: str | None, *, tz_name: str) -> str | None:
    if fmt not in ("text", "json"):
        return None
    view = logs_render.logs_text if fmt == "text" else logs_render.logs_json
    text = view(
        total=r.matching,
        page=1,
        page_size=PAGE,
        period=(iso_ms(r.start), iso_ms(r.end)),
        items=r.rows[:PAGE],
        tz=ZoneInfo(tz_name),
    )
    return text.rstrip("\n")


def limit(s: LimitStatus, fmt: str | None) -> str | None:
    if fmt not in ("text", "json") or s.raw is None:
        return None
    view = billing_render.limit_text if fmt == "text" else billing_render.limit_json
    return view(s.raw).rstrip("\n")


def plans(r: PlansReport, fmt: str | None, *, now: datetime) -> str | None:
    status, token = list(r.status_diagnostics), list(r.token_diagnostics)
    if fmt == "text":
        first = subscription_render.status_text(r.status, status, now=now).rstrip("\n")
        return f"{first}\n\n{subscription_render.tokenplan_text(r.token_team, token).rstrip()}"
    if fmt == "json":
        first = subscription_render.status_json(r.status, status)
        return f"{first}\n{subscription_render.tokenplan_json(r.token_team, token)}".rstrip("\n")
    return None
