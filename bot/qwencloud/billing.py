"""The call-log, billing and subscription calls (qwencloud-api-billing.md) over the existing Gateway routes.

Raw JSON stops here: every method returns the typed results of bot.qwencloud.billing_models, except the
subscription sub-calls, whose loosely typed bodies go to bot.qwencloud.subscription for assembly.
"""

from __future__ import annotations

import json
from typing import Any

from bot.base.errors import BusinessError, UpstreamError
from bot.qwencloud import parse_billing
from bot.qwencloud.billing_models import CostAnalysis, LogPage, SettledBills, UsageLimit
from bot.qwencloud.gateway import BSS, Gateway

LOGS_API = "zeldaEasy.bailian-telemetry.platform-model.listModelLogs"
# The envelope's cornerstoneParam.domain is the built-in gateway host, whatever endpoint is configured.
GATEWAY_DOMAIN = "cli.qwencloud.com"
BUSINESS_HINTS = {
    "10041495": "Verify that the account is bound to an active workspace.",
    "Workspace.Error.Internal": (
        "The account is not bound to a workspace, or the workspace is in an abnormal state."
    ),
    "IllegalArgumentException": (
        "A required parameter is missing — confirm the command flags match the upstream contract."
    ),
}
TOKEN_TEAMS = "sfm_tokenplanteams_dp_intl"
TOKEN_ADDON = "sfm_tokenplanteamsaddon_dp_intl"
CODING_COMMODITY = "sfm_codingplan_public_intl"


def cornerstone(domain: str = GATEWAY_DOMAIN) -> dict[str, str]:
    return {
        "domain": domain,
        "consoleSite": "QWENCLOUD",
        "console": "ONE_CONSOLE",
        "xsp_lang": "en-US",
        "protocol": "V2",
        "productCode": "p_efm",
    }


def _hint(code: str, message: str) -> str | None:
    for key, hint in BUSINESS_HINTS.items():
        if code == key or key in message:
            return hint
    return None


class BillingApi:
    """One method per backend action; `gateway` is the QwenCloudClient (or any Gateway)."""

    def __init__(self, gateway: Gateway) -> None:
        self._gw = gateway

    # -- usage logs (envelope) ---------------------------------------------------------------------
    def model_logs(self, token: str, req: dict[str, Any]) -> LogPage:
        """`req` is the reqDTO in the official key order (startTime, endTime, maxResults, skip, ...)."""
        try:
            payload = self._gw.envelope(
                LOGS_API, {"reqDTO": req, "cornerstoneParam": cornerstone()}, token=token
            )
        except BusinessError as exc:
            detail = "" if exc.message == exc.code else exc.message
            message = f"{exc.code}: {detail}"
            error = BusinessError(message, code=exc.code)
            error.hint = _hint(exc.code, message)
            raise error from exc
        data = payload if isinstance(payload, dict) else {}
        if data.get("success") is False:
            text = data.get("message")
            raise LogsQueryFailed(str(text) if text else "Usage logs query failed")
        return parse_billing.log_page(data)

    # -- billing (flat) ----------------------------------------------------------------------------
    def settled_bills(self, token: str, start_cycle: str, end_cycle: str, charge_type: str) -> SettledBills:
        params = {"StartBillingCycle": start_cycle, "EndBillingCycle": end_cycle, "ChargeType": charge_type}
        return parse_billing.settled_bills(
            self._gw.flat(BSS, "ListSettleBillTotalSummary", params, token=token)
        )

    def cost_analysis(
        self,
        token: str,
        *,
        charge_types: list[str],
        granularity: str,
        start: str,
        end: str,
        top: int,
        group_by: str,
        tax: bool,
    ) -> CostAnalysis:
        params: dict[str, Any] = {
            "BizType": "MAAS_CONSUME_ANALYSIS",
            "ChargeTypes": charge_types,
            "Granularity": granularity,
            "TimePeriod": json.dumps({"Start": start, "End": end}, separators=(",", ":")),
            "TopNum": top,
            "GroupBy": [{"Code": group_by, "Type": "Dimensions"}],
            "Filter": {
                "Dimensions": [
                    {"Code": "LINE_ITEM_CATEGORY", "Values": ["TaxFee"], "SelectType": "IN" if tax else "NOT"}
                ]
            },
        }
        data = self._gw.flat(BSS, "MaasDescribeCostAnalysis", params, token=token)
        return parse_billing.cost_analysis(data)

    def usage_limit(self, token: str) -> UsageLimit:
        return parse_billing.usage_limit(self._gw.flat(BSS, "DescribeUsageLimit", {}, token=token))

    # -- subscription sub-calls (raw bodies; bot.qwencloud.subscription reads them) ----------------
    def raw(self, product: str, action: str, params: dict[str, Any], token: str) -> Any:
        return self._gw.flat(product, action, params, token=token)


class LogsQueryFailed(UpstreamError):
    """The logs payload said success:false: the CLI reports it as UNKNOWN_ERROR with its message."""
