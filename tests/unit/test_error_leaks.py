"""No user-facing message carries a stack trace or raw exception text: every error goes through the one
table in bot/render/messages.py (design §4)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.base import errors
from bot.core.grammar.team import DigestPreview, DigestSubscribe
from bot.render import messages as render
from bot.team.accounts import TeamAccounts
from bot.team.commands import Asked, TeamCommands
from bot.team.home import HomeData
from bot.team.home_view import home_view
from handlers.dm import DirectMessageHandler

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
SECRET_URL = "https://gateway.invalid/api?token=sk-live-123"
RAW_BODY = "<html>Traceback (most recent call last): internal detail</html>"


def _http_error() -> errors.HttpError:
    return errors.HttpError(502, "Bad Gateway", SECRET_URL, RAW_BODY)


def _shown(payload: Any) -> str:
    return json.dumps(payload)


def test_an_upstream_error_shows_its_first_line_only() -> None:
    message = render.error_message(_http_error())
    shown = _shown(message.payload())
    assert "HTTP 502: Bad Gateway" in shown
    assert SECRET_URL not in shown and "sk-live" not in shown and RAW_BODY not in shown


def test_an_unexpected_exception_says_something_went_wrong_not_its_text() -> None:
    message = render.error_message(KeyError("linked_by"))
    assert "Something went wrong" in message.text
    assert "linked_by" not in _shown(message.payload())


def test_not_found_is_in_the_table_without_the_usage_text() -> None:
    message = render.error_message(errors.NotFound("Which team account? Add one of: prod, staging."))
    assert message.text == "Which team account? Add one of: prod, staging."
    assert message.blocks[0]["text"]["text"].startswith(":warning: Which team account?")
    assert "Usage: /qwen" not in _shown(message.payload())


def test_app_home_shows_a_usage_failure_through_the_table() -> None:
    data = HomeData("U1", NOW, None, usage_error=_http_error())
    shown = _shown(home_view(data))
    assert "Usage unavailable. QwenCloud answered with an error: HTTP 502: Bad Gateway" in shown
    assert SECRET_URL not in shown and RAW_BODY not in shown


class _Admins:
    def is_admin(self, client: Any, team_id: str, user_id: str) -> bool:
        return True


class _Accounts:
    def __init__(self, exc: Exception) -> None:
        self._exc = exc

    def resolve(self, team_id: str, wanted: str | None) -> str:
        raise self._exc


def _commands(exc: Exception) -> TeamCommands:
    accounts: Any = _Accounts(exc)
    admins: Any = _Admins()
    team: Any = object()
    return TeamCommands(team=team, accounts=accounts, admins=admins, clock=object())  # type: ignore[arg-type]


ASKED = Asked("T1", "U1", "C1", "UTC")


def test_team_command_lookups_are_answered_through_the_table() -> None:
    message = _commands(errors.NotFound("No team account is linked yet.")).answer(
        DigestPreview(),
        ASKED,
        client=None,
        poster=None,  # type: ignore[arg-type]
    )
    assert message.text == "No team account is linked yet."


def test_a_bug_in_a_team_command_is_not_shown_as_a_lookup_answer() -> None:
    # a KeyError is a LookupError: it used to be shown raw ("'linked_by'"); now it reaches the handler
    with pytest.raises(KeyError):
        _commands(KeyError("linked_by")).answer(DigestSubscribe(), ASKED, client=None, poster=None)  # type: ignore[arg-type]


def test_wrong_channel_is_a_not_found_answer() -> None:
    asked = Asked("T1", "U1", "D123", "UTC")  # a DM: digests need a channel
    commands = _commands(errors.NotFound("unused"))
    with pytest.raises(errors.NotFound, match="Run this in the channel"):
        commands._channel(asked)


class _FailingTeam:
    def handles(self, text: str) -> bool:
        return True

    def instant(self, text: str) -> None:
        return None

    def answer(self, text: str, asker: Any, tz_name: str, client: Any) -> Any:
        raise KeyError("linked_by")


class _Zones:
    def name(self, client: Any, asker: Any) -> str:
        return "UTC"


def test_a_failing_dm_command_answers_from_the_table() -> None:
    said: list[dict[str, Any]] = []
    team: Any = _FailingTeam()
    zones: Any = _Zones()
    handler = DirectMessageHandler(team=team, timezones=zones)
    event = {"channel_type": "im", "text": "accounts", "user": "U1", "channel": "D1"}
    handler.on_message(event, {"team_id": "T1"}, lambda **kw: said.append(kw), client=None)  # type: ignore[arg-type]
    assert len(said) == 1
    assert "Something went wrong" in said[0]["text"]
    assert "linked_by" not in _shown(said[0])


def test_team_accounts_resolve_raises_not_found() -> None:
    accounts = TeamAccounts.__new__(TeamAccounts)
    accounts.names = lambda team_id: ["prod", "staging"]  # type: ignore[method-assign]
    with pytest.raises(errors.NotFound, match="Which team account"):
        accounts.resolve("T1", None)
    with pytest.raises(errors.NotFound, match="No team account named"):
        accounts.resolve("T1", "dev")
