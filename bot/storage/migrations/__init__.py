"""Alembic migrations shipped inside the package (script_location = bot.storage:migrations)."""
