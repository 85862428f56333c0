"""Ours vs the official CLI 1.4.1 on the same simulator, clock and TZ: `usage logs`, `billing summary`,
`billing breakdown`, `billing limit`, `subscription status`, `subscription tokenplan status`: identical JSON,
text and exit codes.

Deliberate differences (docs/differences.md) live in test_billing_differences.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conformance.pair import Pair, assert_same_result

pytestmark = pytest.mark.conformance

LOGS_JSON = [
    ("--from", "2026-06-10", "--to", "2026-06-12"),
    ("--from", "2026-06-10", "--to", "2026-06-12", "--page", "2", "--page-size", "7"),
    ("--from", "2026-06-01", "--to", "2026-06-15", "--page-size", "100"),
    ("--from", "2026-06-08", "--to", "2026-06-14", "--model", "qwen-plus", "--model", "wan2.6-t2i"),
    ("--from", "2026-06-08", "--to", "2026-06-14", "--status", "4xx", "--status", "5xx"),
    ("--from", "2026-06-08", "--to", "2026-06-14", "--status", "0", "--status", "success"),
    ("--from", "2026-06-08", "--to", "2026-06-14", "--page", "99"),
    ("--from", "2026-06-08", "--to", "2026-06-14", "--page", "x", "--page-size", "500"),
    ("--period", "yesterday"),
    ("--period", "week"),
    ("--from", "2026-06-13"),
    ("--from", "2026-06-13T06:00:00Z", "--to", "2026-06-14T18:30:00Z"),
    ("--from", "2025-06-13", "--to", "2025-06-14"),  # beyond the simulator's log retention: empty
]
# Ranges ending "now": `period.to` is each process's own instant, so everything but `period` is compared.
LOGS_RELATIVE = [(), ("--period", "24h"), ("--period", "3d", "--model", "qwen-plus"), ("--period", "today")]
LOGS_TEXT = [
    ("--from", "2026-06-10", "--to", "2026-06-12"),
    ("--from", "2026-06-08", "--to", "2026-06-14", "--page", "3", "--page-size", "9"),
    ("--from", "2026-06-08", "--to", "2026-06-14", "--status", "5xx"),
    ("--from", "2026-06-08", "--to", "2026-06-14", "--page", "99"),
    ("--period", "yesterday", "--status", "0"),
    ("--from", "2025-06-13", "--to", "2025-06-14"),
]
LOGS_ERRORS = [
    ("--period", "fortnight"),
    ("--period", "last-month"),
    ("--period", "15d"),
    ("--from", "2026-05-01", "--to", "2026-06-01"),
]

SUMMARY = [
    (),
    ("--from", "2026-01", "--to", "2026-06"),
    ("--from", "2025-03", "--to", "2026-06", "--charge-type", "payg"),
    ("--from", "2026-03", "--to", "2026-03", "--charge-type", "subscription"),
    ("--from", "2020-01", "--to", "2020-06"),  # no bills
]
BREAKDOWN = [
    (),
    ("--group-by", "api-key"),
    ("--group-by", "api-key", "--period", "last-month"),
    ("--period", "week"),
    ("--period", "year"),
    ("--group-by", "model", "--granularity", "month", "--from", "2026-01", "--to", "2026-06"),
    ("--granularity", "day", "--from", "2026-05-30", "--to", "2026-06-02", "--group-by", "api-key"),
    ("--granularity", "day", "--from", "2026-06-07", "--to", "2026-06-07"),
    ("--from", "2026-03-05", "--to", "2026-03-20"),
    ("--from", "2025-06", "--to", "2026-06", "--charge-type", "payg"),
    ("--charge-type", "subscription"),
    ("--top", "0", "--group-by", "api-key"),
]
BREAKDOWN_TEXT = [
    (),
    ("--group-by", "api-key"),
    ("--period", "week", "--group-by", "api-key"),
    ("--granularity", "month", "--from", "2026-01", "--to", "2026-03"),
    ("--charge-type", "subscription"),
    ("--period", "2026-02"),
]
BREAKDOWN_ERRORS = [
    ("--granularity", "week"),
    ("--period", "month", "--granularity", "month"),
    ("--period", "year", "--granularity", "day"),
    ("--from", "2025-01", "--to", "2026-06"),
    ("--granularity", "day", "--from", "2026-05-01", "--to", "2026-06-10"),
    ("--granularity", "day", "--from", "2026-6-1"),
    ("--period", "fortnight"),
]
OPTION_ERRORS = [
    ("billing", "breakdown", "--format", "json", "--charge-type", "prepaid"),
    ("billing", "breakdown", "--group-by", "workspace"),
    ("billing", "summary", "--format", "json", "--charge-type"),
    ("billing", "summary", "--bogus", "--format", "json"),
    ("billing", "limit", "--top", "3"),
    ("usage", "logs", "--bogus"),
    ("usage", "logs", "--format", "json", "--page"),
    ("subscription", "status", "--format", "card"),
    ("billing", "limit", "--format", "yaml"),
]


def without_period(value: Any) -> Any:
    return {k: v for k, v in value.items() if k != "period"}


def assert_same_text(pair: Pair, *args: str) -> None:
    official, ours = pair.both(*args, "--format", "text")
    assert official.code == 0, official.stderr
    assert official.stdout.strip()
    assert (ours.code, ours.stdout) == (official.code, official.stdout)


@pytest.mark.parametrize("args", LOGS_JSON, ids=" ".join)
def test_logs_json(clean_pair: Pair, args: tuple[str, ...]) -> None:
    official, ours = clean_pair.both("usage", "logs", *args, "--format", "json")
    assert official.code == 0, official.stderr
    assert_same_result(official, ours)


@pytest.mark.parametrize("args", LOGS_RELATIVE, ids=lambda a: " ".join(a) or "default")
def test_logs_json_relative_ranges(clean_pair: Pair, args: tuple[str, ...]) -> None:
    official, ours = clean_pair.both("usage", "logs", *args, "--format", "json")
    assert official.code == ours.code == 0, official.stderr + ours.stderr
    assert official.json()["totalCount"] > 0
    assert without_period(ours.json()) == without_period(official.json())
    # Both clocks start at the same frozen instant and run for a few seconds: the same minute.
    assert ours.json()["period"]["from"][:16] == official.json()["period"]["from"][:16]


@pytest.mark.parametrize("args", LOGS_TEXT, ids=" ".join)
def test_logs_text(clean_pair: Pair, args: tuple[str, ...]) -> None:
    assert_same_text(clean_pair, "usage", "logs", *args)


def test_logs_request_id_and_more_than_one_page(clean_pair: Pair) -> None:
    page = clean_pair.official.run("usage", "logs", "--period", "week", "--format", "json").json()
    assert page["totalCount"] > page["pageSize"] == len(page["items"])  # more than one page
    statuses = {i["statusCode"] for i in page["items"]}
    assert 200 in statuses and len({i["model"] for i in page["items"]}) > 1
    wanted = page["items"][3]["requestId"]
    official, ours = clean_pair.both(
        "usage", "logs", "--period", "week", "--request-id", wanted, "--format", "json"
    )
    assert [i["requestId"] for i in official.json()["items"]] == [wanted]
    assert without_period(ours.json()) == without_period(official.json())


@pytest.mark.parametrize("args", LOGS_ERRORS, ids=" ".join)
def test_logs_errors(clean_pair: Pair, args: tuple[str, ...]) -> None:
    official, ours = clean_pair.both("usage", "logs", *args, "--format", "json")
    assert official.code == 4
    assert_same_result(official, ours)


def test_logs_server_failures(clean_pair: Pair) -> None:
    api = "zeldaEasy.bailian-telemetry.platform-model.listModelLogs"
    clean_pair.sim.control(business_error_apis={api: "IllegalArgumentException::startTime is required"})
    official, ours = clean_pair.both("usage", "logs", "--period", "week", "--format", "json")
    assert official.code == 1 and official.error()["error"]["type"] == "business"
    assert_same_result(official, ours)
    official, ours = clean_pair.both("usage", "logs", "--period", "week", "--format", "text")
    assert official.stderr.startswith("Notice: IllegalArgumentException: startTime is required\n  A required")
    assert (ours.code, ours.stderr) == (official.code, official.stderr)
    clean_pair.sim.control(business_error_apis={}, logs_failure="log store unavailable")
    official, ours = clean_pair.both("usage", "logs", "--period", "week", "--format", "json")
    assert official.error()["error"] == {
        "code": "UNKNOWN_ERROR",
        "message": "log store unavailable",
        "exit_code": 1,
    }
    assert_same_result(official, ours)
    clean_pair.sim.control(logs_failure="", gateway_error_actions={api: "Throttling.User"})
    official, ours = clean_pair.both("usage", "logs", "--period", "week", "--format", "json")
    assert official.error()["error"]["type"] == "gateway"
    assert_same_result(official, ours)


@pytest.mark.parametrize("args", SUMMARY, ids=lambda a: " ".join(a) or "default")
def test_billing_summary(clean_pair: Pair, args: tuple[str, ...]) -> None:
    official, ours = clean_pair.both("billing", "summary", *args, "--format", "json")
    assert official.code == 0, official.stderr
    assert_same_result(official, ours)
    assert_same_text(clean_pair, "billing", "summary", *args)


@pytest.mark.parametrize("args", BREAKDOWN, ids=lambda a: " ".join(a) or "default")
def test_billing_breakdown_json(clean_pair: Pair, args: tuple[str, ...]) -> None:
    official, ours = clean_pair.both("billing", "breakdown", *args, "--format", "json")
    assert official.code == 0, official.stderr
    assert_same_result(official, ours)


@pytest.mark.parametrize("args", BREAKDOWN_TEXT, ids=lambda a: " ".join(a) or "default")
def test_billing_breakdown_text(clean_pair: Pair, args: tuple[str, ...]) -> None:
    assert_same_text(clean_pair, "billing", "breakdown", *args)


@pytest.mark.parametrize("args", BREAKDOWN_ERRORS, ids=" ".join)
def test_billing_breakdown_errors(clean_pair: Pair, args: tuple[str, ...]) -> None:
    official, ours = clean_pair.both("billing", "breakdown", *args, "--format", "json")
    assert official.code != 0
    assert_same_result(official, ours)


def test_billing_gateway_errors(clean_pair: Pair) -> None:
    for action, args in (
        ("ListSettleBillTotalSummary", ("billing", "summary")),
        ("MaasDescribeCostAnalysis", ("billing", "breakdown")),
        ("DescribeUsageLimit", ("billing", "limit")),
    ):
        clean_pair.sim.control(gateway_error_actions={action: "Throttling.User"})
        official, ours = clean_pair.both(*args, "--format", "json")
        assert official.code == 1 and official.error()["error"]["code"] == "Throttling.User"
        assert_same_result(official, ours)
        official, ours = clean_pair.both(*args, "--format", "text")
        assert (ours.code, ours.stderr) == (official.code, official.stderr)


@pytest.mark.parametrize(
    "limit",
    [{}, {"LimitAmount": "5.00", "AlertThreshold": 50}, {"Status": "frozen", "AlertThreshold": "n/a"}, None],
    ids=["default", "exceeded", "other-status", "no-limit-data"],
)
def test_billing_limit(clean_pair: Pair, limit: dict[str, Any] | None) -> None:
    clean_pair.sim.control(usage_limit=limit)
    official, ours = clean_pair.both("billing", "limit", "--format", "json")
    assert official.code == 0, official.stderr
    assert_same_result(official, ours)
    assert_same_text(clean_pair, "billing", "limit")


@pytest.mark.parametrize("args", OPTION_ERRORS, ids=" ".join)
def test_option_errors(clean_pair: Pair, args: tuple[str, ...]) -> None:
    official, ours = clean_pair.both(*args)
    assert official.code == 1
    assert (ours.code, ours.stdout, ours.stderr.strip()) == (official.code, "", official.stderr.strip())


SUBSCRIPTION = [
    ("subscription", "status"),
    ("subscription", "status", "--plan", "coding"),
    ("subscription", "status", "--plan", "token"),
    ("subscription", "status", "--plan", "other"),
    ("subscription", "tokenplan", "status"),
]


@pytest.mark.parametrize("token_plan", [False, True], ids=["no-token-plan", "token-plan"])
@pytest.mark.parametrize("args", SUBSCRIPTION, ids=" ".join)
def test_subscription(clean_pair: Pair, args: tuple[str, ...], token_plan: bool) -> None:
    clean_pair.sim.control(token_plan=token_plan)
    official, ours = clean_pair.both(*args, "--format", "json")
    assert_same_result(official, ours)
    official, ours = clean_pair.both(*args, "--format", "text")
    assert official.stdout.strip()
    assert (ours.code, ours.stdout) == (official.code, official.stdout)


def test_usage_summary_with_a_token_plan(clean_pair: Pair) -> None:
    clean_pair.sim.control(token_plan=True)
    official, ours = clean_pair.both("usage", "summary", "--format", "json")
    assert official.json()["token_plan"]["subscribed"] is True
    assert_same_result(official, ours)


@pytest.mark.parametrize(
    "faults",
    [
        {"gateway_error_actions": {"GetSeatSubscriptionSummary": "InternalError"}},
        {"gateway_error_actions": {"CheckTokenPlanAutoRenewal": "InternalError", "QueryOrderList": "X"}},
        {"gateway_error_actions": {"*": "InternalError"}},
    ],
    ids=["seat-summary", "renewal-and-orders", "everything"],
)
@pytest.mark.parametrize("args", SUBSCRIPTION[:3] + SUBSCRIPTION[4:], ids=" ".join)
def test_subscription_diagnostics(clean_pair: Pair, args: tuple[str, ...], faults: dict[str, Any]) -> None:
    clean_pair.sim.control(token_plan=True, **faults)
    official, ours = clean_pair.both(*args, "--format", "json")
    assert official.json()["diagnostics"] or args[-1] == "coding"  # the coding calls are not faulted
    assert_same_result(official, ours)
    official, ours = clean_pair.both(*args, "--format", "text")
    assert (ours.code, ours.stdout) == (official.code, official.stdout)
