"""Issue 11 item 4: `rotate-keys` covers the Slack installation tables too. Rotate, drop the old key, and
an OAuth workspace is still served (its signed /qwen answered through the decrypted installation)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bot.app import build_app
from bot.base.config import Secret, Settings
from bot.bootstrap import build_bot, build_services
from bot.devtools.localslack import GENERAL, MEMBER, FakeSlack
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.slack.bolt import wsgi_app
from bot.slack.installs import EncryptedInstallationStore
from bot.storage.crypto import Sealed, new_key
from bot.storage.db import credential
from bot.storage.owner import Owner
from bot.storage.rotate import RotationReport, _rotate_table, rotate_all
from tests.fakes.slack import serve_wsgi
from tests.scenario.test_oauth_install import BOT_TOKEN, _installation


def _slack_cells(settings: Settings) -> list[str]:
    services = build_services(settings)
    try:
        with services.engine.connect() as conn:
            bots = conn.execute(text("SELECT bot_token FROM slack_bots")).scalars().all()
            inst = conn.execute(text("SELECT bot_token, user_token FROM slack_installations")).all()
        return [str(v) for v in bots] + [str(v) for row in inst for v in row]
    finally:
        services.close()


def test_rotate_then_drop_the_old_key_still_serves_an_oauth_workspace(
    make_settings: Callable[..., Settings], key: str
) -> None:
    slack = FakeSlack.start(signing_secret="signing", bot_token=BOT_TOKEN)
    try:
        oauth = {
            "slack_client_id": "111.222",
            "slack_client_secret": Secret("client-secret"),
            "slack_signing_secret": Secret("signing"),
            "slack_api_url": slack.api_url,
        }
        old = make_settings(**oauth)
        services = build_services(old)
        try:
            store = EncryptedInstallationStore(
                client_id="111.222", engine=services.engine, crypto=services.crypto
            )
            store.save(_installation(team=slack.ws.team_id))
        finally:
            services.close()
        before = _slack_cells(old)

        newer = new_key()
        both = make_settings(**oauth, encryption_keys=Secret(f"{newer},{key}"))
        services = build_services(both)
        try:
            report = rotate_all(services.engine, services.crypto)
        finally:
            services.close()
        assert report.rows.get("slack_bots") == 1 and report.rows.get("slack_installations") == 1
        assert report.changed_meanwhile == 0
        after = _slack_cells(both)
        assert all(a != b for a, b in zip(after, before, strict=True))  # every token cell re-sealed

        only_new = make_settings(**oauth, encryption_keys=Secret(newer))
        services = build_services(only_new)
        try:
            bot = build_bot(services)
            assert bot.tokens.for_team(slack.ws.team_id) == BOT_TOKEN
            with serve_wsgi(wsgi_app(build_app(bot))) as base:
                slack.bot_url = base + "/slack/events"
                reply = slack.slash(MEMBER, GENERAL, "help")
                assert reply.status == 200 and "Usage: /qwen" in reply.body
        finally:
            services.close()
    finally:
        slack.stop()


def _creds(token: str, days: int) -> DeviceCredentials:
    return DeviceCredentials(token, datetime.now(UTC) + timedelta(days=days), QwenUser("u", None, None))


def test_rotation_does_not_revert_a_write_made_meanwhile(make_settings: Callable[..., Settings]) -> None:
    """Compare-and-set: a row changed between rotate's read and its write keeps the newer value."""
    services = build_services(make_settings())
    try:
        creds = services.credentials
        owner = Owner("T1", "U1")
        creds.put(owner, _creds("old-token", 1))
        crypto = services.crypto

        class Racing:
            """A crypto whose rotate() lets a re-login land between the read and the write."""

            primary_key_id = crypto.primary_key_id

            def rotate(self, ciphertext: str) -> Sealed:
                creds.put(owner, _creds("new-token", 2))  # a re-login lands mid-rotation
                return crypto.rotate(ciphertext)

            def is_current(self, ciphertext: str) -> bool:
                return crypto.is_current(ciphertext)

        report = RotationReport(crypto.primary_key_id)
        _rotate_table(services.engine, Racing(), credential, ("ciphertext",), report)  # type: ignore[arg-type]
        assert report.changed_meanwhile == 1 and report.credentials == 0
        stored = creds.get(owner)
        assert stored is not None and stored.access_token == "new-token"  # not reverted
    finally:
        services.close()
