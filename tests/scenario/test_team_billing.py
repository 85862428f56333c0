"""The billing-fed team features through the running app (signed HTTP, the app's own worker): the digest
preview shows the top API keys and the limit line; admins add, list and remove error-rate and spend-limit
alerts with `/qwen alert`, the worker posts the error-rate alert once; the App Home shows the viewer's
spend-limit gauge and last-24-hour error rate, and an "unavailable" line (not a broken tab) when the limit
call fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from bot.devtools.localslack import ADMIN, GENERAL, MEMBER, Message
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.render.usage import pct
from bot.storage.owner import Owner
from tests.scenario.conftest import NOW, Stack, module_settings, running_stack
from tests.scenario.test_team import link_prod

LOGS = "zeldaEasy.bailian-telemetry.platform-model.listModelLogs"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One running app for the module (each test leaves its alerts removed and the knobs reset)."""
    with running_stack(module_settings(tmp_path_factory, "team-billing")) as running:
        yield running


@pytest.fixture(autouse=True)
def _reset(stack: Stack) -> Iterator[None]:
    yield
    stack.sim.control(action="reset_faults")


def shown(message: Message) -> str:
    return message.text + json.dumps(message.blocks, ensure_ascii=False)


def alert_posts(stack: Stack, rule_id: int) -> list[Message]:
    return [m for m in stack.slack.messages(GENERAL) if f"Alert #{rule_id} · prod" in m.text]


def test_admins_manage_the_new_alerts_and_the_worker_posts_once(stack: Stack) -> None:
    link_prod(stack)
    stack.slack.slash(ADMIN, GENERAL, "digest preview prod")  # the digest through the Bolt path, privately
    preview = stack.wait_ephemeral(ADMIN, lambda m: "Weekly QwenCloud spend · prod" in m.text)
    assert "*Top API keys* · $" in shown(preview) and "Spend limit: " in shown(preview)
    stack.slack.slash(ADMIN, GENERAL, "alert add error-rate above 100% prod")
    bounds = "'100%' must be a percentage from 0 up to (not including) 100"
    stack.wait_ephemeral(ADMIN, lambda m: bounds in shown(m))
    stack.slack.slash(MEMBER, GENERAL, "alert add spend-limit within 10% prod")
    stack.wait_ephemeral(MEMBER, lambda m: "Only workspace admins" in m.text)
    assert stack.team.alert_rules.active() == []
    stack.slack.slash(ADMIN, GENERAL, "alert add spend-limit within 10% prod")
    stack.wait_ephemeral(ADMIN, lambda m: "spend within 10% of the spend limit (at 90% used)" in m.text)
    stack.sim.control(logs_burst={"calls": 30, "failed_pct": 50})
    stack.slack.slash(ADMIN, GENERAL, "alert add error-rate above 20% prod")
    added = stack.wait_ephemeral(ADMIN, lambda m: "error rate over the last hour above 20%" in m.text)
    rule_id = int(added.text.split("Alert #")[1].split(" ")[0])
    stack.slack.wait_for(lambda: alert_posts(stack, rule_id))  # the app's worker checks new rules at once
    for minutes in (6, 12):
        stack.bot.bot.worker(worker_id="w2").run_once(NOW + timedelta(minutes=minutes))
    assert len(alert_posts(stack, rule_id)) == 1
    assert "of calls failed" in alert_posts(stack, rule_id)[0].text
    stack.slack.slash(ADMIN, GENERAL, "alert list")
    listed = stack.wait_ephemeral(ADMIN, lambda m: "spend within 10%" in shown(m) and "rate" in shown(m))
    assert f"#{rule_id}" in shown(listed) and "firing" in shown(listed)
    for rule in stack.team.alert_rules.active():
        stack.slack.slash(ADMIN, GENERAL, f"alert remove {rule.id}")
        stack.wait_ephemeral(ADMIN, lambda m, r=rule.id: f"Alert #{r} removed." in m.text)
    assert stack.team.alert_rules.active() == []


def log_counts(stack: Stack, hours: int) -> tuple[int, int]:
    """All calls and failed ones in the hours before the simulator's now, from its own logs."""
    def count(types: list[str] | None) -> int:
        req: dict[str, Any] = {"startTime": int((NOW - timedelta(hours=hours)).timestamp() * 1000),
                               "endTime": int(NOW.timestamp() * 1000), "maxResults": 1, "skip": 0}
        if types:
            req["statusCodeTypes"] = types
        body = {"product": "sfm_bailian", "action": "IntlBroadScopeAspnGateway", "region": "ap-southeast-1",
                "params": {"Api": LOGS, "Data": json.dumps({"reqDTO": req}), "V": "1.0"}}
        answer = httpx.post(f"{stack.sim.url}/data/v2/api.json", json=body, timeout=10,
                            headers={"Authorization": f"Bearer {stack.sim.issue_token()}"}).json()
        return int(answer["data"]["DataV2"]["data"]["data"]["totalCount"])

    return count(None), count(["CLIENT_ERROR", "SERVER_ERROR"])


def home_fields(stack: Stack, user: str, needle: str) -> list[str]:
    def found() -> list[str] | None:
        view = stack.slack.home(user)
        if view is None or needle not in json.dumps(view.payload, ensure_ascii=False):
            return None
        return [f["text"] for b in view.payload["blocks"] for f in b.get("fields", [])]

    return stack.slack.wait_for(found)


def test_app_home_shows_the_limit_gauge_and_the_error_rate_of_the_viewers_login(stack: Stack) -> None:
    owner = Owner(stack.slack.ws.team_id, MEMBER)
    token = stack.sim.issue_token(ttl=86400)
    login = DeviceCredentials(token, NOW + timedelta(days=1), QwenUser("u", None, None))
    stack.services.credentials.put(owner, login)
    burst = {"calls": 90, "failed_pct": 10, "minutes": 600}
    stack.sim.control(usage_limit={"LimitAmount": "40.00"}, logs_burst=burst)
    stack.slack.open_home(MEMBER)
    gauge, errors = home_fields(stack, MEMBER, "Spend limit")
    assert gauge.startswith("*Spend limit*\n`") and "▓" in gauge and "% used" in gauge
    spent = Decimal(gauge.split("\n")[2].split(" of $40")[0].lstrip("$"))
    assert f"` {pct(float(spent / 40 * 100))} used" in gauge  # the gauge agrees with its own figures
    calls, failed = log_counts(stack, 24)
    rate = pct(float(Decimal(failed) / calls * 100))
    assert errors == f"*Last 24 h*\n{calls:,} calls · {failed:,} failed · error rate {rate}"
    stack.sim.control(gateway_error_actions={"DescribeUsageLimit": "Throttling.User"})
    stack.slack.click_home(MEMBER, "qwen_home_refresh")
    gauge, errors = home_fields(stack, MEMBER, "Unavailable right now")
    assert gauge == "*Spend limit*\nUnavailable right now (Throttling.User)."
    assert errors.startswith("*Last 24 h*\n") and "error rate" in errors
    view = stack.slack.home(MEMBER)
    assert view is not None and "Linked as" in json.dumps(view.payload)  # the rest of the tab is intact
    stack.services.credentials.delete(owner)
