"""The local workspace page in headless Chromium, against a canned Bolt app: Block Kit rendering, slash
commands, ephemeral replies replaced through response_url, buttons, selects, url buttons, files, DMs,
App Home, modals, user switching. Screenshots go to test-artifacts/e2e/."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from bot.devtools.localslack import FakeSlack
from tests.e2e.conftest import shot

pytestmark = pytest.mark.browser


def run(page: Any, text: str) -> None:
    page.get_by_test_id("composer").fill(text)
    page.get_by_test_id("send").click()


def bot_message(page: Any) -> Any:
    return page.get_by_test_id("message").filter(has=page.get_by_test_id("block-header")).last


def test_usage_result_renders_every_block_kind(page: Any, workspace: FakeSlack) -> None:
    page.goto(workspace.url)
    expect(page.get_by_test_id("user-tz")).to_contain_text("Asia/Tokyo")
    run(page, "/qwen usage last-month")
    msg = bot_message(page)
    expect(msg.get_by_test_id("block-header")).to_have_text("Usage · March 2026")
    expect(msg).to_have_attribute("data-ephemeral", "true")
    expect(msg.get_by_test_id("ephemeral-label")).to_have_text("Only visible to you")
    expect(msg.get_by_test_id("section-field")).to_have_count(4)
    expect(msg.get_by_test_id("section-field").first).to_contain_text("Total cost")
    expect(msg.locator("b", has_text="Total cost")).to_have_count(1)  # *bold*
    expect(msg.locator("i", has_text="up 12%")).to_have_count(1)  # _italic_
    expect(msg.locator("s", has_text="Old plan")).to_have_count(1)  # ~strike~
    expect(msg.locator("code", has_text="qwen-max")).to_have_count(1)  # `code`
    expect(msg.locator("pre")).to_contain_text("qwen-max   10.00")  # ```block```
    expect(msg.locator("a", has_text="console")).to_have_attribute("target", "_blank")  # <url|label>
    expect(msg.get_by_test_id("block-divider")).to_have_count(1)
    expect(msg.get_by_test_id("block-context")).to_contain_text("Asia/Tokyo · USD")
    image = msg.get_by_test_id("block-image").locator("img")
    expect(image).to_have_attribute("alt", "usage chart")
    assert page.evaluate("(img) => img.naturalWidth", image.element_handle()) == 120  # served by the fake
    expect(msg.get_by_test_id("button")).to_have_count(2)
    expect(msg.get_by_test_id("select")).to_have_count(1)
    # "Working…" from the ack was replaced in place, not added to
    expect(page.get_by_test_id("message").filter(has_text="Working…")).to_have_count(0)
    shot(page, "usage-result")


def test_share_button_posts_to_the_channel_for_everyone(page: Any, workspace: FakeSlack) -> None:
    page.goto(workspace.url + "?user=U_MEMBER&view=C_GENERAL")
    run(page, "/qwen usage")
    bot_message(page).get_by_test_id("button").filter(has_text="Share in channel").click()
    shared = page.locator('[data-testid=message][data-ephemeral=false]').filter(has_text="shared: usage")
    expect(shared).to_contain_text("@Mina Sato shared")
    shot(page, "shared")
    page.get_by_test_id("user-picker").select_option("U_ADMIN")  # the admin sees the shared copy only
    expect(page.get_by_test_id("user-tz")).to_contain_text("America/New_York")
    expect(page.get_by_test_id("message").filter(has_text="shared: usage")).to_have_count(1)
    expect(page.get_by_test_id("block-header")).to_have_count(0)
    shot(page, "shared-seen-by-admin")


def test_model_picker_replaces_the_message(page: Any, workspace: FakeSlack) -> None:
    page.goto(workspace.url)
    run(page, "/qwen usage")
    bot_message(page).get_by_test_id("select").select_option("qwen-plus")
    expect(page.get_by_test_id("block-header").last).to_have_text("Breakdown · qwen-plus")
    expect(page.get_by_test_id("block-header")).to_have_count(1)  # replaced, not appended
    [action] = [c for c in workspace.calls("response_url") if "Breakdown" in str(c.params.get("text"))]
    assert action.params["replace_original"] is True
    shot(page, "breakdown")


def test_url_button_opens_a_new_tab_and_still_tells_the_app(page: Any, workspace: FakeSlack) -> None:
    page.goto(workspace.url)
    run(page, "/qwen usage")
    link = bot_message(page).get_by_test_id("button").filter(has_text="Open verification page")
    expect(link).to_have_attribute("target", "_blank")
    with page.context.expect_page() as popup:
        link.click()
    assert "verify=1" in popup.value.url
    sent = workspace.wait_for(lambda: [s for s in workspace.sent("block_actions")
                                       if s.body["actions"][0]["action_id"] == "open_console"])
    assert sent[0].reply.status == 200


def test_uploaded_file_is_shown(page: Any, workspace: FakeSlack) -> None:
    page.goto(workspace.url)
    run(page, "/qwen chart")
    file = page.get_by_test_id("file")
    expect(file).to_contain_text("Usage chart")
    expect(page.get_by_test_id("message").filter(has=file)).to_contain_text("Here is the chart")
    assert page.evaluate("(img) => img.naturalHeight", file.locator("img").element_handle()) == 48
    shot(page, "file")


def test_dm_with_the_bot(page: Any, workspace: FakeSlack) -> None:
    page.goto(workspace.url)
    page.get_by_test_id("nav-dm").click()
    run(page, "hello there")
    reply = page.get_by_test_id("message").filter(has_text="You said")
    expect(reply.locator("i")).to_have_text("hello there")
    expect(page.get_by_test_id("message").first).to_have_attribute("data-author", "U_MEMBER")
    shot(page, "dm")


def test_app_home_renders_and_its_buttons_work(page: Any, workspace: FakeSlack) -> None:
    page.goto(workspace.url)
    page.get_by_test_id("nav-home").click()
    home = page.get_by_test_id("app-home")
    expect(home.get_by_test_id("block-header")).to_have_text("QwenCloud usage")
    expect(home).to_contain_text("Hello @Mina Sato")
    logo = home.locator("img[alt=logo]")
    expect(logo).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth", logo.element_handle()) == 120
    shot(page, "home")
    home.get_by_test_id("button").filter(has_text="Log in").click()
    expect(home).to_contain_text("Login started")


def test_modal_errors_then_submission(page: Any, workspace: FakeSlack) -> None:
    page.goto(workspace.url + "?user=U_ADMIN&view=C_GENERAL")
    run(page, "/qwen digest")
    modal = page.get_by_test_id("modal")
    expect(page.get_by_test_id("modal-title")).to_have_text("Digest preview")
    modal.get_by_test_id("select").select_option("C_GENERAL")
    page.get_by_test_id("modal-submit").click()
    expect(page.get_by_test_id("modal-error")).to_have_text("Write a note")
    modal.get_by_test_id("input").fill("weekly")
    page.get_by_test_id("modal-submit").click()
    expect(modal).to_be_hidden()
    expect(page.get_by_test_id("message").filter(has_text="Digest preview: weekly")).to_have_count(1)
    shot(page, "digest-preview")


def test_a_slow_app_shows_slacks_timeout_notice(page: Any, workspace: FakeSlack) -> None:
    page.goto(workspace.url)
    run(page, "/qwen slow")
    notice = page.locator("[data-testid=message][data-kind=error]")
    expect(notice).to_contain_text('/qwen failed with the error "operation_timeout"')
    expect(notice.get_by_test_id("message-author")).to_have_text("Slackbot")


def test_unread_mark_and_messages_tab_event(page: Any, workspace: FakeSlack) -> None:
    from slack_sdk import WebClient

    page.goto(workspace.url + "?user=U_MEMBER&view=C_GENERAL")
    expect(page.get_by_test_id("nav-dm")).to_have_attribute("data-unread", "false")
    client = WebClient(token=workspace.bot_token, base_url=workspace.api_url)
    client.chat_postMessage(channel="U_MEMBER", text="Your login finished")
    expect(page.get_by_test_id("nav-dm")).to_have_attribute("data-unread", "true")
    shot(page, "unread-dm")
    page.get_by_test_id("nav-dm").click()
    expect(page.get_by_test_id("message").filter(has_text="Your login finished")).to_have_count(1)
    expect(page.get_by_test_id("nav-dm")).to_have_attribute("data-unread", "false")
    tabs = workspace.wait_for(lambda: [s.body["event"].get("tab") for s in workspace.sent("event_callback")])
    assert tabs == ["messages"]
