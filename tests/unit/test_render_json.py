"""The official `--format json`: JS number digits, key order, optional keys, error shapes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.base.errors import (
    AuthRequired,
    BusinessError,
    GatewayError,
    InvalidArgument,
    ModelNotFound,
    TokenRejected,
)
from bot.base.periods import DateRange
from bot.qwencloud.models import FreeTierQuota
from bot.qwencloud.results import CodingPlan, CodingWindow, FreeTierEntry, TokenPlan
from bot.render import json as render_json
from bot.render.jsnum import js_locale, js_string


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.1, "0.1"),
        (5.0, "5"),
        (Decimal("1.70820"), "1.7082"),
        (1e-7, "1e-7"),
        (1e21, "1e+21"),
        (27.433333333333334, "27.433333333333334"),
        (Decimal("-0.50"), "-0.5"),
        (0.000001, "0.000001"),
        (123456789012, "123456789012"),
    ],
)
def test_js_number_strings(value: float | Decimal, shown: str) -> None:
    assert js_string(value) == shown


def test_js_locale_groups_thousands() -> None:
    assert [js_locale(v) for v in (4800, 1234567.125, 12, Decimal("30511"))] == [
        "4,800",
        "1,234,567.125",
        "12",
        "30,511",
    ]


def test_dumps_matches_json_stringify_with_indent_2() -> None:
    value = {"a": [], "b": {}, "c": [1, Decimal("2.50")], "d": None, "e": "→ é", "f": True}
    assert render_json.dumps(value) == (
        '{\n  "a": [],\n  "b": {},\n  "c": [\n    1,\n    2.5\n  ],\n'
        '  "d": null,\n  "e": "→ é",\n  "f": true\n}'
    )


def test_free_tier_quota_keys_and_null_quota() -> None:
    quota = FreeTierQuota(
        template_code="t",
        remaining=Decimal(995200),
        total=Decimal(1000000),
        unit="tokens",
        used_pct=0.48,
        status="valid",
        reset_date=datetime(2026, 7, 1, tzinfo=UTC),
    )
    out = render_json.free_tier((FreeTierEntry("qwen-plus", quota), FreeTierEntry("qwen-flash", None)))
    assert out == (
        '{\n  "free_tier": [\n    {\n      "model_id": "qwen-plus",\n      "quota": {\n'
        '        "remaining": 995200,\n        "total": 1000000,\n        "unit": "tokens",\n'
        '        "used_pct": 0.48,\n        "status": "valid",\n'
        '        "resetDate": "2026-07-01T00:00:00.000Z"\n      }\n    },\n'
        '    {\n      "model_id": "qwen-flash",\n      "quota": null\n    }\n  ]\n}'
    )


def test_coding_plan_shapes() -> None:
    assert render_json.coding_plan_dict(CodingPlan(subscribed=False)) == {"subscribed": False}
    window = CodingWindow(
        remaining=Decimal(4354), total=Decimal(6000), used_pct=27.433333333333334, next_reset_at=None
    )
    plan = render_json.coding_plan_dict(CodingPlan(True, "starter", window, window, window, Decimal(10)))
    assert list(plan) == ["subscribed", "plan", "included_models", "windows", "price"]
    assert plan["windows"]["weekly"]["next_reset_at"] == ""
    assert plan["price"] == {"amount": Decimal(10), "currency": "USD", "cycle": "monthly"}
    no_price = render_json.coding_plan_dict(CodingPlan(True, "lite", window, window, window, None))
    assert "price" not in no_price


def test_token_plan_shapes_drop_undefined_keys() -> None:
    assert render_json.token_plan_dict(TokenPlan(subscribed=False)) == {"subscribed": False}
    assert render_json.token_plan_dict(TokenPlan(subscribed=False, addon_remaining=Decimal(5))) == {
        "subscribed": False,
        "addonRemaining": Decimal(5),
    }
    seat = render_json.token_plan_dict(
        TokenPlan(subscribed=False, detailed=True, plan_name="Token Plan", used_pct=0.0)
    )
    assert list(seat) == ["subscribed", "planName", "totalCredits", "remainingCredits", "usedPct"]


def test_error_shapes() -> None:
    def shape(exc: Exception) -> object:
        assert isinstance(exc, Exception)
        return render_json.error_dict(exc)  # type: ignore[arg-type]

    assert shape(GatewayError("denied", code="Throttling")) == {
        "error": {"type": "gateway", "code": "Throttling", "message": "denied"}
    }
    assert shape(BusinessError("busy", code="FAIL")) == {
        "error": {"type": "business", "code": "FAIL", "message": "busy"}
    }
    assert shape(ModelNotFound("x")) == {
        "error": {"code": "MODEL_NOT_FOUND", "message": "Model 'x' not found.", "exit_code": 1}
    }
    assert shape(AuthRequired())["error"]["exit_code"] == 2  # type: ignore[index]
    assert shape(TokenRejected(401))["error"]["code"] == "TOKEN_REJECTED"  # type: ignore[index]
    invalid = shape(InvalidArgument("bad range", code="INVALID_RANGE"))
    assert invalid == {"error": {"code": "INVALID_RANGE", "message": "bad range", "exit_code": 4}}


def test_summary_period_keys() -> None:
    from bot.qwencloud.results import Payg, Summary

    summary = Summary(
        period=DateRange(date(2026, 6, 1), date(2026, 6, 15)),
        free_tier=(),
        coding_plan=CodingPlan(False),
        token_plan=TokenPlan(False),
        payg=Payg(models=(), total_cost=Decimal(0)),
    )
    assert render_json.summary(summary).startswith(
        '{\n  "period": {\n    "from": "2026-06-01",\n    "to": "2026-06-15"\n  },\n  "free_tier": [],\n'
    )
    assert render_json.summary(summary).endswith(
        '"pay_as_you_go": {\n    "models": [],\n    "total": {\n'
        '      "cost": 0,\n      "currency": "USD"\n    }\n  }\n}'
    )
