"""Who may drive the local workspace page. Anyone who can make the page act can run `/qwen` as any member
or admin, so: every page path answers only requests whose `Host` is this server's own loopback address
(DNS rebinding gives a foreign name), and a POST to `/ui/...` must be `application/json` (a cross-site form
or `text/plain` POST cannot be), from this origin when the browser says, carrying the per-run secret the
page gets inside its own HTML (which another site cannot read)."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping

SECRET_HEADER = "X-Local-Workspace-Secret"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class PageGuard:
    def __init__(self, *, secret: str | None = None) -> None:
        self.secret = secret or secrets.token_urlsafe(24)

    def refuse(self, verb: str, headers: Mapping[str, str], *, host: str, port: int) -> str | None:
        """Why this request is refused (an error code), or None when it may go on."""
        allowed = {f"{name}:{port}" for name in (*LOOPBACK_NAMES, host)}
        given = (headers.get("Host") or "").strip().lower()
        if given not in allowed:
            return "foreign_host"
        if verb != "POST":
            return None
        if (headers.get("Content-Type") or "").split(";")[0].strip().lower() != "application/json":
            return "json_only"
        origin = headers.get("Origin")
        if origin is not None and origin.lower() != f"http://{given}":
            return "foreign_origin"
        if (headers.get("Sec-Fetch-Site") or "same-origin").lower() not in ("same-origin", "none"):
            return "cross_site"
        if not hmac.compare_digest((headers.get(SECRET_HEADER) or "").encode(), self.secret.encode()):
            return "bad_secret"
        return None

    def page_html(self, html: bytes) -> bytes:
        """The page with its secret (urlsafe base64: nothing to escape) where app.js reads it."""
        meta = f'<meta name="local-workspace-secret" content="{self.secret}">'.encode()
        return html.replace(b"<head>", b"<head>\n  " + meta, 1)
