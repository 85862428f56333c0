"""`subscription status` and `subscription tokenplan status` (qwencloud-api-billing.md §5-§6).

Sub-calls run concurrently; a failing one becomes a diagnostic instead of failing the command, as in the
official CLI. The assembly reads the same fields in the same order of preference as 1.4.1 (its oddities
included, see docs/differences.md for the ones we keep).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bot.base.errors import GatewayError, QwenBotError
from bot.core.usage import UsageService
from bot.qwencloud import aggregate
from bot.qwencloud.billing import CODING_COMMODITY, TOKEN_ADDON, TOKEN_TEAMS, BillingApi
from bot.qwencloud.billing_models import (
    AutoRenew,
    CreditPack,
    Diagnostic,
    Order,
    Quota,
    Renewable,
    SeatGroupDetail,
    SeatTier,
    SeatTotal,
    SubscriptionStatus,
    TokenPlanStatus,
)
from bot.qwencloud.client import QwenCloudClient
from bot.qwencloud.gateway import BSS, TOKEN_PLAN_CODES
from bot.qwencloud.results import TokenPlan
from bot.qwencloud.values import as_dict, as_list

ORDER_TYPES = {
    "buy": "Purchase",
    "purchase": "Purchase",
    "renew": "Renew",
    "upgrade": "Upgrade",
    "downgrade": "Downgrade",
    "remedy": "Remedy",
    "canceled": "Canceled",
    "refund": "Refund",
    "ri_modification": "RI Modification",
    "resize": "Resize",
    "convert": "Convert",
    "exchange": "Exchange",
    "temp_upgrade": "Temp Upgrade",
    "unknown": "—",
}
ORDER_STATUSES = {"PAID": "Paid", "UNPAID": "Unpaid", "CANCELED": "Canceled"}
_MISSING = object()


def diagnostic(api: str, exc: BaseException) -> Diagnostic:
    code = getattr(exc, "code", None)
    if isinstance(exc, QwenBotError) and not isinstance(exc, GatewayError) and code == type(exc).code:
        code = None  # our own class default, not a code from the server
    message = exc.message if isinstance(exc, QwenBotError) else str(exc)
    return Diagnostic(api, code if isinstance(code, str) and code else "Unknown", message)


def _iso_ms(ms: float) -> str:
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _time(value: Any) -> str | None:
    """A non-empty string as is; a finite number as epoch ms -> ISO; else None."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return _iso_ms(value)
    return None


def _pf(value: Any) -> float:
    """parseFloat of a value (NaN -> 0 is not the CLI's rule, but NaN never reaches the output here)."""
    try:
        number = float(str(value).strip())
    except ValueError:
        return 0.0
    return number if math.isfinite(number) else 0.0


def _unwrap(body: Any) -> dict[str, Any]:
    root = as_dict(body)
    data = root.get("Data")
    return data if isinstance(data, dict) else root


def _int_of(value: Any) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        digits = value.strip()
        sign = -1 if digits.startswith("-") else 1
        digits = digits.lstrip("+-")
        head = "".join(c for c in _takewhile_digits(digits))
        return sign * int(head) if head else None
    return None


def _takewhile_digits(text: str) -> str:
    out = ""
    for ch in text:
        if not ch.isdigit():
            break
        out += ch
    return out


def _first(row: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if row.get(key) is not None:
            return row[key]
    return None


class SubscriptionReports:
    def __init__(self, api: BillingApi, token_plan: Callable[[str], TokenPlan]) -> None:
        self._api = api
        self._token_plan = token_plan

    def _run(self, calls: dict[str, Callable[[], Any]]) -> tuple[dict[str, Any], list[Diagnostic]]:
        results: dict[str, Any] = {}
        diagnostics: list[Diagnostic] = []
        if not calls:
            return results, diagnostics
        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            futures = {name: pool.submit(call) for name, call in calls.items()}
            for name, future in futures.items():
                try:
                    results[name] = future.result(timeout=35)
                except Exception as exc:
                    diagnostics.append(diagnostic(name, exc))
        return results, diagnostics

    # -- subscription status ------------------------------------------------------------------------
    def status(self, token: str, plan: str | None) -> tuple[SubscriptionStatus | None, list[Diagnostic]]:
        api = self._api
        token_on, coding_on = plan in (None, "token"), plan in (None, "coding")
        calls: dict[str, Callable[[], Any]] = {
            "QuerySubscriptionGray": lambda: api.raw(BSS, "QuerySubscriptionGray", {}, token)
        }
        if token_on:
            calls["GetSeatSubscriptionSummary"] = lambda: api.raw(
                BSS, "GetSeatSubscriptionSummary", {"productCode": TOKEN_TEAMS}, token
            )
            calls["TokenPlan"] = lambda: self._token_plan(token)
            calls["DescribeFrInstances-addon"] = lambda: api.raw(
                BSS,
                "DescribeFrInstances",
                {"Group": "tokenPlan", "CommodityCode": TOKEN_ADDON, "PageNum": 1, "PageSize": 10},
                token,
            )
            calls["CheckTokenPlanAutoRenewal"] = lambda: api.raw(
                "BssOpenApi", "CheckTokenPlanAutoRenewal", {"CommodityCode": TOKEN_TEAMS}, token
            )
        if coding_on:
            calls["GetSubscriptionDetail"] = lambda: api.raw(
                BSS,
                "GetSubscriptionDetail",
                {"productCode": CODING_COMMODITY, "pageNo": 1, "pageSize": 100},
                token,
            )
        results, diagnostics = self._run(calls)
        detail = results.get("GetSubscriptionDetail")
        raw_data = as_dict(detail).get("Data")
        instances = (
            raw_data if isinstance(raw_data, list) else as_list(as_dict(raw_data).get("SubscriptionList"))
        )
        normal = [as_dict(i) for i in instances if as_dict(i).get("Status") == "NORMAL"]
        renew_result: Any = _MISSING
        if normal:
            params: dict[str, Any] = {}
            for n, inst in enumerate(normal, 1):
                params[f"instanceIdentities.{n}.InstanceId"] = (
                    _first(inst, "InstanceCode", "InstanceId") or ""
                )
                params[f"instanceIdentities.{n}.CommodityCode"] = inst.get("ProductCode") or ""
                params[f"instanceIdentities.{n}.ResourceType"] = "subscription"
            phase2, more = self._run(
                {"CheckInstancesRenewable": lambda: api.raw(BSS, "CheckInstancesRenewable", params, token)}
            )
            diagnostics += more
            renew_result = phase2.get("CheckInstancesRenewable", _MISSING)
        if not results and renew_result is _MISSING:
            return None, diagnostics
        orders = self._orders(token, token_on, coding_on)
        active = (
            next((as_dict(i) for i in raw_data if as_dict(i).get("Status") == "VALID"), None)
            if isinstance(raw_data, list)
            else None
        )
        return _assemble(results, renew_result, active, orders), diagnostics

    def _orders(self, token: str, token_on: bool, coding_on: bool) -> list[dict[str, Any]]:
        try:
            base = self._api.raw("AccountCenter", "QueryAccountBaseInfoApi", {}, token)
            nb = _first(_unwrap(base), "NbId")
            params: dict[str, Any] = {"CurrentPage": 1, "PageSize": 3}
            if isinstance(nb, str | int | float) and not isinstance(nb, bool) and str(nb):
                params["Nbid"] = str(nb) if isinstance(nb, str) else nb
            if token_on:
                params["CommodityCodeList"] = f"{TOKEN_TEAMS},{TOKEN_ADDON}"
            body = as_dict(self._api.raw(BSS, "QueryOrderList", params, token))
        except QwenBotError:
            return []
        if "Data" not in body and isinstance(body.get("Code"), str):
            return []
        return [as_dict(o) for o in as_list(body.get("Data"))]

    # -- token plan status --------------------------------------------------------------------------
    def token_plan_status(self, token: str) -> tuple[TokenPlanStatus, list[Diagnostic]]:
        api = self._api
        instance_id: str | None = None
        try:
            body = api.raw(
                BSS,
                "DescribeFrInstances",
                {"Group": "tokenPlan", "CommodityCode": TOKEN_TEAMS, "PageNum": 1, "PageSize": 10},
                token,
            )
            instance_id = next(
                (
                    str(i["InstanceId"])
                    for i in map(as_dict, as_list(as_dict(body).get("Data")))
                    if isinstance(i.get("InstanceId"), str) and i["InstanceId"]
                ),
                None,
            )
        except QwenBotError:
            instance_id = None
        calls: dict[str, Callable[[], Any]] = {
            "GetSeatSubscriptionSummary": lambda: api.raw(
                BSS, "GetSeatSubscriptionSummary", {"productCode": TOKEN_TEAMS}, token
            ),
            "GetSubscriptionSummary": lambda: api.raw(
                BSS, "GetSubscriptionSummary", {"productCode": TOKEN_TEAMS}, token
            ),
        }
        skipped: list[Diagnostic] = []
        if instance_id:
            calls["CheckTokenPlanAutoRenewal"] = lambda: api.raw(
                "BssOpenApi", "CheckTokenPlanAutoRenewal", {"CommodityCode": TOKEN_TEAMS}, token
            )
            calls["CheckInstancesRenewable"] = lambda: api.raw(
                BSS,
                "CheckInstancesRenewable",
                {
                    "instanceIdentities.1.InstanceId": instance_id,
                    "instanceIdentities.1.CommodityCode": TOKEN_TEAMS,
                    "instanceIdentities.1.ResourceType": "subscription",
                },
                token,
            )
        else:
            reason = "Skipped: InstanceId unavailable from DescribeFrInstances"
            skipped = [
                Diagnostic(n, "Skipped", reason)
                for n in ("CheckTokenPlanAutoRenewal", "CheckInstancesRenewable")
            ]
        results, diagnostics = self._run(calls)
        return _token_plan(results), skipped + diagnostics


def _assemble(
    results: dict[str, Any], renew: Any, active: dict[str, Any] | None, orders: list[dict[str, Any]]
) -> SubscriptionStatus:
    gray = as_dict(results.get("QuerySubscriptionGray")).get("IsGray")
    seat_body = results.get("GetSeatSubscriptionSummary")
    seat = _unwrap(seat_body) if seat_body is not None else {}
    plan_tp: TokenPlan | None = results.get("TokenPlan")
    seat_plan = seat.get("PlanName")
    plan = (
        (active.get("PlanName") if active else None)
        or (seat_plan if isinstance(seat_plan, str) and seat_plan else None)
        or (plan_tp.plan_name if plan_tp is not None and plan_tp.detailed else None)
    )
    period: tuple[str, str] | None = None
    if (
        active
        and isinstance(active.get("StartTime"), str)
        and active["StartTime"]
        and isinstance(active.get("EndTime"), str)
        and active["EndTime"]
    ):
        period = (active["StartTime"], active["EndTime"])
    else:
        start, end = (
            _time(_first(seat, "PeriodStart", "StartTime")),
            _time(_first(seat, "PeriodEnd", "EndTime")),
        )
        if start and end:
            period = (start, end)
    quota = None
    if plan_tp is not None and plan_tp.subscribed:
        total, remaining = float(plan_tp.total_credits), float(plan_tp.remaining_credits)
        if total <= 0:
            quota = Quota(remaining, 0, 0)
        else:
            quota = Quota(
                remaining, total, min(100, max(0, _js_round(max(0.0, total - remaining) / total * 100)))
            )
    tiers = _tiers(seat, plan_tp)
    return SubscriptionStatus(
        is_gray=gray if isinstance(gray, bool) else None,
        plan=plan,
        period=period,
        quota=quota,
        auto_renew=_auto_renew(results.get("CheckTokenPlanAutoRenewal")),
        renewable=_renewable(renew),
        remaining_days=_int_of(seat.get("RemainingDays")),
        seat_tiers=tiers,
        credit_packs=_packs(results.get("DescribeFrInstances-addon")),
        coding_plan_status=str(active.get("Status")) if active else None,
        recent_orders=tuple(_order(o) for o in orders),
    )


def _js_round(x: float) -> int:
    return math.floor(x + 0.5)


def _auto_renew(body: Any) -> bool | None:
    if body is None:
        return None
    root = as_dict(body)
    value = as_dict(root.get("Data")).get("AutoRenewal")
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    for key in ("EnableRenew", "AutoRenewal", "Enable"):
        if isinstance(root.get(key), bool):
            return bool(root[key])
    return None


def _renewable(body: Any) -> bool | None:
    if body is _MISSING or body is None:
        return None
    root = as_dict(body)
    data = as_list(root.get("Data"))
    if data:
        first = as_dict(data[0])
        value = _first(first, "CanRenew", "canRenew")
        if isinstance(value, bool):
            return value
    return root["Renewable"] if isinstance(root.get("Renewable"), bool) else None


def _tiers(seat: dict[str, Any], plan_tp: TokenPlan | None) -> tuple[SeatTier, ...]:
    tiers = []
    for raw in as_list(seat.get("SubscriptionGroupList")):
        g = as_dict(raw)
        equity = as_dict(as_list(g.get("EquityList"))[0]) if as_list(g.get("EquityList")) else {}
        total = _pf(
            _first(equity, "TotalValue") if equity.get("TotalValue") is not None else g.get("TotalValue", "0")
        )
        left = _pf(
            _first(equity, "SurplusValue")
            if equity.get("SurplusValue") is not None
            else g.get("SurplusValue", "0")
        )
        seats = g.get("SubscriptionTotalNumber")
        flush = g.get("NextCycleFlushTime")
        tiers.append(
            SeatTier(
                spec_type=str(g.get("SpecType") or ""),
                seats=int(seats) if isinstance(seats, int | float) and not isinstance(seats, bool) else 0,
                total_credits=total,
                remaining_credits=left,
                used_pct=min(100, max(0, _js_round((total - left) / total * 100))) if total > 0 else 0,
                next_cycle_flush_time=_time(flush),
            )
        )
    if any(t.total_credits > 0 for t in tiers):
        return tuple(tiers)
    if plan_tp is not None and plan_tp.subscribed and plan_tp.total_credits > 0:
        total, left = float(plan_tp.total_credits), float(plan_tp.remaining_credits)
        used = min(100, max(0, _js_round((total - left) / total * 100)))
        return (SeatTier("", 1, total, left, used, plan_tp.reset_date),)
    return ()


def _packs(body: Any) -> tuple[CreditPack, ...]:
    packs = []
    for raw in as_list(as_dict(body).get("Data")):
        item = as_dict(raw)
        status = _first(item, "StatusCode", "Status")
        if isinstance(status, dict):
            status = status.get("Code")
        if status != "valid":
            continue
        end = item.get("EndTime")
        expires = _time(end) if isinstance(end, int | float) and not isinstance(end, bool) else None
        if expires and int(expires[:4]) >= 7000:
            expires = None
        packs.append(
            CreditPack(
                instance_id=str(item.get("InstanceId") or ""),
                total_credits=_pf(item.get("InitCapacityBaseValue", "0")),
                remaining_credits=_pf(item.get("CurrCapacityBaseValue", "0")),
                expires_at=expires,
            )
        )
    return tuple(packs)


def _order(row: dict[str, Any]) -> Order:
    kind = _first(row, "OrderType")
    kind_text = "" if kind is None else str(kind)
    status = _first(row, "OrderStatus", "Status")
    status_text = "" if status is None else str(status)
    amount = _first(
        row,
        "PayAmount",
        "TradeAmount",
        "CashAmount",
        "OriginalAmount",
        "PostTaxAmount",
        "PretaxAmount",
        "Amount",
    )
    when = _first(row, "GmtCreate", "GmtPay", "OrderTime")
    return Order(
        order_id=str(_first(row, "OrderId") or ""),
        order_type=ORDER_TYPES.get(kind_text.lower(), kind_text),
        order_time="" if when is None else str(when),
        amount="0" if amount is None else str(amount),
        status=ORDER_STATUSES.get(status_text.upper(), status_text),
    )


def _token_plan(results: dict[str, Any]) -> TokenPlanStatus:
    seat_body = results.get("GetSeatSubscriptionSummary")
    seat = _unwrap(seat_body) if seat_body is not None else None
    period = None
    if seat is not None:
        start, end = (
            _time(_first(seat, "StartTime", "PeriodStart")),
            _time(_first(seat, "EndTime", "PeriodEnd")),
        )
        if start and end:
            period = (start, end, _int_of(seat.get("RemainingDays")) or 0)
    renew_body = results.get("CheckTokenPlanAutoRenewal")
    auto = None
    if renew_body is not None:
        data = as_dict(as_dict(renew_body).get("Data"))
        value = _first(data, "AutoRenewal")
        if value is None:
            value = as_dict(renew_body).get("AutoRenewal")
        enabled = (
            value == 1
            if isinstance(value, int | float) and not isinstance(value, bool)
            else value
            if isinstance(value, bool)
            else False
        )
        auto = AutoRenew(
            bool(enabled),
            Decimal(str(data.get("RenewalPeriod") or 0)),
            str(data.get("RenewalPeriodUnit") or ""),
        )
    renewable = None
    if "CheckInstancesRenewable" in results:
        body = as_dict(results["CheckInstancesRenewable"])
        data_list = as_list(body.get("Data"))
        if data_list:
            first = as_dict(data_list[0])
            can = _first(first, "CanRenew", "canRenew")
            code = first.get("InterceptCode")
            renewable = Renewable(
                bool(can) if can is not None else False, None if code is None else str(code)
            )
        else:
            renewable = Renewable(bool(body.get("Renewable") or False), None)
    groups = None
    total = None
    if seat is not None:
        groups = tuple(_seat_group(as_dict(g)) for g in as_list(seat.get("SubscriptionGroupList")))
        if "GetSubscriptionSummary" in results:
            summary = _unwrap(results["GetSubscriptionSummary"])
            count = summary.get("TotalCount")
            total = SeatTotal(
                seats=Decimal(str(count))
                if isinstance(count, int | float) and not isinstance(count, bool)
                else Decimal(0),
                total_value=str(summary.get("TotalValue") if summary.get("TotalValue") is not None else "0"),
                surplus_value=str(
                    summary.get("TotalSurplusValue") if summary.get("TotalSurplusValue") is not None else "0"
                ),
            )
    return TokenPlanStatus(
        period=period, auto_renew=auto, renewable=renewable, seat_groups=groups, seat_total=total
    )


def _seat_group(g: dict[str, Any]) -> SeatGroupDetail:
    equity = as_dict(as_list(g.get("EquityList"))[0]) if as_list(g.get("EquityList")) else {}

    def value(name: str) -> str:
        raw = equity.get(name) if equity.get(name) is not None else g.get(name)
        return "0" if raw is None else str(raw)

    seats, assigned = g.get("SubscriptionTotalNumber"), g.get("SubscriptionAssignedNumber")
    return SeatGroupDetail(
        spec_type=str(g.get("SpecType") if g.get("SpecType") is not None else "unknown"),
        seats=Decimal(str(seats))
        if isinstance(seats, int | float) and not isinstance(seats, bool)
        else Decimal(0),
        assigned=Decimal(str(assigned))
        if isinstance(assigned, int | float) and not isinstance(assigned, bool)
        else Decimal(0),
        total_value=value("TotalValue"),
        surplus_value=value("SurplusValue"),
        next_cycle_flush_time=_time(g.get("NextCycleFlushTime")),
    )


def token_plan_fetcher(client: QwenCloudClient, usage: UsageService) -> Callable[[str], TokenPlan]:
    """The token plan as `subscription` 1.4.1 fetches it: on the seat (gray) path a seat-summary failure fails
    this sub-call (a diagnostic), unlike `usage summary`; else the usage summary's fetch."""

    def fetch(token: str) -> TokenPlan:
        try:
            gray = client.subscription_gray(token)
        except QwenBotError:
            gray = False
        if not gray:
            return usage.token_plan(token)
        seat = client.seat_subscription_summary(token, TOKEN_PLAN_CODES["teams"])
        try:
            addon = client.fr_instances(token, TOKEN_PLAN_CODES["addon"], 100)
        except QwenBotError:
            addon = []
        return aggregate.token_plan_seat(seat, addon)

    return fetch
