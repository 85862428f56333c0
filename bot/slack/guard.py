"""What the web endpoint refuses before Bolt reads a byte: bodies over 1 MB (413; Slack's own payloads are
a few kB, so a bigger one is someone filling memory before the signature check), and `/metrics` without
`Authorization: Bearer <QWEN_BOT_METRICS_TOKEN>` (404 when no token is set: the figures name commands,
teams' activity and upstream health, which are nobody else's business). `/healthz` stays open."""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict[str, Any], Any], Iterable[bytes]]
MAX_BODY_BYTES = 1_000_000


def body_too_big(environ: dict[str, Any], *, limit: int = MAX_BODY_BYTES) -> str | None:
    """The status line to answer instead of reading the body, or None when the body may be read."""
    raw = str(environ.get("CONTENT_LENGTH") or "0").strip() or "0"
    if not raw.isascii() or not raw.isdigit():
        return "400 Bad Request"
    if int(raw) > limit:
        return "413 Content Too Large"
    if "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower():
        return "411 Length Required"  # an unknown length could be any size
    return None


def metrics_allowed(environ: dict[str, Any], token: str | None) -> bool:
    if not token:
        return False
    given = str(environ.get("HTTP_AUTHORIZATION", ""))
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def refuse(start_response: Any, status: str, error: str) -> list[bytes]:
    start_response(status, [("Content-Type", "application/json")])
    return [json.dumps({"ok": False, "error": error}).encode()]
