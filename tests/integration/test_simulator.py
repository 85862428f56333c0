"""The simulator over real HTTP: device flow, auth on data calls, dataset rules, fault knobs."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from bot.devtools.simulator import SimulatorHandle, start_simulator
from bot.devtools.simulator.dataset import Dataset

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
CONSUME = "MaasListConsumeSummary"


@pytest.fixture
def sim() -> Iterator[SimulatorHandle]:
    handle = start_simulator(now=NOW, seed=8)
    yield handle
    handle.stop()


@pytest.fixture
def http(sim: SimulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.url, timeout=10) as client:
        yield client


def pkce() -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def start_flow(http: httpx.Client) -> tuple[dict[str, str], dict[str, object]]:
    verifier, challenge = pkce()
    resp = http.post(
        "/cli/device/code",
        params={"client_id": "c1", "code_challenge": challenge, "code_challenge_method": "S256"},
    )
    assert resp.status_code == 200
    data = resp.json()["Data"]
    return {"client_id": "c1", "token": data["Token"], "code_verifier": verifier}, data


def poll(http: httpx.Client, query: dict[str, str]) -> httpx.Response:
    return http.post("/cli/device/token", params=query)


def call(
    http: httpx.Client, token: str, action: str, product: str = "BssOpenAPI-V3", **params: str
) -> httpx.Response:
    body = {"product": product, "action": action, "region": "ap-southeast-1", "params": params}
    return http.post("/data/v2/api.json", json=body, headers={"Authorization": f"Bearer {token}"})


def test_device_flow_pending_then_approved_via_verification_page(http: httpx.Client) -> None:
    query, data = start_flow(http)
    assert data["Interval"] == 5 and data["ExpiresIn"] == 600
    assert poll(http, query).json()["Data"]["Status"] == "authorization_pending"
    url = urlparse(str(data["VerificationUrl"]))
    user_code = parse_qs(url.query)["user_code"][0]
    page = http.get(url.path, params={"user_code": user_code})
    assert "Approve" in page.text and "Deny" in page.text
    result = http.post(url.path, data={"user_code": user_code, "decision": "approve"})
    assert result.status_code == 200 and "approved" in result.text
    creds = poll(http, query).json()["Data"]
    assert creds["Status"] == "complete"
    token = creds["Credentials"]["AccessToken"]
    assert creds["Credentials"]["ExpireTime"] == "2026-06-15T22:00:00Z"
    info = http.get("/api/account/info.json", headers={"Authorization": f"Bearer {token}"})
    assert info.json()["data"]["aliyunId"] == "dev@example.com"
    # The device code is single use.
    assert poll(http, query).json()["Data"]["Status"] == "expired_token"


def test_pkce_verifier_is_checked(http: httpx.Client, sim: SimulatorHandle) -> None:
    query, _ = start_flow(http)
    sim.approve()
    bad = poll(http, {**query, "code_verifier": "wrong"})
    assert bad.status_code == 400 and "PKCE" in bad.text
    assert poll(http, query).json()["Data"]["Status"] == "complete"


def test_slow_down_deny_expire_and_auto_approve(http: httpx.Client, sim: SimulatorHandle) -> None:
    query, _ = start_flow(http)
    sim.control(slow_down_next=1)
    assert poll(http, query).json()["Data"]["Status"] == "slow_down"
    sim.control(action="deny")
    assert poll(http, query).json()["Data"]["Status"] == "access_denied"
    query, _ = start_flow(http)
    sim.control(advance_seconds=601)
    assert poll(http, query).json()["Data"]["Status"] == "expired_token"
    sim.control(auto_approve_after=2)
    query, _ = start_flow(http)
    statuses = [poll(http, query).json()["Data"]["Status"] for _ in range(3)]
    assert statuses == ["authorization_pending", "authorization_pending", "complete"]


def test_data_calls_need_a_live_token(http: httpx.Client, sim: SimulatorHandle) -> None:
    assert call(http, "nope", "QuerySubscriptionGray").status_code == 401
    token = sim.issue_token()
    ok = call(http, token, "QuerySubscriptionGray")
    assert ok.json() == {**ok.json(), "code": "200", "data": {"IsGray": False}}
    sim.control(action="expire_tokens")
    assert call(http, token, "QuerySubscriptionGray").status_code == 401
    assert http.get("/api/account/info.json", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_consume_summary_paginates_heavy_month_and_filters(http: httpx.Client, sim: SimulatorHandle) -> None:
    token = sim.issue_token()
    dataset = Dataset(seed=8)
    assert dataset.is_heavy("2025-07") and not dataset.is_heavy("2026-05")
    params = {
        "StartBillingDate": "2025-07-01",
        "EndBillingDate": "2025-07-31",
        "MaxResults": "100",
        "SortName": "BillingDate",
        "SortOrder": "DESC",
        "ChargeTypes": '["postpaid"]',
    }
    rows: list[dict[str, object]] = []
    page = 1
    while True:
        data = call(http, token, CONSUME, CurrentPage=str(page), **params).json()["data"]
        rows += data["Data"]
        if len(data["Data"]) < 100:
            break
        page += 1
    assert data["TotalCount"] == len(rows) > 300 and page == 4
    dates = [str(r["BillingDate"]) for r in rows]
    assert dates == sorted(dates, reverse=True)
    only = call(http, token, CONSUME, CurrentPage="1", **{**params, "ModelNames": '["qwen-max"]'}).json()[
        "data"
    ]
    assert {r["ModelName"] for r in only["Data"]} == {"qwen-max"} and only["TotalCount"] == 62


def test_consume_summary_rejects_ranges_across_months(http: httpx.Client, sim: SimulatorHandle) -> None:
    body = call(
        http, sim.issue_token(), CONSUME, StartBillingDate="2026-05-20", EndBillingDate="2026-06-02"
    ).json()
    assert body["code"] == "InvalidParameter"


def test_rows_exist_only_up_to_today_and_do_not_depend_on_now() -> None:
    dataset = Dataset(seed=8)
    june = dataset.rows_between(date(2026, 6, 1), date(2026, 6, 30), date(2026, 6, 15), None)
    assert max(str(r["BillingDate"]) for r in june) <= "2026-06-15"
    later = Dataset(seed=8).rows_between(date(2026, 6, 1), date(2026, 6, 30), date(2026, 11, 1), None)
    assert [r for r in later if str(r["BillingDate"]) <= "2026-06-15"] == june
    other_seed = Dataset(seed=9).rows_between(date(2026, 6, 1), date(2026, 6, 30), date(2026, 6, 15), None)
    assert other_seed != june
    categories = {
        r["LineItemCategory"]
        for r in dataset.rows_between(date(2026, 1, 1), date(2026, 3, 31), date(2026, 6, 15), None)
    }
    assert {"Usage", "Free Tier Deduction", "Rounding Adjustment"} <= categories


def test_free_tier_covers_every_status(http: httpx.Client, sim: SimulatorHandle) -> None:
    mapping = http.get("/cdn/model-mapping").json()
    assert mapping == http.get("/model-mapping").json()
    codes = json.dumps(sorted(set(mapping.values())))
    items = call(http, sim.issue_token(), "DescribeFqInstance", templateCodes=codes, PageSize="500").json()
    statuses = {i["Status"] for i in items["data"]["Data"]}
    assert statuses == {"valid", "exhaust", "expire"}
    assert mapping["qwen-flash"] not in {i["Template"]["Code"] for i in items["data"]["Data"]}


def coding_plan(http: httpx.Client, token: str) -> dict[str, object]:
    data = json.dumps({"reqDTO": {}, "cornerstoneParam": {}})
    api = "zeldaEasy.broadscope-bailian.codingPlan.queryCodingPlanInstanceInfoV2"
    resp = call(http, token, "IntlBroadScopeAspnGateway", "sfm_bailian", Api=api, Data=data, V="1.0")
    return resp.json()["data"]["DataV2"]


def test_coding_plan_single_wrapped_by_default_double_with_cli_compat(
    http: httpx.Client, sim: SimulatorHandle
) -> None:
    token = sim.issue_token()
    real = coding_plan(http, token)
    assert real["ret"][0].startswith("SUCCESS::")
    assert real["data"]["data"]["codingPlanInstanceInfos"][0]["status"] == "VALID"
    sim.control(cli_compat=True)
    compat = coding_plan(http, token)["data"]["data"]
    assert compat["DataV2"]["data"]["data"]["codingPlanInstanceInfos"][0]["instanceType"] == "pro"
    sim.control(coding_plan=False, cli_compat=False)
    assert coding_plan(http, token)["data"]["data"]["codingPlanInstanceInfos"] == []
    sim.control(business_error="FAIL_BIZ::plan service down")
    assert coding_plan(http, token)["ret"] == ["FAIL_BIZ::plan service down"]


def test_fault_knobs(http: httpx.Client, sim: SimulatorHandle) -> None:
    token = sim.issue_token()
    sim.control(http_error_next=1, http_status=503)
    assert call(http, token, "QuerySubscriptionGray").status_code == 503
    assert call(http, token, "QuerySubscriptionGray").status_code == 200
    sim.control(gateway_error_actions={"DescribeFrInstances": "Throttling.User"})
    body = call(http, token, "DescribeFrInstances").json()
    assert body["code"] == "Throttling.User" and body["message"]
    sim.control(malformed_next=1)
    with pytest.raises(json.JSONDecodeError):
        json.loads(call(http, token, "QuerySubscriptionGray").text)
    sim.control(action="reset_faults", empty_usage=True)
    rows = call(http, token, CONSUME, StartBillingDate="2026-06-01", EndBillingDate="2026-06-15").json()
    assert rows["data"]["Data"] == [] and rows["data"]["TotalCount"] == 0


def test_latency_is_per_call_and_calls_overlap(http: httpx.Client, sim: SimulatorHandle) -> None:
    token = sim.issue_token()
    sim.control(latency_ms=300)
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda _: call(http, token, "QuerySubscriptionGray").status_code, range(8)))
    elapsed = time.monotonic() - started
    assert codes == [200] * 8
    assert 0.3 <= elapsed < 1.2  # serialised would be 2.4 s


def test_control_endpoint_over_http(http: httpx.Client) -> None:
    state = http.get("/_sim/control").json()
    assert state["now"] == "2026-06-15T10:00:00Z" and state["seed"] == 8
    issued = http.post("/_sim/control", json={"action": "issue_token", "latency_ms": 5}).json()
    assert issued["state"]["faults"]["latency_ms"] == 5
    assert (
        http.get(
            "/api/account/info.json", headers={"Authorization": f"Bearer {issued['result']['access_token']}"}
        ).status_code
        == 200
    )
    assert http.post("/_sim/control", json={"bogus": 1}).status_code == 400
    assert http.get("/_sim/healthz").json() == {"ok": True}


def test_process_prints_listening_and_imports_nothing_from_bot() -> None:
    code = (
        "import sys, bot.devtools.simulator.__main__ as m; "
        "print(sorted(n for n in sys.modules if n.startswith('bot') "
        "and not n.startswith('bot.devtools.simulator')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() in ("[]", "['bot', 'bot.devtools']")  # the package __init__s only
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "simulator", "--port", "0", "--no-coding-plan"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("LISTENING ")
        port = int(line.split()[1])
        assert httpx.get(f"http://127.0.0.1:{port}/_sim/control").json()["coding_plan"] is False
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_token_ttl_flag_and_control_set_the_login_lifetime() -> None:
    """`--token-ttl S` (and `token_ttl` on /_sim/control) make short logins, so expiry is testable in
    minutes: a token issued at the frozen instant expires S seconds later."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "simulator", "--port", "0", "--token-ttl", "120",
         "--now", "2026-04-13T08:50:00Z"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline().split()[1])
        control = f"http://127.0.0.1:{port}/_sim/control"
        assert httpx.get(control).json()["token_ttl"] == 120
        issued = httpx.post(control, json={"action": "issue_token"}).json()["result"]
        assert issued["expires_at"].startswith("2026-04-13T08:52:00")
        httpx.post(control, json={"token_ttl": 3600})
        issued = httpx.post(control, json={"action": "issue_token"}).json()["result"]
        assert issued["expires_at"].startswith("2026-04-13T09:50:00")
    finally:
        proc.terminate()
        proc.wait(timeout=5)
