"""Many workspaces: Bolt's OAuth install flow with the SQLAlchemy installation store, Slack tokens sealed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import text

from bot.app import build_app
from bot.base.config import Secret, Settings
from bot.bootstrap import build_bot, build_services
from bot.slack.bolt import wsgi_app
from bot.slack.installs import EncryptedInstallationStore
from bot.storage.crypto import DecryptionFailed
from tests.fakes.slack import serve_wsgi

BOT_TOKEN = "xoxb-team-two-secret-token"


def _installation(team: str = "T2", token: str = BOT_TOKEN) -> Installation:
    return Installation(
        app_id="A1",
        team_id=team,
        team_name="Two",
        bot_token=token,
        bot_id="B1",
        bot_user_id="UB1",
        bot_scopes="commands,chat:write",
        user_id="U9",
        user_token="xoxp-user-secret",
        installed_at=datetime.now(UTC).timestamp(),
    )


@pytest.fixture
def oauth_settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(
        slack_client_id="111.222",
        slack_client_secret=Secret("client-secret"),
        slack_signing_secret=Secret("signing"),
        slack_api_url="http://127.0.0.1:9/api/",
    )


def test_tokens_are_sealed_in_the_database_and_open_on_read(oauth_settings: Settings) -> None:
    services = build_services(oauth_settings)
    try:
        store = EncryptedInstallationStore(
            client_id="111.222", engine=services.engine, crypto=services.crypto
        )
        store.save(_installation())
        with services.engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(text("SELECT * FROM slack_installations"))]
            bots = [tuple(r) for r in conn.execute(text("SELECT * FROM slack_bots"))]
        assert rows and bots
        assert BOT_TOKEN not in repr(rows + bots) and "xoxp-user-secret" not in repr(rows)
        found = store.find_installation(enterprise_id=None, team_id="T2")
        assert found is not None and found.bot_token == BOT_TOKEN and found.user_token == "xoxp-user-secret"
        bot = store.find_bot(enterprise_id=None, team_id="T2")
        assert bot is not None and bot.bot_token == BOT_TOKEN
        # a row copied to another team does not decrypt (owner binding)
        with services.engine.begin() as conn:
            conn.execute(text("UPDATE slack_bots SET team_id = 'T3'"))
        with pytest.raises(DecryptionFailed):
            store.find_bot(enterprise_id=None, team_id="T3")
    finally:
        services.close()


def test_oauth_app_serves_the_install_page_and_healthz(oauth_settings: Settings) -> None:
    import httpx

    services = build_services(oauth_settings)
    try:
        app = build_app(build_bot(services))
        assert app.oauth_flow is not None
        with serve_wsgi(wsgi_app(app)) as base:
            install = httpx.get(base + "/slack/install")
            assert install.status_code == 200
            assert "client_id=111.222" in install.text and "scope=commands" in install.text
            assert httpx.get(base + "/healthz").status_code == 200
            unsigned = httpx.post(base + "/slack/events", content=b"command=/qwen&text=help")
            assert unsigned.status_code == 401
    finally:
        services.close()


def test_no_slack_credentials_is_a_clear_config_error(make_settings: Callable[..., Settings]) -> None:
    from bot.base.errors import ConfigError

    services = build_services(make_settings(slack_signing_secret=Secret("s")))
    try:
        with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
            build_app(build_bot(services))
    finally:
        services.close()
    services = build_services(make_settings(slack_bot_token=Secret("xoxb-1")))
    try:
        with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
            build_app(build_bot(services))
    finally:
        services.close()
