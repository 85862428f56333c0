"""Issue 11 item 8: alert amounts and percentages are bounded when added, and a bad rule already stored
cannot break the views that list it (alert list, App Home) nor the alert job."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from bot.devtools.localslack import ADMIN, GENERAL
from bot.storage.team import alert_rule
from tests.scenario.conftest import NOW, Stack
from tests.scenario.test_team import link_prod


@pytest.mark.parametrize(
    "text",
    [
        "alert add payg daily above 1e30 prod",
        "alert add payg monthly above 1000000000.01 prod",
        "alert add payg daily above 0.00001 prod",
        "alert add coding-plan 5h above 80.123456% prod",
    ],
)
def test_out_of_bound_thresholds_are_refused(stack: Stack, text: str) -> None:
    link_prod(stack)
    reply = stack.slack.slash(ADMIN, GENERAL, text)
    assert reply.status == 200
    stack.wait_ephemeral(ADMIN, lambda m: "at most 4 decimals" in m.text + json.dumps(m.blocks))
    assert stack.team.alert_rules.active() == []


def test_a_bad_stored_rule_cannot_break_a_view(stack: Stack) -> None:
    link_prod(stack)
    stack.slack.slash(ADMIN, GENERAL, "alert add payg daily above 1000000000 prod")  # the bound itself
    stack.wait_ephemeral(ADMIN, lambda m: "Alert #1 for *prod*" in m.text)
    stack.slack.slash(ADMIN, GENERAL, "alert add payg monthly above 25 prod")
    stack.wait_ephemeral(ADMIN, lambda m: "Alert #2 for *prod*" in m.text)
    with stack.services.engine.begin() as conn:  # stored before the bounds existed, or edited by hand
        conn.execute(update(alert_rule).where(alert_rule.c.id == 1).values(threshold="1e30"))
        conn.execute(update(alert_rule).where(alert_rule.c.id == 2).values(threshold="not a number"))
    stack.slack.slash(ADMIN, GENERAL, "alert list")
    listing = stack.wait_ephemeral(ADMIN, lambda m: "#1" in m.text and "#2" in m.text)
    assert "unreadable" in listing.text and "alert remove 1" in listing.text
    stack.slack.open_home(ADMIN)
    home = stack.slack.wait_for(lambda: stack.slack.home(ADMIN))
    assert "unreadable" in json.dumps(home.payload)
    done = stack.bot.bot.worker(worker_id="w-bad").run_once(NOW)  # the alert job survives them too
    assert "alerts" in done
    stack.slack.slash(ADMIN, GENERAL, "alert remove 1")
    stack.wait_ephemeral(ADMIN, lambda m: "#1" in m.text and "emove" in m.text)
