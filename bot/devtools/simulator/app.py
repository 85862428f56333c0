"""WSGI routing for the simulator: one origin serves auth, data gateway, CDN map and control."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from bot.devtools.simulator import auth, billing, gateway
from bot.devtools.simulator.state import BillingKnobs, Faults, SimState

StartResponse = Callable[..., Any]
Environ = dict[str, Any]

_FAULT_KEYS = set(Faults.__dataclass_fields__)


def _reply(start: StartResponse, status: int, body: bytes, ctype: str) -> list[bytes]:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Status"
    start(f"{status} {phrase}", [("Content-Type", ctype), ("Content-Length", str(len(body)))])
    return [body]


def _json(start: StartResponse, status: int, obj: Any) -> list[bytes]:
    return _reply(
        start, status, json.dumps(obj, ensure_ascii=False).encode(), "application/json; charset=utf-8"
    )


def _body(environ: Environ) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _bearer(environ: Environ) -> str:
    header = str(environ.get("HTTP_AUTHORIZATION", ""))
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def _base_url(environ: Environ) -> str:
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}"


class SimulatorApp:
    def __init__(self, state: SimState) -> None:
        self.state = state

    def __call__(self, environ: Environ, start: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith("/_sim/"):
            return self._route(environ, start)
        # Counted so a test can wait until a call has arrived and is still being answered.
        with self.state.lock:
            self.state.in_flight += 1
        try:
            return self._route(environ, start)
        finally:
            with self.state.lock:
                self.state.in_flight -= 1

    def _route(self, environ: Environ, start: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        if path.startswith("/_sim/"):
            return self._control(method, path, environ, start)
        if path == "/data/v2/api.json" and method == "POST":
            return self._data(environ, start)
        received = time.monotonic()
        self._sleep(self.state.faults.latency_ms)
        if path in ("/model-mapping", "/cdn/model-mapping") and method == "GET":
            with self.state.lock:
                offset = round((received - self.state.started) * 1000)
                self.state.calls.append({"action": "model-mapping", "params": {}, "received_ms": offset})
            return _json(start, 200, gateway.model_map())
        if path == "/cli/device/code" and method == "POST":
            return _json(start, *auth.device_code(self.state, query, _base_url(environ)))
        if path == "/cli/device/token" and method == "POST":
            return _json(start, *auth.device_token(self.state, query))
        if path == "/cli/device/verify":
            if method == "POST":
                form = dict(parse_qsl(_body(environ).decode("utf-8", "replace")))
                return _reply(start, *auth.verify_submit(self.state, form), "text/html; charset=utf-8")
            return _reply(
                start, *auth.verify_page(self.state, query.get("user_code", "")), "text/html; charset=utf-8"
            )
        if path == "/api/account/info.json" and method == "GET":
            return _json(start, *auth.account_info(self.state, _bearer(environ)))
        if path.startswith("/repos/") and path.endswith("/releases/latest"):
            return _json(start, 200, {"tag_name": "v1.4.1", "name": "v1.4.1"})
        return _json(start, 404, {"code": "NotFound", "message": f"no route for {method} {path}"})

    @staticmethod
    def _sleep(ms: int) -> None:
        # Sleep in the request thread so concurrent calls overlap, as real latency does.
        if ms > 0:
            time.sleep(ms / 1000)

    def _data(self, environ: Environ, start: StartResponse) -> list[bytes]:
        received = time.monotonic()
        raw = _body(environ)
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            return _json(start, 400, gateway.error_body("InvalidParameter", "request body is not JSON"))
        name = gateway.action_name(body)
        faults = self.state.faults
        self._sleep(faults.latency_by_action.get(name, faults.latency_ms))
        if body.get("product") not in gateway.AUTH_OPTIONAL_PRODUCTS:
            if self.state.check_token(_bearer(environ)) is None:
                return _json(
                    start,
                    401,
                    {
                        "code": "InvalidToken",
                        "message": "The access token is invalid or expired.",
                        "success": False,
                    },
                )
        elif body.get("action") == "Logout":
            with self.state.lock:
                self.state.tokens.pop(_bearer(environ), None)
        status = faults.http_error_actions.get(name)
        if status is None and self.state.take("http_error_next"):
            status = faults.http_status
        if status is not None:
            return _json(start, status, {"code": str(status), "message": "simulated upstream failure"})
        if name in faults.malformed_actions or self.state.take("malformed_next"):
            return _reply(start, 200, b'{"code":"200","data":{"Data":[', "application/json")
        return _json(start, 200, gateway.dispatch(self.state, body, received))

    # -- control --------------------------------------------------------------------------------
    def _control(self, method: str, path: str, environ: Environ, start: StartResponse) -> list[bytes]:
        if path == "/_sim/healthz":
            return _json(start, 200, {"ok": True})
        if path == "/_sim/calls":
            with self.state.lock:
                return _json(start, 200, {"calls": list(self.state.calls)})
        if path != "/_sim/control":
            return _json(start, 404, {"error": "unknown control path"})
        if method == "GET":
            return _json(start, 200, self.state.snapshot())
        try:
            command = json.loads(_body(environ) or b"{}")
            result = apply_control(self.state, command)
        except (ValueError, TypeError, KeyError) as exc:
            return _json(start, 400, {"error": str(exc)})
        return _json(start, 200, {"result": result, "state": self.state.snapshot()})


def apply_control(state: SimState, command: dict[str, Any]) -> dict[str, Any]:
    """Apply knob settings and at most one action; shared by `/_sim/control` and `SimulatorHandle.control`."""
    if not isinstance(command, dict):
        raise ValueError("control body must be a JSON object")
    with state.lock:
        for key, value in command.items():
            if key in _FAULT_KEYS:
                setattr(state.faults, key, set(value) if key == "malformed_actions" else value)
            elif key in ("token_ttl", "device_interval", "device_expires_in"):
                setattr(state, key, int(value))
            elif key in billing.BILLING_KNOBS:
                setattr(state.billing, key, value)
            elif key == "cli_compat":
                state.cli_compat = bool(value)
            elif key in ("coding_plan", "empty_usage"):
                setattr(state.dataset, key, bool(value))
            elif key == "now":
                state.frozen_now = None if value is None else _instant(str(value))
            elif key == "advance_seconds":
                state.frozen_now = state.now() + timedelta(seconds=float(value))
            elif key not in ("action", "user_code", "ttl", "user"):
                raise KeyError(f"unknown control key {key!r}")
        return _action(state, command)


def _action(state: SimState, command: dict[str, Any]) -> dict[str, Any]:
    action = command.get("action")
    if action in ("approve", "deny"):
        decided = state.decide(command.get("user_code"), "approved" if action == "approve" else "denied")
        return {"decided": decided}
    if action == "expire_tokens":
        return {"expired": state.expire_tokens()}
    if action == "issue_token":
        token = state.issue_token(command.get("user"), command.get("ttl"))
        return {"access_token": token.value, "expires_at": token.expires_at.isoformat(), "user": token.user}
    if action == "reset_faults":
        state.faults = Faults()
        state.billing = BillingKnobs()
        return {"reset": True}
    if action == "clear_calls":
        state.calls.clear()
        return {"cleared": True}
    if action is not None:
        raise ValueError(f"unknown action {action!r}")
    return {}


def _instant(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("instants need a timezone offset")
    return value
