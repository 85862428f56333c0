"""Deliberate differences of the call-log and billing commands from 1.4.1 (docs/differences.md), both ways."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conformance.pair import Pair, assert_same_json

pytestmark = pytest.mark.conformance
WEEK = ("--from", "2026-06-08", "--to", "2026-06-14")


def test_logs_all_pages_ours_only(clean_pair: Pair) -> None:
    official, ours = clean_pair.both("usage", "logs", *WEEK, "--all", "--format", "json")
    assert official.code == 1 and official.error()["error"]["code"] == "UNKNOWN_OPTION"
    assert ours.code == 0
    everything = ours.json()
    assert everything["totalCount"] > 20 and len(everything["items"]) == everything["totalCount"]
    pages = []
    for page in range(1, 5):
        pages += clean_pair.official.run(
            "usage", "logs", *WEEK, "--page", str(page), "--format", "json"
        ).json()["items"]
    assert_same_json(pages, everything["items"])  # the official CLI needs one run per page
    text = clean_pair.ours.run("usage", "logs", *WEEK, "--all", "--format", "text").stdout
    assert f"{everything['totalCount']} entries  ·  all 4 pages" in text


def test_logs_to_alone_as_a_date_time(clean_pair: Pair) -> None:
    args = ("usage", "logs", "--to", "2026-06-14T12:00:00Z", "--format", "json")
    official, ours = clean_pair.both(*args)
    assert (
        official.code == 0 and official.json()["period"]["from"] == "NaN-NaN-NaN"
    )  # startTime 0: all history
    assert ours.code == 0 and ours.json()["period"] == {"from": "2026-06-07", "to": "2026-06-14T12:00:00Z"}
    assert ours.json()["totalCount"] < official.json()["totalCount"]


def test_logs_from_after_to(clean_pair: Pair) -> None:
    official, ours = clean_pair.both(
        "usage", "logs", "--from", "2026-06-14", "--to", "2026-06-10", "--format", "json"
    )
    assert official.code == 0 and official.json()["totalCount"] == 0
    assert ours.code == 4 and ours.error()["error"]["code"] == "INVALID_RANGE"


def test_logs_unknown_status(clean_pair: Pair) -> None:
    official, ours = clean_pair.both("usage", "logs", *WEEK, "--status", "bogus", "--format", "json")
    unfiltered = clean_pair.official.run("usage", "logs", *WEEK, "--format", "json").json()
    assert (
        official.code == 0 and official.json()["totalCount"] == unfiltered["totalCount"]
    )  # silently dropped
    assert ours.code == 4 and ours.error()["error"]["code"] == "INVALID_ARGUMENT"


def test_summary_malformed_or_reversed_cycles(clean_pair: Pair) -> None:
    official, ours = clean_pair.both(
        "billing", "summary", "--from", "2026-3", "--to", "2026-03", "--format", "json"
    )
    assert official.code == 0 and official.json()["period"] == {"from": "2026-06", "to": "2026-03"}
    assert ours.code == 4 and ours.error()["error"]["code"] == "INVALID_ARGUMENT"
    official, ours = clean_pair.both(
        "billing", "summary", "--from", "2026-05", "--to", "2026-03", "--format", "json"
    )
    assert official.code == 0 and official.json()["cycles"] == []
    assert ours.code == 4 and ours.error()["error"]["code"] == "INVALID_RANGE"


def test_breakdown_from_after_to(clean_pair: Pair) -> None:
    args = ("billing", "breakdown", "--granularity", "day", "--from", "2026-06-10", "--to", "2026-06-01")
    official, ours = clean_pair.both(*args, "--format", "json")
    assert official.code == 0 and official.json()["slices"] == []
    assert ours.code == 4 and ours.error()["error"]["code"] == "INVALID_RANGE"


def test_text_shows_the_response_currency(clean_pair: Pair) -> None:
    clean_pair.sim.control(billing_currency="EUR")
    for args in (("billing", "summary", "--from", "2026-05", "--to", "2026-05"), ("billing", "limit")):
        official, ours = clean_pair.both(*args, "--format", "json")
        assert official.json()["currency"] == "EUR"
        assert_same_json(official.json(), ours.json())  # JSON carries the currency for both
        official, ours = clean_pair.both(*args, "--format", "text")
        assert "Currency          USD" in official.stdout or "Currency       USD" in official.stdout
        assert "$" in official.stdout and "$" not in ours.stdout
        assert "EUR" in ours.stdout and "USD" not in ours.stdout


def test_breakdown_total_after_top_is_the_whole_spend(clean_pair: Pair) -> None:
    args = ("billing", "breakdown", "--group-by", "api-key", "--top", "2")
    official, ours = clean_pair.both(*args, "--format", "json")
    full = clean_pair.official.run("billing", "breakdown", "--group-by", "api-key", "--format", "json").json()
    assert full["totalRows"] == 4
    shown = sum(Decimal(r["amount"]) for r in official.json()["rows"])
    assert Decimal(official.json()["totalAmount"]) == shown < Decimal(full["totalAmount"])  # shown rows only
    assert ours.json()["totalAmount"] == full["totalAmount"]
    assert ours.json()["rows"] == official.json()["rows"]
    official, ours = clean_pair.both(*args, "--format", "text")
    assert "  Showing top 3 / 4" in official.stdout  # 1.4.1 counts the Tax row
    assert "  Showing top 2 / 4" in ours.stdout
    total = [line for line in ours.stdout.splitlines() if line.strip().startswith("TOTAL")]
    assert total and total[0].split()[1] == f"${Decimal(full['totalAmount']).normalize()}"
