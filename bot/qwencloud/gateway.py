"""The data gateway: flat calls (route A), the envelope call (route B) and one method per backend action."""

from __future__ import annotations

import json
import logging
from typing import Any

from bot.base.errors import BusinessError, GatewayError, MalformedResponse, QwenBotError
from bot.qwencloud import parse_data
from bot.qwencloud.http import Transport, json_body
from bot.qwencloud.models import (
    CodingPlanInstance,
    ConsumeItem,
    ConsumePage,
    FreeTierQuota,
    FrInstance,
    ModelSeriesItem,
    SeatSummary,
)
from bot.qwencloud.values import as_dict, as_list

log = logging.getLogger("bot.qwencloud")

REGION = "ap-southeast-1"
BSS = "BssOpenAPI-V3"
PAGE_SIZE = 100
MAX_PAGES = 1000  # a server that never returns a short page must not loop forever
CODING_PLAN_API = "zeldaEasy.broadscope-bailian.codingPlan.queryCodingPlanInstanceInfoV2"
CODING_PLAN_COMMODITY = "sfm_codingplan_public_intl"
TOKEN_PLAN_CODES = {
    "teams": "sfm_tokenplanteams_dp_intl",
    "personal": "sfm_tokenplanpersonal_dp_intl",
    "addon": "sfm_tokenplanteamsaddon_dp_intl",
}


def wire_params(params: dict[str, Any]) -> dict[str, str]:
    """Contract §0: every value a string; numbers via String(), the rest via JSON.stringify."""
    out: dict[str, str] = {}
    for key, value in params.items():
        if isinstance(value, str):
            out[key] = value
        elif isinstance(value, bool) or value is None or isinstance(value, dict | list | tuple):
            out[key] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        else:
            out[key] = str(value)
    return out


class Gateway:
    def __init__(
        self,
        *,
        transport: Transport,
        gateway_url: str,
        model_map_url: str,
        console_domain: str,
        timeout: float,
    ) -> None:
        self._transport = transport
        self._gateway_url = gateway_url
        self._model_map_url = model_map_url
        self._console_domain = console_domain
        self._timeout = timeout

    # -- routes
    def flat(
        self, product: str, action: str, params: dict[str, Any], *, token: str | None, idempotent: bool = True
    ) -> Any:
        """Route A: the `data` of a code "200" answer."""
        body = {"product": product, "action": action, "region": REGION, "params": wire_params(params)}
        root = self._post(body, token=token, idempotent=idempotent)
        code = str(root.get("code"))
        if code != "200":
            message = root.get("message")
            raise GatewayError(
                str(message) if message else f"Gateway error: code={code}",
                code=code,
                request_id=_str_or_none(root.get("requestId")),
            )
        return root.get("data")

    def envelope(self, api: str, data: dict[str, Any], *, token: str) -> Any:
        """Route B: the business payload, single- or double-wrapped (the caller looks for both)."""
        params = {"Api": api, "Data": json.dumps(data, separators=(",", ":"), ensure_ascii=False), "V": "1.0"}
        body = {
            "product": "sfm_bailian",
            "action": "IntlBroadScopeAspnGateway",
            "region": REGION,
            "params": params,
        }
        root = self._post(body, token=token, idempotent=True)
        if str(root.get("code")) != "200":
            code = str(root.get("code"))
            raise GatewayError(str(root.get("message") or f"Gateway error: code={code}"), code=code)
        payload = as_dict(root.get("data"))
        if isinstance(payload.get("DataV2"), dict):
            holder = payload["DataV2"]
            inner = as_dict(holder.get("data")).get("data")
        elif isinstance(payload.get("ret"), list):
            holder, inner = payload, payload.get("data")
        else:
            raise MalformedResponse("Missing DataV2.data in gateway response")
        ret = as_list(holder.get("ret"))
        first = str(ret[0]) if ret else ""
        code, _, message = first.partition("::")
        if code != "SUCCESS":
            raise BusinessError(message or code or "Envelope call failed", code=code or "UNKNOWN")
        return inner

    def _post(self, body: dict[str, Any], *, token: str | None, idempotent: bool) -> dict[str, Any]:
        response = self._transport.send(
            "POST", self._gateway_url, timeout=self._timeout, idempotent=idempotent, token=token, body=body
        )
        root = json_body(response)
        if not isinstance(root, dict):
            raise MalformedResponse("Gateway response is not a JSON object")
        return root

    # -- actions
    def model_map(self) -> dict[str, str]:
        """The CDN {model_id: template code}; {} on any failure (no free-tier section), like the CLI."""
        try:
            response = self._transport.send(
                "GET", self._model_map_url, timeout=self._timeout, idempotent=True
            )
            raw = json_body(response)
        except QwenBotError as exc:
            log.warning("model map unavailable: %s", type(exc).__name__)
            return {}
        return {str(k): str(v) for k, v in as_dict(raw).items() if isinstance(v, str)}

    def free_tier_quotas(self, token: str, template_codes: list[str]) -> dict[str, FreeTierQuota]:
        """DescribeFqInstance: template code -> quota (the last matching instance wins, as in the CLI)."""
        if not template_codes:
            return {}
        data = self.flat(
            BSS, "DescribeFqInstance", {"templateCodes": template_codes, "PageSize": 500}, token=token
        )
        quotas: dict[str, FreeTierQuota] = {}
        for item in as_list(as_dict(data).get("Data")):
            quota = parse_data.free_tier_quota(as_dict(item))
            if quota is not None:
                quotas[quota.template_code] = quota
        return quotas

    def coding_plan(self, token: str) -> CodingPlanInstance | None:
        """The first coding-plan instance, whatever its status (the service decides what VALID means)."""
        data = {
            "reqDTO": {
                "queryCodingPlanInstanceInfoRequest": {
                    "commodityCode": CODING_PLAN_COMMODITY,
                    "onlyLatestOne": True,
                }
            },
            "cornerstoneParam": {
                "domain": self._console_domain,
                "consoleSite": "QWENCLOUD",
                "console": "ONE_CONSOLE",
                "xsp_lang": "en-US",
                "protocol": "V2",
                "productCode": "p_efm",
            },
        }
        instances = parse_data.coding_plan_instances(self.envelope(CODING_PLAN_API, data, token=token))
        return parse_data.coding_plan_instance(instances[0]) if instances else None

    def subscription_gray(self, token: str) -> bool:
        return as_dict(self.flat(BSS, "QuerySubscriptionGray", {}, token=token)).get("IsGray") is True

    def seat_subscription_summary(self, token: str, product_code: str) -> SeatSummary:
        data = self.flat(BSS, "GetSeatSubscriptionSummary", {"productCode": product_code}, token=token)
        return parse_data.seat_summary(data)

    def fr_instances(self, token: str, commodity_code: str, page_size: int) -> list[FrInstance]:
        params = {"Group": "tokenPlan", "CommodityCode": commodity_code, "PageNum": 1, "PageSize": page_size}
        data = self.flat(BSS, "DescribeFrInstances", params, token=token)
        return [parse_data.fr_instance(as_dict(i)) for i in as_list(as_dict(data).get("Data"))]

    def consume_summary_page(
        self, token: str, start: str, end: str, *, page: int, model: str | None = None
    ) -> ConsumePage:
        params: dict[str, Any] = {
            "Console": True,
            "Granularity": "DAILY",
            "ChargeTypes": ["postpaid"],
            "StartBillingDate": start,
            "EndBillingDate": end,
            "MaxResults": PAGE_SIZE,
            "CurrentPage": page,
            "SortName": "BillingDate",
            "SortOrder": "DESC",
        }
        if model:
            params["ModelNames"] = [model]
        data = as_dict(self.flat(BSS, "MaasListConsumeSummary", params, token=token))
        rows = as_list(data.get("Data"))
        items = tuple(i for i in (parse_data.consume_item(as_dict(r)) for r in rows) if i is not None)
        total = data.get("TotalCount")
        text = str(total) if isinstance(total, int | float | str) else ""
        total_count = int(text) if text.isascii() and text.isdigit() else None
        return ConsumePage(items=items, row_count=len(rows), total_count=total_count)

    def consume_summary(
        self, token: str, start: str, end: str, *, model: str | None = None
    ) -> list[ConsumeItem]:
        """Every page of one calendar-month chunk (the official CLI reads page 1 only; contract §10)."""
        items: list[ConsumeItem] = []
        seen = 0
        for page in range(1, MAX_PAGES + 1):
            result = self.consume_summary_page(token, start, end, page=page, model=model)
            items.extend(result.items)
            seen += result.row_count
            if result.row_count < PAGE_SIZE:
                break
            if result.total_count is not None and seen >= result.total_count:
                break
        return items

    def model_series(self, token: str) -> list[ModelSeriesItem]:
        data = self.flat("AliyunDeliveryService", "ListModelSeries", {"Language": "en-US"}, token=token)
        return parse_data.model_series(data)


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
