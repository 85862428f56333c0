"""Re-encrypt every stored secret with the newest key (`qwen-bot rotate-keys`).

Every encrypted column: credentials, pending logins, and the Slack OAuth tables (installations and bots,
whose token columns bot/slack/installs.py seals). Each row is rewritten with a compare-and-set update (only
if its ciphertexts are still the ones read), one short transaction per row: a re-login or a re-install
between the read and the write keeps its newer value (written under the current key anyway) and is
counted as `changed_meanwhile`; run rotate-keys again if that number is not 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, ColumnElement, Engine, MetaData, Table, and_, inspect, select, update

from bot.storage.crypto import Crypto
from bot.storage.db import credential, pending_login

# (table, its encrypted columns); the Slack tables are Bolt's, reflected when present (migration 0004).
SLACK_TABLES = {
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
    "slack_bots": ("bot_token", "bot_refresh_token"),
}


@dataclass(slots=True)
class RotationReport:
    key_id: str
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows re-encrypted
    already_current: int = 0
    changed_meanwhile: int = 0

    @property
    def credentials(self) -> int:
        return self.rows.get("credential", 0)

    @property
    def pending_logins(self) -> int:
        return self.rows.get("pending_login", 0)

    @property
    def slack_tokens(self) -> int:
        return sum(n for name, n in self.rows.items() if name in SLACK_TABLES)


def _targets(engine: Engine) -> list[tuple[Table, tuple[str, ...]]]:
    targets: list[tuple[Table, tuple[str, ...]]] = [
        (credential, ("ciphertext",)),
        (pending_login, ("ciphertext",)),
    ]
    present = set(inspect(engine).get_table_names())
    for name, columns in SLACK_TABLES.items():
        if name in present:
            targets.append((Table(name, MetaData(), autoload_with=engine), columns))
    return targets


def _same(column: Column[Any], value: object) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def _rotate_table(
    engine: Engine, crypto: Crypto, table: Table, columns: tuple[str, ...], report: RotationReport
) -> None:
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.id, *(table.c[c] for c in columns))).all()
    for row in rows:
        old = {c: row._mapping[c] for c in columns}
        sealed = {c: crypto.rotate(v) for c, v in old.items() if v}  # a row no key can read fails loudly
        if not sealed:
            continue
        if all(crypto.is_current(str(v)) for v in old.values() if v):
            report.already_current += 1
        values: dict[str, str] = {c: s.ciphertext for c, s in sealed.items()}
        if "key_id" in table.c:
            values["key_id"] = crypto.primary_key_id
        with engine.begin() as conn:
            changed = conn.execute(
                update(table)
                .where(and_(table.c.id == row.id, *(_same(table.c[c], v) for c, v in old.items())))
                .values(values)
            ).rowcount
        if changed == 1:
            report.rows[table.name] = report.rows.get(table.name, 0) + 1
        else:
            report.changed_meanwhile += 1


def rotate_all(engine: Engine, crypto: Crypto) -> RotationReport:
    """Every encrypted column of every table, re-encrypted under `crypto`'s newest key."""
    report = RotationReport(crypto.primary_key_id)
    for table, columns in _targets(engine):
        _rotate_table(engine, crypto, table, columns, report)
    return report
