"""Fixtures for the page tests: the local workspace page + a canned Bolt app + headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.devtools.localslack import FakeSlack
from tests.e2e.canned_bot import build_canned_app
from tests.fakes.slack import BOT_TOKEN, SIGNING_SECRET, bolt_wsgi, serve_wsgi

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"


@pytest.fixture
def workspace() -> Iterator[FakeSlack]:
    """The page + fake Web API, with the canned bot behind it."""
    slack = FakeSlack.start(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN, serve_page=True)
    app = build_canned_app(api_url=slack.api_url, bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET,
                           public_url=slack.url)
    try:
        with serve_wsgi(bolt_wsgi(app)) as base:
            slack.bot_url = base + "/slack/events"
            yield slack
    finally:
        slack.stop()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    shot(page, request.node.name + "-final")
    context.close()


def shot(page: Any, name: str) -> Path:
    """Save a screenshot under test-artifacts/e2e/ (a directory git ignores)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ignore = ARTIFACTS.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
