"""PKCE (RFC 7636, S256) and the per-installation device-flow client id."""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def challenge_for(verifier: str) -> str:
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def new_pkce() -> tuple[str, str]:
    """(code_verifier, code_challenge): base64url of 32 random bytes and of their SHA-256 (S256)."""
    verifier = _b64url(secrets.token_bytes(32))
    return verifier, challenge_for(verifier)


def new_client_id() -> str:
    """A random UUID v4; the caller persists it once per installation and reuses it."""
    return str(uuid.uuid4())
