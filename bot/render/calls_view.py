"""`/qwen logs` as Slack messages: the counts (by status class, by model), the latest failures, a divider,
then the analysis (the error rate against the previous equal window, the model with most failures).

Pure views. Models, request ids and status text come from the server: every one goes through esc().
Times are shown in the asker's timezone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from bot.core.calls import ErrorRate, LogsReport, ModelCounts
from bot.qwencloud.billing_models import CallLog
from bot.render.blocks import Block, Message, code_sections, context, divider, fields, header, section
from bot.render.mrkdwn import code, esc

CLASS_LABELS = {
    "SUCCESS": "Success (2xx)",
    "CLIENT_ERROR": "Client errors (4xx)",
    "SERVER_ERROR": "Server errors (5xx)",
    "CANCEL": "Cancelled (0)",
}
SHORT = {"SUCCESS": "2xx", "CLIENT_ERROR": "4xx", "SERVER_ERROR": "5xx", "CANCEL": "cancelled"}
MAX_MODELS = 10


def when(moment: datetime, tz_name: str) -> str:
    return f"{moment.astimezone(ZoneInfo(tz_name)):%Y-%m-%d %H:%M}"


def one_place(value: Decimal) -> str:
    """One decimal place at most, no trailing zero: 36.4, 25, 0.5 (Decimal all the way, no float)."""
    rounded = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{rounded:f}".removesuffix(".0")


def rate_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{one_place(value)}%"


def span(start: datetime, end: datetime) -> str:
    """The window's length, language-neutral: 24h, 3d, 15h 30m."""
    hours, minutes = divmod(int((end - start).total_seconds() // 60), 60)
    if minutes:
        return f"{hours}h {minutes}m"
    return f"{hours // 24}d" if hours >= 24 and hours % 24 == 0 else f"{hours}h"


def filter_text(statuses: tuple[str, ...], models: tuple[str, ...]) -> str:
    parts = [" + ".join(SHORT[s] for s in statuses)] if statuses else []
    parts += [", ".join(f"{code(m)}" for m in models)] if models else []
    return "".join(f" · {p}" for p in parts)


def call_time(call: CallLog, tz_name: str) -> str:
    if call.started_at is not None:
        return when(call.started_at, tz_name)
    return f"{esc(call.start_time[:16])} UTC" if call.start_time else "—"


def failure_line(call: CallLog, tz_name: str) -> str:
    model = f"{code(call.model)}" if call.model else "—"
    return f"`{call_time(call, tz_name)}`  `{call.status_code}`  {model}  `{esc(call.request_id) or '—'}`"


def model_lines(counts: ModelCounts) -> list[str]:
    lines = [f"`{esc(model) or '—'}`  {n}" for model, n in counts.counts[:MAX_MODELS]]
    if len(counts.counts) > MAX_MODELS:
        lines.append(f"…and {len(counts.counts) - MAX_MODELS} more models")
    if not counts.complete:
        lines.append(f"_Counted over the latest {counts.rows_read} of {counts.of} calls._")
    return lines


def figure_blocks(r: LogsReport, tz_name: str) -> list[Block]:
    blocks = [section(f"*{r.matching} calls*{filter_text(r.statuses, r.models)}")]
    blocks += fields([f"*{CLASS_LABELS[c]}*\n{n}" for c, n in r.by_status])
    if r.by_model.counts:
        blocks.append(section("*By model*\n" + "\n".join(model_lines(r.by_model))))
    failures = [failure_line(c, tz_name) for c in r.latest_failures]
    if failures:
        blocks.append(section("*Latest failures*\n" + "\n".join(failures)))
    elif not r.statuses or any(s in ("CLIENT_ERROR", "SERVER_ERROR") for s in r.statuses):
        blocks.append(section("No failures in this window."))
    return blocks


def rate_line(now: ErrorRate, before: ErrorRate) -> str:
    if not now.calls:
        return "No calls in this window."
    head = f"Error rate {rate_text(now.rate_pct)} ({now.failures} of {now.calls} calls)"
    window = span(before.start, before.end)
    if before.rate_pct is None:
        return f"{head}; no calls in the previous {window} window."
    if now.rate_pct == before.rate_pct:
        return f"{head}, the same as in the previous {window} window."
    trend = "up" if (now.rate_pct or 0) > before.rate_pct else "down"
    previous = f"{rate_text(before.rate_pct)} ({before.failures} of {before.calls})"
    return f"{head}, {trend} from {previous} in the previous {window} window."


def analysis_lines(r: LogsReport) -> list[str]:
    lines = [rate_line(r.rate, r.previous)]
    top = r.failures_by_model.counts[:1]
    if top and r.failures_by_model.of:
        model, n = top[0]
        counted = r.failures_by_model
        line = f"`{esc(model) or '—'}` has the most failures: {n} of {counted.rows_read}."
        if not counted.complete:  # only the newest rows were read
            line = line[:-1] + f" (the latest {counted.rows_read} of {counted.of} failures)."
        lines.append(line)
    elif r.rate.calls and not r.rate.failures:
        lines.append("No failures.")
    return lines


def analysis(lines: list[str]) -> list[Block]:
    return [divider(), section("*Analysis*\n" + "\n".join(f"• {line}" for line in lines))]


def data_context(tz_name: str, fetched_at: datetime) -> Block:
    return context(f"{tz_name} · data as of {fetched_at:%Y-%m-%d %H:%M} UTC")


def logs_message(
    r: LogsReport, *, tz_name: str, fetched_at: datetime, text_layout: str | None = None
) -> Message:
    head = f"Call logs · {when(r.start, tz_name)} → {when(r.end, tz_name)}"
    figures = code_sections(text_layout) if text_layout is not None else figure_blocks(r, tz_name)
    blocks = [header(head), *figures, *analysis(analysis_lines(r))]
    blocks.append(data_context(tz_name, fetched_at))
    fallback = f"{head}: {r.matching} calls, error rate {rate_text(r.rate.rate_pct)}"
    return Message(fallback, blocks)


def _latency(ms: Decimal) -> str:
    if ms <= 0:
        return "—"
    return f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.0f} ms"


def call_message(
    call: CallLog | None, request_id: str, *, tz_name: str, fetched_at: datetime, looked: timedelta
) -> Message:
    head = f"Call {request_id}"
    if call is None:
        days = max(1, round(looked.total_seconds() / 86400))
        text = f"No call with request id {code(request_id)} in the last {days} days."
        return Message(text, [header(head), section(text), data_context(tz_name, fetched_at)])
    usage = ", ".join(f"{esc(u.key)} {u.value:,}" for u in call.usages) or "—"
    items = [
        f"*Time*\n{call_time(call, tz_name)}",
        f"*Status*\n{call.status_code}",
        f"*Model*\n{code(call.model)}" if call.model else "*Model*\n—",
        f"*Latency*\n{_latency(call.duration_ms)}",
        f"*Usage*\n{usage}",
    ]
    verdict = "This call failed." if call.status_code >= 400 else "This call did not fail."
    blocks: list[Block] = [header(head), *fields(items), *analysis([verdict])]
    blocks.append(data_context(tz_name, fetched_at))
    return Message(f"{esc(head)}: {call.status_code}", blocks)
