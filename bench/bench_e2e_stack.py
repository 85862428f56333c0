"""Shared harness of bench_ack / bench_e2e / bench_memory: the bot as real processes on real HTTP.

In this process: the QwenCloud simulator and the local Slack workspace (fake Web API, response_url).
As subprocesses, configured only by the environment like production: `qwen-bot serve --no-worker` (web)
and, when asked, `qwen-bot worker`. SQLite file in a temporary directory.
"""

from __future__ import annotations

import functools
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from cryptography.fernet import Fernet

from bot.base.clock import SystemClock
from bot.base.config import Secret, Settings
from bot.devtools.localslack import GENERAL, FakeSlack
from bot.devtools.localslack.sender import sign
from bot.devtools.simulator.server import SimulatorHandle
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.storage.migrate import upgrade
from bot.storage.owner import Owner
from tests.fakes.stack import World, local_world

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root, for tests.fakes
from tests.fakes.env import bot_process_env

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{system}, {cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def median(values: list[float]) -> float:
    return statistics.median(values)


@dataclass
class Stack:
    sim: SimulatorHandle
    slack: FakeSlack
    services: Any
    env: dict[str, str]
    workdir: Path
    web_url: str = ""
    procs: list[subprocess.Popen[str]] = field(default_factory=list)
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))

    def spawn(self, *args: str) -> subprocess.Popen[str]:
        log = (self.workdir / f"{args[0]}-{len(self.procs)}.log").open("w")
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", *args], env=self.env, stdout=subprocess.PIPE, stderr=log, text=True
        )
        self.procs.append(proc)
        return proc

    def start_web(self) -> subprocess.Popen[str]:
        proc = self.spawn("serve", "--no-worker", "--host", "127.0.0.1", "--port", "0")
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("LISTENING "):
            raise RuntimeError(f"web did not start: {line!r}")
        self.web_url = f"http://127.0.0.1:{int(line.split()[1])}/slack/events"
        return proc

    def start_gunicorn(
        self,
        workers: int = 2,
        threads: int = 8,
        access_log: Path | None = None,
        worker_class: str = "gthread",
    ) -> subprocess.Popen[str]:
        """The Procfile's web process (gthread), with `workers` processes; `access_log` gets one line
        per request: gunicorn's request time in microseconds (request parsed -> response written), status,
        method, path."""
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        log = (self.workdir / f"gunicorn-{len(self.procs)}.log").open("w")
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        proc = subprocess.Popen(
            [
                gunicorn,
                "--bind",
                f"127.0.0.1:{port}",
                "--worker-class",
                worker_class,
                "--threads",
                str(threads),
                "--workers",
                str(workers),
                "--backlog",
                "256",
                *(
                    ["--access-logfile", str(access_log), "--access-logformat", "%(D)s %(s)s %(m)s %(U)s"]
                    if access_log is not None
                    else []
                ),
                "bot.app:wsgi()",
            ],
            env=self.env,
            stdout=log,
            stderr=log,
            text=True,
        )
        self.procs.append(proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.http.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        self.web_url = f"http://127.0.0.1:{port}/slack/events"
        return proc

    def link(self, users: list[str]) -> None:
        now = datetime.now(UTC)
        for uid in users:
            if uid not in self.slack.ws.users:
                self.slack.add_user(uid, uid.lower())
            creds = DeviceCredentials(
                self.sim.issue_token(), now + timedelta(days=1), QwenUser(uid, None, None)
            )
            self.services.credentials.put(Owner(self.slack.ws.team_id, uid), creds)

    def slash(self, user: str, text: str) -> tuple[float, str]:
        """POST a signed /qwen; (ack seconds, the response_url token the answer will use)."""
        form, token = self.slack.sender.payloads.slash(user, GENERAL, text, "/qwen")
        body = urlencode(form)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
        started = time.perf_counter()
        reply = self.http.post(self.web_url, content=body, headers=headers)
        elapsed = time.perf_counter() - started
        if reply.status_code != 200:
            raise RuntimeError(f"HTTP {reply.status_code}")
        return elapsed, token

    def answered(self, token: str, needle: str = "*Analysis*") -> bool:
        return any(
            c.params.get("token") == token and needle in repr(c.params)
            for c in self.slack.calls("response_url")
        )

    def wait_answer(self, token: str, needle: str = "*Analysis*", timeout: float = 60.0) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.answered(token, needle):
                return time.perf_counter()
            time.sleep(0.002)
        raise TimeoutError(f"no answer for {token}")

    def rss_mb(self, proc: subprocess.Popen[str]) -> float:
        for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")


@contextmanager
def stack(
    *,
    latency_ms: int = 0,
    cache_ttl: int = 600,
    extra_env: dict[str, str] | None = None,
    database_url: str | None = None,
) -> Iterator[Stack]:
    workdir = Path(tempfile.mkdtemp(prefix="qwen-bench-"))
    key = Fernet.generate_key().decode()
    db = database_url or f"sqlite:///{workdir / 'bench.db'}"
    upgrade(db)
    with local_world(
        functools.partial(Settings, data_dir=workdir / "data", database_url=db, encryption_keys=Secret(key)),
        bot_token=TOKEN,
        signing_secret=SECRET,
        clock=SystemClock(),
        simulator={"latency_ms": latency_ms, "device_interval": 1},
        cache_ttl_seconds=cache_ttl,
    ) as world:
        yield from _run(world, workdir, db, key, cache_ttl, extra_env)


def _run(
    world: World, workdir: Path, db: str, key: str, cache_ttl: int, extra_env: dict[str, str] | None
) -> Iterator[Stack]:
    sim, slack, services = world.sim, world.slack, world.services
    env = bot_process_env(
        sim_url=sim.url,
        slack_api_url=slack.api_url,
        bot_token=TOKEN,
        signing_secret=SECRET,
        data_dir=str(workdir),
        DATABASE_URL=db,
        QWEN_BOT_ENCRYPTION_KEYS=key,
        QWEN_BOT_CACHE_TTL=str(cache_ttl),
        QWEN_BOT_LOG_LEVEL="WARNING",
        **(extra_env or {}),
    )
    s = Stack(sim, slack, services, env, workdir)
    try:
        yield s
    finally:
        for proc in s.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in s.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        s.http.close()
