"""The device verification page works in a real browser: Approve and Deny buttons, result page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from bot.devtools.simulator import SimulatorHandle, start_simulator
from tests.fakes.waits import WAIT_MS

pytestmark = pytest.mark.browser


@pytest.fixture
def sim() -> Iterator[SimulatorHandle]:
    with start_simulator(auto_approve_after=None) as handle:
        yield handle


def start_flow(sim: SimulatorHandle) -> tuple[str, str]:
    data = httpx.post(f"{sim.url}/cli/device/code", params={"client_id": "browser-test"}).json()["Data"]
    return str(data["Token"]), str(data["VerificationUrl"])


def poll(sim: SimulatorHandle, token: str) -> str:
    resp = httpx.post(f"{sim.url}/cli/device/token", params={"client_id": "browser-test", "token": token})
    return str(resp.json()["Data"]["Status"])


@pytest.mark.parametrize(
    ("button", "status", "words"), [("Approve", "complete", "approved"), ("Deny", "access_denied", "denied")]
)
def test_buttons_decide_the_login(
    browser: Any, sim: SimulatorHandle, button: str, status: str, words: str
) -> None:
    token, url = start_flow(sim)
    page = browser.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(url)
        expect(page).to_have_title("QwenCloud simulator: Authorize QwenCloud CLI", timeout=WAIT_MS)
        page.get_by_role("button", name=button).click()
        expect(page.locator("#result")).to_contain_text(words, timeout=WAIT_MS)
        page.goto(url)  # answered codes cannot be answered again
        expect(page).to_have_title(re.compile("Already answered"), timeout=WAIT_MS)
    finally:
        page.close()
    assert poll(sim, token) == status
