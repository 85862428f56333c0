"""Many processes on one PostgreSQL: two web processes (`qwen-bot serve --no-worker`) and two
`qwen-bot worker` processes; 200 concurrent slash commands and 50 logins; due digests. Expect 0 errors,
0 doubly polled device flows, 0 duplicate digests. PostgreSQL from QWEN_BOT_TEST_POSTGRES_URL (CI fails
without it)."""

from __future__ import annotations

import itertools
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from bot.base.clock import SystemClock
from bot.base.config import Secret, Settings
from bot.base.schedule import Schedule
from bot.bootstrap import build_services
from bot.core.inflight import STILL_WORKING
from bot.devtools.localslack import GENERAL, FakeSlack
from bot.devtools.localslack.sender import sign
from bot.devtools.simulator import auth as sim_auth
from bot.devtools.simulator.server import start_simulator
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.storage.migrate import upgrade
from bot.storage.owner import Owner
from tests.fakes.env import bot_process_env
from tests.fakes.slack import static_team
from tests.fakes.waits import eventually, quiet_period
from tests.reliability.conftest import BOT_TOKEN, SIGNING_SECRET

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

COMMANDS, LOGINS, LINKED, ACCOUNTS = 200, 50, 20, 10
DEVICE_INTERVAL = 1


class PollLog:
    """Wraps the simulator's device-token endpoint: every poll's (start, end) per device flow."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self.inflight: dict[str, int] = defaultdict(int)
        self.overlaps = 0
        self._real = sim_auth.device_token

    def __call__(self, state: Any, query: dict[str, str]) -> Any:
        token = query.get("token", "")
        with self.lock:
            self.inflight[token] += 1
            if self.inflight[token] > 1:
                self.overlaps += 1
        started = time.monotonic()
        time.sleep(0.05)  # widen the window in which a second poller would overlap
        try:
            return self._real(state, query)
        finally:
            with self.lock:
                self.inflight[token] -= 1
                self.spans[token].append((started, time.monotonic()))

    def polls_per_flow(self) -> list[int]:
        with self.lock:
            return [len(spans) for spans in self.spans.values()]

    def gaps(self) -> list[float]:
        out: list[float] = []
        for spans in self.spans.values():
            starts = sorted(s for s, _ in spans)
            out += [b - a for a, b in itertools.pairwise(starts)]
        return out

    def too_close(self, min_gap: float) -> int:
        """Polls of one flow that started less than `min_gap` after the previous one (two pollers at once)."""
        count = 0
        for spans in self.spans.values():
            starts = sorted(s for s, _ in spans)
            count += sum(1 for a, b in itertools.pairwise(starts) if b - a < min_gap)
        return count


def _spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args], env=env, stdout=subprocess.PIPE, stderr=log.open("w"), text=True
    )


def _stop(procs: list[subprocess.Popen[str]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def poll_log(monkeypatch: pytest.MonkeyPatch) -> PollLog:
    log = PollLog()
    monkeypatch.setattr(sim_auth, "device_token", log)
    return log


def test_two_web_two_workers_on_postgres(
    postgres_url: str,
    make_settings: Callable[..., Settings],
    key: str,
    tmp_path: Path,
    poll_log: PollLog,
    record: Callable[..., None],
) -> None:
    record(
        "scale.many_processes",
        "scale",
        f"2 web + 2 worker processes on one PostgreSQL; {COMMANDS} concurrent commands, {LOGINS} logins, "
        f"{ACCOUNTS} due digests",
        "subprocesses `qwen-bot serve --no-worker` x2, `qwen-bot worker` x2",
        "every command answered with figures (or, while the same user's last one is in flight in any "
        "process, told so, in the ack or replacing its Working…); every login confirmed once",
        "none needed",
        "0 errors, 0 doubly polled flows, 0 duplicate digests",
    )
    upgrade(postgres_url)
    now = datetime.now(UTC)  # every process on the system clock (QWEN_BOT_NOW clocks start apart)
    sim = start_simulator(device_interval=DEVICE_INTERVAL)
    slack = FakeSlack.start(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN)
    settings = make_settings(
        database_url=postgres_url,
        api_endpoint=sim.url,
        auth_endpoint=sim.url,
        model_map_url=sim.url + "/cdn/model-mapping",
        endpoints_configured=True,
        slack_bot_token=Secret(BOT_TOKEN),
        slack_signing_secret=Secret(SIGNING_SECRET),
        slack_api_url=slack.api_url,
    )
    services = build_services(settings, clock=SystemClock())
    env = bot_process_env(
        sim_url=sim.url,
        slack_api_url=slack.api_url,
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        data_dir=str(tmp_path / "data"),
        DATABASE_URL=postgres_url,
        QWEN_BOT_ENCRYPTION_KEYS=key,
    )
    procs: list[subprocess.Popen[str]] = []
    try:
        team = slack.ws.team_id
        linked = [f"UL{i:03d}" for i in range(LINKED)]
        logins = [f"UN{i:03d}" for i in range(LOGINS)]
        for uid in linked + logins:
            slack.add_user(uid, uid.lower())
        for uid in linked:
            creds = DeviceCredentials(sim.issue_token(), now + timedelta(days=1), QwenUser(uid, None, None))
            services.credentials.put(Owner(team, uid), creds)
        slot = now - timedelta(minutes=5)
        due = Schedule("weekly", slot.weekday(), clock_time(slot.hour, slot.minute), "UTC")
        for i in range(ACCOUNTS):
            creds = DeviceCredentials(
                sim.issue_token(), now + timedelta(days=30), QwenUser(f"a{i}", None, None)
            )
            services.credentials.put(Owner.team_account(team, f"acct{i}"), creds)
        webs = [
            _spawn(
                ["serve", "--no-worker", "--host", "127.0.0.1", "--port", "0"], env, tmp_path / f"web{i}.log"
            )
            for i in range(2)
        ]
        procs += webs
        urls = []
        for web in webs:
            assert web.stdout is not None
            line = web.stdout.readline()
            assert line.startswith("LISTENING "), line
            urls.append(f"http://127.0.0.1:{int(line.split()[1])}/slack/events")
        procs += [_spawn(["worker", "--idle", "0.2"], env, tmp_path / f"worker{i}.log") for i in range(2)]
        subs = static_team(services).subscriptions
        for i in range(ACCOUNTS):
            subs.add(
                team_id=team,
                channel_id=GENERAL,
                account=f"acct{i}",
                schedule=due,
                created_by="U_ADMIN",
                now=now - timedelta(days=10),
            )

        http = httpx.Client(timeout=10)

        def slash(i: int, user: str, text: str) -> tuple[int, float, bool]:
            form, _ = slack.sender.payloads.slash(user, GENERAL, text, "/qwen")
            body = urlencode(form)
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SIGNING_SECRET, body)}
            started = time.monotonic()
            reply = http.post(urls[i % 2], content=body, headers=headers)
            return reply.status_code, time.monotonic() - started, STILL_WORKING in reply.text

        with ThreadPoolExecutor(max_workers=50) as pool:
            jobs = [pool.submit(slash, i, linked[i % LINKED], "usage last-month") for i in range(COMMANDS)]
            jobs += [pool.submit(slash, i, uid, "login") for i, uid in enumerate(logins)]
            acks = [j.result() for j in jobs]
        assert all(status == 200 for status, _, _ in acks), [a for a in acks if a[0] != 200][:5]
        assert max(elapsed for _, elapsed, _ in acks) < 3.0
        # one answer in flight per user across both web processes (answer_slot): 20 users, 200 asks at once
        expected = COMMANDS - sum(1 for _, _, busy in acks[:COMMANDS] if busy)
        assert expected >= LINKED

        def answers() -> list[Any]:
            return [c for c in slack.calls("response_url") if "*Analysis*" in repr(c.params)]

        def refused_later() -> int:  # "Working…" acks whose user was being answered by the other process
            return sum(1 for c in slack.calls("response_url") if STILL_WORKING in repr(c.params))

        eventually(lambda: len(answers()) + refused_later() >= expected, timeout=120)
        eventually(lambda: sum(1 for _ in sim.state.codes) >= LOGINS)
        eventually(lambda: len(poll_log.spans) >= LOGINS)  # every flow polled once...
        eventually(lambda: min(poll_log.polls_per_flow()) >= 3)  # ...and a few more rounds before approval
        sim.approve()
        eventually(lambda: all(services.credentials.get(Owner(team, u)) for u in logins), timeout=90)
        eventually(lambda: len(slack.messages(GENERAL)) >= ACCOUNTS, timeout=90)
        quiet_period(2.0)  # more worker passes: nothing may be posted or announced twice

        calls = slack.calls("response_url")
        texts = [repr(c.params) for c in calls]
        assert not [t for t in texts if "went wrong" in t or "couldn't" in t], "error answers"
        assert len(answers()) + refused_later() == expected and len(answers()) >= LINKED
        done = defaultdict(int)
        for c in calls:
            if "Logged in to QwenCloud" in repr(c.params):
                done[c.params.get("token")] += 1
        dms = sum(1 for u in logins for m in slack.dms(u) if "Logged in to QwenCloud" in m.text)
        assert sum(done.values()) + dms == LOGINS and all(n == 1 for n in done.values())
        assert len(poll_log.spans) >= LOGINS  # every flow polled; most several times (pending, then complete)
        assert sum(len(s) for s in poll_log.spans.values()) >= LOGINS * 2
        assert poll_log.overlaps == 0, "a device flow was polled by two workers at once"
        assert poll_log.too_close(DEVICE_INTERVAL * 0.9) == 0, sorted(poll_log.gaps())[:10]
        digests = [m for m in slack.messages(GENERAL) if "Weekly QwenCloud spend" in m.text]
        per_account = defaultdict(int)
        for m in digests:
            for i in range(ACCOUNTS):
                if f"· acct{i}" in m.text:
                    per_account[i] += 1
        assert len(digests) == ACCOUNTS and sorted(per_account.values()) == [1] * ACCOUNTS
        for log in tmp_path.glob("*.log"):
            assert "Traceback" not in log.read_text(), log.name
    finally:
        _stop(procs)
        services.close()
        slack.stop()
        sim.stop()
