"""The shared cache seen from Slack: a repeated command is answered from the database, `--refresh` goes to
QwenCloud again, /qwen logout forgets the cached results; /metrics shows the hit ratio."""

from __future__ import annotations

import httpx
import pytest

from bot.devtools.localslack import MEMBER
from bot.storage.owner import Owner
from tests.conftest import METRICS_TOKEN
from tests.reliability.conftest import Stack
from tests.reliability.conftest import stack as stack
from tests.reliability.test_fault_matrix import ANSWER, ask, link


def upstream(s: Stack) -> int:
    return len(s.sim.state.calls)


@pytest.mark.parametrize("stack", [600], indirect=True)
def test_repeat_is_cached_refresh_bypasses_logout_forgets(stack: Stack) -> None:
    link(stack)
    first = ask(stack, "usage last-month", ANSWER)
    n = upstream(stack)
    again = ask(stack, "usage last-month", ANSWER)
    assert upstream(stack) == n  # answered from the shared cache
    assert again.blocks[:3] == first.blocks[:3]
    ask(stack, "usage last-month --refresh", ANSWER)
    assert upstream(stack) > n  # --refresh asked QwenCloud
    ask(stack, "logout", "Logged out")
    link(stack)
    n = upstream(stack)
    ask(stack, "usage last-month", ANSWER)
    assert upstream(stack) > n  # logout dropped the cached results
    assert httpx.get(stack.bot.url + "/metrics").status_code == 404  # not without the bearer token
    body = httpx.get(stack.bot.url + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
    assert 'qwen_bot_cache_lookups_total{result="hit"}' in body
    assert 'qwen_bot_commands_total{command="usage",outcome="ok"}' in body
    assert "qwen_bot_upstream_request_seconds_bucket" in body
    assert stack.services.credentials.get(Owner(stack.slack.ws.team_id, MEMBER)) is not None
