"""The Slack edge of background posting: slack_sdk WebClients, and their answers classified into the pure
outcomes of bot.team.outbox (Posted / RetryLater / Refused / Unknown).

The WebClients built here never retry by themselves (`retry_handlers=[]`): a transparent retry of a post
whose answer was lost is exactly how duplicates happen.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler

from bot.slack.installs import BotTokens
from bot.team.outbox import (
    DEFAULT_RETRY_AFTER,
    Absent,
    Found,
    Lookup,
    Outcome,
    Posted,
    RetryLater,
    Unavailable,
    Unknown,
    Upload,
    api_error,
    upload_result,
)

log = logging.getLogger("bot.publish")


def classify(call: Callable[[], Any]) -> tuple[Outcome, Any]:
    """Run one Web API call; the outcome and the response (None unless ok)."""
    try:
        response = call()
    except SlackApiError as exc:
        return _api_error(exc), None
    except URLError as exc:
        if isinstance(exc.reason, ConnectionRefusedError):
            return RetryLater(DEFAULT_RETRY_AFTER, "connection refused"), None
        return Unknown(f"network: {exc.reason}"), None
    except ConnectionRefusedError:
        return RetryLater(DEFAULT_RETRY_AFTER, "connection refused"), None
    except (TimeoutError, ConnectionError, OSError) as exc:
        return Unknown(f"network: {type(exc).__name__}"), None
    return Posted(str(response.get("channel") or ""), str(response.get("ts") or "")), response


def open_dm(client: WebClient, user_id: str) -> str | None:
    """The id of the bot's DM channel with `user_id`, or None (logged) when Slack will not open it."""
    outcome, response = classify(lambda: client.conversations_open(users=user_id))
    if not isinstance(outcome, Posted) or response is None:
        log.warning("conversations.open for a DM failed: %s", outcome)
        return None
    return str((response.get("channel") or {}).get("id") or "") or None


def _api_error(exc: SlackApiError) -> Outcome:
    response = exc.response
    status = int(getattr(response, "status_code", 200) or 200)
    error = str(response.get("error") or f"http {status}") if hasattr(response, "get") else f"http {status}"
    return api_error(status, error, getattr(response, "headers", {}) or {})


class WebPoster:
    """A `bot.team.outbox.Poster` over one slack_sdk WebClient."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post(
        self, *, channel: str, text: str, blocks: list[dict[str, Any]], metadata: dict[str, Any] | None = None
    ) -> Outcome:
        outcome, _ = classify(
            lambda: self.client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=blocks,
                metadata=metadata,
                unfurl_links=False,
                unfurl_media=False,
            )
        )
        return outcome

    def open_dm(self, user_id: str) -> str | None:
        return open_dm(self.client, user_id)

    def update(self, *, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> Outcome:
        outcome, _ = classify(
            lambda: self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        )
        return outcome

    def upload_private_png(self, *, data: bytes, filename: str, title: str, alt: str) -> Upload:
        """Upload a PNG without sharing it anywhere; the message then shows it with an image block."""
        try:
            outcome, response = classify(
                lambda: self.client.files_upload_v2(file=data, filename=filename, title=title, alt_txt=alt)
            )
        except Exception as exc:  # the SDK's own checks (SlackRequestError, odd answers): no chart, no harm
            log.warning("chart upload failed (%s): the digest uses a sparkline", type(exc).__name__)
            return Upload(None)
        file_id = ""
        if response is not None:
            files = response.get("files") or [response.get("file") or {}]
            file_id = str((files[0] or {}).get("id") or "") if files else ""
        return upload_result(outcome, file_id)

    def _history(self, channel: str, oldest: str, latest: str | None) -> Any:
        return self.client.conversations_history(
            channel=channel, oldest=oldest, latest=latest, limit=200, include_all_metadata=True
        )

    def find_posted(self, *, channel: str, oldest: float, event_type: str, run_id: int) -> Lookup:
        """Pages `conversations.history` (newest first) back to `oldest` looking for the run's metadata."""
        latest: str | None = None
        for _ in range(HISTORY_PAGES):
            outcome, response = classify(functools.partial(self._history, channel, f"{oldest:.6f}", latest))
            if not isinstance(outcome, Posted) or response is None:
                return Unavailable(str(getattr(outcome, "error", "error")))
            messages = [m for m in response.get("messages") or [] if isinstance(m, dict)]
            for message in messages:
                if carries_run(message, event_type, run_id):
                    return Found(str(message.get("ts") or ""))
            if not response.get("has_more") or not messages:
                return Absent()
            latest = min((str(m.get("ts") or "") for m in messages), key=lambda ts: float(ts or 0))
        return Unavailable("history too long to search")


HISTORY_PAGES = 10  # 2,000 messages since the claim; beyond that the outcome stays unknown (no risk taken)


def carries_run(message: dict[str, Any], event_type: str, run_id: int) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    listed = payload.get("run_ids")  # one renewal DM names many rows
    ids = listed if isinstance(listed, list) else []
    ours = str(payload.get("run_id")) == str(run_id) or str(run_id) in {str(i) for i in ids}
    return bool(metadata.get("event_type") == event_type and ours)


def web_client(token: str | None, base_url: str) -> WebClient:
    """A Web API client for SLACK_API_URL that waits out HTTP 429 (Retry-After) twice before giving up."""
    client = WebClient(token=token, base_url=base_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return client


def notice_client(client: WebClient) -> WebClient:
    """Login notices also retry a Slack 5xx once: a notice seen twice beats a login nobody hears about."""
    client.retry_handlers.append(ServerErrorRetryHandler(max_retry_count=1))
    return client


def no_retry_client(token: str, base_url: str, *, timeout: int = 20) -> WebClient:
    return WebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=[])


class TeamSlackClients:
    """A `bot.team.outbox.SlackClients`: the team's bot token (slack/installs.py), non-retrying posters."""

    def __init__(self, tokens: BotTokens) -> None:
        self._tokens = tokens
        self._static: WebPoster | None = None
        if tokens.single_workspace:
            self._static = self._poster(tokens.for_team(""))

    def _poster(self, token: str | None) -> WebPoster:
        return WebPoster(no_retry_client(token or "", self._tokens.base_url))

    def for_team(self, team_id: str) -> WebPoster | None:
        if self._static is not None:
            return self._static
        token = self._tokens.for_team(team_id)
        return self._poster(token) if token is not None else None
