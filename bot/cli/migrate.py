"""`qwen-bot migrate`: apply the packaged Alembic migrations to DATABASE_URL (the Procfile's release step)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.base.config import Settings
from bot.base.errors import QwenBotError


def register(sub: Any) -> None:
    parser = sub.add_parser("migrate", help="apply database migrations (DATABASE_URL)")
    parser.add_argument("--revision", default="head", help="target revision (default: head)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.storage.db import make_engine, safe_url
    from bot.storage.migrate import current_revision, upgrade

    try:
        settings = Settings.from_env()
        engine = make_engine(settings.database_url)
    except QwenBotError as exc:
        print(f"Error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    where = safe_url(engine.url)
    try:
        before = current_revision(engine)
        after = upgrade(engine, args.revision)
    except SQLAlchemyError as exc:
        print(
            f"Error: migrating {where} failed: {type(exc).__name__}: {exc.args[0] if exc.args else ''}",
            file=sys.stderr,
        )
        return 4
    finally:
        engine.dispose()
    if before == after:
        print(f"{where} is up to date (revision {after})")
    else:
        print(f"{where} migrated from {before or 'empty'} to {after}")
    return 0
