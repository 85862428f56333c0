"""Resident memory (VmRSS) per process after real work (goal: <= 150 MB each).

Processes: `qwen-bot serve --no-worker` (web), `qwen-bot worker`, gunicorn's worker (the Procfile web), and
`qwen-bot serve` (web + worker in one). Each first answers 40 `/qwen usage` commands for 20 users (summary,
payg, breakdown, free tier); the worker then completes logins and posts a digest. RSS read from /proc.
Usage: python bench/bench_memory.py
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_e2e_stack import Stack, machine, stack

from bot.base.schedule import Schedule
from bot.devtools.localslack import GENERAL
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.storage.owner import Owner
from tests.fakes.slack import static_team

TEXTS = ("usage last-month", "payg last 7 days", "free-tier", "usage ytd")


def _work(s: Stack, users: list[str]) -> None:
    tokens = []
    for i in range(40):
        _, token = s.slash(users[i % len(users)], TEXTS[i % len(TEXTS)])
        tokens.append(token)
    for token in tokens:
        s.wait_answer(token, needle="", timeout=120)


def _digest(s: Stack) -> None:
    now = datetime.now(UTC)
    team = s.slack.ws.team_id
    creds = DeviceCredentials(s.sim.issue_token(), now + timedelta(days=30), QwenUser("ops", None, None))
    s.services.credentials.put(Owner.team_account(team, "prod"), creds)
    slot = now - timedelta(minutes=5)
    static_team(s.services).subscriptions.add(
        team_id=team,
        channel_id=GENERAL,
        account="prod",
        schedule=Schedule("weekly", slot.weekday(), clock_time(slot.hour, slot.minute), "UTC"),
        created_by="U_ADMIN",
        now=now - timedelta(days=10),
    )


def _settle(s: Stack, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not s.slack.messages(GENERAL):
        time.sleep(0.2)


def main() -> dict[str, float]:
    users = [f"UM{i:03d}" for i in range(40)]  # one question each per round: one answer in flight per user
    out: dict[str, float] = {}
    with stack(latency_ms=20) as s:
        s.link(users)
        web = s.start_web()
        _work(s, users)
        out["web (qwen-bot serve --no-worker)"] = s.rss_mb(web)
        _digest(s)
        worker = s.spawn("worker", "--idle", "0.2")
        _settle(s, 60)
        time.sleep(1)
        out["worker (qwen-bot worker)"] = s.rss_mb(worker)
    with stack(latency_ms=20) as s:
        s.link(users)
        master = s.start_gunicorn(workers=1)
        _work(s, users)
        import subprocess

        children = subprocess.run(
            ["pgrep", "-P", str(master.pid)], capture_output=True, text=True
        ).stdout.split()
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            out["gunicorn gthread worker (Procfile web)"] = rss / 1024
    with stack(latency_ms=20) as s:
        s.link(users)
        proc = s.spawn("serve", "--host", "127.0.0.1", "--port", "0")
        assert proc.stdout is not None
        s.web_url = f"http://127.0.0.1:{int(proc.stdout.readline().split()[1])}/slack/events"
        _work(s, users)
        _digest(s)
        _settle(s, 60)
        time.sleep(1)
        out["all-in-one (qwen-bot serve)"] = s.rss_mb(proc)
    for name, mb in out.items():
        print(f"{name}: {mb:.0f} MB")
    print(f"machine: {machine()}")
    return out


if __name__ == "__main__":
    main()
