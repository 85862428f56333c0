"""Prometheus metrics: commands by outcome, upstream latency by action, pending logins, digest runs, cache.

Per-process registry by default. When PROMETHEUS_MULTIPROC_DIR is set (gunicorn with several workers, or
web and worker processes sharing a host), prometheus-client writes values to files there and `/metrics`
aggregates them with `MultiProcessCollector`. Nothing is built at import time: `get_metrics()` builds the
process's `Metrics` on first use.

    cache hit ratio = rate(qwen_bot_cache_lookups_total{result="hit"}) / rate(qwen_bot_cache_lookups_total)
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app
from prometheus_client.multiprocess import MultiProcessCollector

log = logging.getLogger("bot.metrics")

UPSTREAM_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_STARTED = "qwen_bot_started"


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        r = self.registry
        self.commands = Counter(
            "qwen_bot_commands", "Slash commands and CLI commands handled, by command and outcome",
            ["command", "outcome"], registry=r,
        )
        self.upstream = Histogram(
            "qwen_bot_upstream_request_seconds", "QwenCloud request latency by backend action",
            ["action"], buckets=UPSTREAM_BUCKETS, registry=r,
        )
        self.upstream_errors = Counter(
            "qwen_bot_upstream_errors", "QwenCloud requests that failed without an answer, by action",
            ["action"], registry=r,
        )
        self.pending_logins = Gauge(
            "qwen_bot_pending_logins", "Device-code logins waiting for the user",
            registry=r, multiprocess_mode="livemax",
        )
        self.digest_runs = Counter(
            "qwen_bot_digest_runs", "Digest runs by outcome (posted, skipped, failed)", ["outcome"],
            registry=r,
        )
        self.cache = Counter(
            "qwen_bot_cache_lookups", "Usage result cache lookups (hit, miss, bypass)", ["result"],
            registry=r,
        )

    # -- recording ------------------------------------------------------------------------------------------
    def record_command(self, command: str, outcome: str) -> None:
        self.commands.labels(command=command or "unknown", outcome=outcome).inc()

    def observe_upstream(self, action: str, seconds: float) -> None:
        self.upstream.labels(action=action).observe(seconds)

    def record_upstream_error(self, action: str) -> None:
        self.upstream_errors.labels(action=action).inc()

    def set_pending_logins(self, count: int) -> None:
        self.pending_logins.set(count)

    def record_digest_run(self, outcome: str) -> None:
        self.digest_runs.labels(outcome=outcome).inc()

    def record_cache(self, result: str) -> None:
        self.cache.labels(result=result).inc()

    # -- httpx instrumentation ------------------------------------------------------------------------------
    def instrument_http(self, client: httpx.Client) -> httpx.Client:
        """Time every request of this client by QwenCloud action (event hooks; the client is returned)."""
        client.event_hooks["request"].append(self._on_request)
        client.event_hooks["response"].append(self._on_response)
        return client

    def _on_request(self, request: httpx.Request) -> None:
        request.extensions[_STARTED] = time.perf_counter()

    def _on_response(self, response: httpx.Response) -> None:
        started = response.request.extensions.get(_STARTED)
        if isinstance(started, float):
            self.observe_upstream(action_of(response.request), time.perf_counter() - started)


_COMMANDS = frozenset({
    "usage", "summary", "breakdown", "free-tier", "payg", "login", "logout", "status", "version", "help",
    "digest", "alert", "alerts", "link", "relink", "unlink", "accounts",
})
_COMMANDS |= {"billing", "bills"}  # /qwen billing, /qwen bills (docs/billing.md)
_OUTCOMES = (  # (error class name in bot.base.errors' tree, label); first match along the MRO wins
    ("AuthError", "auth_error"), ("UsageError", "usage_error"), ("InvalidArgument", "usage_error"),
    ("NetworkError", "network_error"), ("UpstreamError", "upstream_error"),
    ("DeviceFlowError", "login_error"), ("ConfigError", "config_error"),
)


def command_label(text: str) -> str:
    """The `command` label of a /qwen text: its first word when known (bounded label values), else other."""
    words = text.strip().lower().split()
    head = words[0] if words else "help"
    if head == "usage" and len(words) > 1 and words[1] in ("summary", "breakdown"):
        head = words[1]
    return head if head in _COMMANDS else "other"


def outcome_label(exc: BaseException | None) -> str:
    """ok, or the category of the error (auth_error, usage_error, network_error, upstream_error, ...)."""
    if exc is None:
        return "ok"
    names = {cls.__name__ for cls in type(exc).__mro__}
    return next((label for name, label in _OUTCOMES if name in names), "internal_error")


def action_of(request: httpx.Request) -> str:
    """The backend action a request performs: gateway `action` (envelope: its `Api`), else the URL path."""
    path = request.url.path
    if request.method == "POST" and path.endswith("/api.json"):
        try:
            body = json.loads(request.content or b"{}")
        except (ValueError, httpx.RequestNotRead):
            return "gateway"
        if isinstance(body, dict):
            params = body.get("params")
            api = params.get("Api") if isinstance(params, dict) else None
            name = api if isinstance(api, str) and api else body.get("action")
            if isinstance(name, str) and name:
                return name[:64]
        return "gateway"
    if "/device/code" in path:
        return "device_code"
    if "/device/token" in path:
        return "device_token"
    if path.endswith("/account/info.json"):
        return "account_info"
    return "model_map" if "model-mapping" in path else "other"


_lock = threading.Lock()
_default: Metrics | None = None


def get_metrics() -> Metrics:
    """This process's metrics, built on first use."""
    global _default
    with _lock:
        if _default is None:
            _default = Metrics()
        return _default


def reset_metrics(registry: CollectorRegistry | None = None) -> Metrics:
    """Replace this process's metrics (tests)."""
    global _default
    with _lock:
        _default = Metrics(registry)
        return _default


def exposition_registry(multiproc_dir: str | None = None) -> CollectorRegistry:
    """The registry `/metrics` serves: this process's, or every process's when multiprocess mode is on."""
    if multiproc_dir:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=multiproc_dir)  # type: ignore[no-untyped-call]
        return registry
    return get_metrics().registry


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def metrics_wsgi_app(
    multiproc_dir: str | None = None, *, pending_count: Callable[[], int] | None = None
) -> WSGIApp:
    """A WSGI app serving the Prometheus text format; mount it at `/metrics`.

    `pending_count`, when given, is asked at each scrape (e.g. a COUNT over pending_login), so the gauge is
    right whichever process serves the scrape."""
    inner = make_wsgi_app(exposition_registry(multiproc_dir))

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if pending_count is not None:
            try:
                get_metrics().set_pending_logins(pending_count())
            except Exception as exc:  # a scrape never fails because the database is away
                log.warning("pending login count unavailable: %s", type(exc).__name__)
        result: Iterable[bytes] = inner(environ, start_response)
        return result

    return app
