"""The error-rate and spend-limit alert kinds: grammar, bounds, crossing directions, words."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.base.errors import UsageError
from bot.core.grammar.team import AlertAdd, parse_team
from bot.storage.team_store import AlertRule
from bot.team.jobs.alerts import crossed, describe, sane, value_text


def rule(kind: str, threshold: str, target: str = "") -> AlertRule:
    return AlertRule(3, "T", "C", "prod", kind, target, Decimal(threshold), "U", False, 0, None)


def test_grammar_of_the_new_kinds() -> None:
    assert parse_team("alert add error-rate above 10%") == AlertAdd("error_rate", "1h", Decimal("10"))
    assert parse_team("alert add error-rate 1h above 2.5 prod") == AlertAdd(
        "error_rate", "1h", Decimal("2.5"), "prod"
    )
    assert parse_team("alert add errors hour above 0%") == AlertAdd("error_rate", "1h", Decimal("0"))
    assert parse_team("alert add spend-limit within 10%") == AlertAdd("spend_limit", "", Decimal("10"))
    assert parse_team("alert add limit within 0 Ops") == AlertAdd("spend_limit", "", Decimal("0"), "ops")


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("alert add error-rate above 100%", "not including) 100"),
        ("alert add error-rate above 150", "not including) 100"),
        ("alert add error-rate above -1%", "not including) 100"),
        ("alert add error-rate above 1.00001%", "at most 4 decimals"),
        ("alert add error-rate below 10%", "written `error-rate above 10% [ACCOUNT]` (over the last hour)"),
        ("alert add error-rate above NaN", "is not a number"),
        ("alert add error-rate 5h above 10%", "written `error-rate above 10%"),
        ("alert add error-rate above", "written `error-rate above 10%"),
        ("alert add spend-limit above 10%", "written `spend-limit within 10%"),
        ("alert add spend-limit within 100%", "not including) 100"),
        ("alert add spend-limit within 10% bad/name", "not a valid account name"),
        ("alert add spend-limit within 10% prod extra", "written `spend-limit within 10%"),
    ],
)
def test_bounds_and_clear_errors(text: str, hint: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_team(text)
    assert hint in str(caught.value)


def test_unknown_kind_names_the_new_ones() -> None:
    with pytest.raises(UsageError, match="error-rate or spend-limit"):
        parse_team("alert add disk x below 1")


def test_error_rate_fires_strictly_above() -> None:
    r = rule("error_rate", "10", "1h")
    assert crossed(r, Decimal("10.01")) and not crossed(r, Decimal("10"))
    assert crossed(rule("error_rate", "0", "1h"), Decimal("0.5"))
    assert not crossed(rule("error_rate", "0", "1h"), Decimal(0))


def test_spend_limit_fires_within_x_points_of_the_limit() -> None:
    r = rule("spend_limit", "10")
    assert crossed(r, Decimal("90")) and crossed(r, Decimal("130"))
    assert not crossed(r, Decimal("89.99"))
    at_limit = rule("spend_limit", "0")
    assert crossed(at_limit, Decimal(100)) and not crossed(at_limit, Decimal(99))


def test_words_and_broken_rows() -> None:
    assert describe(rule("error_rate", "10", "1h")) == "error rate over the last hour above 10%"
    assert describe(rule("spend_limit", "15")) == "spend within 15% of the spend limit (at 85% used)"
    assert value_text(rule("spend_limit", "15"), Decimal("91.256")) == "91.26% used"
    assert value_text(rule("error_rate", "10", "1h"), Decimal("25")) == "25% of calls failed"
    broken = rule("spend_limit", "250")  # stored by hand, past the grammar's bounds
    assert not sane(broken) and not crossed(broken, Decimal(100))
    assert "remove it: `/qwen alert remove 3`" in describe(broken)
