"""Alembic, configured from the package (no alembic.ini needed): `upgrade()` and the current revision."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from bot.storage.db import make_engine


def _script_config() -> Config:
    config = Config()
    config.set_main_option("script_location", "bot.storage:migrations")
    return config


def alembic_config(engine: Engine) -> Config:
    config = _script_config()
    config.attributes["engine"] = engine
    return config


def _engine(engine_or_url: Engine | str) -> tuple[Engine, bool]:
    if isinstance(engine_or_url, Engine):
        return engine_or_url, False
    return make_engine(engine_or_url), True


def upgrade(engine_or_url: Engine | str, revision: str = "head") -> str | None:
    """Apply every pending migration; returns the revision the database is now at."""
    engine, owned = _engine(engine_or_url)
    try:
        command.upgrade(alembic_config(engine), revision)
        return current_revision(engine)
    finally:
        if owned:
            engine.dispose()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_script_config()).get_current_head()


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()
