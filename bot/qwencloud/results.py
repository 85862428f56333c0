"""Typed results of the usage service (summary, breakdown, free tier, payg), in the official JSON's terms.

Field order follows the official JSON key order; optional JSON keys are None here and omitted by the renderer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from bot.base.periods import DateRange
from bot.qwencloud.models import FreeTierQuota

Granularity = Literal["day", "month", "quarter"]
CURRENCY = "USD"  # the official CLI's built-in constant; the line items carry no currency


@dataclass(frozen=True, slots=True)
class FreeTierEntry:
    model_id: str
    quota: FreeTierQuota | None  # None: the model has a template but no usable instance ("Early Access")


@dataclass(frozen=True, slots=True)
class CodingWindow:
    remaining: Decimal
    total: Decimal
    used_pct: float  # Used/Total*100 unrounded, binary floating point like the CLI
    next_reset_at: datetime | None


@dataclass(frozen=True, slots=True)
class CodingPlan:
    subscribed: bool
    plan: str | None = None
    per_5h: CodingWindow | None = None
    weekly: CodingWindow | None = None
    monthly: CodingWindow | None = None
    price: Decimal | None = None  # USD per month; only for the pro and starter plans


@dataclass(frozen=True, slots=True)
class TokenPlan:
    subscribed: bool
    detailed: bool = False  # False: the JSON is only {subscribed[, addonRemaining]}
    plan_name: str | None = None
    status: str | None = None
    total_credits: Decimal = Decimal(0)
    remaining_credits: Decimal = Decimal(0)
    used_pct: float = 0.0
    reset_date: str | None = None
    addon_remaining: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PaygModel:
    model_id: str
    usage: tuple[tuple[str, int], ...]  # (unit, rounded quantity) in first-seen unit order
    cost: Decimal
    currency: str = CURRENCY


@dataclass(frozen=True, slots=True)
class Payg:
    models: tuple[PaygModel, ...]
    total_cost: Decimal
    currency: str = CURRENCY


@dataclass(frozen=True, slots=True)
class Summary:
    period: DateRange
    free_tier: tuple[FreeTierEntry, ...]
    coding_plan: CodingPlan
    token_plan: TokenPlan
    payg: Payg


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    period: str  # YYYY-MM-DD | YYYY-MM | YYYY-Qn
    cost: Decimal
    tokens_in: int | None  # all token line items, input and output (contract §6)
    usage: tuple[tuple[str, int], ...]  # images / seconds / characters, in that order, when present
    currency: str = CURRENCY


@dataclass(frozen=True, slots=True)
class Breakdown:
    model_id: str
    period: DateRange
    granularity: Granularity
    rows: tuple[BreakdownRow, ...]
    total: BreakdownRow  # period "Total"
    unit: str  # the text table's usage column, from the model's catalogue pricing or modality
