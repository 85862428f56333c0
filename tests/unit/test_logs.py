"""bot.base.logs: secrets never reach a log line; JSON lines; a request id per Slack request."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from slack_bolt import App, BoltRequest
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.signature import SignatureVerifier

from bot.base import logs
from bot.base.config import Secret, Settings

SLACK_BOT = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
SLACK_USER = "xoxp-1111-2222-3333-abcdefabcdef"
SLACK_APP = "xapp-1-A0123-4567-deadbeefcafe"
ACCESS = "qc_at_7f3e9a1b2c4d5e6f7a8b9c0d1e2f3a4b"
DEVICE = "dev_tok_9b8a7c6d5e4f3a2b1c0d"
VERIFIER = "verif_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg"
CLIENT_SECRET = "cs_5ecret_value_0123456789"
SIGNING = "signing-secret-abcdef0123456789"
ALL_SECRETS = (SLACK_BOT, SLACK_USER, SLACK_APP, ACCESS, DEVICE, VERIFIER, CLIENT_SECRET, SIGNING)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    settings = Settings(log_format="json", slack_signing_secret=Secret(SIGNING))
    handler = logs.configure_logging(settings, stream=stream)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_every_kind_of_secret_is_masked_in_messages_args_and_tracebacks(captured: io.StringIO) -> None:
    log = logging.getLogger("bot.test")
    log.warning("slack said %s and %s, app token %s", SLACK_BOT, SLACK_USER, SLACK_APP)
    log.info("GET https://gw.example/api?token=%s&code_verifier=%s&client_secret=%s", DEVICE, VERIFIER,
             CLIENT_SECRET)
    log.info("headers: {'Authorization': 'Bearer %s'}", ACCESS)
    log.info("body %s", json.dumps({"access_token": ACCESS, "device_token": DEVICE}))
    log.info("device_token=%s code_verifier: %s", DEVICE, VERIFIER)
    log.info("the signing secret is %s", SIGNING)
    try:
        raise RuntimeError(f"boom with Bearer {ACCESS} and {SLACK_BOT}")
    except RuntimeError:
        log.exception("failed for token=%s", DEVICE)
    out = captured.getvalue()
    assert len(lines(captured)) == 7
    for secret in ALL_SECRETS:
        assert secret not in out, secret
    assert out.count("***") >= 12
    assert "Traceback" in out and "RuntimeError" in out  # the traceback survives, masked


def test_secrets_in_extra_fields_are_masked(captured: io.StringIO) -> None:
    logging.getLogger("bot.test").info("posting", extra={"url": f"https://x/y?token={DEVICE}", "n": 3})
    (entry,) = lines(captured)
    assert entry["n"] == 3
    assert DEVICE not in str(entry["url"]) and "token=***" in str(entry["url"])


def test_json_lines_shape_and_request_id(captured: io.StringIO) -> None:
    log = logging.getLogger("bot.test")
    logs.request_id_var.set(None)  # this thread may have served an in-process Slack request before
    log.info("outside")
    with logs.request_context("req-abc") as rid:
        log.info("inside %d", 42)
    assert rid == "req-abc"
    first, second = lines(captured)
    assert first["request_id"] == "-" and second["request_id"] == "req-abc"
    assert second["msg"] == "inside 42" and second["level"] == "INFO" and second["logger"] == "bot.test"
    assert str(second["ts"]).endswith("+00:00")


def test_text_format_carries_request_id() -> None:
    stream = io.StringIO()
    handler = logs.configure_logging(Settings(log_format="text"), stream=stream)
    try:
        with logs.request_context("rid-text"):
            logging.getLogger("bot.t").warning("hello %s", SLACK_BOT)
    finally:
        logging.getLogger().removeHandler(handler)
    text = stream.getvalue()
    assert "[rid-text]" in text and "WARNING bot.t" in text and SLACK_BOT not in text


def test_configure_is_idempotent_and_quiets_libraries() -> None:
    root = logging.getLogger()
    before = len(root.handlers)
    h1 = logs.configure_logging(Settings())
    h2 = logs.configure_logging(Settings())
    try:
        assert len(root.handlers) == before + 1 and h1 not in root.handlers
        for name in ("slack_sdk", "slack_bolt", "httpx", "urllib3"):
            assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING
        logs.configure_logging(Settings(debug_slack=True))
        assert logging.getLogger("slack_bolt").getEffectiveLevel() == logging.DEBUG
    finally:
        for h in list(root.handlers):
            if h.get_name() == logs.HANDLER_NAME:
                root.removeHandler(h)
        for name in logs.QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
    assert h2 is not None


def test_context_executor_carries_request_id() -> None:
    with logs.context_executor(2) as pool, logs.request_context("carried"):
        assert pool.submit(logs.current_request_id).result() == "carried"


def test_bolt_middleware_gives_each_request_its_own_id(captured: io.StringIO) -> None:
    seen: list[tuple[str | None, object]] = []
    def authorize(**_: object) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=None, team_id="T1", bot_token=SLACK_BOT, bot_user_id="UB")

    app = App(signing_secret=SIGNING, authorize=authorize, listener_executor=logs.context_executor(2))
    app.middleware(logs.request_id_middleware)

    @app.command("/qwen")
    def handle(ack, context, logger):  # type: ignore[no-untyped-def]
        seen.append((logs.current_request_id(), context.get("request_id")))
        logging.getLogger("bot.handler").info("handling with %s", SLACK_BOT)
        ack()

    verifier = SignatureVerifier(SIGNING)
    for _ in range(2):
        body = urlencode({"command": "/qwen", "text": "help", "team_id": "T1", "user_id": "U1",
                          "response_url": "http://127.0.0.1:9/r", "trigger_id": "t"})
        ts = str(int(time.time()))
        headers = {"x-slack-request-timestamp": [ts],
                   "x-slack-signature": [verifier.generate_signature(timestamp=ts, body=body)],
                   "content-type": ["application/x-www-form-urlencoded"]}
        assert app.dispatch(BoltRequest(body=body, headers=headers)).status == 200
    assert len(seen) == 2
    (a, ca), (b, cb) = seen
    assert a and b and a != b and a == ca and b == cb
    handled = [e for e in lines(captured) if e["logger"] == "bot.handler"]
    assert [e["request_id"] for e in handled] == [a, b]
    assert SLACK_BOT not in captured.getvalue()
