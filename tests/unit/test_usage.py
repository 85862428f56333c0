"""UsageService and the official aggregation: skipped rows, fallbacks, rounding, order, rollups, plans."""

from __future__ import annotations

import json
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from bot.base.clock import FixedClock
from bot.base.errors import GatewayError, InvalidArgument, ModelNotFound
from bot.base.periods import DateRange
from bot.core.usage import UsageService
from bot.qwencloud import aggregate, breakdown
from bot.qwencloud.client import QwenCloudClient
from bot.qwencloud.models import (
    CodingPlanInstance,
    CodingPlanWindowQuota,
    ConsumeItem,
    FrInstance,
    ModelSeriesItem,
    SeatGroup,
    SeatSummary,
)

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
D = Decimal


def item(
    model: str, qty: str, cost: str, *, unit: str = "tokens", day: str = "2026-03-01", free: bool = False
) -> ConsumeItem:
    return ConsumeItem(
        billing_date=day,
        billing_month=day[:7],
        model_id=model,
        quantity=D(qty),
        unit=unit,
        cost=D(cost),
        category="Free" if free else "",
        is_free=free,
    )


def test_payg_first_appearance_order_rounding_and_skips() -> None:
    payg = aggregate.payg(
        [
            item("b", "1000.5", "0.00005"),
            item("a", "10", "1.23456"),
            item("b", "0.4", "0.00005", unit="images"),
            item("a", "5", "9", free=True),
            item("", "5", "9"),
        ]
    )
    assert [m.model_id for m in payg.models] == ["b", "a"]
    assert payg.models[0].usage == (("tokens", 1001), ("images", 0))  # JS Math.round: .5 goes up
    assert payg.models[0].cost == D("0.0001")  # round(0.0001*1e4)/1e4
    assert payg.models[1].cost == D("1.2346")
    assert payg.total_cost == D("1.2347")  # rounded sum of unrounded costs


def test_js_round_goes_towards_positive_infinity() -> None:
    assert [aggregate.js_round(D(x)) for x in ("2.5", "3.5", "-2.5", "0.49")] == [3, 4, -2, 0]


def test_free_tier_groups_by_template_in_map_order() -> None:
    model_map = {"a": "T2", "b": "T1", "c": "T2", "d": "T3"}
    entries = aggregate.free_tier(model_map, {})
    assert [e.model_id for e in entries] == ["a", "c", "b", "d"]


def window(total: int, used: int) -> CodingPlanWindowQuota:
    return CodingPlanWindowQuota(total=D(total), used=D(used), next_refresh=NOW)


def test_coding_plan_windows_and_price() -> None:
    inst = CodingPlanInstance(
        status="VALID",
        instance_type="pro",
        per_5h=window(6000, 1646),
        weekly=window(0, 0),
        monthly=window(90000, 18000),
    )
    plan = aggregate.coding_plan(inst)
    assert plan.subscribed and plan.price == 50
    assert plan.per_5h is not None and plan.per_5h.remaining == 4354
    assert plan.per_5h.used_pct == 1646 / 6000 * 100  # unrounded binary float, like the CLI
    assert plan.weekly is not None and plan.weekly.used_pct == 0
    other = aggregate.coding_plan(
        CodingPlanInstance("VALID", "lite", window(1, 0), window(1, 0), window(1, 0))
    )
    assert other.price is None
    assert not aggregate.coding_plan(
        CodingPlanInstance("EXPIRED", "pro", window(1, 0), window(1, 0), window(1, 0))
    ).subscribed


def fr(status: str | None, init: str, curr: str, **kw: Any) -> FrInstance:
    return FrInstance(
        status=status,
        template_name=kw.get("name", "Teams"),
        init_capacity=D(init),
        curr_capacity=D(curr),
        period_capacity=D(kw.get("period", "0")),
        capacity_type=kw.get("ctype", ""),
        end_time=kw.get("end"),
    )


def test_token_plan_legacy_prefers_a_valid_instance_and_sums_addons() -> None:
    plan = aggregate.token_plan_legacy(
        [fr("expired", "10", "0")],
        [fr("valid", "1000", "250", name="Personal", end=NOW)],
        [fr("valid", "0", "40"), fr("expired", "0", "99"), fr("valid", "0", "2")],
    )
    assert plan.subscribed and plan.plan_name == "Personal" and plan.status == "valid"
    assert plan.used_pct == 75.0 and plan.remaining_credits == 250
    assert plan.addon_remaining == 42 and plan.reset_date == "2026-03-20T12:00:00.000Z"
    shifting = aggregate.token_plan_legacy(
        [fr("valid", "100", "90", ctype="periodMonthlyShift", period="60")], [], []
    )
    assert shifting.remaining_credits == 60
    empty = aggregate.token_plan_legacy([], [], [fr("valid", "0", "5")])
    assert not empty.subscribed and not empty.detailed and empty.addon_remaining == 5


def test_token_plan_seat_rounds_used_percent() -> None:
    summary = SeatSummary(
        plan_name=None, groups=(SeatGroup(D(300), D(100)), SeatGroup(None, D(0))), end_time="2026-04-01"
    )
    plan = aggregate.token_plan_seat(summary, [])
    assert plan.subscribed and plan.plan_name == "Token Plan" and plan.used_pct == 67.0
    assert plan.total_credits == 300 and plan.reset_date == "2026-04-01"


def test_breakdown_fills_days_and_rolls_up_months_and_quarters() -> None:
    items = [
        item("m", "1000", "0.00014", day="2026-02-27"),
        item("m", "500", "0.00014", day="2026-02-27"),
        item("m", "3", "0.3", unit="images", day="2026-03-02"),
        item("m", "9", "1", day="2026-03-03", free=True),
    ]
    rng = DateRange(date(2026, 2, 27), date(2026, 4, 1))
    days, total = breakdown.rows(items, rng, "day")
    assert len(days) == 34 and days[0].period == "2026-02-27" and days[-1].period == "2026-04-01"
    assert (days[0].tokens_in, days[0].cost) == (1500, D("0.0003"))  # day cost rounded from 0.00028
    march2 = days[3]
    assert march2.period == "2026-03-02" and march2.tokens_in is None and march2.usage == (("images", 3),)
    assert days[1].tokens_in == 0 and days[1].cost == 0  # a filled gap
    assert total.tokens_in == 1500 and total.usage == (("images", 3),) and total.cost == D("0.3003")
    months, _ = breakdown.rows(items, rng, "month")
    assert [(m.period, m.tokens_in, m.cost) for m in months] == [
        ("2026-02", 1500, D("0.0003")),
        ("2026-03", None, D("0.3")),
        ("2026-04", None, D(0)),
    ]
    quarters, _ = breakdown.rows(items, rng, "quarter")
    assert [q.period for q in quarters] == ["2026-Q1", "2026-Q2"]


def series(model: str, **kw: Any) -> ModelSeriesItem:
    return ModelSeriesItem(
        model=model,
        request_modality=kw.get("req", ("Text",)),
        response_modality=kw.get("resp", ("Text",)),
        price_types=kw.get("types", ()),
        prices_all_zero=kw.get("zero", False),
        multi_price_types=kw.get("multi", ()),
    )


@pytest.mark.parametrize(
    ("kw", "unit"),
    [
        ({"types": ("input_token", "output_token")}, "tokens"),
        ({"types": ("image_number",)}, "images"),
        ({"types": ("cosy_tts_number",)}, "characters"),
        ({"types": ("video_ratio_720p",)}, "seconds"),
        ({"multi": ("image_standard",)}, "images"),
        ({"types": ("weird_a", "weird_b"), "resp": ("Image",)}, "images"),
        ({"types": ("weird",), "resp": ("Audio",)}, "seconds"),
    ],
)
def test_breakdown_column_unit(kw: dict[str, Any], unit: str) -> None:
    assert breakdown.column_unit(series("m", **kw)) == unit


# -- the service over a fake gateway ----------------------------------------------------------------------
class FakeGateway:
    """Answers by action; counts concurrent consume-summary calls to prove the month chunks overlap."""

    def __init__(self, *, gateway_error: str | None = None) -> None:
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.active = 0
        self.peak = 0
        self.lock = threading.Lock()
        self.gate = threading.Barrier(3, timeout=5)
        self.gateway_error = gateway_error

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/model-mapping":
            return httpx.Response(200, json={"qwen-plus": "fq_plus", "qwen-max": "fq_max"})
        sent = json.loads(request.content)
        action, params = sent["action"], sent["params"]
        with self.lock:
            self.calls.append((action, params))
        if action == self.gateway_error:
            return httpx.Response(200, json={"code": "Throttling", "message": "slow down"})
        return httpx.Response(200, json={"code": "200", "data": self.answer(action, params)})

    def answer(self, action: str, params: dict[str, str]) -> Any:
        if action == "MaasListConsumeSummary":
            self.gate.wait()  # three month chunks must be in flight at once to pass
            day = params["StartBillingDate"]
            return {
                "Data": [
                    {
                        "ModelName": "qwen-plus",
                        "BillQuantity": "1000",
                        "RequireAmount": "0.5",
                        "BillingDate": day,
                    }
                ]
            }
        if action == "DescribeFqInstance":
            return {
                "Data": [
                    {
                        "Status": "valid",
                        "Template": {"Code": "fq_plus"},
                        "InitCapacity": {"BaseValue": 1000000, "ShowUnit": "Tokens"},
                        "CurrCapacity": {"BaseValue": 250000},
                    }
                ]
            }
        if action == "ListModelSeries":
            return {
                "Data": [
                    {"Items": [{"Model": "qwen-plus", "Prices": [{"Type": "input_token", "Price": "1"}]}]}
                ]
            }
        if action == "IntlBroadScopeAspnGateway":
            return {"DataV2": {"ret": ["SUCCESS::"], "data": {"data": {"codingPlanInstanceInfos": []}}}}
        return {"Data": []}


class MemoryCache:
    def __init__(self) -> None:
        self.data: dict[tuple[str, str], object] = {}

    def get(self, account: str, key: str) -> object | None:
        return self.data.get((account, key))

    def put(self, account: str, key: str, value: object) -> None:
        self.data[(account, key)] = value


OPENED: list[UsageService] = []


@pytest.fixture(autouse=True)
def _close_services() -> Any:
    """Each service owns a thread pool: closed after the test, so its threads do not outlive it."""
    yield
    while OPENED:
        OPENED.pop().close()


def service(fake: FakeGateway, cache: MemoryCache | None = None) -> UsageService:
    client = QwenCloudClient(
        http=httpx.Client(transport=httpx.MockTransport(fake)),
        api_endpoint="https://a.test",
        auth_endpoint="https://a.test",
        model_map_url="https://cdn.test/model-mapping",
        sleep=lambda _: None,
    )
    svc = UsageService(client=client, clock=FixedClock(NOW), max_workers=8, cache=cache)
    OPENED.append(svc)
    return svc


Q1 = DateRange(date(2026, 1, 5), date(2026, 3, 20))


def test_summary_runs_month_chunks_concurrently_and_aggregates() -> None:
    fake = FakeGateway()
    result = service(fake).summary("tok", Q1)
    chunks = sorted(p["StartBillingDate"] for a, p in fake.calls if a == "MaasListConsumeSummary")
    assert chunks == ["2026-01-05", "2026-02-01", "2026-03-01"]
    assert [(e.model_id, e.quota is not None) for e in result.free_tier] == [
        ("qwen-plus", True),
        ("qwen-max", False),
    ]
    assert result.free_tier[0].quota is not None and result.free_tier[0].quota.used_pct == 75.0
    assert result.payg.models[0].usage == (("tokens", 3000),) and result.payg.total_cost == D("1.5")
    assert not result.coding_plan.subscribed and not result.token_plan.subscribed


def test_a_payg_gateway_error_fails_the_summary() -> None:
    fake = FakeGateway(gateway_error="MaasListConsumeSummary")
    with pytest.raises(GatewayError):
        service(fake).summary("tok", DateRange(date(2026, 3, 1), date(2026, 3, 2)))


def test_breakdown_checks_the_model_and_suggests() -> None:
    fake = FakeGateway()
    fake.gate = threading.Barrier(1)
    with pytest.raises(ModelNotFound) as info:
        service(fake).breakdown("tok", "qwen-plsu", DateRange(date(2026, 3, 1), date(2026, 3, 2)))
    assert info.value.message == "Model 'qwen-plsu' not found. Did you mean 'qwen-plus'?"
    result = service(fake).breakdown("tok", "qwen-plus", DateRange(date(2026, 3, 1), date(2026, 3, 2)))
    assert [r.tokens_in for r in result.rows] == [1000, 0] and result.unit == "tokens"
    sent = [p for a, p in fake.calls if a == "MaasListConsumeSummary"][-1]
    assert sent["ModelNames"] == '["qwen-plus"]'


def test_breakdown_rejects_bad_granularity_and_ranges() -> None:
    svc = service(FakeGateway())
    with pytest.raises(InvalidArgument, match=r"Invalid granularity 'week'\. Allowed: day, month, quarter"):
        svc.breakdown("tok", "qwen-plus", Q1, "week")
    with pytest.raises(InvalidArgument) as info:
        svc.payg("tok", DateRange(date(2026, 3, 2), date(2026, 3, 1)))
    assert info.value.code == "INVALID_RANGE"


def test_cache_hook_serves_repeats_per_account_and_fresh_bypasses() -> None:
    fake = FakeGateway()
    fake.gate = threading.Barrier(1)
    svc = service(fake, MemoryCache())
    first = svc.free_tier("tok", account="acct-1")
    count = len(fake.calls)
    assert svc.free_tier("tok", account="acct-1") is first and len(fake.calls) == count
    svc.free_tier("tok", account="acct-2")
    assert len(fake.calls) > count
    count = len(fake.calls)
    svc.free_tier("tok", account="acct-1", fresh=True)
    assert len(fake.calls) > count


class RecordingExecutor(ThreadPoolExecutor):
    def __init__(self) -> None:
        super().__init__(max_workers=4)
        self.futures: list[Future[Any]] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        self.futures.append(future)
        return future


def test_a_failure_leaves_no_call_running() -> None:
    fake = FakeGateway(gateway_error="MaasListConsumeSummary")
    executor = RecordingExecutor()
    client = QwenCloudClient(
        http=httpx.Client(transport=httpx.MockTransport(fake)),
        api_endpoint="https://a.test",
        auth_endpoint="https://a.test",
        model_map_url="https://cdn.test/model-mapping",
    )
    svc = UsageService(client=client, clock=FixedClock(NOW), executor=executor)
    with pytest.raises(GatewayError):
        svc.summary("tok", Q1)
    # free tier, coding plan, gray + add-on, three month chunks, then team + personal instances
    assert len(executor.futures) == 9
    assert all(f.done() for f in executor.futures)
    executor.shutdown()


class GrayGateway(FakeGateway):
    """QuerySubscriptionGray answers `gray`; the seat summary and plan instances are empty."""

    def __init__(self, *, gray: bool) -> None:
        super().__init__()
        self.gray = gray

    def answer(self, action: str, params: dict[str, str]) -> Any:
        api = params.get("Api", action) if isinstance(params, dict) else action
        if api == "QuerySubscriptionGray":
            return {"IsGray": self.gray}
        if api == "GetSeatSubscriptionSummary":
            return {"Data": {"SubscriptionGroupList": []}}
        return super().answer(action, params)

    def apis(self) -> list[str]:
        return [p.get("Api", a) if isinstance(p, dict) else a for a, p in self.calls]


@pytest.mark.parametrize("gray", [False, True])
def test_token_plan_calls_follow_the_gray_flag(gray: bool) -> None:
    fake = GrayGateway(gray=gray)
    result = service(fake).summary("tok", Q1)
    apis = fake.apis()
    assert apis.count("QuerySubscriptionGray") == 1
    assert apis.count("DescribeFrInstances") == (1 if gray else 3)  # add-on, then team + personal unless gray
    assert apis.count("GetSeatSubscriptionSummary") == (1 if gray else 0)
    assert result.token_plan is not None
