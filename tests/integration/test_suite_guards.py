"""The suite's own guards, tried on a small synthetic suite run by a child pytest with this conftest:
a browser test stuck inside Playwright fails alone and the run goes on to its summary; a test that leaves a
thread, a child process or a listening socket behind fails the run, naming the test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.waits import WAIT_S

ROOT = Path(__file__).resolve().parents[2]

# The real hooks and fixtures, by name (a star import would skip the underscored fixtures).
CONFTEST = """from tests.conftest import (  # noqa: F401
    _browser_deadline, _no_os_keyring, _playwright, browser, pytest_collection_modifyitems, pytest_configure,
)
"""
INI = """[pytest]
markers =
    browser: drives headless Chromium
"""

STUCK = '''
import pytest

pytestmark = pytest.mark.browser


def test_stuck_in_playwright(browser):
    page = browser.new_page()
    page.evaluate("() => new Promise(() => {})")  # never settles; evaluate has no timeout of its own


def test_after_the_stuck_one(browser):
    page = browser.new_page()
    assert page.evaluate("() => 6 * 7") == 42
'''

LEAKY = '''
import socket
import subprocess
import sys
import threading

held = []


def test_leaves_a_thread():
    threading.Thread(target=threading.Event().wait, args=(10,), name="leaked-by-test", daemon=False).start()


def test_leaves_a_process_and_a_socket():
    held.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(10)"]))
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held.append(server)


def test_clean():
    pass

'''


def _run(
    tmp_path: Path, body: str, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "pytest.ini").write_text(INI)
    (suite / "conftest.py").write_text(CONFTEST)
    (suite / "test_synthetic.py").write_text(body)
    # A fresh parent run: none of pytest-isolated's child variables (this test may itself run in a child).
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    environ = {**inherited, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args, str(suite)],
        cwd=suite, env=environ, capture_output=True, text=True, timeout=WAIT_S * 10,
    )


@pytest.mark.slow
def test_a_stuck_browser_test_fails_alone_and_the_run_reaches_its_summary(tmp_path: Path) -> None:
    done = _run(tmp_path, STUCK, QWEN_BOT_BROWSER_TIMEOUT="10")
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "1 failed, 1 passed" in out, out
    assert "test_stuck_in_playwright" in out
    assert "Subprocess stderr:\nTimeout (0:00:10)!" in out  # every thread's stack follows


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one-process", "two-xdist-workers"])
def test_leaks_fail_the_run_and_name_the_test(tmp_path: Path, workers: tuple[str, ...]) -> None:
    """With xdist (how scripts/test runs) each worker's leaks must reach the controller's summary."""
    done = _run(tmp_path, LEAKY, *workers, QWEN_BOT_LEAK_GRACE="1")
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "3 passed" in out and "1 failed" in out, out
    report = out[out.index("left running at the end of the session"):]
    thread = "non-daemon thread 'leaked-by-test'\n    started by test_synthetic.py::test_leaves_a_thread"
    assert thread in report
    assert "started by test_synthetic.py::test_leaves_a_process_and_a_socket" in report
    assert "child process" in report and "listening socket on port" in report
    assert "test_clean" not in report
