"""Alembic environment: runs on the engine handed over in config.attributes (see bot.storage.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from bot.storage.db import make_engine, metadata

config = context.config


def _run() -> None:
    engine = config.attributes.get("engine")
    owned = not isinstance(engine, Engine)
    if owned:
        url = config.get_main_option("sqlalchemy.url")
        if not url:
            raise RuntimeError("no engine or sqlalchemy.url given to the migrations")
        engine = make_engine(url)
    assert isinstance(engine, Engine)
    try:
        with engine.begin() as connection:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
            )
            context.run_migrations()
    finally:
        if owned:
            engine.dispose()


if context.is_offline_mode():  # pragma: no cover - we always migrate online
    raise RuntimeError("offline migrations are not supported; run `qwen-bot migrate`")
_run()
