"""The official CLI's `--format text` layouts (contract §6), byte for byte, with the §10 difference that the
coding plan's "Used" column shows the used percentage."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo

from bot.base.errors import BusinessError, GatewayError, QwenBotError
from bot.base.periods import DateRange
from bot.qwencloud.results import (
    Breakdown,
    BreakdownRow,
    CodingWindow,
    FreeTierEntry,
    Payg,
    Summary,
    TokenPlan,
)
from bot.render.jsnum import Number, js_locale, js_string, js_to_fixed

DASH = "—"
_SUFFIX = {
    "tokens": "tok",
    "token": "tok",
    "images": "img",
    "image": "img",
    "pieces": "img",
    "piece": "img",
    "characters": "char",
    "character": "char",
    "seconds": "sec",
    "second": "sec",
}
_HEADERS = {
    "tokens": "Tokens",
    "images": "Images",
    "characters": "Characters",
    "seconds": "Duration (sec)",
    "voices": "Voice",
}
_TITLES = {"day": "Daily Breakdown", "month": "Monthly Breakdown", "quarter": "Quarterly Breakdown"}


# -- primitives ---------------------------------------------------------------------------------------------
def width(text: str) -> int:
    """Terminal columns: wide East Asian characters count 2, combining marks and controls 0."""
    total = 0
    for ch in text:
        code = ord(ch)
        if code <= 31 or 127 <= code <= 159 or unicodedata.combining(ch) or 0x200B <= code <= 0x200F:
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: int = 2) -> str:
    """Every column padded to its widest cell (the last one too), joined by two spaces."""
    widths = [
        max([width(h)] + [width(r[i]) if i < len(r) else 0 for r in rows]) for i, h in enumerate(headers)
    ]
    lines = [list(headers), *[list(r) for r in rows]]
    pad = " " * indent
    return "\n".join(
        pad + "  ".join(cell + " " * max(0, widths[i] - width(cell)) for i, cell in enumerate(line))
        for line in lines
    )


def section(title: str, subtitle: str | None = None) -> str:
    text = f"{title}  ·  {subtitle}" if subtitle else title
    return f"  ── {text} " + "─" * max(3, 80 - len(text) - 6)


def abbreviate(value: Number) -> str:
    """850K, 1M, 4.8K, 3.3M, 658.6K; smaller numbers as they are."""
    number = float(value)
    for limit, suffix in ((1e6, "M"), (1e3, "K")):
        if number >= limit:
            scaled = number / limit
            return (
                f"{js_string(scaled)}{suffix}"
                if scaled % 1 == 0
                else f"{js_string(float(js_to_fixed(scaled, 1)))}{suffix}"
            )
    return js_string(number)


def with_unit(value: Number, unit: str) -> str:
    suffix = _SUFFIX.get(unit)
    if suffix is None:
        low = unit.lower()
        suffix = (
            "tok"
            if "token" in low
            else "img"
            if "image" in low or "piece" in low
            else "sec"
            if "second" in low
            else "char"
            if "char" in low or "word" in low
            else unit
        )
    return f"{abbreviate(value)} {suffix}"


def cost(value: Number) -> str:
    return "$" + js_string(float(f"{float(value):.15g}"))


def percent(part: Number, whole: Number) -> str:
    """parseFloat(((part/whole)*100).toFixed(2)), as a string."""
    return js_string(float(js_to_fixed(float(part) / float(whole) * 100, 2))) if float(whole) > 0 else "0"


def until(moment: datetime | None, now: datetime) -> str:
    """`in 2d 5h`, `in 3h 12m`; the past (and no date) is `in now`, as in the CLI."""
    if moment is None:
        return "in now"
    ms = (moment - now).total_seconds() * 1000
    if ms <= 0:
        return "in now"
    minutes = int(ms // 1000) // 60
    hours, days = minutes // 60, minutes // 60 // 24
    parts = [f"{days}d"] if days else []
    parts += [f"{hours % 24}h"] if hours % 24 else []
    parts += [f"{minutes % 60}m"] if minutes % 60 and not days else []
    return "in " + " ".join(parts) if parts else "in now"


# -- free tier ----------------------------------------------------------------------------------------------
def _free_row(entry: FreeTierEntry) -> tuple[float, list[str]]:
    quota = entry.quota
    if quota is None:
        return 100.0, [entry.model_id, DASH, DASH, "Free (Early Access)"]
    expired = quota.status == "expire"
    pct = percent(quota.remaining, quota.total)
    remaining = (
        f"{with_unit(quota.total, quota.unit)} (expired)"
        if expired
        else with_unit(quota.remaining, quota.unit)
    )
    label = "expired" if expired else f"{pct}%"
    return (0.0 if expired else float(pct)), [
        entry.model_id,
        remaining,
        with_unit(quota.total, quota.unit),
        label,
    ]


def sorted_free_tier(entries: Sequence[FreeTierEntry]) -> list[tuple[FreeTierEntry, list[str]]]:
    """Lowest remaining % first (exhausted at the top), then the quota-less models by id."""
    rows = [(e, *_free_row(e)) for e in entries]
    with_quota = sorted((r for r in rows if r[0].quota is not None), key=lambda r: r[1])
    without = sorted(
        (r for r in rows if r[0].quota is None),
        key=lambda r: (r[0].model_id.lower(), r[0].model_id.swapcase()),
    )
    return [(e, cells) for e, _, cells in [*with_quota, *without]]


def free_tier(entries: Sequence[FreeTierEntry]) -> str:
    if not entries:
        return "No free tier models found.\n"
    lines = []
    for entry, cells in sorted_free_tier(entries):
        if entry.quota is None:
            lines.append(f"{entry.model_id}  Enable to unlock free-tier")
        else:
            lines.append(f"{entry.model_id}  {cells[1]} / {cells[2]}  ({cells[3]})")
    return "\n".join(lines) + "\n"


# -- pay-as-you-go ------------------------------------------------------------------------------------------
def usage_cell(usage: Sequence[tuple[str, int]]) -> str:
    units = dict(usage)
    for unit, suffix in (
        ("tokens", "tok"),
        ("images", "img"),
        ("characters", "char"),
        ("seconds", "sec"),
        ("voices", "voice"),
    ):
        if unit in units:
            return f"{abbreviate(units[unit])} {suffix}"
    return next((f"{abbreviate(v)} {u}" for u, v in usage if v > 0), DASH)


def payg_table(payg: Payg, indent: int) -> str:
    ordered = sorted(payg.models, key=lambda m: -m.cost)  # stable, like Array.prototype.sort
    rows = [[m.model_id, usage_cell(m.usage), cost(m.cost)] for m in ordered]
    rows.append(["Total", DASH, cost(payg.total_cost)])
    return table(["Model", "Usage", "Cost"], rows, indent)


def payg(result: Payg, rng: DateRange) -> str:
    if not result.models:
        return f"No pay-as-you-go usage in {rng.from_text} → {rng.to_text}.\n"
    return payg_table(result, 0) + "\n"


# -- summary ------------------------------------------------------------------------------------------------
def _coding_row(label: str, window: CodingWindow | None, now: datetime) -> list[str]:
    assert window is not None
    used = js_string(float(js_to_fixed(window.used_pct, 2))) if window.total > 0 else "0"
    return [
        label,
        f"{js_locale(window.remaining)} req",
        js_locale(window.total),
        f"{used}%",
        until(window.next_reset_at, now),
    ]


def _token_plan_lines(plan: TokenPlan) -> list[str]:
    status = plan.status or DASH
    pct = "0%" if plan.status == "exhaust" else f"{percent(plan.remaining_credits, plan.total_credits)}%"
    lines = [
        section("Token Plan", f"{plan.plan_name or 'Token Plan'}  ·  {status}"),
        "",
        f"  Usage:      {js_locale(plan.remaining_credits)} / {js_locale(plan.total_credits)} Credits",
        f"  Quota Left: {pct}",
        f"  Status:     {status}",
        f"  Resets:     {plan.reset_date.split('T')[0] if plan.reset_date else DASH}",
    ]
    if plan.addon_remaining:
        lines.append(f"  Add-on:     {js_locale(plan.addon_remaining)} Credits")
    return [*lines, ""]


def summary(result: Summary, *, now: datetime) -> str:
    lines = [f"  Usage Summary  ·  {result.period.to_text}", ""]
    if result.free_tier:
        rows = [cells for _, cells in sorted_free_tier(result.free_tier)]
        lines += [
            section("Free Tier Quota"),
            "",
            table(["Model", "Remaining", "Total", "Quota Left"], rows),
            f"  {len(rows)} models with free tier",
            "",
        ]
    plan = result.coding_plan
    if plan.subscribed:
        price = f"${js_string(plan.price)}/mo" if plan.price is not None else "$50/mo"
        windows = [
            _coding_row("Per 5 hours", plan.per_5h, now),
            _coding_row("This week", plan.weekly, now),
            _coding_row("This month", plan.monthly, now),
        ]
        lines += [
            section("Coding Plan", f"{(plan.plan or 'Pro').upper()}  ·  {price}"),
            "",
            "  Models: ",
            "",
            table(["Window", "Remaining", "Total", "Used", "Next Reset"], windows),
            "",
        ]
    lines += [section("Pay-as-you-go", f"{result.period.from_text} → {result.period.to_text}"), ""]
    lines.append(
        payg_table(result.payg, 2) if result.payg.models else "  No pay-as-you-go usage in this period."
    )
    lines.append("")
    if result.token_plan.subscribed:
        lines += _token_plan_lines(result.token_plan)
    return "\n".join(lines) + "\n"


# -- breakdown ----------------------------------------------------------------------------------------------
def _amount(value: int | None) -> str:
    return abbreviate(value) if value and value > 0 else DASH


def _usage_of(row: BreakdownRow, unit: str) -> str:
    return _amount(row.tokens_in if unit == "tokens" else dict(row.usage).get(unit))


def is_current(period: str, granularity: str, now: datetime, tz: tzinfo | None) -> bool:
    """Day periods compare with the UTC date, months and quarters with the local one (as the CLI does)."""
    if granularity == "day":
        return period == now.astimezone(UTC).date().isoformat()
    local = now.astimezone(tz) if tz else now.astimezone()
    if granularity == "month":
        return period == f"{local.year}-{local.month:02d}"
    return period == f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def breakdown(result: Breakdown, *, now: datetime, tz: tzinfo | None = None) -> str:
    unit = result.unit
    header = _HEADERS.get(unit, unit[:1].upper() + unit[1:])
    rows = []
    for row in result.rows:
        label = row.period + ("  ← current" if is_current(row.period, result.granularity, now, tz) else "")
        rows.append([label, _usage_of(row, unit), cost(row.cost)])
    rows.append(["Total", _usage_of(result.total, unit), cost(result.total.cost)])
    span = f"{result.period.from_text} → {result.period.to_text}"
    lines = [f"  {_TITLES[result.granularity]}  ·  {result.model_id}  ·  {span}"]
    if not result.rows:
        lines.append("  No usage in this period — try a wider --period.")
    lines += ["", table(["Date", header, "Cost"], rows), ""]
    return "\n".join(lines) + "\n"


# -- errors -------------------------------------------------------------------------------------------------
def error(err: QwenBotError) -> str:
    """The non-TTY stderr lines of the CLI's error handler."""
    if isinstance(err, GatewayError):
        return f"Gateway error: {err.message}\n"
    prefix = "Notice" if isinstance(err, BusinessError) else "Error"
    hint = f"  {err.hint}\n" if err.hint else ""
    return f"{prefix}: {err.message}\n{hint}"
