"""`qwen-bot usage`: flags, local credential checks before any network call, error output, exit codes."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.base.clock import FixedClock
from bot.base.config import Settings
from bot.base.errors import AuthRequired, InvalidArgument, TokenExpired, UsageError
from bot.base.periods import DateRange
from bot.cli import terminal
from bot.cli import usage as cli
from bot.core.accounts import Accounts
from bot.qwencloud.results import Payg, PaygModel

NOW = datetime(2026, 6, 15, 23, 30, tzinfo=UTC)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["usage", *argv])


@dataclass
class Stored:
    access_token: str
    expires_at: datetime


@dataclass
class FakeUsage:
    calls: list[tuple[str, Any]] = field(default_factory=list)

    def payg(self, token: str, rng: DateRange) -> Payg:
        self.calls.append((token, rng))
        return Payg(
            models=(PaygModel("qwen-plus", (("tokens", 1500),), Decimal("0.25")),), total_cost=Decimal("0.25")
        )


@dataclass
class FakeCredentials:
    stored: Stored | None
    owners: list[Any] = field(default_factory=list)

    def get(self, owner: Any) -> Stored | None:
        self.owners.append(owner)
        return self.stored


@dataclass
class FakeServices:
    credentials: FakeCredentials
    usage: FakeUsage = field(default_factory=FakeUsage)
    clock: FixedClock = field(default_factory=lambda: FixedClock(NOW))
    settings: Settings = field(default_factory=lambda: Settings(timezone="Asia/Tokyo"))

    @property
    def accounts(self) -> Accounts:
        return Accounts(credentials=self.credentials, clock=self.clock)  # type: ignore[arg-type]


def test_payg_resolves_days_in_the_configured_timezone_and_renders_json() -> None:
    services = FakeServices(FakeCredentials(Stored("tok", NOW + timedelta(hours=1))))
    out = cli.execute(services, parse("payg", "--days", "2"), "payg", "json")
    token, rng = services.usage.calls[0]
    assert token == "tok" and rng == DateRange(
        date(2026, 6, 15), date(2026, 6, 16)
    )  # Tokyo is already the 16th
    assert json.loads(out)["pay_as_you_go"]["total"] == {"cost": 0.25, "currency": "USD"}
    assert services.credentials.owners[0].team_id == "local"
    assert services.credentials.owners[0].user_id.startswith("cli:")


def test_text_format() -> None:
    services = FakeServices(FakeCredentials(Stored("tok", NOW + timedelta(hours=1))))
    out = cli.execute(services, parse("payg", "--period", "2026-05"), "payg", "text")
    assert out.splitlines()[0] == "Model      Usage     Cost "


def test_no_credential_and_expired_credential_fail_before_any_call() -> None:
    services = FakeServices(FakeCredentials(None))
    with pytest.raises(AuthRequired):
        cli.execute(services, parse("payg"), "payg", "json")
    services = FakeServices(FakeCredentials(Stored("tok", NOW)))  # at expires_at counts as expired
    with pytest.raises(TokenExpired):
        cli.execute(services, parse("payg"), "payg", "json")
    assert services.usage.calls == []


def test_bad_period_and_days() -> None:
    services = FakeServices(FakeCredentials(Stored("tok", NOW + timedelta(hours=1))))
    with pytest.raises(UsageError, match="Invalid period: 'soon'"):
        cli.execute(services, parse("payg", "--period", "soon"), "payg", "json")
    with pytest.raises(InvalidArgument):
        cli.execute(services, parse("payg", "--days", "two"), "payg", "json")


def test_summary_rejects_days_like_the_official_parser(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(parse("summary", "--days", "3", "--format", "json")) == 1
    assert json.loads(capsys.readouterr().err) == {
        "error": {"code": "UNKNOWN_OPTION", "message": "unknown option '--days'", "exit_code": 1}
    }
    assert cli.run(parse("free-tier", "--days", "3", "--format", "text")) == 1
    assert capsys.readouterr().err == "Error: unknown option '--days'\n"


def test_breakdown_needs_a_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(parse("breakdown", "--format", "json")) == 4
    assert json.loads(capsys.readouterr().err)["error"] == {
        "code": "INVALID_ARGUMENT",
        "message": "Missing required option: --model <id>",
        "exit_code": 4,
    }


def test_output_format_defaults_to_json_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    assert terminal.output_format(None) == "json"
    assert terminal.output_format("table") == "text"
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert terminal.output_format(None) == "text"


def test_expiry_warning_only_within_four_hours() -> None:
    assert terminal.expiry_warning(NOW + timedelta(hours=3, minutes=5, seconds=30), NOW) == (
        "  ⚠ Token expires in 3h 5m · run qwen-bot auth login to refresh\n"
    )
    assert terminal.expiry_warning(NOW + timedelta(minutes=42), NOW) == (
        "  ⚠ Token expires in 42m · run qwen-bot auth login to refresh\n"
    )
    assert terminal.expiry_warning(NOW + timedelta(hours=4, seconds=1), NOW) is None
