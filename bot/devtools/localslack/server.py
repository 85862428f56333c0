"""The HTTP server: Web API at /api/<method>, upload URLs, response_urls, files, the page + its API."""

from __future__ import annotations

import email.parser
import email.policy
import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.devtools.localslack.faults import Call, Faults
from bot.devtools.localslack.responses import Interactions
from bot.devtools.localslack.state import Workspace
from bot.devtools.localslack.webapi import WebApi
from bot.devtools.localslack.wsgimount import WsgiApp, call_wsgi, is_own_path

log = logging.getLogger(__name__)
JSON = dict[str, Any]
STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}


def parse_body(content_type: str, raw: bytes) -> JSON:
    """Form-encoded, JSON or multipart bodies, as slack_sdk sends them."""
    ctype = content_type.split(";")[0].strip().lower()
    if ctype == "application/json":
        parsed = json.loads(raw or b"{}")
        return parsed if isinstance(parsed, dict) else {}
    if ctype == "multipart/form-data":
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
        out: JSON = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if not isinstance(name, str) or not isinstance(payload, bytes):
                continue
            if part.get_filename():
                out[name], out["_file_name"] = payload, part.get_filename()
            else:
                out[name] = payload.decode()
        return out
    return dict(parse_qsl(raw.decode(), keep_blank_values=True))


class LocalSlackServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # many workers posting at once must not wait on a full backlog

    def __init__(self, host: str, port: int, *, ws: Workspace, faults: Faults, interactions: Interactions,
                 bot_token: str) -> None:
        super().__init__((host, port), Handler)
        self.ws, self.faults, self.interactions, self.bot_token = ws, faults, interactions, bot_token
        self.api = WebApi(ws, interactions, base_url=lambda: self.base_url)
        self.calls: list[Call] = []
        self.calls_lock = threading.Lock()
        self.page: Any = None  # localslack.page.PageApi, set by the handle when the page is served
        self.mounted: WsgiApp | None = None  # the bot, answering every path the workspace does not use
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.server_address[0], self.server_address[1]
        return f"http://{host if isinstance(host, str) else host.decode()}:{port}/"

    def record(self, call: Call) -> None:
        with self.calls_lock:
            self.calls.append(call)
        self.ws.touch()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), name="localslack",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread:
            self._thread.join(timeout=5)


class Handler(BaseHTTPRequestHandler):
    server: LocalSlackServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms delayed-ACK stalls

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("localslack: " + format, *args)

    def _read(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send_bytes(self, status: int, body: bytes, content_type: str,
                   headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.send_bytes(status, json.dumps(body).encode(), "application/json; charset=utf-8", headers)

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_PUT(self) -> None:
        self._route("PUT")

    def do_DELETE(self) -> None:
        self._route("DELETE")

    def _route(self, verb: str) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        raw = self._read() if verb == "POST" else b""
        try:
            if self.server.mounted is not None and not is_own_path(path):
                self._mounted(verb, path, parts.query, raw)
            elif path.startswith("/api/"):
                self._api(path.removeprefix("/api/"), parts.query, raw)
            elif path.startswith("/upload/") and verb == "POST":
                self._upload(path.removeprefix("/upload/"), raw)
            elif path.startswith("/response/") and verb == "POST":
                self._response(path.removeprefix("/response/"), raw)
            elif path.startswith("/files/"):
                self._file(path.removeprefix("/files/"))
            elif self.server.page is not None and self._page_refused(verb, path):
                pass  # answered: a foreign Host, a cross-site or non-JSON POST, no secret
            elif path.startswith("/ui/") and self.server.page is not None:
                status, body = self.server.page.handle(verb, path.removeprefix("/ui/"), parts.query, raw)
                self.send_json(status, body)
            elif verb == "GET" and self.server.page is not None and (
                    path == "/" or path.startswith("/static/")):
                self._static("index.html" if path == "/" else path.removeprefix("/static/"))
            elif path == "/healthz":
                self.send_json(200, {"ok": True})
            else:
                self.send_json(404, {"ok": False, "error": "not_found"})
        except (BrokenPipeError, ConnectionResetError):  # the client went away (a closed page)
            self.close_connection = True
        except Exception:  # a broken request must not kill the server thread
            log.exception("localslack: %s %s failed", verb, path)
            self.send_json(500, {"ok": False, "error": "fatal_error"})

    def _page_refused(self, verb: str, path: str) -> bool:
        if not (path == "/" or path.startswith(("/ui/", "/static/"))):
            return False
        host, port = self.server.server_address[0], self.server.server_address[1]
        name = host if isinstance(host, str) else host.decode()
        why = self.server.page.guard.refuse(verb, self.headers, host=name, port=port)
        if why is not None:
            self.send_json(403, {"ok": False, "error": why})
        return why is not None

    def _mounted(self, verb: str, path: str, query: str, raw: bytes) -> None:
        assert self.server.mounted is not None
        host, port = self.server.server_address[0], self.server.server_address[1]
        status, headers, body = call_wsgi(
            self.server.mounted, method=verb, path=path, query=query, headers=self.headers, body=raw,
            server_name=host if isinstance(host, str) else host.decode(), server_port=port,
            remote_addr=self.client_address[0])
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _api(self, method: str, query: str, raw: bytes) -> None:
        params: JSON = dict(parse_qsl(query, keep_blank_values=True))
        try:
            params.update(parse_body(self.headers.get("Content-Type", ""), raw))
        except ValueError:
            self.send_json(200, {"ok": False, "error": "invalid_json"})
            return
        auth = self.headers.get("Authorization")
        token = auth.removeprefix("Bearer ").strip() if auth and auth.startswith("Bearer ") else params.pop(
            "token", None)
        status, headers = 200, {}
        if not token:
            body: JSON = {"ok": False, "error": "not_authed"}
        elif token != self.server.bot_token:
            body = {"ok": False, "error": "invalid_auth"}
        else:
            channel = params.get("channel") or params.get("channel_id")
            injected = self.server.faults.check(method, str(channel) if channel else None)
            if injected and injected.delay:
                time.sleep(injected.delay)
            if injected and injected.status:
                if injected.after:
                    self.server.api.call(method, params)
                status, body, headers = injected.status, injected.body, injected.headers
            else:
                body = self.server.api.call(method, params)
        shown = {k: (f"<{len(v)} bytes>" if isinstance(v, bytes) else v) for k, v in params.items()}
        self.server.record(Call(method, shown, time.time(), status, body, "Bearer ***" if auth else None))
        self.send_json(status, body, headers)

    def _upload(self, file_id: str, raw: bytes) -> None:
        ok = self.server.api.receive_upload(file_id, raw)
        self.server.record(Call("file_upload", {"file_id": file_id, "bytes": len(raw)}, time.time(),
                                200 if ok else 404, {"ok": ok}))
        if ok:
            self.send_bytes(200, f"OK - {len(raw)}".encode(), "text/plain; charset=utf-8")
        else:
            self.send_bytes(404, b"Not Found", "text/plain; charset=utf-8")

    def _response(self, token: str, raw: bytes) -> None:
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            status, answer = 400, {"ok": False, "error": "invalid_payload"}
            body = {}
        else:
            status, answer = self.server.interactions.post(token, body)
        self.server.record(Call("response_url", {"token": token, **body}, time.time(), status, answer))
        self.send_json(status, answer)

    def _file(self, rest: str) -> None:
        stored = self.server.ws.files.get(rest.split("/", 1)[0])
        if stored is None:
            self.send_json(404, {"ok": False, "error": "file_not_found"})
            return
        self.send_bytes(200, stored.data, stored.mimetype)

    def _static(self, name: str) -> None:
        if "/" in name or name.startswith("."):
            self.send_json(404, {"ok": False, "error": "not_found"})
            return
        resource = resources.files("bot.devtools.localslack").joinpath("static", name)
        if not resource.is_file():
            self.send_json(404, {"ok": False, "error": "not_found"})
            return
        ext = "." + name.rsplit(".", 1)[-1]
        data = resource.read_bytes()
        if name == "index.html":
            data = self.server.page.guard.page_html(data)
        self.send_bytes(200, data, STATIC_TYPES.get(ext, "application/octet-stream"))
