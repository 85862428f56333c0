"""Call logs, billing and subscriptions (qwencloud-api-billing.md), served from the seeded dataset.

Consistent with the usage data: cost analysis and settled bills are computed from the same
MaasListConsumeSummary rows (pay-as-you-go = postpaid; the kept rows are the ones the CLI keeps), so a
breakdown by model or by API key over some dates sums to the usage summary's spend for those dates.
Each (day, model) bill is attributed to one API key chosen by the seed; tax is 9% of each group's
spend per period. Call logs are generated per day (about ten a day, a mix of models and statuses).
"""

from __future__ import annotations

import calendar
import hashlib
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from bot.devtools.simulator.burst import burst_logs
from bot.devtools.simulator.dataset import IMAGE_MODEL, TEXT_MODELS, month_add, unit
from bot.devtools.simulator.params import json_param

if TYPE_CHECKING:
    from bot.devtools.simulator.state import SimState

LOGS_API = "zeldaEasy.bailian-telemetry.platform-model.listModelLogs"
SKIPPED = frozenset({"Rounding Adjustment", "Refund", "Credit Adjustment"})
TAX_RATE = Decimal("0.09")
LOG_RETENTION_DAYS = 30
# (Key, Name, weight): the last group is usage without a named key (console playground).
API_KEYS: tuple[tuple[str, str | None, float], ...] = (
    ("ak-4f1e9a02c7d3", "prod-chatbot", 0.45),
    ("ak-9b20d6e311a8", "ci-pipeline", 0.25),
    ("ak-1c77a0b5e842", "alice-laptop", 0.2),
    ("", None, 0.1),
)
TOKEN_TEAMS = "sfm_tokenplanteams_dp_intl"
TOKEN_ADDON = "sfm_tokenplanteamsaddon_dp_intl"
CODING = "sfm_codingplan_public_intl"
DEFAULT_LIMIT: dict[str, Any] = {"LimitAmount": "100.00", "AlertThreshold": 80}
BILLING_KNOBS = (
    "token_plan",
    "usage_limit",
    "billing_currency",
    "business_error_apis",
    "logs_failure",
    "logs_burst",
)


class BadParam(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _money(value: Decimal, places: int = 6) -> str:
    return str(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


# -- spend rows ---------------------------------------------------------------------------------------------
def kept_rows(state: SimState, start: date, end: date) -> list[dict[str, Any]]:
    """The postpaid rows the CLI keeps (no rounding/refund/credit, no free-tier deductions)."""
    rows = state.dataset.rows_between(start, end, state.now().date(), None)
    return [
        r
        for r in rows
        if str(r["LineItemCategory"]) not in SKIPPED and "free" not in str(r["LineItemCategory"]).lower()
    ]


def api_key_of(seed: int, day: str, model: str) -> tuple[str, str | None]:
    pick = unit(seed, "apikey", day, model)
    for key, name, weight in API_KEYS:
        if pick < weight:
            return key, name
        pick -= weight
    return API_KEYS[-1][0], API_KEYS[-1][1]


def _parse_bound(text: str, *, end: bool) -> date:
    try:
        if len(text) == 6:
            year, month = int(text[:4]), int(text[4:])
            return date(year, month, calendar.monthrange(year, month)[1] if end else 1)
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError as exc:
        raise BadParam("TimePeriod Start/End must be YYYYMM or YYYYMMDD") from exc


def cost_analysis(state: SimState, params: dict[str, Any]) -> dict[str, Any]:
    period = json_param(params, "TimePeriod", None)
    if not isinstance(period, dict) or "Start" not in period or "End" not in period:
        raise BadParam("TimePeriod is required")
    start, end = _parse_bound(str(period["Start"]), end=False), _parse_bound(str(period["End"]), end=True)
    daily = str(params.get("Granularity", "MONTH")).upper() == "DAY"
    charge = json_param(params, "ChargeTypes", [])
    group_by = json_param(params, "GroupBy", [])
    code = str(group_by[0].get("Code")) if isinstance(group_by, list) and group_by else "BASE_MODEL"
    dims = json_param(params, "Filter", {})
    selects = [d.get("SelectType") for d in dims.get("Dimensions", [])] if isinstance(dims, dict) else []
    tax = "IN" in selects
    rows = kept_rows(state, start, end) if not charge or "postpaid" in charge else []
    seed = state.dataset.seed
    sums: dict[str, dict[tuple[str, str | None], Decimal]] = {}
    for row in rows:
        day, model = str(row["BillingDate"]), str(row["ModelName"])
        slot = day if daily else day[:7]
        group = (model, model) if code == "BASE_MODEL" else api_key_of(seed, day, model)
        bucket = sums.setdefault(slot, {})
        bucket[group] = bucket.get(group, Decimal(0)) + Decimal(str(row["RequireAmount"]))
    if tax:
        sums = {
            s: {g: (v * TAX_RATE).quantize(Decimal("0.000001"), ROUND_HALF_UP) for g, v in b.items()}
            for s, b in sums.items()
        }
    totals: dict[tuple[str, str | None], Decimal] = {}
    for bucket in sums.values():
        for group, value in bucket.items():
            totals[group] = totals.get(group, Decimal(0)) + value
    return {
        "GroupByTotal": _groups(totals),
        "ResultByTime": [
            {"Period": slot, "PeriodDetails": _groups(sums.get(slot, {}))}
            for slot in _slots(start, min(end, state.now().date()), daily)
        ],
        "Currency": state.billing.billing_currency,
    }


def _groups(values: dict[tuple[str, str | None], Decimal]) -> list[dict[str, Any]]:
    ordered = sorted(values.items(), key=lambda kv: (-kv[1], kv[0][0]))
    out: list[dict[str, Any]] = []
    for (key, name), value in ordered:
        entry: dict[str, Any] = {"Key": key, "Amount": _money(value)}
        if name is not None:
            entry["Name"] = name
        out.append(entry)
    return out


def _slots(start: date, end: date, daily: bool) -> list[str]:
    slots: list[str] = []
    day = start
    while day <= end:
        slot = day.isoformat() if daily else day.strftime("%Y-%m")
        if slot not in slots:
            slots.append(slot)
        day = day + timedelta(days=1) if daily else month_add(day, 1)
    return slots


def settled_bills(state: SimState, params: dict[str, Any]) -> dict[str, Any]:
    try:
        first = _parse_bound(str(params.get("StartBillingCycle", "")), end=False)
        last = _parse_bound(str(params.get("EndBillingCycle", "")), end=True)
    except BadParam as exc:
        raise BadParam("StartBillingCycle/EndBillingCycle must be YYYYMM") from exc
    charge = str(params.get("ChargeType", ""))
    today = state.now().date()
    oldest = state.dataset.first_date(today)
    cent = Decimal("0.01")
    currency = state.billing.billing_currency
    cycles: list[dict[str, Any]] = []
    month = first.replace(day=1)
    while month <= min(last, today):
        if month >= oldest.replace(day=1):
            month_end = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
            pretax = Decimal(0)
            if charge in ("", "postpaid"):
                spend = sum(
                    (Decimal(str(r["RequireAmount"])) for r in kept_rows(state, month, month_end)), Decimal(0)
                )
                pretax += spend.quantize(cent, ROUND_HALF_UP)
            if charge in ("", "prepaid"):
                pretax += _prepaid_fee(state)
            if pretax > 0:
                tax = (pretax * TAX_RATE).quantize(cent, ROUND_HALF_UP)
                cycles.append(
                    {
                        "BillingCycle": month.strftime("%Y-%m"),
                        "TotalPriceSettleFee": f"{pretax:.2f}",
                        "TotalPriceTaxFee": f"{tax:.2f}",
                        "TotalPricePostTaxFee": f"{pretax + tax:.2f}",
                        "Currency": currency,
                    }
                )
        month = month_add(month, 1)
    return {"Data": cycles, "Currency": currency, "TotalCount": len(cycles)}


def _prepaid_fee(state: SimState) -> Decimal:
    fee = Decimal("50.00") if state.dataset.coding_plan else Decimal(0)
    return fee + (Decimal("99.00") if state.billing.token_plan else Decimal(0))


def usage_limit(state: SimState) -> dict[str, Any]:
    overrides = state.billing.usage_limit
    if overrides is None:
        return {}
    body: dict[str, Any] = {**DEFAULT_LIMIT, "Currency": state.billing.billing_currency, **overrides}
    if "Status" not in overrides:
        today = state.now().date()
        spend = sum(
            (Decimal(str(r["RequireAmount"])) for r in kept_rows(state, today.replace(day=1), today)),
            Decimal(0),
        )
        limit = Decimal(str(body.get("LimitAmount") or 0))
        threshold = Decimal(str(body.get("AlertThreshold") or 0))
        status = "active"
        if limit > 0 and spend >= limit:
            status = "exceeded"
        elif limit > 0 and spend >= limit * threshold / 100:
            status = "warning"
        body = {"Status": status, **body}
    return body


# -- call logs ----------------------------------------------------------------------------------------------
_STATUS_TYPES = {
    "CANCEL": (0, 1),
    "SUCCESS": (200, 300),
    "CLIENT_ERROR": (400, 500),
    "SERVER_ERROR": (500, 600),
}


def day_logs(state: SimState, day: date) -> list[dict[str, Any]]:
    """The call-log entries of one UTC day (all of them, whatever the clock)."""
    seed = state.dataset.seed
    billed = sorted({str(r["ModelName"]) for r in state.dataset.rows_for_date(day)} - {IMAGE_MODEL})
    models = [m.model_id for m in TEXT_MODELS] + [IMAGE_MODEL]
    count = 6 + int(unit(seed, "logs", day) * 9)
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    out = []
    for i in range(count):
        r = [unit(seed, "log", day, i, k) for k in range(8)]
        model = billed[int(r[1] * len(billed))] if billed and r[0] < 0.7 else models[int(r[1] * len(models))]
        status = (
            0
            if r[2] < 0.05
            else 200
            if r[2] < 0.8
            else 400
            if r[2] < 0.88
            else 429
            if r[2] < 0.92
            else 500
            if r[2] < 0.97
            else 503
        )
        at = midnight + timedelta(milliseconds=int(r[3] * 86_400_000))
        out.append(_entry(seed, day, i, model, status, at, r))
    return out


def _entry(
    seed: int, day: date, i: int, model: str, status: int, at: datetime, r: list[float]
) -> dict[str, Any]:
    request_id = str(
        uuid.UUID(bytes=hashlib.sha256(f"{seed}|req|{day}|{i}".encode()).digest()[:16], version=4)
    )
    duration = 150 + int(r[4] * 19_000)
    if model == IMAGE_MODEL:
        usages = [{"key": "image_count", "value": 1 + int(r[5] * 4) if status == 200 else 0, "unit": "image"}]
    else:
        tokens_in = 120 + int(r[5] * 6000)
        tokens_out = 0 if status == 0 else 20 + int(r[6] * 1500)
        if status not in (0, 200):
            tokens_in = tokens_out = 0
        usages = [
            {"key": "input_tokens", "value": tokens_in, "unit": "tokens"},
            {"key": "output_tokens", "value": tokens_out, "unit": "tokens"},
            {"key": "total_tokens", "value": tokens_in + tokens_out, "unit": "tokens"},
        ]
    ms = int(at.timestamp() * 1000)
    origin: dict[str, Any] = {
        "request_id": request_id,
        "model": model,
        "status_code": str(status),
        "duration": str(duration),
        "start_time": at.strftime("%Y-%m-%d %H:%M:%S.") + f"{ms % 1000:03d}",
        "workspace_id": "ws-sim-0001",
        "uid": "5551234",
        "usage": json.dumps({u["key"]: u["value"] for u in usages}),
    }
    if r[7] >= 0.08:  # the others are legacy rows: no start_unix_timestamp
        origin["start_unix_timestamp"] = str(ms)
    return {"originLog": origin, "formattedUsages": usages, "_ms": ms}


def model_logs(state: SimState, req: dict[str, Any]) -> dict[str, Any]:
    if state.billing.logs_failure:
        return {"success": False, "message": state.billing.logs_failure}
    try:
        start_ms, end_ms = int(req.get("startTime", 0)), int(req.get("endTime", 0))
        size = max(1, min(100, int(req.get("maxResults", 20))))
        skip = max(0, int(req.get("skip", 0)))
    except (TypeError, ValueError) as exc:
        raise BadParam("startTime, endTime, maxResults and skip must be integers") from exc
    now = state.now()
    today = now.date()
    first = max(
        today - timedelta(days=LOG_RETENTION_DAYS),
        datetime.fromtimestamp(max(start_ms, 0) / 1000, UTC).date(),
    )
    last = min(today, datetime.fromtimestamp(max(min(end_ms, 2**42), 0) / 1000, UTC).date())
    entries: list[dict[str, Any]] = []
    day = first
    while day <= last and not state.dataset.empty_usage:
        entries += day_logs(state, day)
        day += timedelta(days=1)
    if not state.dataset.empty_usage:
        entries += burst_logs(state.billing.logs_burst, state.dataset.seed, now)
    now_ms = int(now.timestamp() * 1000)
    matches = [e for e in entries if start_ms <= e["_ms"] < end_ms and e["_ms"] <= now_ms]
    wanted_id = req.get("modelRequestId")
    if wanted_id:
        matches = [e for e in matches if e["originLog"]["request_id"] == wanted_id]
    else:
        models = req.get("models")
        if isinstance(models, list) and models:
            matches = [e for e in matches if e["originLog"]["model"] in models]
        types = req.get("statusCodeTypes")
        if isinstance(types, list) and types:
            ranges = [_STATUS_TYPES[t] for t in types if t in _STATUS_TYPES]
            matches = [
                e for e in matches if any(lo <= int(e["originLog"]["status_code"]) < hi for lo, hi in ranges)
            ]
    matches.sort(key=lambda e: (-e["_ms"], e["originLog"]["request_id"]))
    page = [{k: v for k, v in e.items() if k != "_ms"} for e in matches[skip : skip + size]]
    return {"success": True, "totalCount": len(matches), "maxResults": size, "list": page}


def envelope(state: SimState, api: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """The envelope answer for the Apis served here, None for others."""
    error = state.billing.business_error_apis.get(api)
    if error:
        return {"DataV2": {"ret": [error], "data": None}}
    if api != LOGS_API:
        return None
    req = data.get("reqDTO")
    payload = model_logs(state, req if isinstance(req, dict) else {})
    return {"DataV2": {"ret": ["SUCCESS::调用成功"], "data": {"success": True, "data": payload}}}


# -- subscriptions ------------------------------------------------------------------------------------------
def _ms(moment: date) -> int:
    return int(datetime(moment.year, moment.month, moment.day, tzinfo=UTC).timestamp() * 1000)


def _cycle(state: SimState) -> tuple[date, date]:
    today = state.now().date()
    start = today.replace(day=1)
    return start, month_add(start, 1)


def seat_summary(state: SimState, params: dict[str, Any]) -> dict[str, Any]:
    if not state.billing.token_plan or params.get("productCode") != TOKEN_TEAMS:
        return {"Data": {"SubscriptionGroupList": []}}
    start, end = _cycle(state)
    flush = _ms(end)
    used = int(unit(state.dataset.seed, "seats") * 1_000_000)
    return {
        "Data": {
            "PlanName": "Token Plan Team",
            "StartTime": _ms(start),
            "EndTime": _ms(end),
            "RemainingDays": (end - state.now().date()).days,
            "SubscriptionGroupList": [
                {
                    "SpecType": "PRO",
                    "SubscriptionTotalNumber": 3,
                    "SubscriptionAssignedNumber": 2,
                    "EquityList": [{"TotalValue": "3000000", "SurplusValue": f"{3_000_000 - used}.5"}],
                    "NextCycleFlushTime": flush,
                },
                {
                    "SpecType": "standard",
                    "SubscriptionTotalNumber": 5,
                    "SubscriptionAssignedNumber": 5,
                    "EquityList": [{"TotalValue": "2500000", "SurplusValue": "2500000"}],
                    "NextCycleFlushTime": flush,
                },
            ],
        }
    }


def subscription_summary(state: SimState, params: dict[str, Any]) -> dict[str, Any]:
    if not state.billing.token_plan:
        return {"Data": {"TotalCount": 0, "TotalValue": "0", "TotalSurplusValue": "0"}}
    used = int(unit(state.dataset.seed, "seats") * 1_000_000)
    return {"Data": {"TotalCount": 8, "TotalValue": "5500000", "TotalSurplusValue": f"{5_500_000 - used}.5"}}


def fr_instances(state: SimState, params: dict[str, Any]) -> dict[str, Any]:
    code = params.get("CommodityCode")
    items: list[dict[str, Any]] = []
    if state.billing.token_plan and code == TOKEN_TEAMS:
        _, end = _cycle(state)
        items = [{"InstanceId": "tp-sim-0001", "Status": "valid", "CommodityCode": code, "EndTime": _ms(end)}]
    elif state.billing.token_plan and code == TOKEN_ADDON:
        items = [
            {
                "InstanceId": "tpa-sim-0001",
                "StatusCode": "valid",
                "InitCapacityBaseValue": "500000",
                "CurrCapacityBaseValue": "120000.5",
                "EndTime": _ms(month_add(state.now().date(), 3)),
            },
            {
                "InstanceId": "tpa-sim-0002",
                "StatusCode": "expire",
                "InitCapacityBaseValue": "100000",
                "CurrCapacityBaseValue": "0",
                "EndTime": _ms(state.now().date().replace(day=1)),
            },
        ]
    return {"Data": items, "TotalCount": len(items), "PageNum": 1}


def auto_renewal(state: SimState) -> dict[str, Any]:
    return {
        "Data": {
            "AutoRenewal": 1 if state.billing.token_plan else 0,
            "RenewalPeriod": 1,
            "RenewalPeriodUnit": "M",
        }
    }


def instances_renewable(params: dict[str, Any]) -> dict[str, Any]:
    ids = [
        v
        for k, v in sorted(params.items())
        if k.startswith("instanceIdentities.") and k.endswith(".InstanceId")
    ]
    return {"Data": [{"InstanceId": i, "CanRenew": True, "InterceptCode": None} for i in ids]}


def subscription_detail(state: SimState, params: dict[str, Any]) -> dict[str, Any]:
    if not state.dataset.coding_plan or params.get("productCode") != CODING:
        return {"Data": []}
    start, end = _cycle(state)
    return {
        "Data": [
            {
                "InstanceCode": "cp-sim-0001",
                "ProductCode": CODING,
                "PlanName": "Coding Plan Pro",
                "Status": "NORMAL",
                "StartTime": f"{start.isoformat()}T00:00:00Z",
                "EndTime": f"{end.isoformat()}T00:00:00Z",
            }
        ]
    }


def orders(state: SimState, params: dict[str, Any]) -> dict[str, Any]:
    wanted = [c for c in str(params.get("CommodityCodeList", "")).split(",") if c]
    today = state.now().date()
    made: list[dict[str, Any]] = []
    for back in range(6):
        month = month_add(today, -back)
        if state.dataset.coding_plan:
            made.append(_order(month, 1, CODING, "BUY" if back == 5 else "RENEW", "50.00"))
        if state.billing.token_plan:
            made.append(_order(month, 2, TOKEN_TEAMS, "BUY" if back == 5 else "RENEW", "99.00"))
    made = [o for o in made if not wanted or o["CommodityCode"] in wanted]
    size = max(1, int(str(params.get("PageSize", 20))))
    return {"Data": made[:size], "TotalCount": len(made)}


def _order(month: date, n: int, code: str, kind: str, amount: str) -> dict[str, Any]:
    return {
        "OrderId": f"{month.strftime('%Y%m')}1543068{n:03d}{month.month:02d}",
        "OrderType": kind,
        "OrderStatus": "PAID",
        "GmtCreate": f"{month.isoformat()}T03:12:00Z",
        "PayAmount": amount,
        "CommodityCode": code,
    }


def flat_table(state: SimState) -> dict[str, Any]:
    """Flat actions served here: name -> handler(params)."""
    return {
        "MaasDescribeCostAnalysis": lambda p: cost_analysis(state, p),
        "ListSettleBillTotalSummary": lambda p: settled_bills(state, p),
        "DescribeUsageLimit": lambda p: usage_limit(state),
        "QuerySubscriptionGray": lambda p: {"IsGray": state.billing.token_plan},
        "GetSeatSubscriptionSummary": lambda p: seat_summary(state, p),
        "GetSubscriptionSummary": lambda p: subscription_summary(state, p),
        "DescribeFrInstances": lambda p: fr_instances(state, p),
        "CheckTokenPlanAutoRenewal": lambda p: auto_renewal(state),
        "CheckInstancesRenewable": lambda p: instances_renewable(p),
        "GetSubscriptionDetail": lambda p: subscription_detail(state, p),
        "QueryAccountBaseInfoApi": lambda p: {"Data": {"NbId": "5551234"}},
        "QueryOrderList": lambda p: orders(state, p),
    }
