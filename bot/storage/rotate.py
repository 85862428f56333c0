"""Re-encrypt every stored secret with the newest key (`qwen-bot rotate-keys`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, Table, select, update

from bot.storage.crypto import Crypto
from bot.storage.db import credential, pending_login


@dataclass(frozen=True, slots=True)
class RotationReport:
    key_id: str
    credentials: int
    pending_logins: int
    already_current: int


def _rotate_table(engine: Engine, crypto: Crypto, table: Table) -> tuple[int, int]:
    rotated = current = 0
    with engine.begin() as conn:
        rows = conn.execute(select(table.c.id, table.c.ciphertext, table.c.key_id)).all()
        for row_id, ciphertext, kid in rows:
            sealed = crypto.rotate(ciphertext)  # always decrypts: a row no key can read fails loudly
            if kid == crypto.primary_key_id:
                current += 1
            conn.execute(
                update(table)
                .where(table.c.id == row_id)
                .values(ciphertext=sealed.ciphertext, key_id=sealed.key_id)
            )
            rotated += 1
    return rotated, current


def rotate_all(engine: Engine, crypto: Crypto) -> RotationReport:
    """Every credential and pending login, re-encrypted under `crypto`'s newest key, in one pass per table."""
    creds, creds_current = _rotate_table(engine, crypto, credential)
    pending, pending_current = _rotate_table(engine, crypto, pending_login)
    return RotationReport(crypto.primary_key_id, creds, pending, creds_current + pending_current)
