"""Breakdown arithmetic (contract §6): daily rows filled over the range in UTC, month/quarter rollups, and the
text table's usage column from the model's catalogue entry. Mirrors the official CLI 1.4.1."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from bot.base.periods import DateRange
from bot.qwencloud.aggregate import js_round, round4
from bot.qwencloud.models import ConsumeItem, ModelSeriesItem
from bot.qwencloud.results import BreakdownRow, Granularity

ZERO = Decimal(0)
SHOWN_UNITS = ("images", "seconds", "characters")  # the only non-token units the JSON rows carry
_LLM_TOKEN_TYPES = frozenset(
    {
        "input_token",
        "text_input_token",
        "thinking_input_token",
        "output_token",
        "purein_text_output_token",
        "thinking_output_token",
    }
)


@dataclass
class _Bucket:
    cost: Decimal = ZERO
    tokens: Decimal | None = None
    units: dict[str, Decimal] = field(default_factory=dict)


def _day_row(period: str, bucket: _Bucket) -> BreakdownRow:
    # A key appears only when its sum is non-zero, like the CLI's `byUnit.x && (...)`.
    tokens = bucket.units.get("tokens", ZERO)
    usage = tuple((u, js_round(bucket.units[u])) for u in SHOWN_UNITS if bucket.units.get(u, ZERO) != 0)
    return BreakdownRow(
        period=period, cost=round4(bucket.cost), tokens_in=js_round(tokens) if tokens else None, usage=usage
    )


def daily_rows(items: Iterable[ConsumeItem], rng: DateRange) -> list[BreakdownRow]:
    buckets: dict[str, _Bucket] = {}
    for item in items:
        if item.is_free or not item.billing_date:
            continue
        bucket = buckets.setdefault(item.billing_date, _Bucket())
        bucket.units[item.unit] = bucket.units.get(item.unit, ZERO) + item.quantity
        bucket.cost += item.cost
    rows: list[BreakdownRow] = []
    day = rng.start  # the CLI fills days in UTC; bare dates make that the same calendar walk
    while day <= rng.end:
        key = day.isoformat()
        rows.append(
            _day_row(key, buckets[key])
            if key in buckets
            else BreakdownRow(period=key, cost=ZERO, tokens_in=0, usage=())
        )
        day += timedelta(days=1)
    return rows


def rollup(rows: list[BreakdownRow], period_of: dict[str, str]) -> list[BreakdownRow]:
    """Group rows by period_of[row.period]; a usage key appears only when its sum is non-zero."""
    groups: dict[str, _Bucket] = {}
    for row in rows:
        bucket = groups.setdefault(period_of[row.period], _Bucket())
        bucket.cost += row.cost
        if row.tokens_in:
            bucket.tokens = (bucket.tokens or ZERO) + row.tokens_in
        for unit, value in row.usage:
            bucket.units[unit] = bucket.units.get(unit, ZERO) + value
    out = []
    for period in sorted(groups):
        b = groups[period]
        usage = tuple((u, int(b.units[u])) for u in SHOWN_UNITS if b.units.get(u))
        out.append(
            BreakdownRow(
                period=period, cost=round4(b.cost), tokens_in=int(b.tokens) if b.tokens else None, usage=usage
            )
        )
    return out


def rows(
    items: Iterable[ConsumeItem], rng: DateRange, granularity: Granularity
) -> tuple[tuple[BreakdownRow, ...], BreakdownRow]:
    result = daily_rows(items, rng)
    if granularity in ("month", "quarter"):
        result = rollup(result, {r.period: r.period[:7] for r in result})
    if granularity == "quarter":
        result = rollup(
            result, {r.period: f"{r.period[:4]}-Q{(int(r.period[5:7]) - 1) // 3 + 1}" for r in result}
        )
    return tuple(result), total(result)


def total(rows: list[BreakdownRow]) -> BreakdownRow:
    """Exact sum of the rounded row costs; token and usage totals only when positive."""
    tokens = sum(r.tokens_in or 0 for r in rows)
    usage = tuple((u, s) for u in SHOWN_UNITS if (s := sum(dict(r.usage).get(u, 0) for r in rows)) > 0)
    return BreakdownRow(
        period="Total",
        cost=round4(sum((r.cost for r in rows), ZERO)),
        tokens_in=tokens if tokens > 0 else None,
        usage=usage,
    )


def column_unit(model: ModelSeriesItem) -> str:
    """The usage column: catalogue pricing first, then the output modality (the CLI's unit override)."""
    priced = _pricing_unit(model)
    if priced:
        return priced
    output = {m.lower() for m in model.response_modality}
    if "image" in output:
        return "images"
    if "video" in output or "audio" in output:
        return "seconds"
    return "tokens"


def _pricing_unit(model: ModelSeriesItem) -> str | None:
    multi = model.multi_price_types
    if multi:
        if any(t.startswith("image_") for t in multi):
            return "images"
        return "tokens" if any(t in _LLM_TOKEN_TYPES for t in multi) else None
    types = model.price_types
    if not types or model.prices_all_zero:
        return "tokens"  # `tiers: []` is truthy in JS: a token model
    families: tuple[tuple[str, bool, str | None], ...] = (
        ("embedding", any(t.startswith("embedding") for t in types), "tokens"),
        ("tts", any(t.startswith(("cosy_tts", "tts_")) for t in types), "characters"),
    )
    for prefix, present, unit in families:
        if present:
            count = sum(1 for t in types if t.startswith(("cosy_tts", "tts_") if prefix == "tts" else prefix))
            return unit if count == 1 else None
    video = any(t.startswith("video_") or "P_no_audio" in t for t in types)
    if "content_duration" in types and not video:
        return "seconds" if types.count("content_duration") == 1 else None
    if video:
        return "seconds"
    images = [t for t in types if t.startswith("image_")]
    if images:
        return "images" if len(images) == 1 else None
    return "tokens" if any(_tokenish(t) for t in types) else None


def _tokenish(kind: str) -> bool:
    low = kind.lower()
    return "input" in low or "output" in low or "omni" in low
