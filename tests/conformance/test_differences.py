"""Every deliberate difference from the official CLI (contract §10), asserted both ways, never skipped."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from bot.devtools.simulator.dataset import Dataset
from tests.conformance.official import SEED
from tests.conformance.pair import Pair, assert_same_json, start_pair

pytestmark = pytest.mark.conformance
SKIPPED = {"Rounding Adjustment", "Refund", "Credit Adjustment"}


def payg_total(rows: list[dict[str, object]]) -> float:
    kept = [
        r
        for r in rows
        if r["LineItemCategory"] not in SKIPPED and "free" not in str(r["LineItemCategory"]).lower()
    ]
    return round(sum(float(str(r["RequireAmount"])) for r in kept), 4)


def test_month_over_100_rows_official_truncates_ours_paginates(clean_pair: Pair) -> None:
    rows = Dataset(seed=SEED).rows_between(date(2025, 7, 1), date(2025, 7, 31), date(2026, 6, 15), None)
    assert len(rows) > 100
    official, ours = clean_pair.both("usage", "summary", "--period", "2025-07", "--format", "json")
    assert official.code == ours.code == 0
    assert official.json()["pay_as_you_go"]["total"]["cost"] == payg_total(rows[:100])  # page 1 only
    assert ours.json()["pay_as_you_go"]["total"]["cost"] == payg_total(rows)
    assert payg_total(rows) > payg_total(rows[:100])
    # Everything outside pay-as-you-go is the same.
    rest = {k: v for k, v in official.json().items() if k != "pay_as_you_go"}
    assert_same_json(rest, {k: v for k, v in ours.json().items() if k != "pay_as_you_go"})
    pages = [
        c["params"].get("CurrentPage")
        for c in clean_pair.sim.state.calls
        if c["action"] == "MaasListConsumeSummary" and c["params"].get("StartBillingDate") == "2025-07-01"
    ]
    assert pages.count("1") == 2 and {"2", "3", "4"} <= set(pages)


def cells(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


def test_coding_plan_used_column_shows_used_percent(clean_pair: Pair) -> None:
    official, ours = clean_pair.both("usage", "summary", "--format", "text")
    plan = (
        official.json() if False else clean_pair.official.run("usage", "summary", "--format", "json").json()
    )
    windows = plan["coding_plan"]["windows"]
    assert official.code == ours.code == 0
    official_lines, our_lines = official.stdout.splitlines(), ours.stdout.splitlines()
    assert len(official_lines) == len(our_lines)
    labels = {"Per 5 hours": "per_5h", "This week": "weekly", "This month": "monthly"}
    seen = 0
    for theirs, mine in zip(official_lines, our_lines, strict=True):
        first = cells(theirs)[0] if theirs.strip() else ""
        if first not in labels:
            assert mine == theirs
            continue
        seen += 1
        used = windows[labels[first]]["used_pct"]
        assert cells(theirs)[3] == f"{round(100 - used, 2):g}%"  # 1.4.1 prints the remaining share
        assert cells(mine)[3] == f"{round(used, 2):g}%"
        assert cells(mine)[:3] + cells(mine)[4:] == cells(theirs)[:3] + cells(theirs)[4:]
    assert seen == 3


def test_single_wrapped_coding_plan_read_by_ours_only(clean_pair: Pair) -> None:
    compat = clean_pair.official.run("usage", "summary", "--format", "json").json()["coding_plan"]
    assert compat["subscribed"] is True
    clean_pair.sim.control(cli_compat=False)  # the real server's shape
    official, ours = clean_pair.both("usage", "summary", "--format", "json")
    assert official.json()["coding_plan"] == {"subscribed": False}
    assert_same_json(compat, ours.json()["coding_plan"])


def test_from_after_to_is_an_error_for_ours(clean_pair: Pair) -> None:
    official, ours = clean_pair.both(
        "usage", "payg", "--from", "2026-06-10", "--to", "2026-06-01", "--format", "json"
    )
    assert official.code == 0 and official.error()["error"]["code"] == "INVALID_RANGE"  # 1.4.1 bug: exit 0
    assert ours.code != 0 and ours.error()["error"]["code"] == "INVALID_RANGE"
    official, ours = clean_pair.both(
        "usage", "summary", "--from", "2026-06-10", "--to", "2026-06-01", "--format", "json"
    )
    assert official.code == 0 and official.json()["pay_as_you_go"]["models"] == []  # not validated at all
    assert ours.code != 0 and ours.error()["error"]["code"] == "INVALID_RANGE"


def test_bad_granularity_prints_one_error(clean_pair: Pair) -> None:
    args = ("usage", "breakdown", "--model", "qwen-plus", "--granularity", "week", "--format", "json")
    official, ours = clean_pair.both(*args)
    assert official.code == ours.code == 4
    assert len(official.errors()) == 2 and len(ours.errors()) == 1  # 1.4.1 adds a spurious {"code":"ERROR"}
    assert official.errors()[1]["error"]["code"] == "ERROR"
    assert_same_json(official.errors()[0], ours.errors()[0])


def test_revoked_token_locally_valid_and_unreachable_server(tmp_path: Path) -> None:
    pair = start_pair(tmp_path)
    try:
        pair.sim.control(action="expire_tokens")
        official, ours = pair.both("usage", "summary", "--format", "json")
        assert official.code == 1 and official.error()["error"]["code"] == "UNKNOWN_ERROR"
        assert official.error()["error"]["message"].startswith("HTTP 401")
        assert ours.code == 2 and ours.error()["error"]["exit_code"] == 2  # ours: log in again
    finally:
        pair.stop()
    official, ours = pair.both("usage", "summary", "--format", "json")  # simulator gone: connection refused
    assert official.code == 1 and "fetch failed" in official.error()["error"]["message"]
    assert ours.code == 3 and ours.error()["error"]["exit_code"] == 3


def test_locally_expired_token_names_our_login_command(tmp_path: Path) -> None:
    pair = start_pair(tmp_path)
    try:
        # Tokens live 12 h from the simulator's frozen 10:00; each CLI process starts its clock at `now`.
        pair.official.now = pair.ours.now = "2026-06-15T22:30:00Z"
        official, ours = pair.both("usage", "summary", "--format", "json")
        assert official.code == ours.code == 2
        assert official.error() == {
            "error": {
                "code": "TOKEN_EXPIRED",
                "exit_code": 2,
                "message": "Token expired. Run: qwencloud login",
            }
        }
        # Deliberate: the hint names the command that logs *this* CLI in.
        assert ours.error() == {
            "error": {
                "code": "TOKEN_EXPIRED",
                "exit_code": 2,
                "message": "Token expired. Run: qwen-bot auth login",
            }
        }
        assert not ours.stdout and not official.stdout
    finally:
        pair.stop()


def test_a_summary_over_13_months_is_refused_by_ours(clean_pair: Pair) -> None:
    """Bounded work (issue 11): at most 13 month chunks per command; 1.4.1 fans out one call per month."""
    args = ("usage", "summary", "--from", "2024-01-01", "--to", "2025-06-30", "--format", "json")
    official, ours = clean_pair.both(*args)
    assert official.code == 0 and "pay_as_you_go" in official.json()
    assert ours.code == 4 and ours.error()["error"]["code"] == "RANGE_TOO_LONG"
    assert "at most 13 calendar months" in ours.error()["error"]["message"]
    ours_ok = clean_pair.ours.run("usage", "summary", "--from", "2025-06-01", "--to", "2026-06-15")
    assert ours_ok.code == 0  # 13 months is still fine
    far = ("usage", "payg", "--from", "2026-06-01", "--to", "2028-12-31", "--format", "json")
    official, ours = clean_pair.both(*far)  # the lookback checks only `from`: 1.4.1 asks for 31 months
    assert official.code == 0 and "error" not in official.stdout
    assert ours.code == 4 and ours.error()["error"]["code"] == "RANGE_TOO_LONG"
