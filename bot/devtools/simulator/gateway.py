"""The data gateway `POST /data/v2/api.json`: flat calls (route A) and the envelope call (route B)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from bot.devtools.simulator import billing
from bot.devtools.simulator.dataset import MODEL_MAP
from bot.devtools.simulator.params import json_param
from bot.devtools.simulator.state import SimState

CODING_PLAN_API = "zeldaEasy.broadscope-bailian.codingPlan.queryCodingPlanInstanceInfoV2"
AUTH_OPTIONAL_PRODUCTS = {"qwencloud-auth", "aliyun-search-maas"}


class GatewayError(Exception):
    """Answered as HTTP 200 with `code` != "200", like the real gateway."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def ok(data: Any) -> dict[str, Any]:
    return {"code": "200", "data": data, "requestId": str(uuid.uuid4()).upper(), "success": True}


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"code": code, "message": message, "requestId": str(uuid.uuid4()).upper(), "success": False}


def action_name(body: dict[str, Any]) -> str:
    """The name fault knobs key on: the flat action, or the envelope's inner Api."""
    params = body.get("params") or {}
    if body.get("action") == "IntlBroadScopeAspnGateway" and isinstance(params, dict):
        return str(params.get("Api", "IntlBroadScopeAspnGateway"))
    return str(body.get("action", ""))


def _int_param(params: dict[str, Any], name: str, default: int) -> int:
    try:
        return int(str(params.get(name, default)))
    except ValueError as exc:
        raise GatewayError("InvalidParameter", f"{name} must be an integer") from exc


def _date_param(params: dict[str, Any], name: str) -> date:
    try:
        return date.fromisoformat(str(params.get(name, "")))
    except ValueError as exc:
        raise GatewayError("InvalidParameter", f"{name} must be YYYY-MM-DD") from exc


def consume_summary(state: SimState, params: dict[str, Any]) -> dict[str, Any]:
    start, end = _date_param(params, "StartBillingDate"), _date_param(params, "EndBillingDate")
    if (start.year, start.month) != (end.year, end.month) or start > end:
        raise GatewayError(
            "InvalidParameter", "StartBillingDate and EndBillingDate must be in the same month"
        )
    page = max(1, _int_param(params, "CurrentPage", 1))
    size = min(300, max(1, _int_param(params, "MaxResults", 20)))
    models = json_param(params, "ModelNames", None)
    if models is not None and not isinstance(models, list):
        raise GatewayError("InvalidParameter", "ModelNames must be a JSON array")
    rows = state.dataset.rows_between(start, end, state.now().date(), models)
    if str(params.get("SortOrder", "DESC")).upper() == "ASC":
        rows = sorted(rows, key=lambda r: str(r["BillingDate"]))
    return {
        "Data": rows[(page - 1) * size : page * size],
        "TotalCount": len(rows),
        "CurrentPage": page,
        "MaxResults": size,
    }


def free_tier(state: SimState, params: dict[str, Any]) -> dict[str, Any]:
    codes = json_param(params, "templateCodes", [])
    items = state.dataset.free_tier_instances(state.now(), codes if isinstance(codes, list) else [])
    return {"Data": items, "TotalCount": len(items)}


def coding_plan(state: SimState) -> dict[str, Any]:
    infos: dict[str, Any] = {"codingPlanInstanceInfos": state.dataset.coding_plan_instances(state.now())}
    if state.faults.business_error:
        return {"DataV2": {"ret": [state.faults.business_error], "data": None}}
    if state.cli_compat:
        # 1.4.1 unwraps twice (contract §5): nest the payload once more so it can see the plan.
        infos = {"DataV2": {"ret": ["SUCCESS::调用成功"], "data": {"data": infos}}}
    return {"DataV2": {"ret": ["SUCCESS::调用成功"], "data": {"success": True, "data": infos}}}


def envelope(state: SimState, params: dict[str, Any]) -> dict[str, Any]:
    api = params.get("Api")
    try:
        data = json.loads(str(params.get("Data", "{}")))
    except ValueError as exc:
        raise GatewayError("InvalidParameter", "Data must be a JSON string") from exc
    served = billing.envelope(state, str(api), data if isinstance(data, dict) else {})
    if served is not None:
        return served
    if api == CODING_PLAN_API:
        return coding_plan(state)
    return {"DataV2": {"ret": [f"FAIL_BIZ_API_NOT_FOUND::Unknown Api {api}"], "data": None}}


def _flat_table(state: SimState) -> dict[str, Callable[[dict[str, Any]], Any]]:
    return {
        "MaasListConsumeSummary": lambda p: consume_summary(state, p),
        "DescribeFqInstance": lambda p: free_tier(state, p),
        "QuerySubscriptionGray": lambda p: {"IsGray": False},
        "DescribeFrInstances": lambda p: {"Data": [], "TotalCount": 0, "PageNum": 1},
        "GetSeatSubscriptionSummary": lambda p: {"Data": {"SubscriptionGroupList": []}},
        "ListModelSeries": lambda p: {"Data": state.dataset.catalogue(), "TotalCount": 1},
        "Logout": lambda p: {"success": True},
        "Ping": lambda p: {"pong": True},
        "CheckVersion": lambda p: {"latest": "1.4.1"},
        "IntlBroadScopeAspnGateway": lambda p: envelope(state, p),
        **billing.flat_table(state),  # call logs, billing, subscriptions (and the token plan calls above)
    }


def dispatch(state: SimState, body: dict[str, Any], received: float = 0.0) -> dict[str, Any]:
    """Answer one gateway call; the caller has already checked auth and transport faults.

    `received` (monotonic seconds) is logged with the call so tests and benchmarks can see overlap.
    """
    params = body.get("params") or {}
    if not isinstance(params, dict):
        return error_body("InvalidParameter", "params must be an object")
    name = action_name(body)
    with state.lock:
        offset = round((received - state.started) * 1000) if received else None
        state.calls.append({"action": name, "params": params, "received_ms": offset})
        gateway_code = state.faults.gateway_error_actions.get(name) or state.faults.gateway_error_actions.get(
            "*"
        )
        message = state.faults.gateway_error_message
    if gateway_code:
        return error_body(gateway_code, message)
    handler = _flat_table(state).get(str(body.get("action", "")))
    if handler is None:
        return error_body("InvalidAction.NotFound", f"Specified action {name} is not found.")
    try:
        return ok(handler(params))
    except GatewayError as exc:
        return error_body(exc.code, exc.message)
    except billing.BadParam as exc:
        return error_body("InvalidParameter", exc.message)


def model_map() -> dict[str, str]:
    return dict(MODEL_MAP)
