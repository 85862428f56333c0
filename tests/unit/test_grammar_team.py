from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest

from bot.base.errors import UsageError
from bot.core.grammar.team import (
    AccountAction,
    AlertAdd,
    AlertList,
    AlertRemove,
    DigestList,
    DigestPreview,
    DigestSubscribe,
    DigestUnsubscribe,
    is_team_text,
    parse_team,
)


def test_subscribe_defaults_and_full_form() -> None:
    assert parse_team("digest subscribe") == DigestSubscribe()
    assert parse_team("digest subscribe weekly mon 09:30 Europe/Berlin prod") == DigestSubscribe(
        "weekly", 0, time(9, 30), "Europe/Berlin", "prod"
    )
    assert parse_team("digest subscribe monthly 1st 08:00 utc") == DigestSubscribe(
        "monthly", 1, time(8, 0), "UTC", None
    )


def test_subscribe_any_order_and_inferred_monthly() -> None:
    assert parse_team("digest subscribe Prod 17:00 friday") == DigestSubscribe(
        "weekly", 4, time(17, 0), None, "prod"
    )
    assert parse_team("digest subscribe 15") == DigestSubscribe("monthly", 15, None, None, None)
    assert parse_team("digest subscribe america/new_york").timezone == "America/New_York"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text",
    [
        "digest subscribe weekly 15",
        "digest subscribe monthly tuesday",
        "digest subscribe monthly 30",
        "digest subscribe 25:00",
        "digest subscribe Mars/Base",
        "digest subscribe prod staging",
        "digest frobnicate",
    ],
)
def test_subscribe_errors(text: str) -> None:
    with pytest.raises(UsageError):
        parse_team(text)


def test_digest_other_verbs() -> None:
    assert parse_team("digest list") == DigestList()
    assert parse_team("digest") == DigestList()
    assert parse_team("digest unsubscribe") == DigestUnsubscribe(None)
    assert parse_team("digest unsubscribe 3") == DigestUnsubscribe("3")
    assert parse_team("digest preview") == DigestPreview("weekly", None)
    assert parse_team("digest preview monthly prod") == DigestPreview("monthly", "prod")


def test_alerts() -> None:
    assert parse_team("alert add free-tier qwen-plus below 20%") == AlertAdd(
        "free_tier", "qwen-plus", Decimal("20"), None
    )
    assert parse_team("alert add coding-plan 5h above 80% prod") == AlertAdd(
        "coding_plan", "per_5h", Decimal("80"), "prod"
    )
    assert parse_team("alert add payg daily above $25.5") == AlertAdd("payg_daily", "", Decimal("25.5"))
    assert parse_team("alert add payg monthly above 100").kind == "payg_monthly"  # type: ignore[union-attr]
    assert parse_team("alert list") == AlertList()
    assert parse_team("alerts") == AlertList()
    assert parse_team("alert remove #7") == AlertRemove(7)


@pytest.mark.parametrize(
    "text",
    [
        "alert add free-tier qwen-plus above 20%",
        "alert add free-tier qwen-plus below 120%",
        "alert add coding-plan year above 50",
        "alert add payg weekly above 5",
        "alert add payg daily above -5",
        "alert add payg daily above lots",
        "alert add disk x below 1",
        "alert remove seven",
    ],
)
def test_alert_errors(text: str) -> None:
    with pytest.raises(UsageError):
        parse_team(text)


def test_accounts() -> None:
    assert parse_team("link Prod") == AccountAction("link", "prod")
    assert parse_team("relink prod") == AccountAction("relink", "prod")
    assert parse_team("unlink prod") == AccountAction("unlink", "prod")
    assert parse_team("accounts") == AccountAction("list")
    with pytest.raises(UsageError):
        parse_team("link")
    with pytest.raises(UsageError):
        parse_team("link bad/name")


def test_is_team_text() -> None:
    assert is_team_text("digest list") and is_team_text("Link prod")
    assert not is_team_text("usage last month") and not is_team_text("")


def test_every_team_example_in_help_parses() -> None:
    from bot.core.grammar.team import TEAM_HELP

    examples = [part.strip() for part in TEAM_HELP.split("e.g.")[1].split("·")]
    assert len(examples) >= 2
    for example in examples:
        assert example.startswith("/qwen ")
        assert is_team_text(example.removeprefix("/qwen ")), example
        parse_team(example.removeprefix("/qwen "))
