"""The run fails on what tests leave behind: non-daemon threads, child processes, listening sockets.

Each test's before/after difference names the test that started a thing; at session end (every fixture torn
down) whatever is still alive after a grace wait is reported as one failed "leak check" with its starter.
Things a test stops cleanly are forgotten. Under pytest-xdist each worker checks its own tests and hands
what it found to the controller, which reports it. Linux only (/proc); elsewhere only threads are watched.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

# Stopping a server or a pool is asynchronous: wait for it on a loaded machine, then report.
GRACE_S = float(os.environ.get("QWEN_BOT_LEAK_GRACE", "30"))
Key = tuple[str, int]
LEAKS_KEY = "qwen_bot_leaks"


def _threads() -> dict[Key, str]:
    main = threading.main_thread()
    return {
        ("thread", t.ident or 0): f"non-daemon thread {t.name!r}"
        for t in threading.enumerate()
        if t is not main and not t.daemon and t.is_alive()
    }


def _children() -> dict[Key, str]:
    me, found = os.getpid(), {}
    proc = Path("/proc")
    if not proc.is_dir():
        return {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'
        fields = stat[stat.rindex(")") + 2 :].split()
        state, ppid = fields[0], int(fields[1])
        if ppid == me and state != "Z":
            found[("process", int(entry.name))] = f"child process {entry.name}: {cmdline[:160]}"
    return found


def _listening() -> dict[Key, str]:
    fd_dir = Path("/proc/self/fd")
    if not fd_dir.is_dir():
        return {}
    inodes = set()
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if cols[3] == "0A" and int(cols[9]) in inodes:  # 0A = LISTEN
                port = int(cols[1].rsplit(":", 1)[1], 16)
                found[("socket", int(cols[9]))] = f"listening socket on port {port}"
    return found


def snapshot() -> dict[Key, str]:
    return {**_threads(), **_children(), **_listening()}


class LeakCheck:
    def __init__(self) -> None:
        self.started_by: dict[Key, tuple[str, str]] = {}
        self.from_workers: list[str] = []

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, None, None]:
        before = snapshot()
        yield
        for key, what in snapshot().items():
            if key not in before and key not in self.started_by:
                self.started_by[key] = (item.nodeid, what)

    def remaining(self) -> list[tuple[str, str]]:
        deadline = time.monotonic() + GRACE_S
        while True:
            alive = snapshot()
            left = [self.started_by[k] for k in self.started_by if k in alive]
            if not left or time.monotonic() >= deadline:
                return sorted(left)
            time.sleep(0.2)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """pytest-xdist, in the controller: a worker's leaks come back in its `workeroutput`."""
        text = getattr(node, "workeroutput", {}).get(LEAKS_KEY)
        if text:
            self.from_workers.append(text)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        texts = list(self.from_workers)
        if self.started_by:
            left = self.remaining()
            if left:
                texts.append("\n".join(f"{what}\n    started by {nodeid}" for nodeid, what in left))
        if not texts:
            return
        workeroutput = getattr(session.config, "workeroutput", None)
        if workeroutput is not None:  # an xdist worker: a report now would never reach the controller
            workeroutput[LEAKS_KEY] = "\n".join(texts)
            return
        text = "\n".join(texts)
        report = pytest.TestReport(
            nodeid="tests/leaks.py::leak_check", location=("tests/leaks.py", 0, "leak_check"), keywords={},
            outcome="failed", longrepr=f"left running at the end of the session:\n{text}", when="call",
        )
        session.config.hook.pytest_runtest_logreport(report=report)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
