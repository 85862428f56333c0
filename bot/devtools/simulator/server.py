"""Run the simulator in-process (tests, `qwen-bot serve`) or as the `qwen-bot simulator` process."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.devtools.simulator.app import SimulatorApp, apply_control
from bot.devtools.simulator.dataset import Dataset
from bot.devtools.simulator.state import Faults, SimState


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Access logs would flood test output; the control endpoint lists calls instead."""


def build_state(
    *,
    now: datetime | None = None,
    seed: int = 7,
    latency_ms: int = 0,
    auto_approve_after: int | None = None,
    cli_compat: bool = False,
    device_interval: int = 5,
    device_expires_in: int = 600,
    token_ttl: int = 12 * 3600,
    coding_plan: bool = True,
    empty_usage: bool = False,
    history_months: int = 15,
    heavy_months: set[str] | None = None,
) -> SimState:
    dataset = Dataset(
        seed=seed,
        history_months=history_months,
        empty_usage=empty_usage,
        coding_plan=coding_plan,
        heavy_months=heavy_months,
    )
    faults = Faults(latency_ms=latency_ms, auto_approve_after=auto_approve_after)
    return SimState(
        dataset=dataset,
        now=now,
        token_ttl=token_ttl,
        device_interval=device_interval,
        device_expires_in=device_expires_in,
        cli_compat=cli_compat,
        faults=faults,
    )


@dataclass
class SimulatorHandle:
    server: ThreadingWSGIServer
    thread: threading.Thread
    state: SimState

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        host = str(self.server.server_address[0])
        return f"http://{host}:{self.port}"

    def control(self, **command: Any) -> dict[str, Any]:
        """Same keys as `POST /_sim/control` (e.g. `control(action="approve")`, `control(latency_ms=50)`)."""
        return apply_control(self.state, command)

    def approve(self, user_code: str | None = None) -> int:
        return self.state.decide(user_code, "approved")

    def deny(self, user_code: str | None = None) -> int:
        return self.state.decide(user_code, "denied")

    def issue_token(self, ttl: int | None = None) -> str:
        return self.state.issue_token(ttl=ttl).value

    def snapshot(self) -> dict[str, Any]:
        snapshot: dict[str, Any] = json.loads(json.dumps(self.state.snapshot(), default=str))
        return snapshot

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> SimulatorHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def make_simulator_server(state: SimState, host: str = "127.0.0.1", port: int = 0) -> ThreadingWSGIServer:
    server = make_server(
        host, port, SimulatorApp(state), server_class=ThreadingWSGIServer, handler_class=QuietHandler
    )
    assert isinstance(server, ThreadingWSGIServer)
    return server


def start_simulator(*, host: str = "127.0.0.1", port: int = 0, **options: Any) -> SimulatorHandle:
    """Start on a daemon thread; `options` are `build_state` keywords (now, seed, latency_ms, ...)."""
    state = build_state(**options)
    server = make_simulator_server(state, host, port)
    thread = threading.Thread(target=server.serve_forever, name="qwencloud-simulator", daemon=True)
    thread.start()
    return SimulatorHandle(server=server, thread=thread, state=state)
