"""`billing summary|breakdown|limit` output: the official JSON and text of CLI 1.4.1 (billing §2-§4).

Deliberate difference: text shows the response's currency (1.4.1 always prints USD and `$`).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bot.core.billing_report import BreakdownPlan, BreakdownSlice, amount_number, dec_sum, plain
from bot.qwencloud.billing_models import SettledBills, UsageLimit
from bot.render.jsnum import js_string
from bot.render.json import dumps
from bot.render.text import DASH, table

LIMIT_LABELS = {
    "active": "Active",
    "normal": "Active",
    "exceeded": "Exceeded",
    "warning": "Warning",
    "unknown": "Unknown",
}


def money(value: Decimal | str | None, currency: str = "USD") -> str:
    """`$` + the shortest digits of Number(s).toPrecision(15); `—` for null, blank or NaN."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return DASH
    number = amount_number(value)
    if number is None:
        return DASH
    digits = js_string(float(f"{float(number):.15g}"))
    return f"${digits}" if currency == "USD" else f"{digits} {currency}"


def _labels(pairs: Sequence[tuple[str, str]], width: int) -> list[str]:
    return [f"  {label.ljust(width)}{value}" for label, value in pairs]


# -- summary ------------------------------------------------------------------------------------------------
def summary_json(bills: SettledBills, *, start: str, end: str, charge: str) -> str:
    cycles = bills.cycles
    return dumps(
        {
            "period": {"from": start, "to": end},
            "chargeType": charge,
            "currency": bills.currency,
            "cycles": [
                {
                    "billingCycle": c.billing_cycle,
                    "pretaxAmount": plain(c.pretax),
                    "tax": plain(c.tax),
                    "aftertaxAmount": plain(c.aftertax),
                }
                for c in cycles
            ],
            "totals": {
                "pretaxAmount": dec_sum([c.pretax for c in cycles]),
                "tax": dec_sum([c.tax for c in cycles]),
                "aftertaxAmount": dec_sum([c.aftertax for c in cycles]),
            },
        }
    )


def summary_text(bills: SettledBills, *, start: str, end: str, charge: str) -> str:
    cycles, cur = bills.cycles, bills.currency
    lines = _labels(
        [
            ("Cycle", start if start == end else f"{start} → {end}"),
            ("Charge Type", charge),
            ("Currency", cur),
        ],
        15,
    )
    lines.append("")
    lines += _labels(
        [
            ("Spend before tax", money(dec_sum([c.pretax for c in cycles]), cur)),
            ("Tax", money(dec_sum([c.tax for c in cycles]), cur)),
            ("Total", money(dec_sum([c.aftertax for c in cycles]), cur)),
        ],
        18,
    )
    return "\n".join(lines) + "\n"


# -- breakdown ----------------------------------------------------------------------------------------------
def _rows_json(slice_: BreakdownSlice) -> list[dict[str, str]]:
    return [{"groupKey": r.key, "groupLabel": r.label, "amount": plain(r.amount)} for r in slice_.rows]


def breakdown_json(slices: list[BreakdownSlice], plan: BreakdownPlan, *, group_by: str, charge: str) -> str:
    if plan.single:
        only = slices[0]
        return dumps(
            {
                "groupBy": group_by,
                "period": {"from": plan.from_, "to": plan.to},
                "chargeType": charge,
                "rows": _rows_json(only),
                "totalRows": only.total_rows,
                "totalAmount": only.total_amount,
                "currency": "USD",
            }
        )
    return dumps(
        {
            "groupBy": group_by,
            "dateRange": {"from": plan.from_, "to": plan.to},
            "granularity": plan.granularity,
            "chargeType": charge,
            "slices": [
                {"period": s.period, "rows": _rows_json(s), "totalAmount": s.total_amount} for s in slices
            ],
            "currency": "USD",
        }
    )


def breakdown_text(slices: list[BreakdownSlice], plan: BreakdownPlan, *, group_by: str, charge: str) -> str:
    header = ["Model" if group_by == "model" else "API Key", "Amount"]
    if plan.single:
        only = slices[0]
        lines = _labels([("Period", f"{plan.from_} → {plan.to}"), ("Charge Type", charge)], 15)
        rows = [
            [r.label or r.key or DASH, DASH if amount_number(r.amount) == 0 else money(r.amount)]
            for r in only.rows
        ]
        rows.append(["TOTAL", money(only.total_amount) if only.rows else DASH])
        lines += ["", table(header, rows)]
        groups = sum(1 for r in only.rows if r.key != "__tax__")
        if groups < only.total_rows:
            lines.append(f"  Showing top {groups} / {only.total_rows}")
        return "\n".join(lines) + "\n"
    lines = _labels(
        [
            ("Date Range", f"{plan.from_} → {plan.to}"),
            ("Granularity", plan.granularity),
            ("Charge Type", charge),
        ],
        15,
    )
    lines.append("")
    for s in slices:
        rows = [[r.label, money(r.amount)] for r in s.rows]
        rows.append(["TOTAL", money(s.total_amount)])
        lines += [f"  ─── {s.period} ───", table(header, rows), ""]
    return "\n".join(lines) + "\n"


# -- limit --------------------------------------------------------------------------------------------------
def limit_json(limit: UsageLimit) -> str:
    amount = None if limit.limit_amount is None else plain(limit.limit_amount)
    return dumps(
        {
            "status": limit.status,
            "limitAmount": amount,
            "currency": limit.currency,
            "alertThreshold": limit.alert_threshold,
        }
    )


def limit_text(limit: UsageLimit) -> str:
    threshold = amount_number(limit.alert_threshold)
    return (
        "\n".join(
            _labels(
                [
                    ("Status", LIMIT_LABELS.get(limit.status, limit.status)),
                    ("Limit", money(limit.limit_amount, limit.currency)),
                    ("Alert threshold", f"{limit.alert_threshold}%" if threshold is not None else DASH),
                    ("Currency", limit.currency),
                ],
                18,
            )
        )
        + "\n"
    )
