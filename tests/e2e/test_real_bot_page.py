"""The real bot (`qwen-bot serve`'s start()) behind the local workspace page, driven in headless
Chromium: a member logs in by approving on the simulator's page, asks for usage, picks a model for a breakdown
and shares a result; an admin links a team account by DM and previews a digest. Screenshots of each step go to
test-artifacts/e2e/real-*.png. Selectors are data-testid / data-action-id only; texts checked are few."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from bot.base.config import Secret, Settings
from bot.devtools.localslack import FakeSlack
from tests.e2e.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
NOW = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
SECRET, TOKEN = "e2e-signing-secret", "xoxb-e2e-bot-token"


@pytest.fixture
def real(make_settings: Callable[..., Settings]) -> Iterator[tuple[FakeSlack, Any]]:
    from bot.base.clock import FixedClock
    from bot.bootstrap import build_bot, build_services
    from bot.cli.serve import start
    from bot.devtools.simulator.server import start_simulator

    sim = start_simulator(now=NOW, device_interval=1)
    slack = FakeSlack.start(signing_secret=SECRET, bot_token=TOKEN, serve_page=True)
    settings = make_settings(
        api_endpoint=sim.url, auth_endpoint=sim.url, model_map_url=sim.url + "/cdn/model-mapping",
        endpoints_configured=True, slack_bot_token=Secret(TOKEN), slack_signing_secret=Secret(SECRET),
        slack_api_url=slack.api_url)
    services = build_services(settings, clock=FixedClock(NOW, running=True))
    bot = start(build_bot(services), host="127.0.0.1", port=0, worker=True, worker_idle_seconds=0.1)
    slack.bot_url = bot.url + "/slack/events"
    try:
        yield slack, sim
    finally:
        bot.stop()
        services.close()
        slack.stop()
        sim.stop()


def run(page: Any, text: str) -> None:
    page.get_by_test_id("composer").fill(text)
    page.get_by_test_id("send").click()


def action(page: Any, action_id: str) -> Any:
    return page.locator(f'[data-testid=message] [data-action-id="{action_id}"]').last


def login(page: Any, name: str) -> None:
    run(page, "/qwen login")
    link = action(page, "qwen_open_verification")
    expect(link).to_be_visible()
    button = page.locator('[data-action-id="qwen_open_verification"]')
    holder = page.get_by_test_id("message").filter(has=button)
    expect(holder.last).to_have_attribute("data-ephemeral", "true")
    shot(page, f"real-{name}-login-link")
    with page.context.expect_page() as popup:
        link.click()
    approval = popup.value
    approval.wait_for_load_state()
    shot(approval, f"real-{name}-simulator-approval")
    approval.get_by_role("button", name="Approve").click()
    approval.close()
    done = page.locator("[data-testid=message][data-ephemeral=true]").filter(has_text="Logged in")
    expect(done).to_have_count(1)
    shot(page, f"real-{name}-logged-in")


def test_member_logs_in_asks_breaks_down_and_shares(real: tuple[FakeSlack, Any], page: Any) -> None:
    slack, _ = real
    page.goto(slack.url + "?user=U_MEMBER&view=C_GENERAL")
    login(page, "member")
    run(page, "/qwen usage last-month")
    result = page.get_by_test_id("message").filter(has=page.get_by_test_id("block-divider")).last
    expect(result).to_contain_text("Analysis")
    expect(result).to_have_attribute("data-ephemeral", "true")
    expect(result.get_by_test_id("block-context")).to_be_visible()
    shot(page, "real-usage-last-month")
    run(page, "/qwen usage breakdown")
    picker = action(page, "qwen_pick_model")
    expect(picker).to_be_visible()
    model = picker.locator("option:not([disabled])").first.get_attribute("value")
    picker.select_option(model)
    expect(page.get_by_test_id("message").filter(has_text=model).last).to_be_visible()
    shot(page, "real-breakdown")
    action(page, "qwen_share").click()
    shared = page.locator("[data-testid=message][data-ephemeral=false]")
    expect(shared.first).to_be_visible()
    shot(page, "real-shared")
    page.get_by_test_id("user-picker").select_option("U_ADMIN")  # someone else sees the shared copy
    expect(page.locator("[data-testid=message][data-ephemeral=false]").first).to_be_visible()


def test_admin_links_a_team_account_and_previews_a_digest(real: tuple[FakeSlack, Any], page: Any) -> None:
    slack, sim = real
    page.goto(slack.url + "?user=U_ADMIN&view=dm")
    run(page, "link prod")
    linking = page.get_by_test_id("message").filter(has_text="Linking team account")
    expect(linking).to_be_visible()
    sim.approve()
    expect(page.get_by_test_id("message").filter(has_text="is linked")).to_be_visible()
    page.get_by_test_id("channel-general").click()
    run(page, "/qwen digest preview weekly prod")
    preview = page.locator("[data-testid=message][data-ephemeral=true]").filter(
        has=page.get_by_test_id("block-header")).last
    expect(preview).to_be_visible()
    shot(page, "real-digest-preview")
