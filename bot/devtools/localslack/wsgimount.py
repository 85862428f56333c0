"""Serve a WSGI app (the bot) from the local workspace's own port, for paths the workspace does not use.

`qwen-bot serve` without Slack credentials can then offer the page, the fake Web API and the bot's
`/slack/events` + `/healthz` at one address (http://127.0.0.1:3000).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable
from typing import Any

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
OWN_PREFIXES = ("/api/", "/upload/", "/response/", "/files/", "/ui/", "/static/")


def is_own_path(path: str) -> bool:
    return path == "/" or path.startswith(OWN_PREFIXES)


def call_wsgi(app: WsgiApp, *, method: str, path: str, query: str, headers: Any, body: bytes,
              server_name: str, server_port: int,
              remote_addr: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """Run one request through `app`; returns (status, headers, body)."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": query,
        "CONTENT_TYPE": headers.get("Content-Type", ""), "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": server_name, "SERVER_PORT": str(server_port), "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": remote_addr, "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.multithread": True,
        "wsgi.multiprocess": False, "wsgi.run_once": False,
    }
    for key, value in headers.items():
        name = key.upper().replace("-", "_")
        if name not in {"CONTENT_TYPE", "CONTENT_LENGTH"}:
            environ["HTTP_" + name] = value
    captured: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"], captured["headers"] = status, response_headers
        return lambda data: None

    result = app(environ, start_response)
    try:
        payload = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status = int(str(captured.get("status", "500")).split(" ", 1)[0])
    dropped = {"content-length", "connection"}
    kept = [(k, v) for k, v in captured.get("headers", []) if k.lower() not in dropped]
    return status, kept, payload
