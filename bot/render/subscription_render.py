"""`subscription status` and `subscription tokenplan status` output: the JSON and text of CLI 1.4.1
(qwencloud-api-billing.md §5.3-§5.4, §6.3-§6.4)."""

from __future__ import annotations

from datetime import datetime

from bot.qwencloud.billing_models import Diagnostic, SubscriptionStatus, TokenPlanStatus
from bot.render.jsnum import js_locale, js_string, js_to_fixed
from bot.render.json import Json, dumps
from bot.render.text import DASH


def _diagnostics(items: list[Diagnostic]) -> list[Json]:
    return [{"api": d.api, "errorCode": d.error_code, "errorMessage": d.error_message} for d in items]


def status_dict(status: SubscriptionStatus) -> Json:
    return {
        "isGray": status.is_gray,
        "plan": status.plan,
        "period": {"start": status.period[0], "end": status.period[1]} if status.period else None,
        "quota": (
            {
                "remaining": status.quota.remaining,
                "total": status.quota.total,
                "usedPct": status.quota.used_pct,
            }
            if status.quota
            else None
        ),
        "autoRenew": status.auto_renew,
        "renewable": status.renewable,
        "remainingDays": status.remaining_days,
        "seatTiers": [
            {
                "specType": t.spec_type,
                "seats": t.seats,
                "totalCredits": t.total_credits,
                "remainingCredits": t.remaining_credits,
                "usedPct": t.used_pct,
                "nextCycleFlushTime": t.next_cycle_flush_time,
            }
            for t in status.seat_tiers
        ],
        "creditPacks": [
            {
                "instanceId": p.instance_id,
                "totalCredits": p.total_credits,
                "remainingCredits": p.remaining_credits,
                "expiresAt": p.expires_at,
            }
            for p in status.credit_packs
        ],
        "codingPlanStatus": status.coding_plan_status,
        "recentOrders": [
            {
                "orderId": o.order_id,
                "orderType": o.order_type,
                "orderTime": o.order_time,
                "amount": o.amount,
                "status": o.status,
            }
            for o in status.recent_orders
        ],
    }


def status_json(status: SubscriptionStatus | None, diagnostics: list[Diagnostic]) -> str:
    if status is None:
        return dumps({"data": None, "diagnostics": _diagnostics(diagnostics)})
    return dumps({**status_dict(status), "diagnostics": _diagnostics(diagnostics)})


def _yes(value: bool | None, yes: str = "Yes", no: str = "No") -> str:
    return DASH if value is None else yes if value else no


def _footnote(diagnostics: list[Diagnostic]) -> list[str]:
    if not diagnostics:
        return []
    return ["", f"  Note: {len(diagnostics)} source(s) unavailable, see --format json for details"]


def _bar(pct: float) -> str:
    filled = int(js_round(pct * 24 / 100))
    return "█" * filled + "░" * (24 - filled) + " " + js_string(float(js_to_fixed(pct, 2))) + "%"


def js_round(x: float) -> int:
    import math

    return math.floor(x + 0.5)


def _count(x: float) -> str:
    return js_locale(js_round(x))


def status_text(status: SubscriptionStatus | None, diagnostics: list[Diagnostic], *, now: datetime) -> str:
    lines: list[str]
    if status is None:
        lines = ["  Subscription data unavailable — see --format json for diagnostics"]
        if diagnostics:
            lines += ["", "  Diagnostics:"]
            lines += [f"    - {d.api}: {d.error_code} {d.error_message}" for d in diagnostics]
        return "\n".join(lines) + "\n"
    s = status
    if not (s.seat_tiers or s.credit_packs or s.coding_plan_status or s.recent_orders):
        period = f"{s.period[0]} → {s.period[1]}" if s.period else DASH
        lines = [
            f"  {'Plan'.ljust(18)}{s.plan or DASH}",
            f"  {'Period'.ljust(18)}{period}",
            f"  {'Auto-Renew'.ljust(18)}{_yes(s.auto_renew)}",
            f"  {'Renewable'.ljust(18)}{_yes(s.renewable)}",
            f"  {'Gray'.ljust(18)}{_yes(s.is_gray)}",
        ]
        if s.quota:
            q = s.quota
            shown = f"{js_locale(q.remaining)} / {js_locale(q.total)} ({q.used_pct}%)" if q.total else DASH
            filled = int(js_round(q.used_pct * 24 / 100))
            lines += [
                "",
                f"  {'Quota'.ljust(18)}{shown}",
                "  " + " " * 18 + "█" * filled + "·" * (24 - filled),
            ]
        return "\n".join(lines + _footnote(diagnostics)) + "\n"
    lines = []
    if s.seat_tiers:
        end = s.period[1] if s.period else None
        state = DASH
        if end:
            from bot.core.logs_query import js_parse

            ms = js_parse(end, now.tzinfo or now.astimezone().tzinfo)  # type: ignore[arg-type]
            state = DASH if ms is None else ("Active" if ms >= now.timestamp() * 1000 else "Expired")
        expires = (
            DASH
            if not end
            else end[:10] + (f" ({s.remaining_days}d)" if s.remaining_days is not None else "")
        )
        lines += [
            "  === Token Plan ===",
            f"  Status: {state}    Auto-Renew: {_yes(s.auto_renew, 'On', 'Off')}    Expires: {expires}",
            "",
        ]
        for i, tier in enumerate(s.seat_tiers):
            spec = tier.spec_type[:1].upper() + tier.spec_type[1:].lower() if tier.spec_type else "Tier"
            total = tier.total_credits
            pct = min(100.0, max(0.0, tier.remaining_credits / total * 100)) if total > 0 else 0.0
            seats = f"{tier.seats} seat" + ("" if tier.seats == 1 else "s")
            if i:
                lines.append("")
            lines += [
                f"  {spec} ({seats}):",
                f"    {_bar(pct)} {_count(tier.remaining_credits)} / {_count(tier.total_credits)}",
            ]
    if s.credit_packs:
        left = sum(p.remaining_credits for p in s.credit_packs)
        n = len(s.credit_packs)
        lines += [
            "",
            "  === Credit Pack ===",
            f"  {n} pack{'' if n == 1 else 's'}    Total Remaining: {_count(left)} credits",
            "",
            f"  {'ID'.ljust(16)}{'Remaining'.ljust(24)}Expires",
        ]
        for p in s.credit_packs:
            pair = f"{_count(p.remaining_credits)} / {_count(p.total_credits)}"
            lines.append(f"  {p.instance_id.ljust(16)}{pair.ljust(24)}Expires: {(p.expires_at or DASH)[:10]}")
    if s.coding_plan_status:
        credits = f"{js_locale(s.quota.remaining)} / {js_locale(s.quota.total)}" if s.quota else DASH
        lines += ["", "  === Coding Plan ===", f"  Status: {s.coding_plan_status}    Credits: {credits}"]
    if s.recent_orders:
        lines += [
            "",
            f"  === Recent Orders (latest {len(s.recent_orders)}) ===",
            f"  {'Order ID'.ljust(16)}{'Type'.ljust(10)}{'Date'.ljust(13)}Amount",
        ]
        for o in s.recent_orders:
            amount = DASH if not o.amount else o.amount if o.amount.startswith("$") else f"${o.amount}"
            lines.append(
                f"  {o.order_id.ljust(16)}{o.order_type.ljust(10)}{o.order_time[:10].ljust(13)}{amount}"
            )
    return "\n".join(lines + _footnote(diagnostics)) + "\n"


# -- token plan ---------------------------------------------------------------------------------------------
def tokenplan_json(status: TokenPlanStatus, diagnostics: list[Diagnostic]) -> str:
    groups = status.seat_groups
    return dumps(
        {
            "product": "Token Plan Team Edition",
            "period": (
                {"start": status.period[0], "end": status.period[1], "remainingDays": status.period[2]}
                if status.period
                else None
            ),
            "autoRenew": (
                {
                    "enabled": status.auto_renew.enabled,
                    "period": status.auto_renew.period,
                    "periodUnit": status.auto_renew.period_unit,
                }
                if status.auto_renew
                else None
            ),
            "renewable": (
                {"canRenew": status.renewable.can_renew, "interceptCode": status.renewable.intercept_code}
                if status.renewable
                else None
            ),
            "seatSummary": (
                None
                if groups is None
                else {
                    "groups": [
                        {
                            "specType": g.spec_type,
                            "seats": g.seats,
                            "assigned": g.assigned,
                            "totalValue": g.total_value,
                            "surplusValue": g.surplus_value,
                            "unit": "Credits",
                            "nextCycleFlushTime": g.next_cycle_flush_time,
                        }
                        for g in groups
                    ],
                    "total": (
                        {
                            "seats": status.seat_total.seats,
                            "totalValue": status.seat_total.total_value,
                            "surplusValue": status.seat_total.surplus_value,
                            "unit": "Credits",
                        }
                        if status.seat_total
                        else None
                    ),
                }
            ),
            "diagnostics": _diagnostics(diagnostics),
        }
    )


def _credits(value: str) -> str:
    if not value or value == "0":
        return "0"
    whole, dot, fraction = value.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    grouped = f"{int(digits):,}" if digits.isdigit() else digits
    return sign + grouped + (dot + fraction if dot else "")


def _cycle(period: str, amount: int) -> str:
    if period in ("M", "Month"):
        return "Monthly" if amount == 1 else f"{amount} Months"
    if period in ("Y", "Year"):
        return "Yearly" if amount == 1 else f"{amount} Years"
    return f"{amount} {period}"


def tokenplan_text(status: TokenPlanStatus, diagnostics: list[Diagnostic]) -> str:
    period = (
        f"{status.period[0][:10]} → {status.period[1][:10]} ({status.period[2]} days remaining)"
        if status.period
        else DASH
    )
    auto = status.auto_renew
    renew_text = (
        DASH
        if auto is None
        else (f"ON ({_cycle(auto.period_unit, int(auto.period))})" if auto.enabled else "OFF")
    )
    renewable = status.renewable
    if renewable is None:
        can = DASH
    elif renewable.can_renew:
        can = "Yes"
    else:
        can = f"No ({renewable.intercept_code})" if renewable.intercept_code else "No"
    lines = [
        "Token Plan Subscription",
        f"  {'Product:'.ljust(14)}Token Plan Team Edition",
        f"  {'Period:'.ljust(14)}{period}",
        f"  {'Auto-Renew:'.ljust(14)}{renew_text}",
        f"  {'Renewable:'.ljust(14)}{can}",
    ]
    if status.seat_groups:
        lines += ["", "Seat Summary"]
        for g in status.seat_groups:
            spec = (g.spec_type[:1].upper() + g.spec_type[1:]).ljust(12)
            flush = g.next_cycle_flush_time[:10] if g.next_cycle_flush_time else DASH
            lines.append(
                f"  {spec}{js_string(g.seats)} seats   {_credits(g.total_value)} Credits   "
                f"{_credits(g.surplus_value)} surplus   next {flush}"
            )
        if status.seat_total:
            t = status.seat_total
            lines.append(
                f"  {'Total'.ljust(12)}{js_string(t.seats)} seats   {_credits(t.total_value)} Credits   "
                f"{_credits(t.surplus_value)} surplus"
            )
    if diagnostics:
        lines.append("")
        lines += [f"  ⚠ {d.api}: {d.error_message}" for d in diagnostics]
        lines += ["", f"  Note: {len(diagnostics)} source(s) unavailable, see --format json for details"]
    return "\n".join(lines) + "\n"
