"""The official CLI's `--format json`: same keys, order and number digits (JSON.stringify(x, null, 2))."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from bot.base.errors import BusinessError, GatewayError, QwenBotError
from bot.qwencloud.models import FreeTierQuota
from bot.qwencloud.parse_data import iso_ms
from bot.qwencloud.results import (
    Breakdown,
    BreakdownRow,
    CodingPlan,
    CodingWindow,
    FreeTierEntry,
    Payg,
    Summary,
    TokenPlan,
)
from bot.render.jsnum import js_json_number

Json = dict[str, Any]


def dumps(value: Any) -> str:
    """JSON.stringify(value, null, 2): two-space indent, JS number digits, non-ASCII kept as is."""
    return _encode(value, 0)


def _encode(value: Any, depth: int) -> str:
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_encode(v, depth + 1)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + _encode(v, depth + 1) for v in value) + "\n" + pad + "]"
    if value is None or isinstance(value, bool | str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float | Decimal):
        return js_json_number(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def quota_dict(quota: FreeTierQuota) -> Json:
    return {
        "remaining": quota.remaining,
        "total": quota.total,
        "unit": quota.unit,
        "used_pct": quota.used_pct,
        "status": quota.status,
        "resetDate": iso_ms(quota.reset_date) if quota.reset_date else None,
    }


def free_tier_list(entries: tuple[FreeTierEntry, ...]) -> list[Json]:
    return [{"model_id": e.model_id, "quota": quota_dict(e.quota) if e.quota else None} for e in entries]


def _window(window: CodingWindow | None) -> Json:
    assert window is not None
    return {
        "remaining": window.remaining,
        "total": window.total,
        "used_pct": window.used_pct,
        "next_reset_at": iso_ms(window.next_reset_at) if window.next_reset_at else "",
    }


def coding_plan_dict(plan: CodingPlan) -> Json:
    if not plan.subscribed:
        return {"subscribed": False}
    out: Json = {
        "subscribed": True,
        "plan": plan.plan,
        "included_models": [],
        "windows": {
            "per_5h": _window(plan.per_5h),
            "weekly": _window(plan.weekly),
            "monthly": _window(plan.monthly),
        },
    }
    if plan.price is not None:
        out["price"] = {"amount": plan.price, "currency": "USD", "cycle": "monthly"}
    return out


def token_plan_dict(plan: TokenPlan) -> Json:
    out: Json = {"subscribed": plan.subscribed}
    if plan.detailed:
        # JSON.stringify drops undefined values: planName/status may be missing.
        optional = {"planName": plan.plan_name, "status": plan.status}
        out.update({k: v for k, v in optional.items() if v is not None})
        out.update(
            totalCredits=plan.total_credits, remainingCredits=plan.remaining_credits, usedPct=plan.used_pct
        )
        if plan.reset_date:
            out["resetDate"] = plan.reset_date
    if plan.addon_remaining is not None:
        out["addonRemaining"] = plan.addon_remaining
    return out


def payg_dict(payg: Payg) -> Json:
    return {
        "models": [
            {"model_id": m.model_id, "usage": dict(m.usage), "cost": m.cost, "currency": m.currency}
            for m in payg.models
        ],
        "total": {"cost": payg.total_cost, "currency": payg.currency},
    }


def summary_dict(summary: Summary) -> Json:
    return {
        "period": {"from": summary.period.from_text, "to": summary.period.to_text},
        "free_tier": free_tier_list(summary.free_tier),
        "coding_plan": coding_plan_dict(summary.coding_plan),
        "token_plan": token_plan_dict(summary.token_plan),
        "pay_as_you_go": payg_dict(summary.payg),
    }


def _row(row: BreakdownRow, *, with_period: bool) -> Json:
    out: Json = {"period": row.period} if with_period else {}
    out.update(cost=row.cost, currency=row.currency)
    if row.tokens_in is not None:
        out["tokens_in"] = row.tokens_in
    if row.usage:
        out["usage"] = dict(row.usage)
    return out


def breakdown_dict(breakdown: Breakdown) -> Json:
    return {
        "model_id": breakdown.model_id,
        "period": {"from": breakdown.period.from_text, "to": breakdown.period.to_text},
        "granularity": breakdown.granularity,
        "rows": [_row(r, with_period=True) for r in breakdown.rows],
        "total": _row(breakdown.total, with_period=False),
    }


def summary(result: Summary) -> str:
    return dumps(summary_dict(result))


def free_tier(entries: tuple[FreeTierEntry, ...]) -> str:
    return dumps({"free_tier": free_tier_list(entries)})


def payg(result: Payg) -> str:
    return dumps({"pay_as_you_go": payg_dict(result)})


def breakdown(result: Breakdown) -> str:
    return dumps(breakdown_dict(result))


def error_dict(error: QwenBotError) -> Json:
    """Contract §7 shapes: gateway and business errors carry a type and no exit_code."""
    if isinstance(error, GatewayError):
        return {"error": {"type": "gateway", "code": error.code, "message": error.message}}
    if isinstance(error, BusinessError):
        body: Json = {"type": "business", "code": error.code, "message": error.message}
        if error.hint:
            body["hint"] = error.hint
        return {"error": body}
    # No "model" key: the official MODEL_NOT_FOUND error does not set one.
    body = {"code": error.code, "message": error.message}
    if error.hint:
        body["hint"] = error.hint
    body["exit_code"] = error.exit_code
    return {"error": body}


def error(error: QwenBotError) -> str:
    return dumps(error_dict(error))
