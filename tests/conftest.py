"""Shared fixtures: a frozen clock, database URLs (SQLite always; PostgreSQL when configured), keys.

PostgreSQL: set QWEN_BOT_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/qwen_bot_test; see
.ci/postgres.sh). Each test gets its own schema, dropped afterwards. With CI=true and no URL, the
PostgreSQL-parametrized tests fail instead of skipping.
"""

from __future__ import annotations

import faulthandler
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, create_engine, text

from bot.base.clock import FixedClock
from bot.base.config import Secret, Settings
from bot.storage.crypto import Crypto
from bot.storage.db import make_engine, normalise_url
from bot.storage.migrate import upgrade
from tests.leaks import LeakCheck

POSTGRES_ENV = "QWEN_BOT_TEST_POSTGRES_URL"
T0 = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True, scope="session")
def _no_os_keyring() -> Iterator[None]:
    """Tests never read or write the developer's real keyring."""
    import keyring
    from keyring.backends import null

    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


def postgres_base_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if url:
        return normalise_url(url)
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {POSTGRES_ENV} is not set: the PostgreSQL tests must run in CI")
    pytest.skip(f"{POSTGRES_ENV} not set")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema (dropped after the test)."""
    base = postgres_base_url()
    assert base is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'qwen-bot.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def crypto(key: str) -> Crypto:
    return Crypto([key.encode()])


METRICS_TOKEN = "test-metrics-token"


@pytest.fixture
def make_settings(tmp_path: Path, key: str):  # type: ignore[no-untyped-def]
    """Settings for a test: data dir under tmp_path, a fresh encryption key, overrides as keywords."""

    def build(**overrides: object) -> Settings:
        data_dir = tmp_path / "data"
        values: dict[str, object] = {
            "data_dir": data_dir,
            "database_url": f"sqlite:///{data_dir / 'qwen-bot.db'}",
            "encryption_keys": Secret(key),
            "metrics_token": Secret(METRICS_TOKEN),
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return build


CHROMIUM = os.environ.get("QWEN_BOT_CHROMIUM", "/usr/bin/chromium")
# Playwright adds --headless itself; a second one (as this list once had) is not needed.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="session")
def _playwright() -> Iterator[object]:
    """One Playwright driver for the run: its sync API allows one instance per thread."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):  # CI installs Chromium: its absence there is a failure, not a skip
            pytest.fail(f"no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture
def browser(_playwright: Any) -> Iterator[object]:
    """A fresh headless Chromium per test: a browser shared across modules once stalled a later test (popups
    and windows of earlier tests stay behind); a launch costs about a second."""
    launched = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


# A browser test runs in a child pytest of its own (pytest-isolated): a stuck Playwright call ends that child,
# not the run. Inside the child, faulthandler writes every thread's stack to stderr and exits at the test's
# deadline (Playwright waits in its own event loop, which pytest-timeout's signal cannot interrupt); the
# parent shows that stderr in the failure, and its own deadline is the backstop.
BROWSER_TEST_TIMEOUT_S = int(os.environ.get("QWEN_BOT_BROWSER_TIMEOUT", "240"))
BROWSER_CHILD_DEADLINE_S = BROWSER_TEST_TIMEOUT_S + 90


@pytest.hookimpl(tryfirst=True)  # before pytest-isolated groups the items
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.isolated(timeout=BROWSER_CHILD_DEADLINE_S))


@pytest.fixture(autouse=True)
def _browser_deadline(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("browser") is None:
        yield
        return
    faulthandler.dump_traceback_later(BROWSER_TEST_TIMEOUT_S, exit=True, file=sys.__stderr__)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(LeakCheck(), "leak-check")


def pytest_report_header() -> str:
    """The browser pair in use: Playwright is built for one Chromium revision; we drive Debian's."""
    import json
    from importlib.metadata import version

    import playwright

    browsers = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
    try:
        built_for = next(b["browserVersion"] for b in json.loads(browsers.read_text())["browsers"]
                         if b["name"] == "chromium")
    except (OSError, ValueError, StopIteration):
        built_for = "unknown"
    try:
        out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30).stdout
        driving = " ".join(out.split()[:2]) or CHROMIUM
    except (OSError, subprocess.SubprocessError):
        driving = f"no Chromium at {CHROMIUM}"
    return f"browser pair: playwright {version('playwright')} (for Chromium {built_for}); driving {driving}"
