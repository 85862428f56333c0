"""One answer in flight per user across web processes: two `qwen-bot serve --no-worker` on one PostgreSQL.
The user's second question goes to the OTHER process while the first is held upstream (simulator latency);
its "Working…" is replaced by "still working on your last question" before any upstream call (a repeat to
the SAME process is refused in the ack), and the question after the first answer is answered. PostgreSQL from
QWEN_BOT_TEST_POSTGRES_URL (CI fails without it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from bot.base.clock import SystemClock
from bot.base.config import Settings
from bot.bootstrap import build_services
from bot.core.inflight import STILL_WORKING
from bot.devtools.localslack import GENERAL, FakeSlack
from bot.devtools.localslack.sender import sign
from bot.devtools.simulator.server import SimulatorHandle, start_simulator
from bot.qwencloud.models import DeviceCredentials, QwenUser
from bot.storage.migrate import upgrade
from bot.storage.owner import Owner
from tests.fakes.env import bot_process_env
from tests.fakes.waits import eventually
from tests.reliability.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.reliability.test_many_processes import _spawn, _stop

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ASKER, OTHER = "U_ASKER", "U_OTHER"


@dataclass
class TwoWebs:
    sim: SimulatorHandle
    slack: FakeSlack
    urls: list[str]
    http: httpx.Client

    def ask(self, web: int, user: str, text: str) -> tuple[str, str]:
        """(the ack's text, the response_url token) of a signed slash command sent to web process `web`."""
        form, token = self.slack.sender.payloads.slash(user, GENERAL, text, "/qwen")
        body = urlencode(form)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SIGNING_SECRET, body)}
        reply = self.http.post(self.urls[web], content=body, headers=headers)
        assert reply.status_code == 200, reply.text[:200]
        return str(reply.json().get("text") or ""), token

    def answered(self, token: str) -> bool:
        return any(
            c.params.get("token") == token and "*Analysis*" in repr(c.params)
            for c in self.slack.calls("response_url")
        )

    def replies(self, token: str) -> list[str]:
        return [repr(c.params) for c in self.slack.calls("response_url") if c.params.get("token") == token]


@pytest.fixture
def webs(
    postgres_url: str, make_settings: Callable[..., Settings], key: str, tmp_path: Path
) -> Iterator[TwoWebs]:
    upgrade(postgres_url)
    sim = start_simulator()
    slack = FakeSlack.start(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN)
    settings = make_settings(database_url=postgres_url, endpoints_configured=True, api_endpoint=sim.url)
    services = build_services(settings, clock=SystemClock())
    procs: list[Any] = []
    http = httpx.Client(timeout=10)
    try:
        for uid in (ASKER, OTHER):
            slack.add_user(uid, uid.lower())
            until = datetime.now(UTC) + timedelta(days=1)
            creds = DeviceCredentials(sim.issue_token(), until, QwenUser(uid, None, None))
            services.credentials.put(Owner(slack.ws.team_id, uid), creds)
        env = bot_process_env(
            sim_url=sim.url,
            slack_api_url=slack.api_url,
            bot_token=BOT_TOKEN,
            signing_secret=SIGNING_SECRET,
            data_dir=str(tmp_path / "data"),
            DATABASE_URL=postgres_url,
            QWEN_BOT_ENCRYPTION_KEYS=key,
        )
        args = ["serve", "--no-worker", "--host", "127.0.0.1", "--port", "0"]
        procs += [_spawn(args, env, tmp_path / f"web{i}.log") for i in range(2)]
        urls = []
        for web in procs:
            line = web.stdout.readline()
            assert line.startswith("LISTENING "), line
            urls.append(f"http://127.0.0.1:{int(line.split()[1])}/slack/events")
        yield TwoWebs(sim=sim, slack=slack, urls=urls, http=http)
        for log in tmp_path.glob("web*.log"):
            assert "Traceback" not in log.read_text(), log.name
    finally:
        _stop(procs)
        http.close()
        services.close()
        slack.stop()
        sim.stop()


def test_second_question_to_the_other_process_waits_for_the_first(
    webs: TwoWebs, record: Callable[..., None]
) -> None:
    record(
        "scale.answer_slot_processes",
        "scale",
        "a user's second question reaches another web process while the first is still being answered",
        "2 subprocesses `qwen-bot serve --no-worker`, one PostgreSQL; simulator latency 4 s holds the first",
        "\"Working…\", replaced by \"I'm still working on your last question\" (in the ack when the repeat "
        "reaches the same process); other users are not held up",
        "ask again once the answer is there (the next question is answered normally)",
        "the first answer arrives; the refused question gets the refusal, never an answer; the slot frees",
    )
    webs.sim.control(latency_ms=4000)  # the first answer stays upstream while the second arrives
    first, first_token = webs.ask(0, ASKER, "usage last-month")
    assert first == "Working…"
    eventually(lambda: webs.sim.snapshot()["in_flight"] > 0)
    second, second_token = webs.ask(1, ASKER, "payg last-month")
    assert second == "Working…"  # that process cannot know in its ack; its lazy half asks the shared slot
    eventually(lambda: any(STILL_WORKING in r for r in webs.replies(second_token)))
    again, _ = webs.ask(0, ASKER, "payg last-month")  # the process answering it knows in the ack
    assert again == STILL_WORKING
    other, other_token = webs.ask(1, OTHER, "usage last-month")  # another user is not held up
    assert other == "Working…"
    webs.sim.control(latency_ms=0)
    eventually(lambda: webs.answered(first_token) and webs.answered(other_token))
    third, third_token = webs.ask(1, ASKER, "payg last-month")  # the slot was released: welcome again
    assert third == "Working…"
    eventually(lambda: webs.answered(third_token))
    assert len(webs.replies(second_token)) == 1  # the refusal only, never an answer
