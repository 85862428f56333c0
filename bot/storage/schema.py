"""Is the database already at the newest migration? A cheap check that needs no Alembic import.

The head revision is read from the migration files themselves (their `revision` / `down_revision` lines),
so a new migration needs no edit here; anything unexpected (several heads, a line we cannot read) answers
None and the caller falls back to Alembic's own upgrade.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_LINE = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)
_VALUE = re.compile(r"""^(?:None|"([^"]+)"|'([^']+)')$""")


@cache
def static_head() -> str | None:
    """The single head revision of bot/storage/migrations, or None when it cannot be told for sure."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted(VERSIONS.glob("*.py")):
        if path.name == "__init__.py":
            continue
        found: dict[str, str | None] = {}
        for key, raw in _LINE.findall(path.read_text(encoding="utf-8")):
            match = _VALUE.match(raw)
            if match is None or key in found:
                return None  # a tuple of parents, a computed value, a duplicate: let Alembic decide
            found[key] = match.group(1) or match.group(2)
        revision = found.get("revision")
        if revision is None or "down_revision" not in found:
            return None
        revisions.add(revision)
        if found["down_revision"] is not None:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def at_head(engine: Engine) -> bool:
    """True when `alembic_version` holds exactly the head revision (no upgrade needed)."""
    head = static_head()
    if head is None:
        return False
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:  # no table yet: a new database
        return False
    return list(rows) == [head]
