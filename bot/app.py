"""Entry points of the Slack app: `wsgi()` for gunicorn ('bot.app:wsgi()'), `build_app(bot)` for
`qwen-bot serve` and tests. Besides bot/bootstrap.py, the only module that imports handlers.

settings -> build_services -> build_bot -> Bolt app (bot/slack/bolt.py) + handlers.register -> WSGI.
"""

from __future__ import annotations

import dataclasses

from slack_bolt import App

import handlers
from bot.base.config import Settings
from bot.base.logs import configure_logging
from bot.base.metrics import metrics_wsgi_app
from bot.bootstrap import Bot, build_bot, build_services
from bot.slack.bolt import WSGIApp, make_app, wsgi_app
from bot.storage.db import pending_login_count


def build_app(bot: Bot, *, token_verification: bool = True) -> App:
    """Bolt's sync App in HTTP mode (one workspace or the OAuth install flow) with every listener."""
    services = bot.services
    app = make_app(
        services.settings,
        engine=services.engine,
        store=bot.tokens.store,
        token_verification=token_verification,
    )
    handlers.register(app, bot.listeners)
    return app


def wsgi() -> WSGIApp:
    """gunicorn 'bot.app:wsgi()': settings from the environment -> services -> Bolt app -> WSGI callable."""
    settings = dataclasses.replace(Settings.from_env(), shared_process=True)
    configure_logging(settings)
    services = build_services(settings)
    metrics = metrics_wsgi_app(
        settings.prometheus_multiproc_dir, pending_count=pending_login_count(services.engine)
    )
    token = settings.metrics_token.get() if settings.metrics_token else None
    return wsgi_app(build_app(build_bot(services)), metrics=metrics, metrics_token=token)
