"""Where the encryption keys come from, in order:

1. `QWEN_BOT_ENCRYPTION_KEYS` (comma-separated Fernet keys, newest first);
2. the OS keyring (service `qwen-usage-bot`), unless its backend is the fail/null one;
3. for a local SQLite database only: `<data_dir>/encryption.key` (mode 0600), created with a warning; the
   shared-database processes (web, worker) only with QWEN_BOT_ALLOW_KEY_FILE=1;
4. otherwise a ConfigError (exit 4).

A key is generated into the keyring only for a local SQLite database: a shared PostgreSQL database needs
the same keys on every machine, which only the environment can guarantee.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bot.base.config import Settings
from bot.base.errors import ConfigError
from bot.storage.crypto import Crypto, new_key, validate_key

log = logging.getLogger("bot.storage.keys")

KEYRING_SERVICE = "qwen-usage-bot"
KEYRING_USERNAME = "encryption-keys"
KEY_FILE_NAME = "encryption.key"
KeySource = Literal["env", "keyring", "file"]


@dataclass(frozen=True, slots=True)
class KeySet:
    keys: tuple[bytes, ...]
    source: KeySource
    location: str  # for messages: "QWEN_BOT_ENCRYPTION_KEYS", "keyring", or the key file path

    def __repr__(self) -> str:
        return f"KeySet(source={self.source!r}, count={len(self.keys)})"

    def crypto(self) -> Crypto:
        return Crypto(self.keys)


def _split(raw: str, *, source: str) -> tuple[bytes, ...]:
    parts = [p for p in (s.strip() for s in raw.replace("\n", ",").split(",")) if p]
    return tuple(validate_key(p, source=source) for p in parts)


def system_keyring() -> Any | None:
    """The OS keyring backend, or None when only the fail/null backends are available."""
    try:
        import keyring
        from keyring.backends import fail, null

        backend = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(backend, fail.Keyring | null.Keyring):
        return None
    chained = getattr(backend, "backends", None)
    if chained is not None and not chained:
        return None
    return backend


def _from_keyring(backend: Any, *, may_create: bool) -> tuple[bytes, ...] | None:
    try:
        stored = backend.get_password(KEYRING_SERVICE, KEYRING_USERNAME)
        if stored:
            return _split(stored, source="the OS keyring")
        if not may_create:
            return None
        key = new_key()
        backend.set_password(KEYRING_SERVICE, KEYRING_USERNAME, key)
        log.warning("Created a new encryption key in the OS keyring (service %s)", KEYRING_SERVICE)
        return (key.encode("ascii"),)
    except ConfigError:
        raise
    except Exception as exc:
        log.info("OS keyring unavailable: %s", type(exc).__name__)
        return None


def _from_file(path: Path) -> tuple[bytes, ...]:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _split(path.read_text(encoding="ascii"), source=str(path))
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        key = new_key()
        handle.write(key + "\n")
    log.warning(
        "No QWEN_BOT_ENCRYPTION_KEYS and no OS keyring: created key file %s (mode 0600). "
        "Back it up; without it stored credentials cannot be read.",
        path,
    )
    return (key.encode("ascii"),)


_UNSET: Any = object()


def load_keys(settings: Settings, *, keyring_backend: Any = _UNSET) -> KeySet:
    """The configured keys (newest first). `keyring_backend` overrides the OS keyring (None: none)."""
    if settings.encryption_keys:
        keys = _split(settings.encryption_keys.get(), source="QWEN_BOT_ENCRYPTION_KEYS")
        if keys:
            return KeySet(keys, "env", "QWEN_BOT_ENCRYPTION_KEYS")
    local = settings.is_local_sqlite
    backend = system_keyring() if keyring_backend is _UNSET else keyring_backend
    if backend is not None:
        keys_found = _from_keyring(backend, may_create=local)
        if keys_found:
            return KeySet(keys_found, "keyring", f"keyring:{KEYRING_SERVICE}")
    if local and settings.key_file_allowed:
        path = settings.data_dir / KEY_FILE_NAME
        return KeySet(_from_file(path), "file", str(path))
    if local:
        raise ConfigError(
            "No encryption key: the web and worker processes share the database, so they do not fall back "
            "to a key file on this machine. Set QWEN_BOT_ENCRYPTION_KEYS (the same on every process), or "
            "QWEN_BOT_ALLOW_KEY_FILE=1 to use " + str(settings.data_dir / KEY_FILE_NAME) + "."
        )
    raise ConfigError(
        "No encryption key for a shared database: set QWEN_BOT_ENCRYPTION_KEYS to one or more Fernet keys "
        "(comma-separated, newest first; generate one with `qwen-bot rotate-keys --generate-key`)."
    )
