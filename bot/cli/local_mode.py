"""Which fakes `qwen-bot serve` may start. Fakes (the local workspace, the built-in simulator) start only
with `--local`, or when nothing of Slack and QwenCloud is configured: a typo in one Slack variable must not
turn a real deployment into a page where anyone acts as any user, and real Slack users must never see the
simulator's made-up spend. Partial Slack settings stop the start (exit 4) naming what is missing."""

from __future__ import annotations

from dataclasses import dataclass

from bot.base.config import Settings
from bot.base.errors import ConfigError

OAUTH = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_SIGNING_SECRET")
SINGLE = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")


@dataclass(frozen=True, slots=True)
class Fakes:
    workspace: bool
    simulator: bool

    @property
    def any(self) -> bool:
        return self.workspace or self.simulator


def slack_set(settings: Settings) -> list[str]:
    """The Slack variables that are set (names only: values are secrets)."""
    values = {
        "SLACK_BOT_TOKEN": settings.slack_bot_token,
        "SLACK_SIGNING_SECRET": settings.slack_signing_secret,
        "SLACK_APP_TOKEN": settings.slack_app_token,
        "SLACK_CLIENT_ID": settings.slack_client_id,
        "SLACK_CLIENT_SECRET": settings.slack_client_secret,
    }
    return [name for name, value in values.items() if value]


def missing_slack(settings: Settings) -> list[str]:
    """What a partial Slack configuration lacks: OAuth once a client id or secret is set, else one token."""
    present = set(slack_set(settings))
    if not present:
        return []
    wanted = OAUTH if present & {"SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"} else SINGLE
    return [name for name in wanted if name not in present]


def choose(settings: Settings, *, local: bool) -> Fakes:
    """The fakes this start may use, or a ConfigError (exit 4) saying what to set."""
    if local:
        return Fakes(workspace=True, simulator=not settings.endpoints_configured)
    present = slack_set(settings)
    if not present and not settings.endpoints_configured:
        return Fakes(workspace=True, simulator=True)  # nothing configured: the local try-out
    if not present:
        raise ConfigError(
            "QWENCLOUD_* is set but Slack is not: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or "
            "SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET), or run `qwen-bot serve --local`."
        )
    missing = missing_slack(settings)
    if missing:
        raise ConfigError(
            f"Slack is only partly configured: missing {', '.join(missing)} (set: {', '.join(present)}). "
            "Set the missing ones, or run `qwen-bot serve --local` for the local workspace."
        )
    return Fakes(workspace=False, simulator=False)  # real Slack: the real QwenCloud unless QWENCLOUD_* says
