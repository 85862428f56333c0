"""Fuzzing the running Slack app with correctly signed but random interaction payloads and events.

block_actions (every registered action id and random ones, any value/selected option/container), view
submissions and closes, shortcuts, options requests, events and non-object JSON go through the real WSGI
app (Bolt's adapter, signature check, middleware, listeners). The answer is never a 5xx.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import build_app
from bot.base.config import Secret, Settings
from bot.bootstrap import build_bot, build_services
from bot.devtools.localslack import FakeSlack
from bot.devtools.localslack.sender import sign
from bot.render import messages as render_slack
from bot.slack.bolt import wsgi_app
from bot.team import home_view as render_home

# The app's background threads (lazy listeners, Slack SDK retry jitter) may use the global `random` while
# hypothesis draws the next payload; hypothesis then warns as if a strategy had used it.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")

SECRET = "fuzz-signing-secret"
TOKEN = "xoxb-fuzz-token"
ACTION_IDS = (*render_slack.ACTION_IDS, *render_home.HOME_ACTIONS)
TEXT = st.text(max_size=30)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=10,
)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy, JSONISH)


USER = st.fixed_dictionaries({"id": st.sampled_from(["U1", "UMEMBER", ""]) | TEXT}, optional={"name": TEXT})
ACTION = st.fixed_dictionaries(
    {"action_id": st.sampled_from(ACTION_IDS) | TEXT},
    optional={
        "value": _maybe(
            st.sampled_from(["login", "usage last-month", "usage --format text", "qwen-plus"]) | TEXT
        ),
        "selected_option": _maybe(st.fixed_dictionaries({"value": TEXT})),
        "type": st.sampled_from(["button", "static_select", "overflow"]) | TEXT,
        "block_id": TEXT,
    },
)
VIEW = st.fixed_dictionaries(
    {"id": TEXT, "callback_id": st.sampled_from([render_home.LINK_MODAL]) | TEXT},
    optional={
        "private_metadata": _maybe(TEXT | JSONISH.map(json.dumps)),
        "state": _maybe(st.fixed_dictionaries({"values": JSONISH})),
        "type": st.sampled_from(["modal", "home"]),
    },
)
COMMON = {
    "user": _maybe(USER),
    "team": _maybe(st.fixed_dictionaries({"id": st.sampled_from(["T1", "TLOCAL"]) | TEXT})),
    "response_url": st.sampled_from(["http://127.0.0.1:9/r", "not a url", ""]),
    "trigger_id": TEXT,
    "channel": _maybe(st.fixed_dictionaries({"id": TEXT})),
    "container": _maybe(st.fixed_dictionaries({"type": TEXT, "message_ts": TEXT})),
    "message": _maybe(st.fixed_dictionaries({"ts": TEXT, "text": TEXT, "blocks": JSONISH})),
}
PAYLOADS = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("block_actions"), "actions": st.lists(ACTION, max_size=3)}, optional=COMMON
    ),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["view_submission", "view_closed"]), "view": _maybe(VIEW)}, optional=COMMON
    ),
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["shortcut", "message_action", "block_suggestion"]),
            "callback_id": TEXT,
            "action_id": st.sampled_from(ACTION_IDS) | TEXT,
            "value": TEXT,
        },
        optional=COMMON,
    ),
    st.dictionaries(TEXT, JSONISH, max_size=4),
    JSONISH,
)
EVENTS = st.fixed_dictionaries(
    {
        "type": st.just("event_callback"),
        "team_id": st.sampled_from(["T1"]) | TEXT,
        "event": st.fixed_dictionaries(
            {"type": st.sampled_from(["app_home_opened", "message", "app_mention"]) | TEXT},
            optional={
                "user": TEXT,
                "channel": TEXT,
                "text": TEXT,
                "channel_type": st.sampled_from(["im", "channel"]),
                "tab": st.sampled_from(["home", "messages"]),
                "bot_id": TEXT,
                "subtype": TEXT,
            },
        ),
        "event_id": TEXT,
    },
)


@pytest.fixture(scope="module")
def post(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str, str], int]]:
    from cryptography.fernet import Fernet

    data = tmp_path_factory.mktemp("fuzz")
    slack = FakeSlack.start(signing_secret=SECRET, bot_token=TOKEN)
    settings = Settings(
        data_dir=data,
        database_url=f"sqlite:///{data / 'fuzz.db'}",
        encryption_keys=Secret(Fernet.generate_key().decode()),
        slack_bot_token=Secret(TOKEN),
        slack_signing_secret=Secret(SECRET),
        slack_api_url=slack.api_url,
        api_endpoint="http://127.0.0.1:9",
        auth_endpoint="http://127.0.0.1:9",
        upstream_timeout=1.0,
    )
    services = build_services(settings)
    app = wsgi_app(build_app(build_bot(services), token_verification=False))
    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://bot")

    def send(body: str, content_type: str) -> int:
        headers = {"Content-Type": content_type, **sign(SECRET, body, int(time.time()))}
        return client.post("/slack/events", content=body.encode(), headers=headers).status_code

    yield send
    client.close()
    services.close()
    slack.stop()


FUZZ = settings(
    max_examples=800, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


@FUZZ
@given(PAYLOADS)
def test_interaction_payloads_never_500(post: Callable[[str, str], int], payload: Any) -> None:
    status = post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
    assert status < 500, payload


@settings(
    max_examples=300, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
@given(EVENTS | st.dictionaries(TEXT, JSONISH, max_size=4))
def test_events_never_500(post: Callable[[str, str], int], event: Any) -> None:
    assert post(json.dumps(event), "application/json") < 500, event


@settings(
    max_examples=300, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
@given(
    st.dictionaries(
        st.sampled_from(["command", "text", "user_id", "team_id", "response_url", "channel_id", "trigger_id"])
        | TEXT,
        TEXT,
        max_size=7,
    ),
    st.binary(max_size=30),
)
def test_slash_forms_and_garbage_never_500(
    post: Callable[[str, str], int], form: dict[str, str], garbage: bytes
) -> None:
    form.setdefault("command", "/qwen")
    assert post(urlencode(form), "application/x-www-form-urlencoded") < 500, form
    assert post(garbage.decode("latin-1"), "application/x-www-form-urlencoded") < 500
