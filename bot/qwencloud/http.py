"""One HTTP exchange with QwenCloud: timeouts, retries for idempotent reads, and the error mapping.

HTTP 401/403 -> TokenRejected, transport failure -> NetworkError, other non-2xx -> HttpError,
unparsable JSON -> MalformedResponse (contract §10 differences are deliberate).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from bot import USER_AGENT
from bot.base.errors import HttpError, MalformedResponse, NetworkError, TokenRejected
from bot.base.redact import redact_text, redact_url

log = logging.getLogger("bot.qwencloud")
log.addHandler(logging.NullHandler())  # a library: silent unless the application configures logging

# Statuses worth another try on a read: the server may be briefly overloaded or restarting.
RETRYABLE_STATUS = frozenset({429, 502, 503, 504})


class Transport:
    """Sends requests through the injected httpx.Client and turns failures into bot.base.errors."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        retries: int = 2,
        backoff: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http = http
        self._retries = max(0, retries)
        self._backoff = backoff
        self._sleep = sleep

    def send(
        self,
        method: str,
        url: str,
        *,
        timeout: float,
        idempotent: bool,
        token: str | None = None,
        body: Mapping[str, Any] | None = None,
        auth_errors: bool = True,
    ) -> httpx.Response:
        """The 2xx response (or, with auth_errors=False, any non-transport answer for the caller to read)."""
        attempts = 1 + (self._retries if idempotent else 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self._once(method, url, timeout=timeout, token=token, body=body)
            except NetworkError:
                if last:
                    raise
                self._pause(attempt, None)
                continue
            if response.status_code in RETRYABLE_STATUS and not last:
                self._pause(attempt, _retry_after(response))
                continue
            return self._check(response, url, auth_errors=auth_errors)
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(
        self, method: str, url: str, *, timeout: float, token: str | None, body: Mapping[str, Any] | None
    ) -> httpx.Response:
        headers = {"User-Agent": USER_AGENT}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        content = json.dumps(body, separators=(",", ":")).encode() if body is not None else None
        started = time.monotonic()
        try:
            response = self._http.request(method, url, headers=headers, content=content, timeout=timeout)
        except httpx.TimeoutException as exc:
            log.warning("%s %s timed out after %.0fs", method, redact_url(url), timeout)
            raise NetworkError(f"Request timed out after {timeout:g}s\n  URL: {redact_url(url)}") from exc
        except httpx.TransportError as exc:
            log.warning("%s %s failed: %s", method, redact_url(url), type(exc).__name__)
            cause = redact_text(str(exc)) or type(exc).__name__
            raise NetworkError(f"Network request failed: {cause}\n  URL: {redact_url(url)}") from exc
        log.debug(
            "%s %s -> %d (%.0f ms)",
            method,
            redact_url(url),
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response

    def _check(self, response: httpx.Response, url: str, *, auth_errors: bool) -> httpx.Response:
        status = response.status_code
        if 200 <= status < 300 or not auth_errors:
            return response
        if status in (401, 403):
            raise TokenRejected(status, request_id=response.headers.get("x-request-id"))
        raise HttpError(
            status,
            response.reason_phrase,
            redact_url(url),
            redact_text(response.text),
            retry_after=_retry_after(response),
        )

    def _pause(self, attempt: int, retry_after: float | None) -> None:
        delay = self._backoff * (2**attempt)
        if retry_after is not None:
            delay = max(delay, min(retry_after, 30.0))
        self._sleep(delay)


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after")
    try:
        return float(raw) if raw else None
    except ValueError:
        return None


def json_body(response: httpx.Response) -> Any:
    """The parsed body; MalformedResponse when it is not JSON."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError) as exc:
        try:
            url = redact_url(str(response.request.url))
        except RuntimeError:  # a response built without a request (tests)
            url = "?"
        raise MalformedResponse(
            f"QwenCloud returned a response that is not JSON (HTTP {response.status_code})\n  URL: {url}"
        ) from exc
