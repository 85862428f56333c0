"""Posting to Slack from background work, with every answer classified for the delivery state machine.

* `Posted`: Slack said ok (the ts is kept).
* `RetryLater`: Slack proved nothing was posted and asked us to come back (HTTP 429 + Retry-After,
  `ratelimited`), or the connection was refused before any request went out.
* `Refused`: an `ok:false` answer: nothing was posted; `permanent` when retrying cannot help.
* `Unknown`: a 5xx, a timeout, a reset connection: the message may or may not exist. Never retried.

The WebClient used here must not retry by itself (`retry_handlers=[]`): a transparent retry of a post
whose answer was lost is exactly how duplicates happen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger("bot.publish")

DEFAULT_RETRY_AFTER = timedelta(seconds=30)
NO_FILES_ERRORS = frozenset(
    {
        "missing_scope",
        "not_allowed",
        "not_allowed_token_type",
        "no_permission",
        "restricted_action",
        "file_uploads_disabled",
        "file_uploads_except_images_disabled",
    }
)
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "is_archived",
        "invalid_auth",
        "token_revoked",
        "account_inactive",
        "not_authed",
        "msg_too_long",
        "invalid_blocks",
        "invalid_blocks_format",
        "missing_scope",
        "team_access_not_granted",
        "user_not_found",
        "cannot_dm_bot",
        "user_disabled",
    }
)


@dataclass(frozen=True, slots=True)
class Posted:
    channel: str
    ts: str


@dataclass(frozen=True, slots=True)
class RetryLater:
    after: timedelta
    error: str


@dataclass(frozen=True, slots=True)
class Refused:
    error: str
    permanent: bool


@dataclass(frozen=True, slots=True)
class Unknown:
    error: str


Outcome = Posted | RetryLater | Refused | Unknown


class SlackClients(Protocol):
    """The bot's Web API client for a workspace (one token, or the OAuth installation's), or None."""

    def for_team(self, team_id: str) -> WebClient | None: ...


class StaticSlackClients:
    """One workspace: the same bot token for every team id."""

    def __init__(self, *, token: str, base_url: str, timeout: int = 20) -> None:
        self._client = WebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=[])

    def for_team(self, team_id: str) -> WebClient | None:
        return self._client


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


def _api_error(exc: SlackApiError) -> Outcome:
    response = exc.response
    status = int(getattr(response, "status_code", 200) or 200)
    error = str(response.get("error") or f"http {status}") if hasattr(response, "get") else f"http {status}"
    if status == 429 or error == "ratelimited":
        return RetryLater(retry_after(getattr(response, "headers", {}) or {}), "ratelimited")
    if status >= 500:
        return Unknown(f"slack {status}: {error}")
    return Refused(error, permanent=error in PERMANENT_ERRORS)


def retry_after(headers: dict[str, Any]) -> timedelta:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return timedelta(seconds=max(1, int(str(raw).strip())))
            except ValueError:
                break
    return DEFAULT_RETRY_AFTER


def post(
    client: WebClient,
    *,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]],
    metadata: dict[str, Any] | None = None,
) -> Outcome:
    outcome, _ = classify(
        lambda: client.chat_postMessage(
            channel=channel,
            text=text,
            blocks=blocks,
            metadata=metadata,
            unfurl_links=False,
            unfurl_media=False,
        )
    )
    return outcome


def open_dm(client: WebClient, user_id: str) -> str | None:
    outcome, response = classify(lambda: client.conversations_open(users=user_id))
    if not isinstance(outcome, Posted) or response is None:
        log.warning("conversations.open for a DM failed: %s", outcome)
        return None
    return str((response.get("channel") or {}).get("id") or "") or None


@dataclass(frozen=True, slots=True)
class Upload:
    file_id: str | None  # None: no chart (no files:write, or the upload failed); use the sparkline
    no_scope: bool = False
    retry: RetryLater | None = None


def upload_private_png(client: WebClient, *, data: bytes, filename: str, title: str, alt: str) -> Upload:
    """Upload a PNG without sharing it anywhere; the message then shows it with an image block."""
    try:
        outcome, response = classify(
            lambda: client.files_upload_v2(file=data, filename=filename, title=title, alt_txt=alt)
        )
    except Exception as exc:  # the SDK's own checks (SlackRequestError, odd answers): no chart, no harm
        log.warning("chart upload failed (%s): the digest uses a sparkline", type(exc).__name__)
        return Upload(None)
    if isinstance(outcome, Posted) and response is not None:
        files = response.get("files") or [response.get("file") or {}]
        file_id = str((files[0] or {}).get("id") or "") if files else ""
        return Upload(file_id or None)
    if isinstance(outcome, RetryLater):
        return Upload(None, retry=outcome)
    error = getattr(outcome, "error", "")
    if error in NO_FILES_ERRORS:
        log.info("no files:write for this workspace (%s): the digest uses a sparkline", error)
        return Upload(None, no_scope=True)
    log.warning("chart upload failed (%s): the digest uses a sparkline", error)
    return Upload(None)
