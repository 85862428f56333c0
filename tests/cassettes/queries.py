"""The queries recorded in the cassettes and compared with the official CLI's outputs."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.base.periods import DateRange
from bot.core.usage import UsageService

FAKE_NOW = "2026-06-15T10:00:00+00:00"
SEED = 8
TZ = "UTC"
API = "http://sim.test"

QUERIES: dict[str, dict[str, Any]] = {
    "summary_month": {
        "argv": ["usage", "summary", "--format", "json"],
        "kind": "summary",
        "range": ("2026-06-01", "2026-06-15"),
    },
    "summary_month_text": {
        "argv": ["usage", "summary", "--format", "text"],
        "kind": "summary",
        "range": ("2026-06-01", "2026-06-15"),
    },
    "free_tier_text": {"argv": ["usage", "free-tier", "--format", "text"], "kind": "free_tier"},
    "free_tier": {"argv": ["usage", "free-tier", "--format", "json"], "kind": "free_tier"},
    "payg_days_45": {
        "argv": ["usage", "payg", "--days", "45", "--format", "json"],
        "kind": "payg",
        "range": ("2026-05-02", "2026-06-15"),
    },
    "payg_days_45_text": {
        "argv": ["usage", "payg", "--days", "45", "--format", "text"],
        "kind": "payg",
        "range": ("2026-05-02", "2026-06-15"),
    },
    "breakdown_day": {
        "argv": ["usage", "breakdown", "--model", "qwen-plus", "--format", "json"],
        "kind": "breakdown",
        "model": "qwen-plus",
        "granularity": "day",
        "range": ("2026-06-01", "2026-06-15"),
    },
    "breakdown_day_text": {
        "argv": ["usage", "breakdown", "--model", "qwen-plus", "--format", "text"],
        "kind": "breakdown",
        "model": "qwen-plus",
        "granularity": "day",
        "range": ("2026-06-01", "2026-06-15"),
    },
    "breakdown_quarter_text": {
        "argv": [
            "usage",
            "breakdown",
            "--model",
            "qwen-plus",
            "--period",
            "year",
            "--granularity",
            "quarter",
            "--format",
            "text",
        ],
        "kind": "breakdown",
        "model": "qwen-plus",
        "granularity": "quarter",
        "range": ("2026-01-01", "2026-06-15"),
    },
    "breakdown_image_month": {
        "argv": [
            "usage",
            "breakdown",
            "--model",
            "wan2.6-t2i",
            "--period",
            "quarter",
            "--granularity",
            "month",
            "--format",
            "text",
        ],
        "kind": "breakdown",
        "model": "wan2.6-t2i",
        "granularity": "month",
        "range": ("2026-04-01", "2026-06-15"),
    },
}


def query_range(query: dict[str, Any]) -> DateRange:
    start, end = query["range"]
    return DateRange(date.fromisoformat(start), date.fromisoformat(end))


def run_query(service: UsageService, token: str, query: dict[str, Any]) -> Any:
    kind = query["kind"]
    if kind == "summary":
        return service.summary(token, query_range(query))
    if kind == "free_tier":
        return service.free_tier(token)
    if kind == "payg":
        return service.payg(token, query_range(query))
    return service.breakdown(token, query["model"], query_range(query), query["granularity"])
