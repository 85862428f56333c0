"""The error tree. Every error carries facts (status, code, request id, retry-after), never a token.

    QwenBotError                    exit 1 unless a subclass says otherwise
    ├── UsageError                  1  bad command input (unknown period, option, model)
    │   └── ModelNotFound           1  MODEL_NOT_FOUND, with a suggestion
    ├── InvalidArgument             4  INVALID_ARGUMENT (missing --model, bad granularity, from > to)
    ├── AuthError                   2
    │   ├── AuthRequired            2  no credential
    │   ├── TokenExpired            2  local clock past expires_at
    │   └── TokenRejected           2  HTTP 401/403 from QwenCloud (deliberate difference, contract §10)
    ├── NetworkError                3  refused, DNS, timeout (deliberate difference, contract §10)
    ├── UpstreamError               1  QwenCloud answered, but not with data
    │   ├── HttpError               1  other non-2xx
    │   ├── GatewayError            1  flat call code != "200"
    │   ├── BusinessError           1  envelope ret[0] not SUCCESS
    │   └── MalformedResponse       1  not JSON / wrong shape
    ├── DeviceFlowError             1  denied, expired, no pending session, init failed
    ├── NotFound                    1  a team command names no known team account, or runs in the wrong place
    └── ConfigError                 4  bad or missing configuration (keys, database URL)

Renderers (render/text.py, render/slack.py, handlers/errors.py) turn these into words; nothing else does.
"""

from __future__ import annotations


class QwenBotError(Exception):
    exit_code: int = 1
    code: str = "UNKNOWN_ERROR"

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.hint = hint


class UsageError(QwenBotError):
    exit_code = 1
    code = "UNKNOWN_ERROR"


class ModelNotFound(UsageError):
    code = "MODEL_NOT_FOUND"

    def __init__(self, model: str, suggestion: str | None = None) -> None:
        msg = f"Model '{model}' not found." + (f" Did you mean '{suggestion}'?" if suggestion else "")
        super().__init__(msg)
        self.model = model
        self.suggestion = suggestion


class InvalidArgument(QwenBotError):
    exit_code = 4
    code = "INVALID_ARGUMENT"


class AuthError(QwenBotError):
    exit_code = 2
    code = "AUTH_REQUIRED"


class AuthRequired(AuthError):
    code = "AUTH_REQUIRED"

    def __init__(self, message: str = "Not authenticated. Run: qwen-bot auth login") -> None:
        super().__init__(message)


class TokenExpired(AuthError):
    code = "TOKEN_EXPIRED"

    def __init__(self, message: str = "Token expired. Run: qwen-bot auth login") -> None:
        super().__init__(message)


class TokenRejected(AuthError):
    code = "TOKEN_REJECTED"

    def __init__(self, status: int, *, request_id: str | None = None) -> None:
        super().__init__(f"QwenCloud rejected the token (HTTP {status}). Log in again.")
        self.status = status
        self.request_id = request_id


class NetworkError(QwenBotError):
    exit_code = 3
    code = "NETWORK_ERROR"


class UpstreamError(QwenBotError):
    exit_code = 1
    code = "UNKNOWN_ERROR"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.request_id = request_id
        self.retry_after = retry_after


class HttpError(UpstreamError):
    def __init__(
        self, status: int, reason: str, url: str, body: str, *, retry_after: float | None = None
    ) -> None:
        super().__init__(
            f"HTTP {status}: {reason}\n  URL: {url}\n  Response: {body[:500]}", retry_after=retry_after
        )
        self.status = status


class GatewayError(UpstreamError):
    """Flat call answered with code != "200"; `code` is the gateway's own code."""


class BusinessError(UpstreamError):
    """Envelope call answered with ret[0] other than SUCCESS."""


class MalformedResponse(UpstreamError):
    pass


class DeviceFlowError(QwenBotError):
    exit_code = 1

    def __init__(self, message: str, *, kind: str = "error") -> None:
        # kind: "denied" | "expired" | "no_pending" | "init_failed" | "error"
        super().__init__(message)
        self.kind = kind


class NotFound(QwenBotError):
    """What a team command needs is missing or ambiguous (an account, a channel); the message says so."""

    code = "NOT_FOUND"


class ConfigError(QwenBotError):
    exit_code = 4
    code = "CONFIG_ERROR"
