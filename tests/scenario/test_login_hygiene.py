"""Issue 11 item 9: once a login ends, its link and response_url are gone from the database; ended flows
are purged after a week; the link message says to approve only your own; the confirmation names the account.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from bot.devtools.localslack import GENERAL, MEMBER
from bot.render import messages as render
from bot.storage.db import pending_login
from bot.storage.owner import Owner
from tests.scenario.conftest import Stack, has_text
from tests.scenario.test_slack_app import _button


def _rows(stack: Stack) -> list[dict[str, object]]:
    with stack.services.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(pending_login)).mappings()]


def test_no_login_link_or_response_url_stays_after_a_login(stack: Stack) -> None:
    stack.slack.slash(MEMBER, GENERAL, "login")
    link = stack.wait_ephemeral(MEMBER, has_text("Open QwenCloud to approve"))
    assert render.ONLY_YOUR_OWN in json.dumps(link.blocks)
    url = str(_button(link, render.OPEN_LINK_ACTION)["url"])
    [pending] = _rows(stack)
    assert pending["verification_url"] == url and pending["notify"]["response_url"]  # type: ignore[index]
    stack.sim.approve()
    done = stack.wait_ephemeral(MEMBER, has_text("Logged in to QwenCloud as"))
    cred = stack.services.credentials.get(Owner(stack.slack.ws.team_id, MEMBER))
    assert cred is not None and render.who(cred.user) in done.text  # which QwenCloud account was linked
    [ended] = _rows(stack)
    assert ended["status"] == "complete"
    assert url not in json.dumps(ended, default=str)
    assert ended["verification_url"] == "" and ended["notify"]["response_url"] is None  # type: ignore[index]


def test_ended_flows_are_purged_after_a_week(stack: Stack) -> None:
    stack.slack.slash(MEMBER, GENERAL, "login")
    stack.wait_ephemeral(MEMBER, has_text("Open QwenCloud to approve"))
    stack.sim.deny()
    stack.wait_ephemeral(MEMBER, has_text("denied"))
    [ended] = _rows(stack)
    finished = ended["finished_at"]
    assert isinstance(finished, type(stack.clock.now()))
    pending = stack.services.pending_logins
    assert pending.purge_finished(now=finished + timedelta(days=6)) == 0
    assert len(_rows(stack)) == 1
    assert pending.purge_finished(now=finished + timedelta(days=7, seconds=1)) == 1
    assert _rows(stack) == []
