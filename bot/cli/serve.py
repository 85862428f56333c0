"""`qwen-bot serve`: the Slack web endpoint and the worker in one process, on PORT (default 3000).

`start(bot, port=...)` is the composable part: it starts the HTTP server and the worker thread and
returns a handle (`port`, `url`, `stop()`), so a caller can first start a simulator or a local workspace,
point the settings at them, then start the bot.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.base.config import Settings
from bot.base.errors import ConfigError

if TYPE_CHECKING:
    from bot.bootstrap import Bot

log = logging.getLogger("bot.serve")


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default backlog of 5 resets connections under a burst of commands


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


@dataclass
class Running:
    """What `start()` returns: the bound port, and `stop()` for the server, the worker and the services."""

    port: int
    server: WSGIServer
    threads: list[threading.Thread]
    stop_event: threading.Event
    socket_mode: Any = None
    bot: Any = None  # the bootstrap.Bot served
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.stop_event.set()
        if self.socket_mode is not None:
            self.socket_mode.close()
        self.server.shutdown()
        self.server.server_close()
        for thread in self.threads:
            thread.join(timeout=5)


def start(
    bot: Bot,
    *,
    host: str = "0.0.0.0",
    port: int | None = None,
    worker: bool = True,
    worker_idle_seconds: float = 1.0,
) -> Running:
    """Start the web server (Bolt over WSGI + /healthz) and, unless told not to, the worker thread."""
    from bot.app import build_app
    from bot.slack.bolt import socket_mode, wsgi_app

    services = bot.services
    app = build_app(bot)
    server = make_server(
        host,
        services.settings.port if port is None else port,
        wsgi_app(app, metrics_token=_metrics_token(services.settings)),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    stop_event = threading.Event()
    threads = [threading.Thread(target=server.serve_forever, name="web", daemon=True)]
    if worker:
        loop = bot.worker(idle_seconds=worker_idle_seconds)
        threads.append(
            threading.Thread(target=loop.run_forever, args=(stop_event,), name="worker", daemon=True)
        )
    for thread in threads:
        thread.start()
    handle = Running(server.server_port, server, threads, stop_event, bot=bot)
    if services.settings.slack_app_token is not None:
        handle.socket_mode = socket_mode(app, services.settings)
        handle.socket_mode.connect()
    log.info("serving Slack at %s/slack/events (worker %s)", handle.url, "on" if worker else "off")
    return handle


def _metrics_token(settings: Settings) -> str | None:
    return settings.metrics_token.get() if settings.metrics_token else None


def register(sub: Any) -> None:
    parser = sub.add_parser("serve", help="web endpoint + worker in one process (PORT, default 3000)")
    parser.add_argument("--port", type=int, default=None, help="override PORT")
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--no-worker", action="store_true", help="serve web only")
    parser.add_argument(
        "--local", action="store_true", help="the local Slack workspace and QwenCloud simulator (127.0.0.1)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.base.logs import configure_logging
    from bot.bootstrap import build_bot, build_services
    from bot.cli.embedded import prepare

    embedded = None
    try:
        settings = Settings.from_env()
        configure_logging(settings)
        port = settings.port if args.port is None else args.port
        embedded = prepare(settings, host=args.host, port=port, local=args.local)
        services = build_services(embedded.settings)
    except ConfigError as exc:
        if embedded is not None:
            embedded.stop()
        print(f"qwen-bot serve: {exc.message}", file=sys.stderr)
        return exc.exit_code
    # With the local workspace on PORT, the bot's own endpoint takes a free port behind it.
    bot_port = 0 if embedded.workspace is not None else port
    host = "127.0.0.1" if embedded.workspace is not None else args.host  # only the local page calls it
    try:
        handle = start(build_bot(services), host=host, port=bot_port, worker=not args.no_worker)
    except ConfigError as exc:
        services.close()
        embedded.stop()
        print(f"qwen-bot serve: {exc.message}", file=sys.stderr)
        return exc.exit_code
    embedded.attach_bot(handle.url)
    print(f"LISTENING {handle.port}", flush=True)
    for line in embedded.banner:
        print(line, flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    handle.stop()
    services.close()
    embedded.stop()
    return 0
