"""Ours vs the official CLI 1.4.1 on the same simulator, clock and TZ: identical JSON, text and exit codes.

Deliberate differences (contract §10) live in test_differences.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance.pair import Pair, assert_same_result, start_pair

pytestmark = pytest.mark.conformance

JSON_VARIANTS = [
    ("summary", "--period", "today"),
    ("summary", "--period", "yesterday"),
    ("summary", "--period", "week"),
    ("summary", "--period", "month"),
    ("summary",),
    ("summary", "--period", "last-month"),
    ("summary", "--period", "quarter"),
    ("summary", "--period", "year"),
    ("summary", "--period", "2026-02"),
    ("summary", "--from", "2026-03-10", "--to", "2026-03-25"),
    ("summary", "--from", "2026-05-30"),
    ("payg", "--days", "10"),
    ("payg", "--period", "last-month"),
    ("payg", "--to", "2026-02-10"),
    ("free-tier",),
    ("breakdown", "--model", "qwen-plus", "--granularity", "day"),
    ("breakdown", "--model", "qwen-plus", "--days", "45"),
    ("breakdown", "--model", "qwen3.6-plus", "--granularity", "month", "--period", "year"),
    ("breakdown", "--model", "qwen-max", "--granularity", "quarter", "--period", "year"),
    ("breakdown", "--model", "wan2.6-t2i", "--granularity", "month", "--period", "quarter"),
    ("breakdown", "--model", "wan2.6-t2i", "--granularity", "day", "--period", "last-month"),
    ("breakdown", "--model", "qwen-flash", "--to", "2026-02-10"),
    # A heavy month (>100 rows) for one model stays under 100 rows, so both see everything.
    ("breakdown", "--model", "qwen-max", "--period", "2025-07"),
]

TEXT_VARIANTS = [
    ("payg", "--period", "last-month"),
    ("payg", "--days", "3"),
    ("free-tier",),
    ("breakdown", "--model", "qwen-plus", "--days", "10"),
    ("breakdown", "--model", "wan2.6-t2i", "--granularity", "month", "--period", "quarter"),
    ("breakdown", "--model", "qwen3.5-plus", "--granularity", "quarter", "--period", "year"),
]

ERROR_VARIANTS = [
    ("summary", "--period", "fortnight"),
    ("summary", "--days", "3"),
    ("breakdown", "--model", "no-such-model"),
    ("breakdown", "--granularity", "day"),
    ("payg", "--from", "2025-01-01", "--to", "2025-01-31"),
]


# Option errors found while parsing: commander's codes and words, JSON only with an explicit --format json.
OPTION_ERROR_VARIANTS = [
    ("summary", "--bogus", "--format", "json"),
    ("payg", "--format", "json", "--days"),
    ("breakdown", "--format", "json", "--model"),
    ("payg", "--period"),
    ("breakdown", "--model", "qwen-plus", "--granularity"),
    ("summary", "--bogus"),
]


@pytest.mark.parametrize("args", OPTION_ERROR_VARIANTS, ids=" ".join)
def test_option_errors_match(clean_pair: Pair, args: tuple[str, ...]) -> None:
    official, ours = clean_pair.both("usage", *args)
    assert official.code == 1
    assert (ours.code, ours.stdout, ours.stderr.strip()) == (official.code, "", official.stderr.strip())


@pytest.mark.parametrize("args", JSON_VARIANTS, ids=" ".join)
def test_json_matches(clean_pair: Pair, args: tuple[str, ...]) -> None:
    official, ours = clean_pair.both("usage", *args, "--format", "json")
    assert official.code == 0, official.stderr
    assert_same_result(official, ours)


@pytest.mark.parametrize("args", TEXT_VARIANTS, ids=" ".join)
def test_text_matches_byte_for_byte(clean_pair: Pair, args: tuple[str, ...]) -> None:
    official, ours = clean_pair.both("usage", *args, "--format", "text")
    assert official.code == 0, official.stderr
    assert (ours.code, ours.stdout) == (official.code, official.stdout)


@pytest.mark.parametrize("args", ERROR_VARIANTS, ids=" ".join)
def test_errors_match(clean_pair: Pair, args: tuple[str, ...]) -> None:
    official, ours = clean_pair.both("usage", *args, "--format", "json")
    assert official.code != 0
    assert_same_result(official, ours)


def test_no_coding_plan_json_and_text(clean_pair: Pair) -> None:
    clean_pair.sim.control(coding_plan=False)
    official, ours = clean_pair.both("usage", "summary", "--format", "json")
    assert official.json()["coding_plan"] == {"subscribed": False}
    assert_same_result(official, ours)
    # Without a plan there is no "Used" column, so the whole summary text must match.
    official, ours = clean_pair.both("usage", "summary", "--period", "quarter", "--format", "text")
    assert (ours.code, ours.stdout) == (official.code, official.stdout)


def test_empty_usage(clean_pair: Pair) -> None:
    clean_pair.sim.control(empty_usage=True)
    official, ours = clean_pair.both("usage", "summary", "--format", "json")
    assert official.json()["pay_as_you_go"]["models"] == []
    assert_same_result(official, ours)
    official, ours = clean_pair.both("usage", "payg", "--format", "text")
    assert "No pay-as-you-go usage" in official.stdout
    assert (ours.code, ours.stdout) == (official.code, official.stdout)
    official, ours = clean_pair.both("usage", "breakdown", "--model", "qwen-plus", "--format", "json")
    assert_same_result(official, ours)


def test_gateway_error(clean_pair: Pair) -> None:
    clean_pair.sim.control(gateway_error_actions={"MaasListConsumeSummary": "Throttling.User"})
    official, ours = clean_pair.both("usage", "summary", "--format", "json")
    assert official.code == 1
    assert official.error()["error"] == {
        "type": "gateway",
        "code": "Throttling.User",
        "message": "Request was denied due to user flow control.",
    }
    assert_same_result(official, ours)
    official, ours = clean_pair.both("usage", "summary", "--format", "text")
    assert "Gateway error: Request was denied" in official.stderr
    assert ours.code == official.code and "Gateway error: Request was denied" in ours.stderr


def test_coding_plan_business_error_means_not_subscribed(clean_pair: Pair) -> None:
    clean_pair.sim.control(business_error="FAIL_BIZ_PLAN::plan service unavailable")
    official, ours = clean_pair.both("usage", "summary", "--format", "json")
    assert official.json()["coding_plan"] == {"subscribed": False}
    assert_same_result(official, ours)


def test_free_tier_lookup_failure_gives_null_quotas(clean_pair: Pair) -> None:
    clean_pair.sim.control(gateway_error_actions={"DescribeFqInstance": "InternalError"})
    official, ours = clean_pair.both("usage", "free-tier", "--format", "json")
    assert all(item["quota"] is None for item in official.json()["free_tier"])
    assert_same_result(official, ours)


def test_other_timezone(tmp_path: Path) -> None:
    # 20:00 UTC is already the 16th in Shanghai: "today" and the month are local dates for both CLIs.
    shanghai = start_pair(tmp_path, tz="Asia/Shanghai", now="2026-06-30T20:00:00Z")
    try:
        for args in (("summary", "--period", "today"), ("summary",), ("breakdown", "--model", "qwen-plus")):
            official, ours = shanghai.both("usage", *args, "--format", "json")
            assert official.code == 0, official.stderr
            assert_same_result(official, ours)
        assert official.json()["period"]["to"] == "2026-07-01"
    finally:
        shanghai.stop()
