"""Fixtures for the page tests: the local workspace page + a canned Bolt app + headless Chromium.

Waits: every Playwright action and `expect` waits up to WAIT_MS (a loaded 2-core machine is slow, never
wrong). Screenshots: a failed test leaves one of the viewport in test-artifacts/e2e/ (never full-page:
Chromium's full-page capture can hang past its timeout); QWEN_BOT_SCREENSHOTS=1 also keeps the named steps.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from bot.devtools.localslack import FakeSlack
from tests.e2e.canned_bot import build_canned_app, slow_on_demand
from tests.fakes.slack import BOT_TOKEN, SIGNING_SECRET, bolt_wsgi, serve_wsgi
from tests.fakes.waits import WAIT_MS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
SHOT_TIMEOUT_MS = 15_000
expect.set_options(timeout=WAIT_MS)


@pytest.fixture
def workspace() -> Iterator[FakeSlack]:
    """The page + fake Web API, with the canned bot behind it."""
    slack = FakeSlack.start(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN, serve_page=True)
    app = build_canned_app(api_url=slack.api_url, bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET,
                           public_url=slack.url)
    try:
        with serve_wsgi(slow_on_demand(bolt_wsgi(app))) as base:
            slack.bot_url = base + "/slack/events"
            yield slack
    finally:
        slack.stop()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    yield page
    call = getattr(request.node, "report_call", None)
    if call is not None and call.failed:
        _save(page, request.node.name + "-failed")
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Iterator[None]:
    """Keep the call report on the item, so the page fixture knows at teardown whether the test failed."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.report_call = report  # type: ignore[attr-defined]


def shot(page: Any, name: str) -> Path | None:
    """A named step's screenshot, kept only with QWEN_BOT_SCREENSHOTS=1 (for a person to look at)."""
    if os.environ.get("QWEN_BOT_SCREENSHOTS") != "1":
        return None
    return _save(page, name)


def _save(page: Any, name: str) -> Path | None:
    """The viewport as a PNG under test-artifacts/e2e/ (a directory git ignores); never fails the test."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ignore = ARTIFACTS.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    path = ARTIFACTS / f"{name}.png"
    try:
        page.screenshot(path=str(path), full_page=False, timeout=SHOT_TIMEOUT_MS, animations="disabled")
    except Exception as exc:  # a screenshot is evidence, not a verdict
        print(f"screenshot {name} not taken: {exc}")
        return None
    return path
