"""Encryption at rest: MultiFernet over the configured keys (newest first), owner-bound plaintexts.

Every plaintext is wrapped as JSON {"ctx": <owner context>, "v": <value>} before encryption, and decrypt
checks the context: a ciphertext copied onto another user's row (or another purpose) does not decrypt.
Each row stores the id of the key that encrypted it (first 8 hex of SHA-256 of the key).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.base.errors import ConfigError


class DecryptionFailed(ConfigError):
    """A stored secret cannot be read: its key is gone, or it belongs to another owner."""


def key_id(key: bytes | str) -> str:
    raw = key.encode("ascii") if isinstance(key, str) else key
    return hashlib.sha256(raw.strip()).hexdigest()[:8]


def validate_key(key: str, *, source: str) -> bytes:
    raw = key.strip().encode("ascii", errors="replace")
    try:
        Fernet(raw)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"An encryption key from {source} is not a Fernet key (32 url-safe base64 bytes). "
            "Generate one with `qwen-bot rotate-keys --generate-key`."
        ) from exc
    return raw


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


@dataclass(frozen=True, slots=True)
class Sealed:
    ciphertext: str
    key_id: str


class Crypto:
    """Encrypts with the newest key; decrypts and rotates with any configured key."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ConfigError("No encryption key configured")
        self._keys = list(keys)
        self._multi = MultiFernet([Fernet(k) for k in self._keys])
        self.key_ids = tuple(key_id(k) for k in self._keys)

    def __repr__(self) -> str:
        return f"Crypto(key_ids={self.key_ids!r})"

    @property
    def primary_key_id(self) -> str:
        return self.key_ids[0]

    def seal(self, value: str, *, context: str) -> Sealed:
        payload = json.dumps({"ctx": context, "v": value}, separators=(",", ":")).encode("utf-8")
        return Sealed(self._multi.encrypt(payload).decode("ascii"), self.primary_key_id)

    def open(self, ciphertext: str, *, context: str) -> str:
        try:
            payload = json.loads(self._multi.decrypt(ciphertext.encode("ascii")))
        except (InvalidToken, ValueError) as exc:
            raise DecryptionFailed(
                "A stored secret could not be decrypted with the configured keys "
                f"({', '.join(self.key_ids)}). Was an old key removed from QWEN_BOT_ENCRYPTION_KEYS?"
            ) from exc
        bound = isinstance(payload, dict) and payload.get("ctx") == context
        if not bound or not isinstance(payload.get("v"), str):
            raise DecryptionFailed("A stored secret belongs to another owner; refusing to use it.")
        return str(payload["v"])

    def is_current(self, ciphertext: str) -> bool:
        """Whether the newest key alone reads it (rotation reports what was already on it)."""
        try:
            Fernet(self._keys[0]).decrypt(ciphertext.encode("ascii"))
        except (InvalidToken, ValueError):
            return False
        return True

    def rotate(self, ciphertext: str) -> Sealed:
        """The same plaintext (and owner binding) under the newest key."""
        try:
            rotated = self._multi.rotate(ciphertext.encode("ascii"))
        except InvalidToken as exc:
            raise DecryptionFailed("A stored secret could not be decrypted for rotation.") from exc
        return Sealed(rotated.decode("ascii"), self.primary_key_id)
