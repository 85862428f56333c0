"""Frozen settings from the environment. This is the only module that reads os.environ."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import platformdirs

from bot.base.errors import ConfigError

DEFAULT_API_ENDPOINT = "https://cli.qwencloud.com"
DEFAULT_AUTH_ENDPOINT = "https://t.qwencloud.com"
DEFAULT_MODEL_MAP_URL = "https://alioth-intl.alicdn.com/model-mapping"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"


class Secret:
    """A string that never shows itself in repr/str, so settings can be logged safely."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


def _secret(env: Mapping[str, str], name: str) -> Secret | None:
    value = env.get(name, "").strip()
    return Secret(value) if value else None


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _at_least_one(env: Mapping[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise ConfigError(f"{name} must be at least 1 (seconds), got {value}")
    return value


def _instant(env: Mapping[str, str], name: str) -> datetime | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ConfigError(f"{name} must be an ISO 8601 instant, got {raw!r}") from exc
    if value.tzinfo is None:
        raise ConfigError(f"{name} needs a timezone offset (e.g. 2026-04-10T12:00:00Z)")
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    api_endpoint: str = DEFAULT_API_ENDPOINT
    auth_endpoint: str = DEFAULT_AUTH_ENDPOINT
    model_map_url: str = DEFAULT_MODEL_MAP_URL
    endpoints_configured: bool = False
    data_dir: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir("qwen-usage-bot")))
    database_url: str = ""
    encryption_keys: Secret | None = None
    timezone: str | None = None
    admins: frozenset[str] = frozenset()
    slack_bot_token: Secret | None = None
    slack_signing_secret: Secret | None = None
    slack_app_token: Secret | None = None
    slack_client_id: str | None = None
    slack_client_secret: Secret | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    port: int = 3000
    cache_ttl_seconds: int = 600
    upstream_timeout: float = 30.0  # QWEN_BOT_UPSTREAM_TIMEOUT: seconds per QwenCloud request
    digest_catchup_hours: int = 12  # a digest missed by longer than this (all workers down) is skipped
    # QWEN_BOT_DIGEST_SETTLE_SECONDS: after an unknown post outcome, wait this long, then read the history
    digest_settle_seconds: int = 120
    # QWEN_BOT_RENEW_LEAD_HOURS: admins are asked to renew a team login this long before a slot it misses
    renew_lead_hours: int = 24
    # QWEN_BOT_ANSWER_SLOT_SECONDS: a user's in-flight answer slot frees itself this long after it was taken
    # (its process died); every web process shares it through the database
    answer_slot_seconds: int = 120
    log_format: str = "text"
    log_level: str = "INFO"
    debug_slack: bool = False
    prometheus_multiproc_dir: str | None = None  # PROMETHEUS_MULTIPROC_DIR: /metrics aggregates processes
    metrics_token: Secret | None = None  # QWEN_BOT_METRICS_TOKEN: /metrics wants `Authorization: Bearer` it
    # The web and worker processes share one database: a key file on one machine would strand the rest,
    # so they use it only when QWEN_BOT_ALLOW_KEY_FILE=1 says the operator means it.
    shared_process: bool = False
    key_file_opt_in: bool = False
    # QWEN_BOT_NOW freezes the clock (operators replaying a day, conformance tests); it then runs on.
    frozen_now: datetime | None = None
    # QWEN_BOT_VERSION_INDEX_URL: where `version --check` reads the latest release; else PIP_INDEX_URL's
    # project page; else (None) the index pip itself defaults to.
    version_index_url: str | None = None

    @property
    def gateway_url(self) -> str:
        return self.api_endpoint.rstrip("/") + "/data/v2/api.json"

    @property
    def account_url(self) -> str:
        return self.api_endpoint.rstrip("/") + "/api/account/info.json"

    @property
    def is_local_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def slack_configured(self) -> bool:
        return bool(self.slack_bot_token or self.slack_client_id or self.slack_app_token)

    @property
    def key_file_allowed(self) -> bool:
        return not self.shared_process or self.key_file_opt_in

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("QWEN_BOT_DATA_DIR") or platformdirs.user_data_dir("qwen-usage-bot"))
        api = env.get("QWENCLOUD_API_ENDPOINT", "").strip()
        auth = env.get("QWENCLOUD_AUTH_ENDPOINT", "").strip()
        model_map = env.get("QWENCLOUD_MODEL_MAP_URL", "").strip()
        admins = frozenset(a.strip() for a in env.get("QWEN_BOT_ADMINS", "").split(",") if a.strip())
        log_format = env.get("QWEN_BOT_LOG_FORMAT", "text").strip().lower() or "text"
        if log_format not in ("text", "json"):
            raise ConfigError(f"QWEN_BOT_LOG_FORMAT must be text or json, got {log_format!r}")
        return cls(
            api_endpoint=api or DEFAULT_API_ENDPOINT,
            auth_endpoint=auth or DEFAULT_AUTH_ENDPOINT,
            model_map_url=model_map or DEFAULT_MODEL_MAP_URL,
            endpoints_configured=bool(api or auth),
            data_dir=data_dir,
            database_url=env.get("DATABASE_URL", "").strip() or f"sqlite:///{data_dir / 'qwen-bot.db'}",
            encryption_keys=_secret(env, "QWEN_BOT_ENCRYPTION_KEYS"),
            timezone=env.get("QWEN_BOT_TIMEZONE", "").strip() or None,
            admins=admins,
            slack_bot_token=_secret(env, "SLACK_BOT_TOKEN"),
            slack_signing_secret=_secret(env, "SLACK_SIGNING_SECRET"),
            slack_app_token=_secret(env, "SLACK_APP_TOKEN"),
            slack_client_id=env.get("SLACK_CLIENT_ID", "").strip() or None,
            slack_client_secret=_secret(env, "SLACK_CLIENT_SECRET"),
            slack_api_url=env.get("SLACK_API_URL", "").strip() or DEFAULT_SLACK_API_URL,
            port=_int(env, "PORT", 3000),
            cache_ttl_seconds=_int(env, "QWEN_BOT_CACHE_TTL", 600),
            upstream_timeout=float(_int(env, "QWEN_BOT_UPSTREAM_TIMEOUT", 30)),
            digest_catchup_hours=_int(env, "QWEN_BOT_DIGEST_CATCHUP_HOURS", 12),
            digest_settle_seconds=_int(env, "QWEN_BOT_DIGEST_SETTLE_SECONDS", 120),
            renew_lead_hours=_int(env, "QWEN_BOT_RENEW_LEAD_HOURS", 24),
            answer_slot_seconds=_at_least_one(env, "QWEN_BOT_ANSWER_SLOT_SECONDS", 120),
            log_format=log_format,
            log_level=env.get("QWEN_BOT_LOG_LEVEL", "INFO").strip().upper() or "INFO",
            frozen_now=_instant(env, "QWEN_BOT_NOW"),
            debug_slack=env.get("QWEN_BOT_DEBUG_SLACK", "").strip().lower() in ("1", "true", "yes"),
            prometheus_multiproc_dir=env.get("PROMETHEUS_MULTIPROC_DIR", "").strip() or None,
            version_index_url=_index_url(env),
            metrics_token=_secret(env, "QWEN_BOT_METRICS_TOKEN"),
            key_file_opt_in=env.get("QWEN_BOT_ALLOW_KEY_FILE", "").strip().lower() in ("1", "true", "yes"),
        )


def _index_url(env: Mapping[str, str]) -> str | None:
    if url := env.get("QWEN_BOT_VERSION_INDEX_URL", "").strip():
        return url
    if index := env.get("PIP_INDEX_URL", "").strip():
        return f"{index.rstrip('/')}/qwen-usage-bot/"
    return None
