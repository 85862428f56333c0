"""QwenCloudClient over httpx.MockTransport: wire format, unwrapping, pagination, error mapping, retries."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from bot import USER_AGENT
from bot.base.errors import (
    BusinessError,
    DeviceFlowError,
    GatewayError,
    HttpError,
    MalformedResponse,
    NetworkError,
    TokenRejected,
)
from bot.qwencloud.client import QwenCloudClient

Handler = Callable[[httpx.Request], httpx.Response]
TOKEN = "at-secret-123"


def make(handler: Handler, *, retries: int = 2) -> tuple[QwenCloudClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    client = QwenCloudClient(
        http=httpx.Client(transport=httpx.MockTransport(record)),
        api_endpoint="https://api.test",
        auth_endpoint="https://auth.test",
        model_map_url="https://cdn.test/model-mapping",
        retries=retries,
        sleep=lambda _: None,
    )
    return client, seen


def ok(data: Any) -> httpx.Response:
    return httpx.Response(200, json={"code": "200", "data": data})


def body(request: httpx.Request) -> dict[str, Any]:
    return json.loads(request.content)


def test_flat_call_stringifies_every_param_and_sends_headers() -> None:
    client, seen = make(lambda r: ok({"Data": [], "TotalCount": 0}))
    client.consume_summary_page(TOKEN, "2026-03-01", "2026-03-31", page=2, model="qwen-plus")
    sent = body(seen[0])
    assert seen[0].url == "https://api.test/data/v2/api.json"
    assert sent["product"] == "BssOpenAPI-V3" and sent["action"] == "MaasListConsumeSummary"
    assert sent["region"] == "ap-southeast-1"
    assert sent["params"] == {
        "Console": "true",
        "Granularity": "DAILY",
        "ChargeTypes": '["postpaid"]',
        "StartBillingDate": "2026-03-01",
        "EndBillingDate": "2026-03-31",
        "MaxResults": "100",
        "CurrentPage": "2",
        "SortName": "BillingDate",
        "SortOrder": "DESC",
        "ModelNames": '["qwen-plus"]',
    }
    assert seen[0].headers["User-Agent"] == USER_AGENT
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert seen[0].headers["Content-Type"] == "application/json"


def rows(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "ModelName": f"m{start + i}",
            "BillQuantity": "1",
            "RequireAmount": "0.01",
            "BillingDate": "2026-03-01",
        }
        for i in range(n)
    ]


def test_consume_summary_paginates_until_a_short_page() -> None:
    pages = {1: rows(100), 2: rows(100, 100), 3: rows(7, 200)}
    client, seen = make(lambda r: ok({"Data": pages[int(body(r)["params"]["CurrentPage"])]}))
    items = client.consume_summary(TOKEN, "2026-03-01", "2026-03-31")
    assert len(items) == 207
    assert [body(r)["params"]["CurrentPage"] for r in seen] == ["1", "2", "3"]
    assert items[0].model_id == "m0" and items[-1].model_id == "m206"


def test_consume_summary_stops_at_total_count_on_a_full_last_page() -> None:
    client, seen = make(lambda r: ok({"Data": rows(100), "TotalCount": 200}))
    assert len(client.consume_summary(TOKEN, "2026-03-01", "2026-03-31")) == 200
    assert len(seen) == 2


def test_consume_rows_are_normalised_and_adjustments_dropped() -> None:
    data = [
        {"ModelName": "a", "BillQuantity": "2", "StepQuantityUnit": "Per 1K Tokens", "RequireAmount": "0.5"},
        {"Model": "b", "BillQuantity": 3, "StepQuantityUnit": "tenthousand words", "Amount": 1},
        {"JobId": "c", "BillQuantity": "4", "BillingItemCode": "image_number", "Cost": "0.2"},
        {"BillQuantity": "1", "StepQuantityUnit": "Per 1 requests", "ListPrice": "0.1"},
        {"ModelName": "d", "LineItemCategory": "Refund", "BillQuantity": "9"},
        {"ModelName": "e", "LineItemCategory": "Free Quota", "BillQuantity": "1"},
    ]
    client, _ = make(lambda r: ok({"Data": data}))
    page = client.consume_summary_page(TOKEN, "2026-03-01", "2026-03-31", page=1)
    got = [(i.model_id, i.quantity, i.unit, i.cost, i.is_free) for i in page.items]
    assert got == [
        ("a", Decimal(2000), "tokens", Decimal("0.5"), False),
        ("b", Decimal(30000), "characters", Decimal(1), False),
        ("c", Decimal(4), "images", Decimal("0.2"), False),
        ("Other", Decimal(1), "requests", Decimal("0.1"), False),
        ("e", Decimal(1), "tokens", Decimal(0), True),
    ]
    assert page.row_count == 6


def envelope_payload(infos: list[dict[str, Any]], *, double: bool) -> dict[str, Any]:
    inner: dict[str, Any] = {"codingPlanInstanceInfos": infos}
    if double:
        inner = {"DataV2": {"data": {"data": inner}}}
    return {"DataV2": {"ret": ["SUCCESS::ok"], "data": {"data": inner}}}


PLAN = {
    "status": "VALID",
    "instanceType": "pro",
    "codingPlanQuotaInfo": {
        "per5HourTotalQuota": 6000,
        "per5HourUsedQuota": 1200,
        "per5HourQuotaNextRefreshTime": 1773500000000,
    },
}


@pytest.mark.parametrize("double", [False, True])
def test_coding_plan_accepts_single_and_double_wrapped_payloads(double: bool) -> None:
    client, seen = make(lambda r: ok(envelope_payload([PLAN], double=double)))
    plan = client.coding_plan(TOKEN)
    assert plan is not None and plan.instance_type == "pro"
    assert plan.per_5h.total == 6000 and plan.per_5h.used == 1200
    sent = body(seen[0])
    assert sent["product"] == "sfm_bailian" and sent["action"] == "IntlBroadScopeAspnGateway"
    assert sent["params"]["Api"].endswith("queryCodingPlanInstanceInfoV2") and sent["params"]["V"] == "1.0"
    data = json.loads(sent["params"]["Data"])
    assert data["cornerstoneParam"]["domain"] == "api.test"
    assert (
        data["reqDTO"]["queryCodingPlanInstanceInfoRequest"]["commodityCode"] == "sfm_codingplan_public_intl"
    )


def test_envelope_business_failure_is_a_business_error() -> None:
    client, _ = make(lambda r: ok({"DataV2": {"ret": ["FAIL_BIZ::quota system busy"]}}))
    with pytest.raises(BusinessError) as info:
        client.coding_plan(TOKEN)
    assert info.value.code == "FAIL_BIZ" and info.value.message == "quota system busy"


def test_envelope_without_datav2_accepts_top_level_ret() -> None:
    client, _ = make(lambda r: ok({"ret": ["SUCCESS::"], "data": {"codingPlanInstanceInfos": [PLAN]}}))
    assert client.coding_plan(TOKEN) is not None


def test_gateway_code_is_a_gateway_error_with_its_code() -> None:
    client, _ = make(lambda r: httpx.Response(200, json={"code": "Throttling", "message": "flow control"}))
    with pytest.raises(GatewayError) as info:
        client.model_series(TOKEN)
    assert info.value.code == "Throttling" and info.value.message == "flow control"
    assert info.value.exit_code == 1


@pytest.mark.parametrize("status", [401, 403])
def test_rejected_token_is_an_auth_error(status: int) -> None:
    client, seen = make(lambda r: httpx.Response(status, text="denied"))
    with pytest.raises(TokenRejected) as info:
        client.subscription_gray(TOKEN)
    assert info.value.exit_code == 2 and info.value.status == status
    assert len(seen) == 1  # not retried


def test_server_error_is_retried_for_reads_then_an_http_error() -> None:
    client, seen = make(lambda r: httpx.Response(503, text="busy"), retries=2)
    with pytest.raises(HttpError) as info:
        client.model_series(TOKEN)
    assert len(seen) == 3
    assert info.value.status == 503 and "HTTP 503: Service Unavailable" in info.value.message


def test_retry_recovers_after_a_transient_failure() -> None:
    answers = iter([httpx.Response(502), ok({"IsGray": True})])
    client, seen = make(lambda r: next(answers))
    assert client.subscription_gray(TOKEN) is True
    assert len(seen) == 2


def test_non_retryable_status_is_not_retried() -> None:
    client, seen = make(lambda r: httpx.Response(500, text="boom"))
    with pytest.raises(HttpError):
        client.model_series(TOKEN)
    assert len(seen) == 1


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def test_transport_failure_is_a_network_error_after_retries() -> None:
    client, seen = make(refuse)
    with pytest.raises(NetworkError) as info:
        client.model_series(TOKEN)
    assert info.value.exit_code == 3 and len(seen) == 3


def test_timeout_is_a_network_error() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client, _ = make(slow, retries=0)
    with pytest.raises(NetworkError, match="timed out after 30s"):
        client.model_series(TOKEN)


def test_device_flow_init_and_poll_are_never_retried() -> None:
    client, seen = make(lambda r: httpx.Response(503))
    with pytest.raises(DeviceFlowError):
        client.start_device_flow(client_id="cid", code_challenge="ch")
    with pytest.raises(HttpError):
        client.poll_device_flow(client_id="cid", device_token="dt", code_verifier="v")
    assert len(seen) == 2


def test_logout_is_best_effort_and_not_retried() -> None:
    client, seen = make(refuse)
    client.logout(TOKEN)  # no exception
    assert len(seen) == 1
    assert body(seen[0]) == {
        "product": "qwencloud-auth",
        "action": "Logout",
        "region": "ap-southeast-1",
        "params": {},
    }


def test_bad_json_is_a_malformed_response() -> None:
    client, _ = make(lambda r: httpx.Response(200, text="<html>oops</html>"))
    with pytest.raises(MalformedResponse):
        client.model_series(TOKEN)


def test_model_map_failure_is_an_empty_map() -> None:
    client, _ = make(lambda r: httpx.Response(404))
    assert client.model_map() == {}
    client, _ = make(lambda r: httpx.Response(200, json={"qwen-plus": "fq_plus", "bad": 3}))
    assert client.model_map() == {"qwen-plus": "fq_plus"}


def test_device_flow_start_and_complete_poll() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/cli/device/code":
            return httpx.Response(
                200,
                json={
                    "Success": True,
                    "Data": {
                        "Token": "dev-tok",
                        "VerificationUrl": "https://v",
                        "ExpiresIn": 600,
                        "Interval": 2,
                    },
                },
            )
        return httpx.Response(
            200,
            json={
                "Success": True,
                "Data": {
                    "Status": "COMPLETE",
                    "Credentials": {
                        "AccessToken": "acc",
                        "ExpireTime": 1775000000000,
                        "User": {"Id": "1", "Organization": "org"},
                    },
                },
            },
        )

    client, seen = make(handler)
    code = client.start_device_flow(client_id="cid", code_challenge="chal")
    assert (code.token, code.expires_in, code.interval) == ("dev-tok", 600, 2)
    assert seen[0].url.params["code_challenge_method"] == "S256" and not seen[0].content
    poll = client.poll_device_flow(client_id="cid", device_token="dev-tok", code_verifier="ver")
    assert poll.status == "complete" and poll.credentials is not None
    assert poll.credentials.user.aliyun_id == "org" and poll.credentials.expires_at.year == 2026
    assert seen[1].url.params["token"] == "dev-tok" and seen[1].url.params["code_verifier"] == "ver"
    assert "acc" not in repr(poll) and "dev-tok" not in repr(code)


def test_device_init_rejects_a_malformed_payload() -> None:
    client, _ = make(lambda r: httpx.Response(200, json={"Success": True, "Data": {"Token": "t"}}))
    with pytest.raises(DeviceFlowError, match="malformed response payload"):
        client.start_device_flow(client_id="cid", code_challenge="c")


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("token expired", "expired_token"),
        ("error=access_denied", "access_denied"),
        ("slow_down please", "slow_down"),
    ],
)
def test_poll_error_text_names_terminal_states(text: str, status: str) -> None:
    client, _ = make(lambda r: httpx.Response(400, text=text))
    assert client.poll_device_flow(client_id="c", device_token="d", code_verifier="v").status == status


def test_poll_without_status_is_pending() -> None:
    client, _ = make(lambda r: httpx.Response(200, json={"Success": False}))
    assert client.poll_device_flow(client_id="c", device_token="d", code_verifier="v").status == (
        "authorization_pending"
    )


def test_no_secret_reaches_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.qwencloud")
    client, _ = make(lambda r: httpx.Response(500, text=f"echo Bearer {TOKEN} token=dev-secret"), retries=0)
    with pytest.raises(HttpError) as info:
        client.poll_device_flow(client_id="c", device_token="dev-secret", code_verifier="pkce-secret")
    client2, _ = make(refuse, retries=0)
    with pytest.raises(NetworkError) as info2:
        client2.poll_device_flow(client_id="c", device_token="dev-secret", code_verifier="pkce-secret")
    text = caplog.text + info.value.message + info2.value.message
    assert "token=***" in text
    for secret in (TOKEN, "dev-secret", "pkce-secret"):
        assert secret not in text


def test_account_info_uses_the_short_timeout_and_reads_data() -> None:
    timeouts: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        timeouts.append(request.extensions["timeout"])
        return httpx.Response(200, json={"data": {"aliyunId": "ali", "email": "e@x"}})

    client, seen = make(handler)
    info = client.account_info(TOKEN)
    assert (info.aliyun_id, info.email) == ("ali", "e@x")
    assert seen[0].method == "GET" and seen[0].url.path == "/api/account/info.json"
    assert timeouts[0]["read"] == 3.0


def test_redact_url_and_text() -> None:
    from bot.base.redact import redact_text, redact_url

    url = "https://a.test/cli/device/token?client_id=cid&token=T0K&code_verifier=V3R"
    assert redact_url(url) == "https://a.test/cli/device/token?client_id=cid&token=***&code_verifier=***"
    assert redact_url("https://a.test/x") == "https://a.test/x"
    text = redact_text('Authorization: Bearer abc.DEF-1 {"access_token": "zz"} xoxb-123-abc ?client_secret=s')
    assert "abc.DEF-1" not in text and '"zz"' not in text and "xoxb-123" not in text and "=s" not in text
    assert "Bearer ***" in text


def test_free_tier_quotas_keep_only_usable_instances() -> None:
    data = {
        "Data": [
            {
                "Status": "valid",
                "Template": {"Code": "fq_a"},
                "InitCapacity": {"BaseValue": 1000000, "ShowUnit": "Tokens"},
                "CurrCapacity": {"BaseValue": 995200},
                "CurrentCycleEndTime": 1782864000000,
            },
            {
                "Status": "exhaust",
                "Template": {"Code": "fq_b"},
                "InitCapacity": {"BaseValue": 50, "ShowUnit": "Pieces"},
                "CurrCapacity": {"BaseValue": 0},
            },
            {
                "Status": "invalid",
                "Template": {"Code": "fq_c"},
                "InitCapacity": {"BaseValue": 1},
                "CurrCapacity": {},
            },
            {
                "Status": "valid",
                "Template": {"Code": "fq_d"},
                "InitCapacity": {"BaseValue": 1, "ShowUnit": "x"},
            },
        ]
    }
    client, seen = make(lambda r: ok(data))
    quotas = client.free_tier_quotas(TOKEN, ["fq_a", "fq_b", "fq_a"])
    assert sorted(quotas) == ["fq_a", "fq_b"]
    # floor(0.0048*1e4)/100 in binary floating point is 0.47, as in the official CLI (not 0.48)
    assert quotas["fq_a"].used_pct == 0.47 and quotas["fq_a"].unit == "tokens"
    assert quotas["fq_a"].reset_date is not None and quotas["fq_a"].reset_date.year == 2026
    assert quotas["fq_b"].unit == "images" and quotas["fq_b"].used_pct == 100
    assert body(seen[0])["params"] == {"templateCodes": '["fq_a","fq_b","fq_a"]', "PageSize": "500"}


def test_token_plan_actions_parse_both_status_forms() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        action = body(request)["action"]
        if action == "DescribeFrInstances":
            return ok(
                {
                    "Data": [
                        {
                            "Status": {"Code": "valid"},
                            "TemplateName": "Teams",
                            "InitCapacityBaseValue": "100",
                            "CurrCapacityBaseValue": "40",
                            "EndTime": "2026-07-01T00:00:00Z",
                        },
                        {"Status": "expired", "CommodityName": "Old"},
                    ]
                }
            )
        return ok(
            {
                "Data": {
                    "PlanName": "Seats",
                    "EndTime": 1782864000000,
                    "SubscriptionGroupList": [
                        {"EquityList": [{"TotalValue": "300", "SurplusValue": "120"}]},
                        {"TotalValue": "5"},
                    ],
                }
            }
        )

    client, seen = make(handler)
    first, second = client.fr_instances(TOKEN, "code", 10)
    assert (first.status, first.template_name, first.init_capacity, first.curr_capacity) == (
        "valid",
        "Teams",
        100,
        40,
    )
    assert (second.status, second.template_name, second.curr_capacity) == ("expired", "Old", 0)
    seat = client.seat_subscription_summary(TOKEN, "teams")
    assert seat.plan_name == "Seats" and seat.end_time == "2026-07-01T00:00:00.000Z"
    assert [(g.total_value, g.surplus_value) for g in seat.groups] == [(300, 120), (5, None)]
    assert body(seen[0])["params"] == {
        "Group": "tokenPlan",
        "CommodityCode": "code",
        "PageNum": "1",
        "PageSize": "10",
    }


def test_model_series_flattens_items() -> None:
    data = {
        "Data": [
            {
                "Items": [
                    {
                        "Model": "qwen-plus",
                        "InferenceMetadata": {"RequestModality": ["Text"], "ResponseModality": ["Text"]},
                        "Prices": [{"Type": "input_token", "Price": "0.4"}, {"Type": None, "Price": "1"}],
                    },
                ]
            },
            {
                "Items": [
                    {
                        "Model": "wan",
                        "MultiPrices": [{"Prices": [{"Type": "image_standard", "Price": "0.03"}]}],
                    }
                ]
            },
        ]
    }
    client, seen = make(lambda r: ok(data))
    models = client.model_series(TOKEN)
    assert [m.model for m in models] == ["qwen-plus", "wan"]
    assert models[0].price_types == ("input_token",) and models[1].multi_price_types == ("image_standard",)
    assert body(seen[0])["product"] == "AliyunDeliveryService" and body(seen[0])["params"] == {
        "Language": "en-US"
    }
