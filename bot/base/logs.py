"""Logging for every process: text or JSON lines, a request id per Slack request, secrets masked.

`configure_logging(settings)` installs one handler on the root logger carrying two filters:
`RequestIdFilter` (stamps `record.request_id` from a contextvar) and `RedactionFilter` (masks Slack tokens,
bearer tokens, device tokens, PKCE verifiers, client secrets and any secret value registered with
`register_secret`, in the message, its arguments and the formatted traceback). Chatty HTTP and Slack
libraries are held at WARNING unless `Settings.debug_slack` asks for their debug output.

Bolt wiring: `App(..., listener_executor=context_executor())` keeps the request id in lazy listeners and
`app.middleware(request_id_middleware)` sets it for each incoming request.
"""

from __future__ import annotations

import contextvars
import json
import logging
import random
import re
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, Any, ParamSpec, TypeVar

from bot.base.redact import MASK, redact_text

P = ParamSpec("P")
T = TypeVar("T")

_ids = random.Random()
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "qwen_bot_request_id", default=None
)

QUIET_LOGGERS = ("slack_sdk", "slack_bolt", "httpx", "httpcore", "urllib3", "alembic", "sqlalchemy.engine")
HANDLER_NAME = "qwen-bot"

# Patterns beyond bot.base.redact: key=value / key: value forms of secret names in free text, and Slack's
# signing header values. Device tokens travel as `token=` query values; verifiers as `code_verifier=`.
_KV_SECRET = re.compile(
    r"(?i)\b((?:device_token|devicetoken|access_token|accesstoken|refresh_token|token|code_verifier|"
    r"client_secret|signing_secret|authorization)['\"]?\s*[=:]\s*['\"]?)(?!\*\*\*)(?:bearer\s+)?[^\s&'\",;}]+"
)
_SIGNATURE = re.compile(r"\bv0=[0-9a-f]{16,}")

_secrets_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Mask this exact value wherever it shows up in a log line (settings secrets, keys, tokens seen)."""
    if value and len(value) >= 8:
        with _secrets_lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """`text` with every known kind of secret replaced by ***."""
    text = redact_text(text)
    text = _KV_SECRET.sub(lambda m: m.group(1) + MASK, text)
    text = _SIGNATURE.sub("v0=" + MASK, text)
    with _secrets_lock:
        known = sorted(_secrets, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, MASK)
    return text


def _redact_arg(arg: object) -> object:
    if isinstance(arg, int | float | bool) or arg is None:
        return arg
    return redact(str(arg))


class RedactionFilter(logging.Filter):
    """Rewrites the record so that message, arguments and traceback text carry no secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed format string must not lose the line
            message = f"{record.msg!s} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            # the cached text is what formatters print; drop the live exception so nothing re-renders it
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True


_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "request_id"
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, request_id, exc (when any) and `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = _redact_arg(value)
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def build_handler(log_format: str = "text", stream: IO[str] | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactionFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(settings: Any, *, stream: IO[str] | None = None) -> logging.Handler:
    """Install (or replace) the qwen-bot handler on the root logger; idempotent. Returns the handler."""
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == HANDLER_NAME:
            root.removeHandler(existing)
            existing.close()
    handler = build_handler(getattr(settings, "log_format", "text"), stream)
    root.addHandler(handler)
    root.setLevel(getattr(settings, "log_level", "INFO") or "INFO")
    debug_slack = bool(getattr(settings, "debug_slack", False))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if debug_slack else logging.WARNING)
    for field in ("slack_bot_token", "slack_signing_secret", "slack_app_token", "slack_client_secret",
                  "encryption_keys"):
        secret = getattr(settings, field, None)
        if secret is not None and hasattr(secret, "get"):
            for part in str(secret.get()).split(","):
                register_secret(part.strip())
    return handler


# -- request ids -------------------------------------------------------------------------------------------

def new_request_id() -> str:
    # not a secret: a fast PRNG, not uuid4 (os.urandom costs ~1 ms a call on some VMs, per Slack request)
    return f"{_ids.getrandbits(64):016x}"


@contextmanager
def request_context(request_id: str | None = None) -> Iterator[str]:
    """Run a block with a request id set (a new one unless given); restores the previous one after."""
    rid = request_id or new_request_id()
    token = request_id_var.set(rid)
    try:
        yield rid
    finally:
        request_id_var.reset(token)


def current_request_id() -> str | None:
    return request_id_var.get()


def start_request(context: Any = None) -> str:
    """A new request id, set for this thread's logs and, given a Bolt context, as `context["request_id"]`.

    Bolt runs listeners after the middleware chain returns, so the id is set (not reset); every request
    sets its own, and `ContextExecutor` carries it into lazy listeners. bot/app.py calls this from a
    class-based Bolt middleware: Bolt builds every keyword argument of a *function* middleware eagerly
    (action, view, ...) and raises on malformed payloads before the middleware even runs."""
    rid = new_request_id()
    if context is not None:
        context["request_id"] = rid
    request_id_var.set(rid)
    return rid


def request_id_middleware(req: Any, resp: Any, next_: Callable[[], Any]) -> Any:
    """Function form of the middleware (prefer the class in bot/app.py, see `start_request`)."""
    start_request(getattr(req, "context", None))
    next_()
    return resp


class ContextExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in a copy of the submitter's contextvars (request id included)."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        ctx = contextvars.copy_context()

        def run() -> T:
            return ctx.run(fn, *args, **kwargs)

        return super().submit(run)


def context_executor(max_workers: int = 16) -> ContextExecutor:
    return ContextExecutor(max_workers=max_workers, thread_name_prefix="qwen-bot")
