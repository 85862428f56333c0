"""What background posting to Slack can come to, pure of Slack libraries (bot/slack/posting.py classifies).

* `Posted`: Slack said ok (the ts is kept).
* `RetryLater`: Slack proved nothing was posted and asked us to come back (HTTP 429 + Retry-After,
  `ratelimited`), or the connection was refused before any request went out.
* `Refused`: an `ok:false` answer: nothing was posted; `permanent` when retrying cannot help.
* `Unknown`: a 5xx, a timeout, a reset connection: the message may or may not exist. Never retried
  blindly: a later pass looks for the post's metadata (run id) in the channel's history (`find_posted`).

Digests, alerts, reminders and tracking notices depend only on these and on the `Poster` protocol; the
composition root (or a test) injects the `SlackClients` that gives a workspace's poster.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

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

DIGEST_EVENT = "qwen_digest"  # the metadata event_type a digest post carries, with {"run_id": ...}


@dataclass(frozen=True, slots=True)
class Found:
    """The channel's history holds the message carrying the run id: it was posted."""

    ts: str


@dataclass(frozen=True, slots=True)
class Absent:
    """The channel's history since the claim holds no message carrying the run id."""


@dataclass(frozen=True, slots=True)
class Unavailable:
    """The history could not be read (missing scope, error): the outcome stays unknown."""

    error: str


Lookup = Found | Absent | Unavailable


@dataclass(frozen=True, slots=True)
class Upload:
    file_id: str | None  # None: no chart (no files:write, or the upload failed); use the sparkline
    no_scope: bool = False
    retry: RetryLater | None = None


class Poster(Protocol):
    """Posts to one workspace; never retries by itself (a retried post whose answer was lost duplicates)."""

    def post(
        self, *, channel: str, text: str, blocks: list[dict[str, Any]], metadata: dict[str, Any] | None = None
    ) -> Outcome: ...

    def open_dm(self, user_id: str) -> str | None: ...

    def update(self, *, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> Outcome:
        """chat.update of a message we posted (a notice whose wait is over)."""
        ...


    def upload_private_png(self, *, data: bytes, filename: str, title: str, alt: str) -> Upload: ...

    def find_posted(self, *, channel: str, oldest: float, event_type: str, run_id: int) -> Lookup:
        """Whether `channel`'s history since `oldest` (epoch seconds) has our message for `run_id`."""
        ...


class SlackClients(Protocol):
    """The bot's poster for a workspace (one token, or the OAuth installation's), or None."""

    def for_team(self, team_id: str) -> Poster | None: ...


def api_error(status: int, error: str, headers: dict[str, Any]) -> Outcome:
    """Slack's answer to a call that did not succeed (HTTP status, `error` code, headers), classified."""
    if status == 429 or error == "ratelimited":
        return RetryLater(retry_after(headers), "ratelimited")
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


def upload_result(outcome: Outcome, file_id: str | None) -> Upload:
    """What a chart upload came to; any failure means the digest uses a sparkline instead."""
    if isinstance(outcome, Posted):
        return Upload(file_id or None)
    if isinstance(outcome, RetryLater):
        return Upload(None, retry=outcome)
    if outcome.error in NO_FILES_ERRORS:
        log.info("no files:write for this workspace (%s): the digest uses a sparkline", outcome.error)
        return Upload(None, no_scope=True)
    log.warning("chart upload failed (%s): the digest uses a sparkline", outcome.error)
    return Upload(None)
