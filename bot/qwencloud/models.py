"""Typed results of the QwenCloud client. Raw dicts stop at the client; these travel further."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

DevicePollStatus = Literal["authorization_pending", "slow_down", "access_denied", "expired_token", "complete"]


@dataclass(frozen=True, slots=True)
class DeviceCode:
    """Answer of POST {auth}/cli/device/code. `token` is a secret: never log or show it."""

    token: str = field(repr=False)
    verification_url: str
    expires_in: int
    interval: int


@dataclass(frozen=True, slots=True)
class QwenUser:
    id: str | None
    email: str | None
    aliyun_id: str | None


@dataclass(frozen=True, slots=True)
class DeviceCredentials:
    """Data.Credentials of a `complete` poll. `access_token` is a secret."""

    access_token: str = field(repr=False)
    expires_at: datetime
    user: QwenUser


@dataclass(frozen=True, slots=True)
class DevicePoll:
    status: DevicePollStatus
    credentials: DeviceCredentials | None = None


@dataclass(frozen=True, slots=True)
class AccountInfo:
    aliyun_id: str | None
    email: str | None


# -- data gateway results ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConsumeItem:
    """One MaasListConsumeSummary row, normalised like the official CLI (quantity multiplied, unit detected).

    Rows in {Rounding Adjustment, Refund, Credit Adjustment} never become items; `is_free` rows are kept here
    so callers can see them, and the usage service skips them.
    """

    billing_date: str  # YYYY-MM-DD as sent by the server (no timezone on the wire), "" when absent
    billing_month: str
    model_id: str
    quantity: Decimal
    unit: str  # tokens | images | seconds | characters | voices | a free-form fallback unit
    cost: Decimal
    category: str
    is_free: bool


@dataclass(frozen=True, slots=True)
class ConsumePage:
    items: tuple[ConsumeItem, ...]
    row_count: int  # rows on the page before any was dropped, for the pagination stop rule
    total_count: int | None


@dataclass(frozen=True, slots=True)
class FreeTierQuota:
    template_code: str
    remaining: Decimal
    total: Decimal
    unit: str
    used_pct: float  # floor((total-remaining)/total*10000)/100, computed in binary floating point like JS
    status: str  # valid | exhaust | expire
    reset_date: datetime | None


@dataclass(frozen=True, slots=True)
class CodingPlanWindowQuota:
    total: Decimal
    used: Decimal
    next_refresh: datetime | None


@dataclass(frozen=True, slots=True)
class CodingPlanInstance:
    status: str
    instance_type: str
    per_5h: CodingPlanWindowQuota
    weekly: CodingPlanWindowQuota
    monthly: CodingPlanWindowQuota


@dataclass(frozen=True, slots=True)
class FrInstance:
    """One DescribeFrInstances item (token plan or add-on)."""

    status: str | None
    template_name: str | None
    init_capacity: Decimal
    curr_capacity: Decimal
    period_capacity: Decimal
    capacity_type: str
    end_time: datetime | None


@dataclass(frozen=True, slots=True)
class SeatGroup:
    total_value: Decimal | None
    surplus_value: Decimal | None


@dataclass(frozen=True, slots=True)
class SeatSummary:
    plan_name: str | None
    groups: tuple[SeatGroup, ...]
    end_time: str | None  # ISO string (numbers converted) as the CLI shows it


@dataclass(frozen=True, slots=True)
class ModelSeriesItem:
    """One ListModelSeries item: what breakdown needs to validate the model and pick its usage column."""

    model: str
    request_modality: tuple[str, ...]
    response_modality: tuple[str, ...]
    price_types: tuple[str, ...]  # Prices[].Type (non-null), in order
    prices_all_zero: bool
    multi_price_types: tuple[str, ...]  # MultiPrices[].Prices[].Type
