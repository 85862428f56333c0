"""Fuzzing QwenCloudClient's response parsing: random bodies and statuses through httpx.MockTransport.

Whatever QwenCloud (or a proxy in front of it) answers, a client method returns its typed result or raises a
bot.base.errors
exception; nothing else escapes, and raw dicts never leave the client (model_map's str map aside).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import is_dataclass
from typing import Any

import httpx
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from bot.base.errors import QwenBotError
from bot.qwencloud.client import QwenCloudClient

KEYS = [
    "AccessToken",
    "AliyunId",
    "BaseValue",
    "BillQuantity",
    "BillingDate",
    "BillingItemCode",
    "BillingMonth",
    "CapacityTypeCode",
    "Code",
    "Credentials",
    "CurrCapacity",
    "CurrCapacityBaseValue",
    "CurrentCycleEndTime",
    "Data",
    "Email",
    "EndTime",
    "EquityList",
    "ExpireTime",
    "ExpiresIn",
    "Id",
    "InferenceMetadata",
    "InitCapacity",
    "InitCapacityBaseValue",
    "Interval",
    "IsGray",
    "Items",
    "LineItemCategory",
    "Model",
    "MultiPrices",
    "Organization",
    "PlanName",
    "Price",
    "Prices",
    "RequestModality",
    "ResponseModality",
    "ShowUnit",
    "Status",
    "StepQuantityUnit",
    "SubscriptionGroupList",
    "Success",
    "SurplusValue",
    "Template",
    "Token",
    "TotalCount",
    "TotalValue",
    "Type",
    "User",
    "VerificationUrl",
    "access_token",
    "aliyunId",
    "code",
    "codingPlanInstanceInfos",
    "codingPlanQuotaInfo",
    "credentials",
    "data",
    "email",
    "expire_time",
    "id",
    "instanceType",
    "message",
    "organization",
    "periodCapacityBaseValue",
    "requestId",
    "ret",
    "status",
    "user",
    "DataV2",
    "ModelNames",
    "postpaid",
]
STRINGS = st.one_of(
    st.sampled_from(
        [
            "",
            "200",
            "SUCCESS",
            "SUCCESS::ok",
            "FAIL::nope",
            "valid",
            "exhaust",
            "expire",
            "VALID",
            "pending",
            "authorized",
            "slow_down",
            "denied",
            "expired",
            "Tokens",
            "Million Tokens",
            "Per 1,000 Tokens",
            "Per 1M",
            "2026-03-01",
            "2026-03",
            "2026-13-45",
            "1712345678000",
            "NaN",
            "-1",
            "1e999",
            "²",
            "0.1",
            "Rounding Adjustment",
            "qwen-plus",
            "http://x/verify",
        ]
    ),
    st.text(max_size=12),
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    STRINGS,
)
JSON = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), inner, max_size=6),
    ),
    max_leaves=25,
)


def _envelope(inner: Any, ret: Any) -> dict[str, Any]:
    return {"code": "200", "data": {"DataV2": {"ret": ret, "data": {"data": inner}}}}


# rows with many known keys, so the per-item readers (consume, free tier, seats, coding plan) run deep
ITEM = st.dictionaries(
    st.sampled_from(KEYS),
    st.one_of(
        LEAVES, st.lists(LEAVES, max_size=3), st.dictionaries(st.sampled_from(KEYS), LEAVES, max_size=5)
    ),
    min_size=4,
    max_size=24,
)
ROWS = st.lists(ITEM, min_size=1, max_size=4)
BODIES = st.one_of(
    st.tuples(ROWS, LEAVES).map(
        lambda t: json.dumps(
            {
                "code": "200",
                "data": {"Data": t[0], "TotalCount": t[1], "Items": t[0], "SubscriptionGroupList": t[0]},
            }
        ).encode()
    ),
    ROWS.map(lambda rows: json.dumps(_envelope({"codingPlanInstanceInfos": rows}, ["SUCCESS::ok"])).encode()),
    ITEM.map(lambda item: json.dumps({"code": "200", "data": item, "Data": item}).encode()),
    st.binary(max_size=40),
    JSON.map(lambda v: json.dumps(v).encode()),
    JSON.map(lambda v: json.dumps({"code": "200", "data": v}).encode()),
    st.tuples(JSON, st.one_of(st.just(["SUCCESS::ok"]), JSON)).map(
        lambda t: json.dumps(_envelope(*t)).encode()
    ),
    st.tuples(st.sampled_from(["200", "500", "Throttling", 200, None]), JSON).map(
        lambda t: json.dumps({"code": t[0], "data": {"Data": t[1]}, "message": "m", "TotalCount": 3}).encode()
    ),
)
STATUSES = st.sampled_from([200, 200, 200, 200, 201, 204, 301, 400, 401, 403, 404, 429, 500, 502, 503])

CALLS: dict[str, Callable[[QwenCloudClient], Any]] = {
    "start_device_flow": lambda c: c.start_device_flow(client_id="cid", code_challenge="ch"),
    "poll_device_flow": lambda c: c.poll_device_flow(client_id="cid", device_token="dt", code_verifier="cv"),
    "account_info": lambda c: c.account_info("tok"),
    "logout": lambda c: c.logout("tok"),
    "model_map": lambda c: c.model_map(),
    "free_tier_quotas": lambda c: c.free_tier_quotas("tok", ["t1", "t2"]),
    "coding_plan": lambda c: c.coding_plan("tok"),
    "subscription_gray": lambda c: c.subscription_gray("tok"),
    "seat_subscription_summary": lambda c: c.seat_subscription_summary("tok", "p"),
    "fr_instances": lambda c: c.fr_instances("tok", "cc", 10),
    "consume_summary_page": lambda c: c.consume_summary_page("tok", "2026-03-01", "2026-03-31", page=1),
    "consume_summary": lambda c: c.consume_summary("tok", "2026-03-01", "2026-03-31", model="qwen-plus"),
    "model_series": lambda c: c.model_series("tok"),
}


class Server:
    def __init__(self) -> None:
        self.status = 200
        self.body = b""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(self.status, content=self.body, headers={"content-type": "application/json"})


SERVER = Server()
CLIENT = QwenCloudClient(
    http=httpx.Client(transport=httpx.MockTransport(SERVER)),
    api_endpoint="http://qc.test",
    auth_endpoint="http://auth.test",
    model_map_url="http://cdn.test/model-mapping",
    retries=0,
    sleep=lambda _s: None,
)


def _typed(value: Any) -> bool:
    if value is None or isinstance(value, bool | str):
        return True
    if isinstance(value, list | tuple):
        return all(_typed(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _typed(v) for k, v in value.items())
    return is_dataclass(value)


@settings(
    max_examples=2000, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
@given(st.sampled_from(sorted(CALLS)), STATUSES, BODIES)
@example("consume_summary_page", 200, b'{"code":"200","data":{"Data":[],"TotalCount":"\xc2\xb2"}}')
@example("consume_summary_page", 200, b'{"code":"200","data":{"Data":[],"TotalCount":1e400}}')
def test_client_parsing_raises_only_bot_errors(method: str, status: int, body: bytes) -> None:
    SERVER.status, SERVER.body = status, body
    try:
        result = CALLS[method](CLIENT)
    except QwenBotError as exc:
        event(f"{method}: {type(exc).__name__}")
        assert exc.message and "tok" not in exc.message.split()
        return
    event(f"{method}: {'empty' if not result else 'result'}")
    assert _typed(result), f"{method} leaked an untyped value: {result!r}"
    if method == "model_map":
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in result.items())
