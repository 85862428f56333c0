"""Recorded QwenCloud answers (vcrpy cassettes) -> our client, service and renderers == the official CLI 1.4.1
output recorded from the same simulator run (tests/cassettes/record.py re-records both)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import vcr

from bot.base.clock import FixedClock
from bot.core.usage import UsageService
from bot.qwencloud.client import QwenCloudClient
from bot.render import json as render_json
from bot.render import text as render_text
from tests.cassettes.queries import API, FAKE_NOW, QUERIES, query_range, run_query

CASSETTES = Path(__file__).parents[1] / "cassettes"
# The official run's clock starts at FAKE_NOW and runs on: its "Next Reset" shows 3h 59m, not 4h.
NOW = datetime.fromisoformat(FAKE_NOW) + timedelta(seconds=1)


def replay(name: str) -> Any:
    query = QUERIES[name]
    player = vcr.VCR(
        cassette_library_dir=str(CASSETTES), record_mode="none", match_on=["method", "path", "body"]
    )
    client = QwenCloudClient(
        http=httpx.Client(), api_endpoint=API, auth_endpoint=API, model_map_url=f"{API}/cdn/model-mapping"
    )
    service = UsageService(client=client, clock=FixedClock(NOW), max_workers=1)
    try:
        with player.use_cassette(f"{name}.yaml"):
            return run_query(service, "replayed-token", query)
    finally:
        service.close()


def render(name: str, result: Any) -> str:
    query = QUERIES[name]
    kind, text = query["kind"], query["argv"][-1] == "text"
    if not text:
        body = {
            "summary": render_json.summary,
            "free_tier": render_json.free_tier,
            "payg": render_json.payg,
            "breakdown": render_json.breakdown,
        }[kind](result)
        return body + "\n"
    if kind == "summary":
        return render_text.summary(result, now=NOW)
    if kind == "free_tier":
        return render_text.free_tier(result)
    if kind == "payg":
        return render_text.payg(result, query_range(query))
    return render_text.breakdown(result, now=NOW)


def official(name: str) -> str:
    return (CASSETTES / "official" / f"{name}.out").read_text()


@pytest.mark.parametrize("name", [n for n in QUERIES if n != "summary_month_text"])
def test_byte_for_byte_like_the_official_cli(name: str) -> None:
    assert render(name, replay(name)) == official(name)


def test_json_outputs_keep_the_official_key_order() -> None:
    ours = json.loads(render("summary_month", replay("summary_month")))
    theirs = json.loads(official("summary_month"))
    assert list(ours) == list(theirs) == ["period", "free_tier", "coding_plan", "token_plan", "pay_as_you_go"]
    assert list(ours["coding_plan"]["windows"]["per_5h"]) == [
        "remaining",
        "total",
        "used_pct",
        "next_reset_at",
    ]


WINDOW = re.compile(r"^  (Per 5 hours|This week|This month)\s")


def test_summary_text_differs_only_in_the_coding_plan_used_column() -> None:
    ours = render("summary_month_text", replay("summary_month_text")).splitlines()
    theirs = official("summary_month_text").splitlines()
    assert len(ours) == len(theirs)
    windows = 0
    for mine, base in zip(ours, theirs, strict=True):
        if not WINDOW.match(base):
            assert mine == base
            continue
        windows += 1
        used = float(re.findall(r"([\d.]+)%", mine)[0])
        left = float(re.findall(r"([\d.]+)%", base)[0])
        assert abs(used + left - 100) < 0.011, (mine, base)  # contract §10: used %, not the remaining %
    assert windows == 3


def test_cassettes_record_the_wire_contract_without_secrets() -> None:
    checked = 0
    for path in CASSETTES.glob("*.yaml"):
        text = path.read_text()
        assert "replayed-token" not in text
        for match in re.finditer(r"authorization:\n\s+- (.+)", text):
            assert match.group(1) == "Bearer <scrubbed>", path.name
        for body in re.findall(r"body: '(\{\"product\".*\})'\n", text):
            sent = json.loads(body.replace("''", "'"))
            checked += 1
            assert sent["region"] == "ap-southeast-1"
            assert all(isinstance(v, str) for v in sent["params"].values()), sent
            if sent["action"] == "MaasListConsumeSummary":
                params = sent["params"]
                assert params["StartBillingDate"][:7] == params["EndBillingDate"][:7]
        assert "qwen-usage-bot/" in text
    assert checked >= 30
